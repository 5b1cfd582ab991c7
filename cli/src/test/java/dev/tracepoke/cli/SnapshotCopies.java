package dev.tracepoke.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Copies of an OpenCSD snapshot whose trace buffer ({@code cstrace.bin}) a test writes anew. */
final class SnapshotCopies {
  private SnapshotCopies() {}

  /** What a copy's buffer holds, written to it. */
  interface Buffer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * {@code snapshot} copied to {@code dir} with its {@code cstrace.bin} written by {@code buffer};
   * a copy already at {@code dir} is taken as it is.
   */
  static Path withBuffer(Path snapshot, Path dir, Buffer buffer) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(snapshot)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("cstrace.bin")) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
    }
    try (OutputStream out = Files.newOutputStream(dir.resolve("cstrace.bin"))) {
      buffer.write(out);
    }
    return dir;
  }
}
