package dev.tracepoke.sim.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.sim.patching.CostReport;
import java.util.List;
import java.util.Locale;

/**
 * What a run did: per core instructions, exceptions by type, patch-site executions (of the newest
 * word, and of an older word still fetchable in an unsettled window), trace bytes; the patch
 * operations and their TEXT_POKE records; the cost report of the protocol; CMODX violations.
 */
@JsonPropertyOrder({"scenario", "seed", "protocol", "events", "run_nanos", "cores", "pokes", "costs",
    "cmodx_violations", "old_word_after_record", "instructions", "trace_bytes", "trace_bytes_per_instruction"})
public record RunSummary(
    @JsonProperty("scenario") String scenario,
    @JsonProperty("seed") long seed,
    @JsonProperty("protocol") Protocol protocol,
    @JsonProperty("events") EventStyle events,
    @JsonProperty("run_nanos") long runNanos,
    @JsonProperty("cores") List<CoreSummary> cores,
    @JsonProperty("pokes") Pokes pokes,
    @JsonProperty("costs") CostReport costs,
    @JsonProperty("cmodx_violations") long cmodxViolations,
    @JsonProperty("old_word_after_record") long oldWordAfterRecord,
    @JsonProperty("instructions") long instructions,
    @JsonProperty("trace_bytes") long traceBytes,
    @JsonProperty("trace_bytes_per_instruction") double traceBytesPerInstruction) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One core. {@code patchSitesOld}: executions that fetched a word older than the newest written. */
  @JsonPropertyOrder({"cpu", "instructions", "exceptions", "patch_sites_old", "patch_sites_new", "trace_bytes"})
  public record CoreSummary(
      @JsonProperty("cpu") int cpu,
      @JsonProperty("instructions") long instructions,
      @JsonProperty("exceptions") Exceptions exceptions,
      @JsonProperty("patch_sites_old") long patchSitesOld,
      @JsonProperty("patch_sites_new") long patchSitesNew,
      @JsonProperty("trace_bytes") long traceBytes) {}

  /** Exceptions taken, by type. */
  @JsonPropertyOrder({"svc", "brk", "undef", "irq"})
  public record Exceptions(
      @JsonProperty("svc") long svc,
      @JsonProperty("brk") long brk,
      @JsonProperty("undef") long undef,
      @JsonProperty("irq") long irq) {
    public long total() {
      return svc + brk + undef + irq;
    }
  }

  /** Patch operations scheduled and completed, sites switched, TEXT_POKE records written. */
  @JsonPropertyOrder({"scheduled", "completed", "sites", "records"})
  public record Pokes(
      @JsonProperty("scheduled") int scheduled,
      @JsonProperty("completed") int completed,
      @JsonProperty("sites") int sites,
      @JsonProperty("records") int records) {}

  /** The summary as one JSON object (no trailing newline). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The summary as text lines for people. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "scenario %s, seed %d, %d cores, %s, events %s, %d ns%n", scenario, seed,
        cores.size(), protocol, events, runNanos));
    b.append(String.format(Locale.ROOT, "%-4s %12s %6s %6s %6s %6s %10s %10s %12s%n", "cpu", "instructions", "svc",
        "brk", "undef", "irq", "sites-new", "sites-old", "trace-bytes"));
    for (CoreSummary c : cores) {
      Exceptions e = c.exceptions();
      b.append(String.format(Locale.ROOT, "%-4d %12d %6d %6d %6d %6d %10d %10d %12d%n", c.cpu(), c.instructions(),
          e.svc(), e.brk(), e.undef(), e.irq(), c.patchSitesNew(), c.patchSitesOld(), c.traceBytes()));
    }
    b.append(String.format(Locale.ROOT, "pokes: %d scheduled, %d completed, %d sites, %d TEXT_POKE records%n",
        pokes.scheduled(), pokes.completed(), pokes.sites(), pokes.records()));
    CostReport c = costs;
    b.append(String.format(Locale.ROOT,
        "costs (%s): latency mean %d ns, max %d ns, %d not visible by the end; %d IPIs; %d cycles lost on other cores;"
            + " longest interrupts-off %d ns%n",
        c.protocol(), c.meanLatencyNanos(), c.maxLatencyNanos(), c.notVisible(), c.ipis(), c.lostCycles(),
        c.maxInterruptsOffNanos()));
    b.append(String.format(Locale.ROOT, "CMODX violations: %d; old word run after its landed record: %d%n",
        cmodxViolations, oldWordAfterRecord));
    b.append(String.format(Locale.ROOT, "instructions %d, trace bytes %d, %.4f trace bytes per instruction%n",
        instructions, traceBytes, traceBytesPerInstruction));
    return b.toString();
  }
}
