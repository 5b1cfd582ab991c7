package dev.tracepoke.cli;

import dev.tracepoke.recording.GoldenCase;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke golden check|update [DIR]}: the golden corpus of recordings and their outputs. */
@Command(name = "golden", mixinStandardHelpOptions = true, description = "Check or update the golden corpus (default testdata/golden).",
    subcommands = {GoldenCommand.Check.class, GoldenCommand.Update.class})
final class GoldenCommand implements Callable<Integer> {
  static final String DEFAULT_DIR = "testdata/golden";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Re-simulate every case (the recording must be byte-identical to its archive), re-decode its "
          + "archive and compare decode.txt, diff.json and costs.txt.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Corpus directory (default ${DEFAULT-VALUE}).")
    Path dir = Path.of(DEFAULT_DIR);

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      List<GoldenCase> cases = GoldenCase.list(dir);
      int passed = 0;
      int failed = 0;
      ProgressBars.Bar bar = progress.start("golden check", cases.size(), " cases", 1);
      for (GoldenCase c : cases) {
        bar.say(c.name());
        GoldenRun.Result r;
        try {
          r = GoldenRun.check(c);
        } catch (IOException | RuntimeException e) {
          // one broken case (unreadable scenario, corrupt archive) fails that case, not the run
          r = new GoldenRun.Result(c.name(), e.getMessage(), List.of());
        }
        if (r.failure() == null) {
          passed++;
          out.println("PASS " + r.name());
        } else {
          failed++;
          out.println("FAIL " + r.name() + ": " + r.failure());
        }
        out.flush();
        bar.step(1);
      }
      bar.close();
      out.println(passed + " passed, " + failed + " failed");
      out.flush();
      return failed == 0 && passed > 0 ? 0 : 1;
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Re-simulate and re-decode every case and rewrite what changed (archive, expected outputs).")
  static final class Update implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Corpus directory (default ${DEFAULT-VALUE}).")
    Path dir = Path.of(DEFAULT_DIR);

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      List<GoldenCase> cases = GoldenCase.list(dir);
      int changed = 0;
      ProgressBars.Bar bar = progress.start("golden update", cases.size(), " cases", 1);
      for (GoldenCase c : cases) {
        bar.say(c.name());
        GoldenRun.Result r = GoldenRun.update(c);
        if (r.changed().isEmpty()) {
          out.println("same    " + r.name());
        } else {
          changed++;
          out.println("changed " + r.name() + ": " + String.join(", ", r.changed()));
        }
        out.flush();
        bar.step(1);
      }
      bar.close();
      out.println(cases.size() + " cases, " + changed + " changed");
      out.flush();
      return 0;
    }
  }
}
