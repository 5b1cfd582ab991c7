package dev.tracepoke.decode.image;

import java.util.Arrays;

/**
 * Where one core passed context-synchronization events (exception entry or return, ISB), as
 * seen in its trace. The flow decoder supplies it; since a traced event's time is only known to
 * lie in an interval, it should report the latest time the event can have happened.
 */
@FunctionalInterface
public interface CseTimes {
  /** The earliest CSE strictly after {@code time}, or {@link Long#MAX_VALUE} if none is known. */
  long nextCseAfter(long time);

  /** A core with no known CSE: every window stays open to the end of the recording. */
  CseTimes NONE = t -> Long.MAX_VALUE;

  /** CSEs at the given times (any order). */
  static CseTimes of(long... times) {
    long[] sorted = times.clone();
    Arrays.sort(sorted);
    return t -> {
      int i = Arrays.binarySearch(sorted, t);
      // first index with sorted[i] > t
      if (i >= 0) {
        while (i < sorted.length && sorted[i] == t) {
          i++;
        }
      } else {
        i = -i - 1;
      }
      return i < sorted.length ? sorted[i] : Long.MAX_VALUE;
    };
  }
}
