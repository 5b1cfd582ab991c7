package dev.tracepoke.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every file tracepoke writes appears whole or not at all: it is written under a temporary name in
 * the same directory ({@code NAME.tmp}), forced to the disk, then renamed over {@code NAME}. An
 * interrupted run leaves at most a {@code .tmp} file, never a file that looks complete; a failure
 * while writing (a full disk) deletes the temporary file and names the target in its message.
 */
public final class WholeFile {
  private WholeFile() {}

  /** What writes the file's content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** The temporary name {@code target} is written under. */
  public static Path temporary(Path target) {
    return target.resolveSibling(target.getFileName() + ".tmp");
  }

  /** Writes {@code target} from {@code content}. */
  public static void write(Path target, Content content) throws IOException {
    Path tmp = temporary(target);
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        content.writeTo(out);
      }
      commit(tmp, target);
    } catch (IOException | RuntimeException | Error e) {
      discard(tmp);
      throw failed(target, e);
    }
  }

  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  public static void writeString(Path target, String text, Charset charset) throws IOException {
    write(target, text.getBytes(charset));
  }

  /** Copies {@code source} to {@code target}. */
  public static void copy(Path source, Path target) throws IOException {
    write(target, out -> {
      try (InputStream in = Files.newInputStream(source)) {
        in.transferTo(out);
      }
    });
  }

  /**
   * Makes a finished temporary file {@code tmp} the file {@code target}: forces its bytes to the
   * disk, then renames it (atomically where the file system can). For writers that manage their
   * own channel (the perf.data writer, the truth writer).
   */
  public static void commit(Path tmp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes a temporary file after a failure (best effort: the failure is what gets reported). */
  public static void discard(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // a leftover NAME.tmp never looks like a finished file
    }
  }

  /** {@code e} as an exception whose message names {@code target} (a bare "No space left on device" does not). */
  public static IOException failed(Path target, Throwable e) {
    if (e instanceof Error err) {
      throw err;
    }
    String m = e.getMessage();
    if (e instanceof IOException io && m != null && m.contains(target.getFileName().toString())) {
      return io;
    }
    if (e instanceof RuntimeException r && !(e instanceof java.io.UncheckedIOException)) {
      throw r;
    }
    return new IOException("writing " + target + ": " + (m == null ? e.getClass().getSimpleName() : m), e);
  }
}
