package dev.tracepoke.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.sim.patching.CostReport;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.RunSummary;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One workload under one protocol and event style: what the protocol cost (from the simulator's
 * cost report) and what decoding its recording got right (window-aware and naive decoder, each
 * diffed against truth).
 */
final class ProtocolComparison {
  private ProtocolComparison() {}

  /**
   * One row of the comparison. Patch latency is what the patching core spends in an operation;
   * visible latency runs until every core must fetch the new word. {@code resolved} counts right
   * and wrong resolutions; {@code resolved_percent} is resolved of ambiguous, one decimal (null
   * when nothing was ambiguous).
   */
  @JsonPropertyOrder({"protocol", "events", "pokes", "mean_patch_ns", "max_patch_ns", "mean_visible_ns",
      "max_visible_ns", "not_visible", "ipis",
      "lost_cycles", "max_interrupts_off_ns", "ambiguous", "resolved", "resolved_wrong", "unresolved",
      "silent_errors", "silent_errors_naive", "resolved_percent"})
  record Row(
      @JsonProperty("protocol") Protocol protocol,
      @JsonProperty("events") EventStyle events,
      @JsonProperty("pokes") int pokes,
      @JsonProperty("mean_patch_ns") long meanPatchNanos,
      @JsonProperty("max_patch_ns") long maxPatchNanos,
      @JsonProperty("mean_visible_ns") long meanVisibleNanos,
      @JsonProperty("max_visible_ns") long maxVisibleNanos,
      @JsonProperty("not_visible") int notVisible,
      @JsonProperty("ipis") long ipis,
      @JsonProperty("lost_cycles") long lostCycles,
      @JsonProperty("max_interrupts_off_ns") long maxInterruptsOffNanos,
      @JsonProperty("ambiguous") long ambiguous,
      @JsonProperty("resolved") long resolved,
      @JsonProperty("resolved_wrong") long resolvedWrong,
      @JsonProperty("unresolved") long unresolved,
      @JsonProperty("silent_errors") long silentErrors,
      @JsonProperty("silent_errors_naive") long silentErrorsNaive,
      @JsonProperty("resolved_percent") Double resolvedPercent) {

    /** Resolved of ambiguous in percent, rounded to one decimal; null when nothing was ambiguous. */
    static Double percent(long resolved, long ambiguous) {
      return ambiguous == 0 ? null : Math.round(1000.0 * resolved / ambiguous) / 10.0;
    }

    /** The text column: the percentage with one decimal, or "-" when nothing was ambiguous. */
    String resolvedPercentText() {
      return resolvedPercent == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", resolvedPercent);
    }
  }

  /** Simulates {@code base} under {@code protocol} and {@code events} into {@code dir}, decodes and diffs it. */
  static Row measure(Scenario base, Protocol protocol, EventStyle events, Path dir, int threads) throws IOException {
    Scenario s = base.withProtocol(protocol).withEvents(events);
    RunSummary summary = new Simulation(s).record(dir);
    TraceInput in = RecordingInput.open(dir, null);
    CoreDiff windows = TruthCheck.diff(in, CoreDecoderFactory.WINDOWS, threads, null).total();
    CoreDiff naive = TruthCheck.diff(in, CoreDecoderFactory.NAIVE, threads, null).total();
    CostReport c = summary.costs();
    return new Row(protocol, events, c.pokes(), c.meanPatchNanos(), c.maxPatchNanos(), c.meanLatencyNanos(),
        c.maxLatencyNanos(), c.notVisible(), c.ipis(),
        c.lostCycles(), c.maxInterruptsOffNanos(), windows.ambiguous(), windows.resolvedRight() + windows.resolvedWrong(),
        windows.resolvedWrong(), windows.unresolved(), windows.silentErrors(), naive.silentErrors(),
        Row.percent(windows.resolvedRight() + windows.resolvedWrong(), windows.ambiguous()));
  }
}
