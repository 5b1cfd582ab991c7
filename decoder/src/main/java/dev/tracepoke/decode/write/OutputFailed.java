package dev.tracepoke.decode.write;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writing the output failed. {@link #readerGone()} tells the two cases a command treats differently:
 * the reader closed its end (a pipe into {@code head}: nothing more is wanted, stop quietly), or the
 * output itself failed (a full disk: one clear error).
 */
public final class OutputFailed extends UncheckedIOException {
  private final boolean readerGone;

  public OutputFailed(String what, IOException cause) {
    super(what + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
    this.readerGone = isBrokenPipe(cause);
  }

  /** Whether the reader of a pipe went away (EPIPE), rather than the output failing. */
  public boolean readerGone() {
    return readerGone;
  }

  private static boolean isBrokenPipe(IOException e) {
    // the JDK reports EPIPE only through the message (Linux strerror text; "Stream closed" for a
    // stream closed on our side is a bug, not a reader gone)
    String m = e.getMessage();
    return m != null && m.contains("Broken pipe");
  }
}
