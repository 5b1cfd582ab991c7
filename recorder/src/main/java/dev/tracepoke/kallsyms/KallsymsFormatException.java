package dev.tracepoke.kallsyms;

import java.io.IOException;

/** A malformed kallsyms line; names the source, the line number and the byte offset. */
public final class KallsymsFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final long offset;

  public KallsymsFormatException(String source, int line, long offset, String expectation) {
    super(source + " line " + line + " (byte offset " + offset + "): expected " + expectation);
    this.line = line;
    this.offset = offset;
  }

  public int line() {
    return line;
  }

  public long offset() {
    return offset;
  }
}
