package dev.tracepoke.coresight;

/** Formatted trace that breaks the frame rules; carries the byte offset in the formatted stream. */
public final class FrameFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final long offset;

  public FrameFormatException(String source, long offset, String message) {
    super(source + " at byte offset " + offset + ": " + message);
    this.source = source;
    this.offset = offset;
  }

  /** Name of the stream (usually a file) given to the deformatter. */
  public String source() {
    return source;
  }

  /** Byte offset in the formatted stream where the problem was found. */
  public long offset() {
    return offset;
  }
}
