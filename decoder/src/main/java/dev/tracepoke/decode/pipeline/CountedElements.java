package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowSink;
import java.util.ArrayList;
import java.util.List;

/**
 * A stretch decoder's output when the stitched output only counts ({@link FlowCounts}): the
 * elements are counted as they come, not held, and at every {@link #mark} the counts so far are
 * kept, so the stitcher can output the counts between two of its cuts. A held stretch of
 * bugfix-exact-match is some 60 MB of elements written once and read once; counted, it is a few
 * longs per noted place.
 *
 * <p>The decoder delivers to the counter itself, the class a decode on one thread counts into:
 * one call an element, and no sink class beside it at the decoder's calls. An element number is
 * the number of counted elements before it: places with nothing counted between them share a
 * number, and their counts are the same.
 */
final class CountedElements implements HeldElements {
  private final FlowCounts tally = new FlowCounts();
  /** Element numbers of the marks, and the counts at each (guarded). */
  private final List<long[]> marks = new ArrayList<>();
  /** The first element not yet output, and the counts before it (guarded). */
  private long cutIn;
  private long[] atCut = new FlowCounts().snapshot();

  @Override
  public FlowSink sink() {
    return tally;
  }

  @Override
  public long count() {
    return tally.total();
  }

  @Override
  public synchronized long mark() {
    long[] m = tally.snapshot();
    long count = tally.total();
    long[] withNumber = new long[m.length + 1];
    withNumber[0] = count;
    System.arraycopy(m, 0, withNumber, 1, m.length);
    marks.add(withNumber);
    return count;
  }

  /** The counts before element {@code n}: {@code n} is a mark or the end. */
  private long[] countsAt(long n) {
    for (long[] m : marks) {
      if (m[0] == n) {
        return java.util.Arrays.copyOfRange(m, 1, m.length);
      }
    }
    if (n == tally.total()) {
      return tally.snapshot();
    }
    throw new IllegalStateException("element " + n + " is neither a mark nor the end (" + tally.total() + ")");
  }

  @Override
  public synchronized void skipTo(long n) {
    if (n > cutIn) {
      atCut = countsAt(n);
      cutIn = n;
      forgetBefore(n);
    }
  }

  @Override
  public synchronized void emitTo(long to, long indexBase, int cpu, FlowSink out) {
    if (to > cutIn) {
      long[] at = countsAt(to);
      ((FlowCounts) out).addBetween(atCut, at);
      atCut = at;
      cutIn = to;
      forgetBefore(to);
    }
  }

  /** Marks before the cut are never asked for again: a run decoding a long trace keeps few. */
  private void forgetBefore(long n) {
    marks.removeIf(m -> m[0] < n);
  }

  /** Never live: only a core's queue takes live chunks, and counts go to a counter. */
  @Override
  public void goLive(long indexBase, int cpu, CoreStream.Producer out) {
    throw new IllegalStateException("counted elements do not go to a queue");
  }

  @Override
  public void endLive() {}
}
