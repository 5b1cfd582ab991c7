package dev.tracepoke.decode.diff;

import dev.tracepoke.decode.flow.FlowSink;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * Keeps what a flow decoder reported, per core, in primitive arrays so a whole decode can be diffed
 * against truth without an object per range. Each element is {@link #STRIDE} longs.
 */
public final class FlowBuffer implements FlowSink {
  static final int STRIDE = 8;
  static final long RANGE = 0;
  static final long EXCEPTION = 1;
  static final long EXCEPTION_RETURN = 2;
  static final long GAP = 3;
  static final long AMBIGUITY = 4;
  static final long ERROR = 5;
  static final long CONTEXT = 6;

  private final Int2ObjectOpenHashMap<LongArrayList> cores = new Int2ObjectOpenHashMap<>();

  LongArrayList core(int cpu) {
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

  private static void add(LongArrayList l, long kind, long a, long b, long c, long d, long e, long f, long g) {
    l.add(kind);
    l.add(a);
    l.add(b);
    l.add(c);
    l.add(d);
    l.add(e);
    l.add(f);
    l.add(g);
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    long packed = (long) instructions << 16 | (long) lastKind << 8 | (taken ? 1 : 0) << 4 | flag;
    add(core(cpu), RANGE, start, end, packed, timeFrom, timeTo, offset, 0);
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    add(core(cpu), EXCEPTION, number, returnAddress, 0, timeFrom, timeTo, offset, 0);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    add(core(cpu), EXCEPTION_RETURN, 0, 0, 0, timeFrom, timeTo, offset, 0);
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    add(core(cpu), CONTEXT, el, contextId, vmid, 0, 0, offset, 0);
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    add(core(cpu), GAP, reason, address, 0, 0, 0, offset, 0);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    add(core(cpu), AMBIGUITY, pc, resolved ? 1 : 0, resolvedWord & 0xffffffffL, timeFrom, timeTo, resolvedAt,
        candidates.length);
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    add(core(cpu), ERROR, packetIndex, 0, 0, 0, 0, offset, 0);
  }
}
