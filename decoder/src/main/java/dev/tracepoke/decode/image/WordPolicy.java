package dev.tracepoke.decode.image;

/** Which word {@link ImageTimeline#wordAt} answers with when a window leaves the choice open. */
public enum WordPolicy {
  /** {@code --naive}: the image switches at the time of the window's first record; never open. */
  NAIVE,
  /** Inside a window, the word before the write (a core that has not seen it yet). */
  OLD,
  /** Inside a window, the word after the write (a core that already sees it). */
  NEW
}
