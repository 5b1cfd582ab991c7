package dev.tracepoke.perf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A perf.data file that does not hold what the format requires at some byte: the message reads
 * {@code FILE: at byte N: WHAT}, and {@link #expected()} says what the reader needed there.
 */
public final class PerfDataException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final String expected;

  public PerfDataException(Path file, long offset, String expected) {
    super(file + ": at byte " + offset + ": " + expected);
    this.file = file;
    this.offset = offset;
    this.expected = expected;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** Absolute byte offset in {@link #file()} where the damage was found. */
  public long offset() {
    return offset;
  }

  /** What the reader expected at {@link #offset()}, in words. */
  public String expected() {
    return expected;
  }
}
