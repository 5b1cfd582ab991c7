package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.ElementWindow;
import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps everything a flow decoder reported, per core, in {@link FlowElements}' encoding: a whole
 * decode in memory, for tests and small inputs. The commands stream instead ({@link Decoding#stream},
 * {@link TruthCheck#diff(TraceInput, CoreDecoderFactory, int, java.util.function.IntFunction)}).
 */
public final class FlowBuffer implements FlowSink {
  private static final int STRIDE = FlowElements.STRIDE;

  private final Int2ObjectOpenHashMap<LongArrayList> cores = new Int2ObjectOpenHashMap<>();
  private final List<String> messages = new ArrayList<>();
  private final IntArrayList candidates = new IntArrayList();

  private LongArrayList core(int cpu) {
    LongArrayList l = cores.get(cpu);
    if (l == null) {
      l = new LongArrayList();
      cores.put(cpu, l);
    }
    return l;
  }

  /** The cores that reported anything, ascending. */
  public int[] cpus() {
    int[] c = cores.keySet().toIntArray();
    java.util.Arrays.sort(c);
    return c;
  }

  private static void add(LongArrayList l, long head, long a, long b, long c, long d, long offset,
      long from, long to) {
    l.add(head);
    l.add(a);
    l.add(b);
    l.add(c);
    l.add(d);
    l.add(offset);
    l.add(from);
    l.add(to);
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    add(core(cpu), FlowElements.RANGE | (long) flag << 8, start, end, instructions,
        lastKind | (taken ? 1 << 8 : 0), offset, timeFrom, timeTo);
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
      long offset) {
    add(core(cpu), FlowElements.EXCEPTION, number, returnAddress, 0, 0, offset, timeFrom, timeTo);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    add(core(cpu), FlowElements.ERET, 0, 0, 0, 0, offset, timeFrom, timeTo);
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
      long offset) {
    add(core(cpu), FlowElements.CONTEXT, el | (sf ? 1 << 8 : 0) | (ns ? 1 << 9 : 0), contextId,
        vmid, 0, offset, NO_TIME, NO_TIME);
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    add(core(cpu), FlowElements.GAP, reason, address, 0, 0, offset, NO_TIME, NO_TIME);
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
    add(core(cpu), FlowElements.ambiguityHead(resolved, reason), pc,
        resolvedWord & 0xFFFFFFFFL, at, words.length, resolvedAt, timeFrom, timeTo);
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    messages.add(message);
    add(core(cpu), FlowElements.ERROR, packetIndex, 0, messages.size() - 1, 0, offset, NO_TIME,
        NO_TIME);
  }

  /** {@code cpu}'s elements as they are held (tests compare decodes with it). */
  long[] encoded(int cpu) {
    LongArrayList l = cores.get(cpu);
    return l == null ? new long[0] : l.toLongArray();
  }

  /** The error messages and candidate words the held elements refer to, in order. */
  String extras() {
    return messages + " " + candidates;
  }

  /** Number of elements held for {@code cpu}. */
  public int size(int cpu) {
    LongArrayList l = cores.get(cpu);
    return l == null ? 0 : l.size() / STRIDE;
  }

  /**
   * The time that orders element {@code i} of {@code cpu} among all cores' elements: its start
   * time where it has one, else {@link FlowSink#NO_TIME}.
   */
  public long time(int cpu, int i) {
    return cores.get(cpu).getLong(i * STRIDE + 6);
  }

  /** The latest time element {@code i} of {@code cpu} can have happened, else NO_TIME. */
  public long timeTo(int cpu, int i) {
    return cores.get(cpu).getLong(i * STRIDE + 7);
  }

  /** True if element {@code i} of {@code cpu} carries a time interval (even a half-open one). */
  public boolean timed(int cpu, int i) {
    return FlowElements.timed(FlowElements.kind(cores.get(cpu).getLong(i * STRIDE)));
  }

  /** Calls {@code target} with element {@code i} of {@code cpu}, exactly as it was reported. */
  public void replay(int cpu, int i, FlowSink target) {
    FlowElements.send(cores.get(cpu).elements(), i * STRIDE, cpu, messages, candidates, target);
  }

  /** {@code cpu}'s elements as a window (all already here; trimming keeps them). */
  public ElementWindow window(int cpu) {
    LongArrayList l = core(cpu);
    return new ElementWindow() {
      @Override
      public int cpu() {
        return cpu;
      }

      @Override
      public boolean has(long i) {
        return i < l.size() / STRIDE;
      }

      @Override
      public long get(long i, int slot) {
        return l.getLong((int) i * STRIDE + slot);
      }

      @Override
      public void send(long i, FlowSink sink) {
        FlowElements.send(l.elements(), (int) i * STRIDE, cpu, messages, candidates, sink);
      }

      @Override
      public void trimBefore(long i) {}
    };
  }
}
