package dev.tracepoke.sim.scenario;

import dev.tracepoke.sim.machine.CoreObserver;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * One core's observer: forwards every call to the trace unit and the ground-truth writer, and keeps
 * what the run summary and the cost report need (context-synchronisation times, patch-site
 * executions). Primitive lists only; nothing is allocated per call beyond their amortised growth.
 */
final class CoreTap implements CoreObserver {
  private static final CoreObserver NONE = new CoreObserver() {
    @Override
    public void instructions(long startPc, int count, long time) {}

    @Override
    public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {}

    @Override
    public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {}

    @Override
    public void exceptionReturn(long pc, long target, int toEl, long time) {}

    @Override
    public void patchSiteExecuted(long pc, int word, boolean newest, long time) {}
  };

  private final CoreObserver trace;
  private final CoreObserver truth;
  /** Times of exception entries, exception returns and ISBs, ascending. */
  final LongArrayList cseTimes = new LongArrayList();
  final LongArrayList sitePcs = new LongArrayList();
  final LongArrayList siteTimes = new LongArrayList();
  final IntArrayList siteWords = new IntArrayList();
  long staleExecutions;
  long newestExecutions;

  CoreTap(CoreObserver trace, CoreObserver truth) {
    this.trace = trace == null ? NONE : trace;
    this.truth = truth == null ? NONE : truth;
  }

  @Override
  public void instructions(long startPc, int count, long time) {
    trace.instructions(startPc, count, time);
    truth.instructions(startPc, count, time);
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    if (kind == ISB) {
      cseTimes.add(time);
    }
    trace.waypoint(pc, kind, taken, link, nextPc, time);
    truth.waypoint(pc, kind, taken, link, nextPc, time);
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    cseTimes.add(time);
    trace.exception(type, preferredReturn, vector, fromEl, toEl, time);
    truth.exception(type, preferredReturn, vector, fromEl, toEl, time);
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    cseTimes.add(time);
    trace.exceptionReturn(pc, target, toEl, time);
    truth.exceptionReturn(pc, target, toEl, time);
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
    sitePcs.add(pc);
    siteTimes.add(time);
    siteWords.add(word);
    if (newest) {
      newestExecutions++;
    } else {
      staleExecutions++;
    }
    trace.patchSiteExecuted(pc, word, newest, time);
    truth.patchSiteExecuted(pc, word, newest, time);
  }

  /** The first context-synchronisation event at or after {@code time}, or -1. */
  long firstCseAtOrAfter(long time) {
    int lo = 0;
    int hi = cseTimes.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cseTimes.getLong(mid) < time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < cseTimes.size() ? cseTimes.getLong(lo) : -1;
  }
}
