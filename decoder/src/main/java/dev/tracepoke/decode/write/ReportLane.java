package dev.tracepoke.decode.write;

import dev.tracepoke.decode.diff.Diff;
import dev.tracepoke.decode.flow.FlowSink;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import java.util.ArrayList;
import java.util.List;

/**
 * One core's lane of the report, filled as its elements stream by: counts per time bin (decoded
 * instructions, flagged ones, exceptions, interrupts, CSEs, gaps, ambiguous executions by outcome,
 * silent errors), a few example executions per bin for the tooltip, and when each patch window
 * closed on this core (its first CSE after the writer's maintenance). Memory is bounded by the
 * bins and the patch windows, not by the trace. Called on one thread at a time.
 */
final class ReportLane extends FlowSink.Ignoring implements Diff.Outcomes {
  static final int INSNS = 0;
  static final int FLAGGED = 1;
  static final int EXCEPTIONS = 2;
  static final int IRQS = 3;
  static final int CSES = 4;
  static final int GAPS = 5;
  static final int ERRORS = 6;
  static final int RESOLVED = 7;
  static final int WRONG = 8;
  static final int UNRESOLVED = 9;
  static final int SILENT = 10;
  static final int SERIES = 11;

  /** Examples kept per bin (the tooltip names them; the counts stay exact). */
  static final int SAMPLES_PER_BIN = 4;

  /** One example execution shown in a tooltip, with how many more fell in its bin alike. */
  static final class Sample {
    final long time;
    final long pc;
    final int[] candidates;
    final int word; // the resolved word, when resolved
    final int series; // RESOLVED, WRONG, UNRESOLVED or SILENT
    long count = 1;

    Sample(long time, long pc, int[] candidates, int word, int series) {
      this.time = time;
      this.pc = pc;
      this.candidates = candidates;
      this.word = word;
      this.series = series;
    }
  }

  /** An ambiguity whose element or verdict arrived first (with truth, they come apart). */
  private record Pending(long time, long pc, int[] candidates, boolean resolved, int word) {}

  final int cpu;
  final TimeBins bins;
  private final boolean judged;
  private Int2ObjectOpenHashMap<List<Sample>> samples = new Int2ObjectOpenHashMap<>();
  private Int2ObjectOpenHashMap<List<Sample>> regridded;
  private final long[] closeOrder; // window indices by maintenance-done time
  private final long[] doneTimes;
  private int closed; // windows in closeOrder already closed on this core
  final long[] closes; // per window: its close on this core (MAX_VALUE: still open at the end)

  private long lastTime = FlowSink.NO_TIME;
  long firstTime = Long.MAX_VALUE;
  long instructions;
  long untimedInstructions;
  long ambiguous;
  long resolved;
  long unresolved;
  /** Per patch-site pc: executions by outcome (RESOLVED, WRONG, UNRESOLVED, SILENT - RESOLVED). */
  final Long2ObjectOpenHashMap<long[]> perSite = new Long2ObjectOpenHashMap<>();

  private long ordinal;
  private final Long2ObjectOpenHashMap<Pending> waitingVerdict = new Long2ObjectOpenHashMap<>();
  private final Long2IntOpenHashMap waitingElement = new Long2IntOpenHashMap();

  /**
   * @param done per patch window, when the writer's maintenance was complete ({@code
   *     ImageTimeline#maintenanceDone})
   * @param judged whether a diff against truth will give each ambiguity its verdict ({@link
   *     #ambiguity(long, int)}); without, resolved and unresolved are all the report can say
   */
  ReportLane(int cpu, int bins, long[] done, boolean judged) {
    this.cpu = cpu;
    this.bins = new TimeBins(bins, SERIES);
    this.judged = judged;
    doneTimes = done.clone();
    closes = new long[done.length];
    java.util.Arrays.fill(closes, Long.MAX_VALUE);
    Long[] order = new Long[done.length];
    for (int i = 0; i < done.length; i++) {
      order[i] = (long) i;
    }
    java.util.Arrays.sort(order, (a, b) -> Long.compare(done[(int) (long) a], done[(int) (long) b]));
    closeOrder = new long[done.length];
    for (int i = 0; i < done.length; i++) {
      closeOrder[i] = order[i];
    }
    this.bins.onRegrid(new TimeBins.Regrid() {
      @Override
      public void moved(int from, int to) {
        List<Sample> s = samples.get(from);
        if (s == null) {
          return;
        }
        if (regridded == null) {
          regridded = new Int2ObjectOpenHashMap<>();
        }
        List<Sample> into = regridded.computeIfAbsent(to, k -> new ArrayList<>());
        for (Sample x : s) {
          keep(into, x);
        }
      }

      @Override
      public void done() {
        samples = regridded == null ? new Int2ObjectOpenHashMap<>() : regridded;
        regridded = null;
      }
    });
  }

  List<Sample> samples(int bin) {
    return samples.getOrDefault(bin, List.of());
  }

  /** Time to place an element at: its own, else the last one this core had. */
  private long at(long time) {
    if (time != FlowSink.NO_TIME) {
      lastTime = lastTime == FlowSink.NO_TIME ? time : Math.max(lastTime, time);
      firstTime = Math.min(firstTime, time);
      return time;
    }
    return lastTime;
  }

  @Override
  public void range(int cpu, long start, long end, int n, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    instructions += n;
    long to = at(timeTo);
    long from = timeFrom == FlowSink.NO_TIME ? to : at(timeFrom);
    if (to == FlowSink.NO_TIME) {
      untimedInstructions += n;
      return;
    }
    bins.spread(INSNS, from, to, n);
    if (flag == FlowSink.FLAG_AMBIGUOUS) {
      bins.spread(FLAGGED, from, to, n);
    }
    if (lastKind == FlowSink.LAST_ISB) {
      cse(to);
    }
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    long t = at(timeTo != FlowSink.NO_TIME ? timeTo : timeFrom);
    if (t == FlowSink.NO_TIME) {
      return;
    }
    bins.add(number == 0xE || number == 0xF ? IRQS : EXCEPTIONS, t, 1);
    cse(t);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    long t = at(timeTo != FlowSink.NO_TIME ? timeTo : timeFrom);
    if (t != FlowSink.NO_TIME) {
      cse(t);
    }
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    if (lastTime != FlowSink.NO_TIME) {
      bins.add(GAPS, lastTime, 1);
    }
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    if (lastTime != FlowSink.NO_TIME) {
      bins.add(ERRORS, lastTime, 1);
    }
  }

  /** A context-synchronization event at {@code t}: windows whose maintenance was done before close here. */
  private void cse(long t) {
    bins.add(CSES, t, 1);
    while (closed < closeOrder.length && doneTimes[(int) closeOrder[closed]] < t) {
      closes[(int) closeOrder[closed]] = t;
      closed++;
    }
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean isResolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    ambiguous++;
    if (isResolved) {
      resolved++;
    } else {
      unresolved++;
    }
    long t = at(timeFrom != FlowSink.NO_TIME ? timeFrom : timeTo);
    long k = ordinal++;
    if (!judged) {
      mark(t, pc, candidates, resolvedWord, isResolved ? RESOLVED : UNRESOLVED);
      return;
    }
    if (waitingElement.containsKey(k)) {
      mark(t, pc, candidates, resolvedWord, waitingElement.remove(k));
    } else {
      waitingVerdict.put(k, new Pending(t, pc, candidates, isResolved, resolvedWord));
    }
  }

  @Override
  public void ambiguity(long ord, int outcome) {
    int series = switch (outcome) {
      case Diff.Outcomes.RIGHT -> RESOLVED;
      case Diff.Outcomes.WRONG -> WRONG;
      default -> UNRESOLVED;
    };
    Pending p = waitingVerdict.remove(ord);
    if (p == null) {
      waitingElement.put(ord, series);
    } else {
      mark(p.time(), p.pc(), p.candidates(), p.word(), series);
    }
  }

  @Override
  public void silent(long time, long pc) {
    long t = time != FlowSink.NO_TIME ? time : lastTime;
    site(pc)[SILENT - RESOLVED]++;
    if (t != FlowSink.NO_TIME) {
      bins.add(SILENT, t, 1);
      example(t, new Sample(t, pc, new int[0], 0, SILENT));
    }
  }

  /** The verdicts that never came (a diff that stopped early): counted as their decode said. */
  void finish() {
    for (Long2ObjectMap.Entry<Pending> e : waitingVerdict.long2ObjectEntrySet()) {
      Pending p = e.getValue();
      mark(p.time(), p.pc(), p.candidates(), p.word(), p.resolved() ? RESOLVED : UNRESOLVED);
    }
    waitingVerdict.clear();
  }

  private void mark(long t, long pc, int[] candidates, int word, int series) {
    site(pc)[series - RESOLVED]++;
    if (t == FlowSink.NO_TIME) {
      return;
    }
    bins.add(series, t, 1);
    example(t, new Sample(t, pc, candidates, word, series));
  }

  private void example(long t, Sample s) {
    int b = bins.cover(t); // first: widening the grid replaces the sample map
    keep(samples.computeIfAbsent(b, k -> new ArrayList<>()), s);
  }

  private long[] site(long pc) {
    return perSite.computeIfAbsent(pc, p -> new long[4]);
  }

  /** Adds {@code s} to a bin's examples: alike ones (same pc and outcome) are counted together. */
  private static void keep(List<Sample> in, Sample s) {
    for (Sample x : in) {
      if (x.pc == s.pc && x.series == s.series) {
        x.count += s.count;
        return;
      }
    }
    if (in.size() < SAMPLES_PER_BIN) {
      in.add(s);
    }
  }
}
