package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Elements of one decoder in {@link FlowElements}' encoding, in {@link ElementChunk}s, until they
 * are output in order ({@link #emit}); output chunks are let go.
 *
 * <p>A stretch decoder's elements can also go out <em>live</em> ({@link #goLive}): once nothing
 * before them is left to output, each chunk the decoder fills goes to the output from the decoder's
 * own thread, so the decode that is being output holds one chunk, not its stretch. The elements
 * before {@link #cutIn} and the output state are guarded by this object's lock, taken once a chunk.
 */
final class FlowBlocks implements HeldElements, FlowSink {
  private final List<ElementChunk> chunks = new ArrayList<>();
  private final ChunkPool pool;
  private ElementChunk current;
  /** Element number of the first element of {@code chunks.get(0)}. */
  private long base;
  private long count;
  /** Elements in full chunks (guarded). */
  private long whole;
  /** The first element not yet output (guarded). */
  private long cutIn;
  /** The core's queue that full chunks go to as they are filled, or null (guarded). */
  private CoreStream.Producer liveOut;
  private int liveCpu;
  private long liveIndexBase;
  /** The decoder is past the elements that may go out live (guarded). */
  private boolean liveEnded;

  FlowBlocks() {
    this(new ChunkPool(0));
  }

  /** Elements in chunks taken from {@code pool}; chunks output by copying go back to it. */
  FlowBlocks(ChunkPool pool) {
    this.pool = pool;
    current = pool.take();
    chunks.add(current);
  }

  @Override
  public FlowSink sink() {
    return this;
  }

  @Override
  public long count() {
    return count;
  }

  private void added() {
    count++;
    if (current.full()) {
      nextChunk();
    }
  }

  private void nextChunk() {
    ElementChunk fresh = pool.take();
    synchronized (this) {
      current = fresh;
      chunks.add(fresh);
      whole = count;
      sendLive();
    }
  }

  /**
   * Sends to the live queue as many of the full chunks not yet output as it takes without
   * waiting, oldest first. Called with this lock held, so it never waits on the consumer: the
   * consumer may be waiting for another core's decode that needs the decoding thread, or a pool
   * thread that waits for this lock. What cannot go now is held and goes with the next chunk or
   * at the stitch.
   */
  private void sendLive() {
    if (liveOut == null || whole <= cutIn) {
      return;
    }
    long firstChunk = cutIn >>> ElementChunk.SHIFT;
    // the chunks the elements span (the first one maybe in part); a queue never holds more
    int k = (int) Math.min(CoreStream.QUEUE, ((whole - 1) >>> ElementChunk.SHIFT) - firstChunk + 1);
    while (k > 0 && !liveOut.takesWithoutWaiting(k)) {
      k--;
    }
    if (k > 0) {
      long to = Math.min(whole, (firstChunk + k) << ElementChunk.SHIFT);
      emit(cutIn, to, liveIndexBase, liveCpu, liveOut);
      cutIn = to;
    }
  }

  /** The first element not yet output. */
  synchronized long cutIn() {
    return cutIn;
  }

  /** Elements before {@code n} are not to be output (another decoder's elements stand for them). */
  @Override
  public synchronized void skipTo(long n) {
    cutIn = Math.max(cutIn, n);
  }

  /** Outputs the elements from {@link #cutIn} up to {@code to} ({@link #emit}'s arguments). */
  @Override
  public synchronized void emitTo(long to, long indexBase, int cpu, FlowSink out) {
    if (to > cutIn) {
      emit(cutIn, to, indexBase, cpu, out);
      cutIn = to;
    }
  }

  /**
   * From now on the elements from {@link #cutIn} on go to {@code out} as soon as their chunk is
   * full and the core's queue takes them without waiting, on the thread that decodes them, until
   * {@link #endLive}; those of full chunks go at once, on this thread, if the queue takes them
   * without waiting (this thread holds the lock the decoding thread needs for its next chunk, so
   * it must not wait on the consumer here: with every pool thread waiting for such a lock, a
   * consumer waiting for another core's stretch waits forever). Nothing else may call {@code out}
   * meanwhile. Does nothing once the live part has ended.
   */
  @Override
  public synchronized void goLive(long indexBase, int cpu, CoreStream.Producer out) {
    if (liveEnded) {
      return;
    }
    liveIndexBase = indexBase;
    liveCpu = cpu;
    liveOut = out;
    sendLive();
  }

  /** The decoder's next elements are held again (they may not all be output). */
  @Override
  public synchronized void endLive() {
    liveOut = null;
    liveEnded = true;
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
