package dev.tracepoke.truth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A truth file that is truncated, corrupt or of another format. The offset counts bytes of the
 * decompressed event stream (the file's own header excluded), so it is stable across compressors.
 */
public final class TruthFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long offset;

  public TruthFormatException(Path file, long offset, String message, Throwable cause) {
    super(file + " at event-stream offset " + offset + ": " + message, cause);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
