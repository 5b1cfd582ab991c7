package dev.tracepoke.snapshot;

import java.nio.file.Path;

/** An OpenCSD snapshot file that breaks the format; names the file, the line and what was expected. */
public final class SnapshotFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final int line;

  /**
   * @param file the offending file
   * @param line 1-based line number, or 0 when the problem is not on one line
   * @param message what was found and what was expected
   */
  public SnapshotFormatException(Path file, int line, String message) {
    super(file + (line > 0 ? ":" + line : "") + ": " + printable(message));
    this.file = file;
    this.line = line;
  }

  /** The file the problem is in. */
  public Path file() {
    return file;
  }

  /** 1-based line number, 0 if the problem concerns the whole file. */
  public int line() {
    return line;
  }

  /** Damaged text quoted in a message stays on one line: control characters become \\xNN. */
  static String printable(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
        if (b == null) {
          b = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        b.append(String.format("\\x%02x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }
}
