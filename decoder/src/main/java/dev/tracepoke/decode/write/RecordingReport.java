package dev.tracepoke.decode.write;

import dev.tracepoke.decode.diff.Diff;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.PokeWindow;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code tracepoke report} draws, gathered while a recording decodes: one {@link ReportLane}
 * per core fed by that core's elements ({@link #lane}, or {@link #merged} for a decode merged by
 * time), the verdicts of a diff against truth where there is one ({@link #outcomes}, {@link
 * #truth}), and the patch windows of the image timeline. {@link #writeHtml} then writes one
 * self-contained HTML page. Memory is bounded by the time bins and the patch windows.
 */
public final class RecordingReport {
  /** Time bins per lane: the finest detail a zoom can show (aggregated to pixels in the page). */
  public static final int BINS = 4096;

  /** The four numbers the page shows with stable ids; {@code silentErrors} is -1 without truth. */
  public record Summary(long ambiguous, long resolved, long unresolved, long silentErrors) {}

  private final TraceInput input;
  private final ImageTimeline timeline;
  private final boolean judged;
  private final long[] done;
  private final Map<Integer, ReportLane> lanes = new TreeMap<>();
  private DiffReport diff;
  private final Map<String, String> costs = new LinkedHashMap<>();
  private String title;

  /**
   * @param timeline the image over time the decode walks ({@code Decoding.timeline} for the
   *     window-aware decoder), whose windows the page draws
   * @param judged whether a diff against truth will call {@link #outcomes} (then ambiguous
   *     executions are shown as right, wrong or unresolved)
   */
  public RecordingReport(TraceInput input, ImageTimeline timeline, boolean judged) {
    this.input = input;
    this.timeline = timeline;
    this.judged = judged;
    List<PokeWindow> w = timeline.windows();
    done = new long[w.size()];
    for (int i = 0; i < done.length; i++) {
      done[i] = timeline.maintenanceDone(i);
    }
    for (var c : input.cores()) {
      lanes.put(c.cpu(), new ReportLane(c.cpu(), BINS, done, judged));
    }
    title = "tracepoke report: " + input.source();
  }

  public void title(String t) {
    title = t;
  }

  /** The sink for core {@code cpu}'s elements (in that core's order, from one thread). */
  public FlowSink lane(int cpu) {
    synchronized (lanes) {
      return lanes.computeIfAbsent(cpu, c -> new ReportLane(c, BINS, done, judged));
    }
  }

  /** The listener for the diff's verdicts on core {@code cpu} (the same thread as its lane). */
  public Diff.Outcomes outcomes(int cpu) {
    return (ReportLane) lane(cpu);
  }

  /** One sink for a decode merged by time: each element goes to its core's lane. */
  public FlowSink merged() {
    return new FlowSink() {
      @Override
      public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
          long timeFrom, long timeTo, int flag, long offset) {
        lane(cpu).range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
      }

      @Override
      public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
        lane(cpu).exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
      }

      @Override
      public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
        lane(cpu).exceptionReturn(cpu, timeFrom, timeTo, offset);
      }

      @Override
      public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {}

      @Override
      public void gap(int cpu, int reason, long address, long offset) {
        lane(cpu).gap(cpu, reason, address, offset);
      }

      @Override
      public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
          long timeFrom, long timeTo, long resolvedAt) {
        lane(cpu).ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
      }

      @Override
      public void error(int cpu, long offset, long packetIndex, String message) {
        lane(cpu).error(cpu, offset, packetIndex, message);
      }
    };
  }

  /** The diff against truth, shown as a table (and the source of the summary's numbers). */
  public void truth(DiffReport d) {
    diff = d;
  }

  /** The diff given to {@link #truth}, or null. */
  public DiffReport diff() {
    return diff;
  }

  /** A line of the simulator's cost report, shown as given. */
  public void cost(String name, String value) {
    costs.put(name, value);
  }

  /** The summary numbers: from the diff where there is one, else from the decode. */
  public Summary summary() {
    if (diff != null) {
      var t = diff.total();
      return new Summary(t.ambiguous(), t.resolvedRight() + t.resolvedWrong(), t.unresolved(), t.silentErrors());
    }
    long a = 0, r = 0, u = 0;
    for (ReportLane l : lanes.values()) {
      a += l.ambiguous;
      r += l.resolved;
      u += l.unresolved;
    }
    return new Summary(a, r, u, -1);
  }

  /** Writes the page: markup, styles, script and data in one file that needs no network. */
  public void writeHtml(Writer out) throws IOException {
    List<ReportLane> all = new ArrayList<>(lanes.values());
    for (ReportLane l : all) {
      l.finish();
    }
    List<TimeBins> grids = new ArrayList<>();
    for (ReportLane l : all) {
      grids.add(l.bins);
    }
    TimeBins.align(grids);
    new ReportPage(input, timeline, done, all, diff, costs, summary(), title).write(out);
  }
}
