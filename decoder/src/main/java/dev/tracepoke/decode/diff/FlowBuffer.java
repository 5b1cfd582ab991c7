package dev.tracepoke.decode.diff;

import dev.tracepoke.decode.flow.FlowSink;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;

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
  /** Rare payloads that do not fit in longs: candidate words, error messages. */
  private final List<Object> extras = new ArrayList<>();

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
    add(core(cpu), CONTEXT, el, contextId, vmid, 0, 0, offset, (sf ? 1 : 0) | (ns ? 2 : 0));
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    add(core(cpu), GAP, reason, address, 0, 0, 0, offset, 0);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    extras.add(candidates.clone());
    add(core(cpu), AMBIGUITY, pc, resolved ? 1 : 0, resolvedWord & 0xffffffffL, timeFrom, timeTo, resolvedAt,
        extras.size() - 1);
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    extras.add(message);
    add(core(cpu), ERROR, packetIndex, 0, 0, 0, 0, offset, extras.size() - 1);
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
    LongArrayList l = cores.get(cpu);
    int b = i * STRIDE;
    long kind = l.getLong(b);
    if (kind == RANGE || kind == EXCEPTION_RETURN || kind == AMBIGUITY) {
      return l.getLong(b + 4);
    }
    if (kind == EXCEPTION) {
      return l.getLong(b + 4);
    }
    return FlowSink.NO_TIME;
  }

  /**
   * The latest time element {@code i} of {@code cpu} can have happened (ranges, exceptions,
   * exception returns, ambiguities), else {@link FlowSink#NO_TIME}.
   */
  public long timeTo(int cpu, int i) {
    LongArrayList l = cores.get(cpu);
    int b = i * STRIDE;
    long kind = l.getLong(b);
    if (kind == RANGE || kind == EXCEPTION_RETURN || kind == AMBIGUITY || kind == EXCEPTION) {
      return l.getLong(b + 5);
    }
    return FlowSink.NO_TIME;
  }

  /** True if element {@code i} of {@code cpu} carries a time interval (even a half-open one). */
  public boolean timed(int cpu, int i) {
    long kind = cores.get(cpu).getLong(i * STRIDE);
    return kind == RANGE || kind == EXCEPTION_RETURN || kind == AMBIGUITY || kind == EXCEPTION;
  }

  /** Calls {@code target} with element {@code i} of {@code cpu}, exactly as it was reported. */
  public void replay(int cpu, int i, FlowSink target) {
    LongArrayList l = cores.get(cpu);
    int b = i * STRIDE;
    long kind = l.getLong(b);
    long a = l.getLong(b + 1), c = l.getLong(b + 2), d = l.getLong(b + 3), e = l.getLong(b + 4),
        f = l.getLong(b + 5), g = l.getLong(b + 6), h = l.getLong(b + 7);
    if (kind == RANGE) {
      target.range(cpu, a, c, (int) (d >>> 16), (int) (d >>> 8) & 0xff, ((d >>> 4) & 1) != 0, e, f,
          (int) (d & 0xf), g);
    } else if (kind == EXCEPTION) {
      target.exception(cpu, (int) a, c, e, f, g);
    } else if (kind == EXCEPTION_RETURN) {
      target.exceptionReturn(cpu, e, f, g);
    } else if (kind == CONTEXT) {
      target.context(cpu, (int) a, (h & 1) != 0, (h & 2) != 0, c, (int) d, g);
    } else if (kind == GAP) {
      target.gap(cpu, (int) a, c, g);
    } else if (kind == AMBIGUITY) {
      target.ambiguity(cpu, a, ((int[]) extras.get((int) h)).clone(), c != 0, (int) d, e, f, g);
    } else if (kind == ERROR) {
      target.error(cpu, g, a, (String) extras.get((int) h));
    }
  }
}
