package dev.tracepoke.sim.scenario;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Everything that determines a simulated run: same scenario and seed give byte-identical
 * recordings. Times are nanoseconds of simulated perf time.
 *
 * @param name scenario name, recorded in the output
 * @param cores number of cores (1..64)
 * @param seed seed of every random choice (workload shape, data, IRQ times, fetch choices)
 * @param runNanos simulated duration of the run
 * @param functions number of generated kernel functions (workload size)
 * @param protocol how patches are made visible
 * @param events which text-poke records are written
 * @param pokesPerMilli how many patch operations the patching core starts per millisecond
 * @param timerPeriodNanos mean interval between timer IRQs on each core (0: no timer IRQs)
 * @param syscallsPerMilli mean syscalls (SVC) per millisecond per core (0: none)
 * @param fetchBias probability that a core inside an unsettled window fetches the new word
 * @param etmSyncPeriodBytes trace bytes between periodic A-sync + Trace Info (TRCSYNCPR)
 * @param etmTimestampPeriodCycles cycles between periodic timestamps (0: only at sync points)
 * @param etmCseTimestamps timestamps around every context-synchronization event as well, which
 *     tells the decoder exactly when each core's patch windows close (see EtmConfig)
 * @param overflowEveryNanos inject a trace overflow this often per core (0: never)
 * @param etmReturnStack TRCCONFIGR.RS (perf's {@code retstack}): returns matching the trace unit's
 *     return stack carry no target address (optional key, default off)
 * @param etmBranchBroadcast TRCCONFIGR.BB (perf's {@code branch_broadcast}): every taken branch
 *     carries its target address (optional key, default off)
 * @param etmCycleCounting TRCCONFIGR.CCI (perf's {@code cycacc}): cycle counts before every P0
 *     element (optional key, default off)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Scenario(
    @JsonProperty("name") String name,
    @JsonProperty("cores") int cores,
    @JsonProperty("seed") long seed,
    @JsonProperty("run_nanos") long runNanos,
    @JsonProperty("functions") int functions,
    @JsonProperty("protocol") Protocol protocol,
    @JsonProperty("events") EventStyle events,
    @JsonProperty("pokes_per_milli") double pokesPerMilli,
    @JsonProperty("timer_period_nanos") long timerPeriodNanos,
    @JsonProperty("syscalls_per_milli") double syscallsPerMilli,
    @JsonProperty("fetch_bias") double fetchBias,
    @JsonProperty("etm_sync_period_bytes") int etmSyncPeriodBytes,
    @JsonProperty("etm_timestamp_period_cycles") long etmTimestampPeriodCycles,
    @JsonProperty("overflow_every_nanos") long overflowEveryNanos,
    @JsonProperty("etm_cse_timestamps") boolean etmCseTimestamps,
    @JsonProperty("etm_return_stack") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean etmReturnStack,
    @JsonProperty("etm_branch_broadcast") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean etmBranchBroadcast,
    @JsonProperty("etm_cycle_counting") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean etmCycleCounting) {

  /** Keys added after the first scenario files: absent means off, and they are written only when on. */
  static final List<String> OPTIONAL_KEYS =
      List.of("etm_return_stack", "etm_branch_broadcast", "etm_cycle_counting");

  /** A scenario with the ETMv4 options (return stack, branch broadcast, cycle counting) off. */
  public Scenario(String name, int cores, long seed, long runNanos, int functions, Protocol protocol,
      EventStyle events, double pokesPerMilli, long timerPeriodNanos, double syscallsPerMilli,
      double fetchBias, int etmSyncPeriodBytes, long etmTimestampPeriodCycles, long overflowEveryNanos,
      boolean etmCseTimestamps) {
    this(name, cores, seed, runNanos, functions, protocol, events, pokesPerMilli, timerPeriodNanos,
        syscallsPerMilli, fetchBias, etmSyncPeriodBytes, etmTimestampPeriodCycles, overflowEveryNanos,
        etmCseTimestamps, false, false, false);
  }

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  public Scenario {
    require(name != null && !name.isBlank(), "name must not be empty");
    require(cores >= 1 && cores <= 64, "cores must be 1..64, got " + cores);
    require(runNanos > 0, "run_nanos must be positive, got " + runNanos);
    // the generated kernel's data layout holds 4096 patch sites: about 3800 at 5000 functions
    require(functions >= 8 && functions <= 5_000, "functions must be 8..5000, got " + functions);
    require(protocol != null, "protocol is required");
    require(events != null, "events is required");
    require(pokesPerMilli >= 0, "pokes_per_milli must not be negative");
    require(timerPeriodNanos >= 0, "timer_period_nanos must not be negative");
    require(syscallsPerMilli >= 0, "syscalls_per_milli must not be negative");
    require(fetchBias >= 0 && fetchBias <= 1, "fetch_bias must be in [0, 1], got " + fetchBias);
    // TRCSYNCPR allows 2^8..2^20 bytes between synchronisation points.
    require(
        etmSyncPeriodBytes >= 256 && etmSyncPeriodBytes <= (1 << 20) && Integer.bitCount(etmSyncPeriodBytes) == 1,
        "etm_sync_period_bytes must be a power of two in 256..1048576, got " + etmSyncPeriodBytes);
    require(etmTimestampPeriodCycles >= 0, "etm_timestamp_period_cycles must not be negative");
    require(overflowEveryNanos >= 0, "overflow_every_nanos must not be negative");
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("scenario: " + what);
    }
  }

  /** Built-in scenarios by name: {@code default} and {@code static}. */
  public static Scenario builtin(String name) {
    return switch (name) {
        // 4 cores, jump-label flips under nosync with PRE/POST records, timer IRQs, syscalls.
      case "default" -> new Scenario(
          "default", 4, 1, 2_000_000, 200, Protocol.NOSYNC, EventStyle.PRE_POST,
          20, 100_000, 20, 0.5, 4096, 4096, 0, true);
        // The same workload with no patching at all: what OpenCSD and perf decode exactly.
      case "static" -> new Scenario(
          "static", 4, 1, 2_000_000, 200, Protocol.NOSYNC, EventStyle.NONE,
          0, 100_000, 20, 0.5, 4096, 4096, 0, false);
      default -> throw new IllegalArgumentException(
          "unknown scenario '" + name + "' (built in: default, static; or give a JSON file)");
    };
  }

  /** A built-in name, or the path of a JSON scenario file. */
  public static Scenario resolve(String nameOrFile) throws IOException {
    Path p = Path.of(nameOrFile);
    if (nameOrFile.endsWith(".json") || Files.isRegularFile(p)) {
      return load(p);
    }
    return builtin(nameOrFile);
  }

  public static Scenario load(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /** Parses scenario JSON; {@code source} names it in errors (file, line and column). */
  public static Scenario parse(byte[] json, String source) throws IOException {
    try {
      // Every key is required except OPTIONAL_KEYS (absent = off); then bind with locations kept
      // (explicit nulls are refused below, so primitives may take their default only when absent).
      JsonNode tree = JSON.readTree(json);
      if (tree instanceof ObjectNode o) {
        for (var c : Scenario.class.getRecordComponents()) {
          String key = c.getAccessor().getAnnotation(JsonProperty.class).value();
          if (!o.has(key) && !OPTIONAL_KEYS.contains(key)) {
            throw new InvalidScenario(source + ": not a valid scenario: missing key '" + key + "'");
          }
          if (o.has(key) && o.get(key).isNull() && c.getType().isPrimitive()) {
            throw new InvalidScenario(source + ": not a valid scenario: key '" + key + "' is null");
          }
        }
      }
      return JSON.readerFor(Scenario.class)
          .without(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .readValue(json);
    } catch (InvalidScenario e) {
      throw e;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new IOException(source + ": not a valid scenario" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      // bytes that are no text in any encoding Jackson detects (e.g. an invalid UTF-32 character)
      throw new IOException(source + ": not a valid scenario: " + e.getMessage(), e);
    }
  }

  /** A scenario whose JSON parses but breaks a rule; its message is complete. */
  private static final class InvalidScenario extends IOException {
    private static final long serialVersionUID = 1L;

    InvalidScenario(String message) {
      super(message);
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public Scenario withSeed(long s) {
    return new Scenario(name, cores, s, runNanos, functions, protocol, events, pokesPerMilli,
        timerPeriodNanos, syscallsPerMilli, fetchBias, etmSyncPeriodBytes, etmTimestampPeriodCycles,
        overflowEveryNanos, etmCseTimestamps, etmReturnStack, etmBranchBroadcast, etmCycleCounting);
  }

  public Scenario withCores(int c) {
    return new Scenario(name, c, seed, runNanos, functions, protocol, events, pokesPerMilli,
        timerPeriodNanos, syscallsPerMilli, fetchBias, etmSyncPeriodBytes, etmTimestampPeriodCycles,
        overflowEveryNanos, etmCseTimestamps, etmReturnStack, etmBranchBroadcast, etmCycleCounting);
  }

  public Scenario withProtocol(Protocol p) {
    return new Scenario(name, cores, seed, runNanos, functions, p, events, pokesPerMilli,
        timerPeriodNanos, syscallsPerMilli, fetchBias, etmSyncPeriodBytes, etmTimestampPeriodCycles,
        overflowEveryNanos, etmCseTimestamps, etmReturnStack, etmBranchBroadcast, etmCycleCounting);
  }

  public Scenario withEvents(EventStyle e) {
    return new Scenario(name, cores, seed, runNanos, functions, protocol, e, pokesPerMilli,
        timerPeriodNanos, syscallsPerMilli, fetchBias, etmSyncPeriodBytes, etmTimestampPeriodCycles,
        overflowEveryNanos, etmCseTimestamps, etmReturnStack, etmBranchBroadcast, etmCycleCounting);
  }

  /** The same scenario with the ETMv4 options given. */
  public Scenario withEtmOptions(boolean returnStack, boolean branchBroadcast, boolean cycleCounting) {
    return new Scenario(name, cores, seed, runNanos, functions, protocol, events, pokesPerMilli,
        timerPeriodNanos, syscallsPerMilli, fetchBias, etmSyncPeriodBytes, etmTimestampPeriodCycles,
        overflowEveryNanos, etmCseTimestamps, returnStack, branchBroadcast, cycleCounting);
  }

  static String names(Enum<?>[] values) {
    return Arrays.stream(values).map(Object::toString).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s (seed %d, %d cores, %s, %s)", name, seed, cores, protocol, events);
  }
}
