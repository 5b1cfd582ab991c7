package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;

/**
 * A {@link FlowSink} that only counts what it is given (benchmarks, quick summaries). One per
 * core or per thread: not thread-safe.
 */
public final class FlowCounts implements FlowSink {
  private long ranges;
  private long instructions;
  private long exceptions;
  private long exceptionReturns;
  private long contexts;
  private long gaps;
  private long ambiguities;
  private long errors;

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    ranges++;
    this.instructions += instructions;
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
      long offset) {
    exceptions++;
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    exceptionReturns++;
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
      long offset) {
    contexts++;
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    gaps++;
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    ambiguities++;
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    errors++;
  }

  /**
   * Counts a block in one loop over the kinds, as the per-kind methods would one by one (a noPath
   * counts as a gap, a range with cycles as a range, a transaction not at all): the consumer of a
   * benchmark's decode reads 64 bytes per element and no more.
   */
  @Override
  public void elements(long[] e, int from, int to, int cpu, java.util.List<String> messages,
      it.unimi.dsi.fastutil.ints.IntArrayList pool) {
    long r = 0;
    long n = 0;
    for (int i = from; i < to; i += FlowElements.STRIDE) {
      switch (FlowElements.kind(e[i])) {
        case FlowElements.RANGE -> {
          r++;
          n += (int) e[i + 3];
        }
        case FlowElements.EXCEPTION -> exceptions++;
        case FlowElements.ERET -> exceptionReturns++;
        case FlowElements.CONTEXT -> contexts++;
        case FlowElements.GAP -> gaps++;
        case FlowElements.ERROR -> errors++;
        case FlowElements.AMBIGUITY -> ambiguities++;
        case FlowElements.TRANS -> { }
        default -> throw new IllegalStateException("flow element kind " + FlowElements.kind(e[i]));
      }
    }
    ranges += r;
    instructions += n;
  }

  /** Elements counted so far, of every kind (not instructions). */
  long total() {
    return ranges + exceptions + exceptionReturns + contexts + gaps + ambiguities + errors;
  }

  /** The totals so far, in the order {@link #addBetween} takes them. */
  long[] snapshot() {
    return new long[] {ranges, instructions, exceptions, exceptionReturns, contexts, gaps,
        ambiguities, errors};
  }

  /** Adds what was counted between two {@link #snapshot}s of another counter, {@code from} the earlier. */
  void addBetween(long[] from, long[] to) {
    ranges += to[0] - from[0];
    instructions += to[1] - from[1];
    exceptions += to[2] - from[2];
    exceptionReturns += to[3] - from[3];
    contexts += to[4] - from[4];
    gaps += to[5] - from[5];
    ambiguities += to[6] - from[6];
    errors += to[7] - from[7];
  }

  /** Adds another counter's totals to this one. */
  public void add(FlowCounts o) {
    ranges += o.ranges;
    instructions += o.instructions;
    exceptions += o.exceptions;
    exceptionReturns += o.exceptionReturns;
    contexts += o.contexts;
    gaps += o.gaps;
    ambiguities += o.ambiguities;
    errors += o.errors;
  }

  public long ranges() {
    return ranges;
  }

  public long instructions() {
    return instructions;
  }

  public long exceptions() {
    return exceptions;
  }

  public long exceptionReturns() {
    return exceptionReturns;
  }

  public long contexts() {
    return contexts;
  }

  public long gaps() {
    return gaps;
  }

  public long ambiguities() {
    return ambiguities;
  }

  public long errors() {
    return errors;
  }
}
