package dev.tracepoke.cli;

import dev.tracepoke.sim.etm.Etm4TraceUnit;
import dev.tracepoke.sim.etm.EtmConfig;
import dev.tracepoke.sim.etm.TraceUnitStats;
import dev.tracepoke.sim.etm.UntracedStretch;
import dev.tracepoke.sim.scenario.RunSummary;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import dev.tracepoke.sim.scenario.EtmUnit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/** Test support: simulated recordings written to disk, with what each core's trace unit emitted. */
final class SimRecordings {
  private SimRecordings() {}

  /** A recorded scenario: its perf directory, the run summary and per-cpu trace-unit statistics. */
  record Recorded(Path dir, Scenario scenario, RunSummary summary, List<TraceUnitStats> stats) {

    /** Sum of one statistic over all cores. */
    long total(java.util.function.ToLongFunction<TraceUnitStats> f) {
      return stats.stream().mapToLong(f).sum();
    }
  }

  /** Built-in scenario {@code name} with another seed and a shorter run (tests stay small). */
  static Scenario scenario(String name, long seed, long runNanos) {
    return scenario(name, seed, runNanos, Scenario.builtin(name).functions());
  }

  /** Built-in scenario {@code name} with another seed, run length and number of kernel functions. */
  static Scenario scenario(String name, long seed, long runNanos, int functions) {
    Scenario b = Scenario.builtin(name).withSeed(seed);
    return new Scenario(b.name(), b.cores(), b.seed(), runNanos, functions, b.protocol(), b.events(),
        b.pokesPerMilli(), b.timerPeriodNanos(), b.syscallsPerMilli(), b.fetchBias(), b.etmSyncPeriodBytes(),
        b.etmTimestampPeriodCycles(), b.overflowEveryNanos(), b.etmCseTimestamps());
  }

  /** Runs {@code s} and writes its recording to {@code dir} (absent or empty). */
  static Recorded record(Scenario s, Path dir) throws IOException {
    return record(s, dir, UnaryOperator.identity());
  }

  /** As {@link #record(Scenario, Path)}, each unit programmed as {@code program} changes the scenario's. */
  static Recorded record(Scenario s, Path dir, UnaryOperator<EtmConfig> program) throws IOException {
    List<EtmUnit> units = new ArrayList<>();
    RunSummary summary = new Simulation(s).record(dir, cfg -> {
      EtmUnit u = new EtmUnit(program.apply(cfg));
      units.add(u);
      return u;
    });
    List<TraceUnitStats> stats = new ArrayList<>();
    units.stream().sorted(Comparator.comparingInt(u -> u.config().cpu())).forEach(u -> stats.add(u.stats()));
    return new Recorded(dir, s, summary, List.copyOf(stats));
  }
}
