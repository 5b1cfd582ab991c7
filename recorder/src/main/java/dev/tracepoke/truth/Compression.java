package dev.tracepoke.truth;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/** Compressors a truth file may use; the id is stored in byte 8 of every core file. */
enum Compression {
  ZSTD(1),
  XZ(2);

  final int id;

  Compression(int id) {
    this.id = id;
  }

  static Compression ofId(int id) {
    for (Compression c : values()) {
      if (c.id == id) {
        return c;
      }
    }
    return null;
  }

  OutputStream compress(OutputStream out, int level) throws IOException {
    return switch (this) {
      case ZSTD -> new ZstdCompressorOutputStream(out, level);
      case XZ -> new XZCompressorOutputStream(out, level);
    };
  }

  InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case ZSTD -> new ZstdCompressorInputStream(in);
      case XZ -> new XZCompressorInputStream(in);
    };
  }
}
