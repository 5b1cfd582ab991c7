package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * A block of one core's elements in {@link FlowElements}' encoding, passed from its decoder thread
 * to the consumer and then back to be filled again. Every chunk but a core's last is full.
 */
final class ElementChunk implements FlowSink {
  static final int SHIFT = 12;
  /** Elements per chunk (256 KiB of longs). */
  static final int ELEMENTS = 1 << SHIFT;

  final long[] e = new long[ELEMENTS * FlowElements.STRIDE];
  int count;
  /** Number of the chunk's first element in its core's stream (set by the consumer). */
  long first;
  /** The core's last chunk: nothing follows. */
  boolean last;
  final List<String> messages = new ArrayList<>();
  final IntArrayList candidates = new IntArrayList();

  boolean full() {
    return count == ELEMENTS;
  }

  void clear() {
    count = 0;
    last = false;
    messages.clear();
    candidates.clear();
  }

  private void add(long head, long a, long b, long c, long d, long offset, long from, long to) {
    int i = count * FlowElements.STRIDE;
    long[] x = e;
    x[i] = head;
    x[i + 1] = a;
    x[i + 2] = b;
    x[i + 3] = c;
    x[i + 4] = d;
    x[i + 5] = offset;
    x[i + 6] = from;
    x[i + 7] = to;
    count++;
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    add(FlowElements.RANGE | (long) flag << 8, start, end, instructions,
        lastKind | (taken ? 1 << 8 : 0), offset, timeFrom, timeTo);
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
      long offset) {
    add(FlowElements.EXCEPTION, number, returnAddress, 0, 0, offset, timeFrom, timeTo);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    add(FlowElements.ERET, 0, 0, 0, 0, offset, timeFrom, timeTo);
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
      long offset) {
    add(FlowElements.CONTEXT, el | (sf ? 1 << 8 : 0) | (ns ? 1 << 9 : 0), contextId, vmid, 0,
        offset, NO_TIME, NO_TIME);
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    add(FlowElements.GAP, reason, address, 0, 0, offset, NO_TIME, NO_TIME);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] words, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    ambiguity(cpu, pc, words, resolved, resolvedWord, timeFrom, timeTo, resolvedAt,
        resolved ? REASON_NONE : REASON_UNDECIDABLE);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] words, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt, int reason) {
    int at = candidates.size();
    candidates.addElements(at, words);
    add(FlowElements.ambiguityHead(resolved, reason), pc,
        resolvedWord & 0xFFFFFFFFL, at, words.length, resolvedAt, timeFrom, timeTo);
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    messages.add(message);
    add(FlowElements.ERROR, packetIndex, 0, messages.size() - 1, 0, offset, NO_TIME, NO_TIME);
  }
}
