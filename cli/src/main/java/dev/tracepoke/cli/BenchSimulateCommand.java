package dev.tracepoke.cli;

import dev.tracepoke.sim.machine.SimulateBench;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tracepoke bench simulate}: simulated instructions per second on one core with an observer. */
@Command(name = "simulate", description = "Simulated instructions per second (one core, counting observer attached).")
final class BenchSimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--instructions", description = "Instructions to time (default: ${DEFAULT-VALUE}).")
  long instructions = 300_000_000L;

  @Option(names = "--warmup", description = "Instructions run first, untimed (default: ${DEFAULT-VALUE}).")
  long warmup = 100_000_000L;

  @Option(names = "--cores", description = "Cores running the workload, scheduled in slices (default: ${DEFAULT-VALUE}).")
  int cores = 1;

  @Override
  public Integer call() {
    SimulateBench.Result r = SimulateBench.run(cores, warmup, instructions);
    spec.commandLine().getOut().println(String.format(Locale.ROOT,
        "simulate: %d instructions in %.3f s = %.1f M instructions/s (thread CPU %.3f s = %.1f M/s%s)",
        r.instructions(), r.nanos() / 1e9, r.instructionsPerSecond() / 1e6, r.cpuNanos() / 1e9,
        r.instructionsPerCpuSecond() / 1e6, cores == 1 ? "" : ", " + cores + " cores"));
    return 0;
  }
}
