package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Elements of one decoder in {@link FlowElements}' encoding, in {@link ElementChunk}s, until they
 * are output in order ({@link #emit}); output chunks are let go.
 */
final class FlowBlocks implements FlowSink {
  private final List<ElementChunk> chunks = new ArrayList<>();
  private final ChunkPool pool;
  private ElementChunk current;
  /** Element number of the first element of {@code chunks.get(0)}. */
  private long base;
  private long count;

  FlowBlocks() {
    this(new ChunkPool(0));
  }

  /** Elements in chunks taken from {@code pool}; chunks output by copying go back to it. */
  FlowBlocks(ChunkPool pool) {
    this.pool = pool;
    current = pool.take();
    chunks.add(current);
  }

  long count() {
    return count;
  }

  private void added() {
    count++;
    if (current.full()) {
      current = pool.take();
      chunks.add(current);
    }
  }

  /**
   * Sends elements {@code [from, to)} to {@code out} as core {@code cpu}'s, packet indexes of
   * errors moved by {@code indexBase}; elements before {@code to} are then let go.
   */
  void emit(long from, long to, long indexBase, int cpu, FlowSink out) {
    long i = from;
    while (i < to) {
      ElementChunk c = chunks.get((int) ((i - base) >>> ElementChunk.SHIFT));
      long chunkFirst = base + ((i - base) & -ElementChunk.ELEMENTS);
      long end = Math.min(to, chunkFirst + c.count);
      if (!c.messages.isEmpty()) {
        // errors carry packet indexes counted from this decoder's first packet
        for (long j = i; j < end; j++) {
          int at = (int) (j - chunkFirst) * FlowElements.STRIDE;
          if (FlowElements.kind(c.e[at]) == FlowElements.ERROR) {
            c.e[at + 1] += indexBase;
          }
        }
      }
      if (i == chunkFirst && end == chunkFirst + ElementChunk.ELEMENTS
          && out instanceof CoreStream.Producer p) {
        chunks.set((int) ((i - base) >>> ElementChunk.SHIFT), null);
        p.handOver(c); // a whole chunk goes to the queue as it is
      } else {
        out.elements(c.e, (int) (i - chunkFirst) * FlowElements.STRIDE,
            (int) (end - chunkFirst) * FlowElements.STRIDE, cpu, c.messages, c.candidates);
      }
      i = end;
    }
    while (chunks.size() > 1 && to - base >= ElementChunk.ELEMENTS) {
      ElementChunk done = chunks.remove(0);
      if (done != null) {
        pool.give(done); // null: handed over whole, the consumer gives it back
      }
      base += ElementChunk.ELEMENTS;
    }
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    current.range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
    added();
  }

  @Override
  public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
      boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
    current.rangeWithCycles(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo,
        flag, offset, cycles);
    added();
  }

  @Override
  public void noPath(int cpu, long start, long next, long instructions, long offset) {
    current.noPath(cpu, start, next, instructions, offset);
    added();
  }

  @Override
  public void transaction(int cpu, int kind, long offset) {
    current.transaction(cpu, kind, offset);
    added();
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
      long offset) {
    current.exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
    added();
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    current.exceptionReturn(cpu, timeFrom, timeTo, offset);
    added();
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
      long offset) {
    current.context(cpu, el, sf, ns, contextId, vmid, offset);
    added();
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    current.gap(cpu, reason, address, offset);
    added();
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    current.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
    added();
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt, int reason) {
    current.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt,
        reason);
    added();
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    current.error(cpu, offset, packetIndex, message);
    added();
  }
}
