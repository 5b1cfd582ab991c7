package dev.tracepoke.perf;

import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records inside PERF_RECORD_COMPRESSED ({@code perf record -z}): one zstd stream runs through
 * all COMPRESSED records of a file, and a record may continue in the next COMPRESSED record, so
 * the decompressor and the unfinished tail persist between calls.
 */
final class ZstdRecords {
  private static final int CHUNK = 1 << 16;

  private final Path file;
  private ZstdDecompressCtx ctx;
  private final ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
  private byte[] tail = new byte[0];
  private long tailFrom = -1;

  ZstdRecords(Path file) {
    this.file = file;
  }

  /**
   * Decompresses one COMPRESSED payload (found at file offset {@code at}) and returns the whole
   * records it completes, each a buffer with position 0 and limit = its size.
   */
  List<ByteBuffer> expand(ByteBuffer payload, long at) throws PerfDataException {
    ByteArrayOutputStream acc = new ByteArrayOutputStream();
    acc.writeBytes(tail);
    try {
      if (ctx == null) {
        ctx = new ZstdDecompressCtx();
      }
      ByteBuffer src = ByteBuffer.allocateDirect(payload.remaining());
      src.put(payload).flip();
      boolean more = true;
      while (src.hasRemaining() || more) {
        out.clear();
        ctx.decompressDirectByteBufferStream(out, src);
        out.flip();
        more = out.remaining() == CHUNK;
        byte[] chunk = new byte[out.remaining()];
        out.get(chunk);
        acc.writeBytes(chunk);
        if (!src.hasRemaining() && chunk.length == 0) {
          break;
        }
      }
    } catch (RuntimeException | LinkageError e) {
      PerfDataException p = new PerfDataException(file, at, "PERF_RECORD_COMPRESSED: zstd data does not decompress ("
          + e.getMessage() + ")");
      p.initCause(e);
      throw p;
    }
    ByteBuffer d = ByteBuffer.wrap(acc.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    List<ByteBuffer> records = new ArrayList<>();
    while (d.remaining() >= 8) {
      int size = Short.toUnsignedInt(d.getShort(d.position() + 6));
      if (size < 8) {
        throw new PerfDataException(file, at, "PERF_RECORD_COMPRESSED: decompressed record size " + size
            + " is smaller than the 8-byte header");
      }
      if (size > d.remaining()) {
        break;
      }
      records.add(d.slice(d.position(), size).order(ByteOrder.LITTLE_ENDIAN));
      d.position(d.position() + size);
    }
    tail = new byte[d.remaining()];
    d.get(tail);
    tailFrom = tail.length > 0 ? at : -1;
    return records;
  }

  /** At the end of the data: a record cut in the middle is damage. */
  void end(long dataEnd) throws PerfDataException {
    if (ctx != null) {
      ctx.close();
    }
    if (tail.length > 0) {
      throw new PerfDataException(file, tailFrom, "PERF_RECORD_COMPRESSED: the decompressed data ends "
          + tail.length + " bytes into a record");
    }
  }
}
