package dev.tracepoke.cli;

import dev.tracepoke.sim.patching.GuestPanic;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.RunSummary;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke simulate}: runs a scenario on the emulated machine and writes the recording
 * (image, kallsyms, TEXT_POKE records, truth, cs_etm trace); prints the run summary.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Run a scenario on the simulated machine and write its recording.")
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--scenario", paramLabel = "NAME|FILE",
      description = "Built-in scenario (default, static) or a JSON scenario file (default: ${DEFAULT-VALUE}).")
  String scenario = "default";

  @Option(names = "--seed", paramLabel = "N", description = "Override the scenario's seed.")
  Long seed;

  @Option(names = "--cores", paramLabel = "N", description = "Override the number of cores (1..64).")
  Integer cores;

  @Option(names = "--protocol", paramLabel = "P",
      description = "Override the patching protocol: stop-machine, nosync, nosync-kick, brk-emulate, "
          + "brk-emulate-nofirstsync, stop-machine-batch.")
  String protocol;

  @Option(names = "--events", paramLabel = "STYLE", description = "Override the event style: none, text-poke, pre-post.")
  String events;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Recording directory to create (absent or empty).")
  Path out;

  @picocli.CommandLine.Mixin SharedOptions.Json output = new SharedOptions.Json();

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    Scenario s;
    try {
      s = Scenario.resolve(scenario);
      if (seed != null) {
        s = s.withSeed(seed);
      }
      if (cores != null) {
        s = s.withCores(cores);
      }
      if (protocol != null) {
        s = s.withProtocol(Protocol.of(protocol));
      }
      if (events != null) {
        s = s.withEvents(EventStyle.of(events));
      }
    } catch (IllegalArgumentException e) {
      stderr.println("tracepoke simulate: " + e.getMessage());
      return 2;
    }
    long t0 = System.nanoTime();
    RunSummary summary;
    try {
      summary = new Simulation(s).record(out);
    } catch (FileAlreadyExistsException e) {
      stderr.println("tracepoke simulate: " + e.getFile() + ": " + e.getReason());
      return 1;
    } catch (GuestPanic e) {
      stderr.println("tracepoke simulate: the simulated kernel panicked: " + e.getMessage());
      return 1;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (output.json) {
      stdout.println(summary.toJson());
    } else {
      stdout.print(summary.toText());
      stdout.println(String.format(Locale.ROOT, "run time %.2f s, recording in %s", seconds, out));
    }
    if (seconds > 1) {
      stderr.println(String.format(Locale.ROOT, "tracepoke simulate: %s simulated in %.1f s", s, seconds));
    }
    stdout.flush();
    return 0;
  }
}
