package dev.tracepoke.decode.flow;

import java.io.IOException;

/**
 * One core's flow elements in {@link FlowElements}' encoding, read forward through a window:
 * element {@code i} can be read once {@link #has} said it exists, until {@link #trimBefore} passes
 * it. A window over a decode still running waits in {@link #has} for the decoder, so a reader
 * holds only the elements between what it trimmed and what it looked ahead to.
 */
public interface ElementWindow {
  /** The core whose elements these are. */
  int cpu();

  /** Whether element {@code i} exists (false past the last); waits while it is being decoded. */
  boolean has(long i) throws IOException;

  /** Long {@code slot} (0 to {@link FlowElements#STRIDE} - 1) of element {@code i}. */
  long get(long i, int slot);

  /** Calls {@code sink} with element {@code i}, exactly as the decoder reported it. */
  void send(long i, FlowSink sink);

  /** Elements before {@code i} will not be read again. */
  void trimBefore(long i);

  /**
   * Sends every element from {@code i} to the last to {@code sink} in order, trimming behind
   * itself: what a reader does with the one core left (a window may do it without per-element
   * look-ups).
   */
  default void drain(long i, FlowSink sink) throws IOException {
    for (; has(i); i++) {
      send(i, sink);
      trimBefore(i + 1);
    }
  }
}
