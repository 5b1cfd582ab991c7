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
 */
final class CountedElements implements HeldElements {
  private final FlowCounts tally = new FlowCounts();
  private long count;
  /** Element numbers of the marks, and the counts at each (guarded). */
  private final List<long[]> marks = new ArrayList<>();
  /** The first element not yet output, and the counts before it (guarded). */
  private long cutIn;
  private long[] atCut = new FlowCounts().snapshot();

  @Override
  public long count() {
    return count;
  }

  @Override
  public synchronized long mark() {
    long[] m = tally.snapshot();
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
    if (n == count) {
      return tally.snapshot();
    }
    throw new IllegalStateException("element " + n + " is neither a mark nor the end (" + count + ")");
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

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    tally.range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
    count++;
  }

  @Override
  public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
      boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
    tally.rangeWithCycles(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag,
        offset, cycles);
    count++;
  }

  @Override
  public void noPath(int cpu, long start, long next, long instructions, long offset) {
    tally.noPath(cpu, start, next, instructions, offset);
    count++;
  }

  @Override
  public void transaction(int cpu, int kind, long offset) {
    tally.transaction(cpu, kind, offset);
    count++;
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
      long offset) {
    tally.exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
    count++;
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    tally.exceptionReturn(cpu, timeFrom, timeTo, offset);
    count++;
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
      long offset) {
    tally.context(cpu, el, sf, ns, contextId, vmid, offset);
    count++;
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    tally.gap(cpu, reason, address, offset);
    count++;
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    tally.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
    count++;
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt, int reason) {
    tally.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt,
        reason);
    count++;
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    tally.error(cpu, offset, packetIndex, message);
    count++;
  }
}
