package dev.tracepoke.cli;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.Ambiguities;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.decode.write.RecordingReport;
import dev.tracepoke.sim.scenario.RunSummary;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tracepoke demo}: simulate, decode and diff the default scenario in one go. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Simulate the default scenario, decode it and diff it against truth.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write the recording (default: a new temporary directory).")
  Path out;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the default scenario (default: the scenario's).")
  Long seed;

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  /** How many unresolved executions to list by name. */
  private static final int LIST = 8;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    Progress progress = new Progress(spec.commandLine().getErr());
    Scenario s = Scenario.builtin("default");
    if (seed != null) {
      s = s.withSeed(seed);
    }
    Path dir = out != null ? out : Files.createTempDirectory("tracepoke-demo-");

    progress.step("simulating " + s);
    RunSummary sim = new Simulation(s).record(dir);
    progress.step("decoding " + dir);
    TraceInput in = RecordingInput.open(dir, null);
    Ambiguities.Collector collected = new Ambiguities.Collector();
    RecordingReport report = ReportCommand.build(in, threading.threads, collected);
    DiffReport diff = report.diff();
    progress.step("decoding naively");
    DiffReport naiveDiff = TruthCheck.diff(in, CoreDecoderFactory.NAIVE, threading.threads, null);
    progress.done();
    ReportCommand.costs(report, new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(sim.costs()));
    Path page = ReportCommand.defaultFile(dir);
    ReportCommand.write(report, page);

    long windows = ImageTimeline.of(in.image(), in.pokes()).windows().size();
    List<Ambiguities.Ambiguity> amb = collected.all();
    long resolved = 0, toBranch = 0, toOther = 0;
    for (Ambiguities.Ambiguity a : amb) {
      if (a.resolved()) {
        resolved++;
        int kind = A64.classify(a.resolvedWord()) & A64.KIND_MASK;
        if (kind == A64.OTHER) {
          toOther++;
        } else {
          toBranch++;
        }
      }
    }
    CoreDiff t = diff.total();
    CoreDiff n = naiveDiff.total();

    o.printf(Locale.ROOT, "tracepoke demo: scenario %s, seed %d: %d cores, %s patching with %s records, timer IRQs, syscalls%n",
        s.name(), s.seed(), s.cores(), s.protocol(), s.events());
    o.printf(Locale.ROOT, "simulated %.1f ms: %,d instructions, %,d exceptions, %d pokes (%d TEXT_POKE records), %.3f trace bytes/instruction%n",
        s.runNanos() / 1e6, sim.instructions(),
        sim.cores().stream().mapToLong(c -> c.exceptions().total()).sum(),
        sim.pokes().completed(), sim.pokes().records(), sim.traceBytesPerInstruction());
    o.printf(Locale.ROOT, "patch windows: %d; patch-site executions of a stale word: %,d%n", windows,
        sim.cores().stream().mapToLong(RunSummary.CoreSummary::patchSitesOld).sum());
    o.println();
    o.printf(Locale.ROOT, "tracepoke decode: %,d instructions decoded (flagged ones included); %,d of the %,d executed matched%n",
        t.instructionsDecoded(), t.matched(), t.instructionsTruth());
    o.printf(Locale.ROOT, "  ambiguous executions : %d%n", t.ambiguous());
    o.printf(Locale.ROOT, "  resolved             : %d (to a branch %d, to a non-branch %d; checked against truth: %d right, %d wrong)%n",
        resolved, toBranch, toOther, t.resolvedRight(), t.resolvedWrong());
    o.printf(Locale.ROOT, "  unresolved           : %d (their instructions are flagged)%n", t.unresolved());
    // list unresolved executions grouped by (cpu, time, pc): a loop passes one site many times
    java.util.Map<String, Integer> groups = new java.util.LinkedHashMap<>();
    for (Ambiguities.Ambiguity a : amb) {
      if (!a.resolved()) {
        String sym = in.symbols().apply(a.pc());
        groups.merge(String.format(Locale.ROOT, "cpu %d  time %s  pc %016x  %s", a.cpu(),
            dev.tracepoke.decode.write.ElementNames.time(a.timeFrom()), a.pc(), sym == null ? "[unknown]" : sym), 1, Integer::sum);
      }
    }
    int listed = 0;
    for (java.util.Map.Entry<String, Integer> g : groups.entrySet()) {
      if (listed++ == LIST) {
        o.printf(Locale.ROOT, "    ... and %d more places%n", groups.size() - LIST);
        break;
      }
      o.printf(Locale.ROOT, "    %s%s%n", g.getKey(), g.getValue() > 1 ? "  (x" + g.getValue() + ")" : "");
    }
    o.printf(Locale.ROOT, "  silent errors        : %d%n", t.silentErrors());
    o.println();
    o.printf(Locale.ROOT, "naive decoder (image switched at record time, nothing flagged):%n");
    o.printf(Locale.ROOT, "  silent errors        : %d%s%n", n.silentErrors(), n.firstDivergence() == null ? ""
        : String.format(Locale.ROOT, " (first: cpu %d time %s pc %016x %s)", n.firstDivergence().cpu(),
            dev.tracepoke.decode.write.ElementNames.time(n.firstDivergence().time()), n.firstDivergence().pc(),
            n.firstDivergence().symbol() == null ? "[unknown]" : n.firstDivergence().symbol()));
    o.println();
    o.printf("recording: %s%n", dir);
    o.printf("report: %s%n", page);
    o.printf("next: open %s | ./tracepoke decode %s | ./tracepoke diff %s | ./tracepoke dump %s%n", page, dir, dir, dir);
    o.flush();
    return t.silentErrors() == 0 ? 0 : 1;
  }

  /** Progress lines on stderr, shown only once the demo has taken more than a second. */
  private static final class Progress {
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private boolean shown;

    Progress(PrintWriter err) {
      this.err = err;
    }

    void step(String what) {
      if (System.nanoTime() - start > 1_000_000_000L) {
        shown = true;
        err.println("tracepoke demo: " + what + " ...");
        err.flush();
      }
    }

    void done() {
      if (shown) {
        err.printf(Locale.ROOT, "tracepoke demo: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        err.flush();
      }
    }
  }
}
