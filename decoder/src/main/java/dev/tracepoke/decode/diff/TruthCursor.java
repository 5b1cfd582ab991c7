package dev.tracepoke.decode.diff;

import java.io.IOException;

/**
 * One core's ground truth as the diff reads it: a forward cursor over the events the simulator
 * recorded, in program order. Accessors describe the event {@link #next()} last returned.
 */
public interface TruthCursor {
  int END = -1;
  /** {@link #count()} instructions at {@link #pc()}, {@code pc + 4}, ..., the first at {@link #time()}. */
  int RUN = 0;
  /** The core ran {@link #word()} at patch site {@link #pc()}; precedes the run holding it. */
  int PATCH_SITE = 1;
  int EXCEPTION = 2;
  int EXCEPTION_RETURN = 3;
  /** A stretch {@link #time()}..{@link #toTime()} whose instructions the trace lost. */
  int UNTRACED = 4;

  int next() throws IOException;

  long pc();

  int count();

  long time();

  long toTime();

  int word();

  /** Releases what the cursor holds before its end (a cursor read to its end needs no close). */
  default void close() throws IOException {}
}
