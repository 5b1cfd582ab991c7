package dev.tracepoke.cli;

import dev.tracepoke.sim.machine.SimulateBench;
import dev.tracepoke.sim.scenario.Simulation;
import dev.tracepoke.sim.scenario.TruthObserver;
import dev.tracepoke.truth.TruthWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke bench simulate}: simulated instructions per second on one core, writing the
 * ground truth as {@code simulate} does (same compressor and level) unless {@code --no-truth}.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Simulated instructions per second (one core, ground truth written).")
final class BenchSimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--instructions", description = "Instructions to time (default: ${DEFAULT-VALUE}).")
  long instructions = 300_000_000L;

  @Option(names = "--warmup", description = "Instructions run first, untimed (default: ${DEFAULT-VALUE}).")
  long warmup = 100_000_000L;

  @Option(names = "--cores", description = "Cores running the workload, scheduled in slices (default: ${DEFAULT-VALUE}).")
  int cores = 1;

  @Option(names = "--no-truth", description = "Count instructions only; do not write ground truth.")
  boolean noTruth;

  @Override
  public Integer call() throws IOException {
    SimulateBench.Result r;
    String truth = "";
    if (noTruth) {
      r = SimulateBench.run(cores, warmup, instructions);
    } else {
      Path dir = Files.createTempDirectory("tracepoke-bench-truth-");
      try {
        try (TruthWriter w = TruthWriter.create(dir, cores, Map.of("bench", "simulate"),
            Simulation.TRUTH_ZSTD_LEVEL)) {
          r = SimulateBench.run(cores, warmup, instructions, cpu -> new TruthObserver(w.core(cpu)));
        }
        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
          bytes = files.mapToLong(f -> f.toFile().length()).sum();
        }
        truth = String.format(Locale.ROOT, ", ground truth written: %d bytes for %d instructions",
            bytes, r.instructions() + warmup);
      } finally {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
    spec.commandLine().getOut().println(String.format(Locale.ROOT,
        "simulate: %d instructions in %.3f s = %.1f M instructions/s (thread CPU %.3f s = %.1f M/s%s%s)",
        r.instructions(), r.nanos() / 1e9, r.instructionsPerSecond() / 1e6, r.cpuNanos() / 1e9,
        r.instructionsPerCpuSecond() / 1e6, cores == 1 ? "" : ", " + cores + " cores", truth));
    return 0;
  }
}
