package dev.tracepoke.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.RandomScenarios;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One run of a patch campaign, and the shrinking of a run that breaks the invariant: simulate the
 * scenario, decode its recording, diff against truth. The invariant is 0 silent errors and 0 wrong
 * resolutions wherever the decoder has something to go by: recordings with text-poke or PRE/POST
 * records, and recordings without records that carry the kernel's patch-site tables (a {@code
 * vmlinux} with them beside {@code data}).
 */
final class Campaign {
  /** Runs a shrink may try before it settles on the smallest failure found. */
  static final int SHRINK_ATTEMPTS = 40;

  private Campaign() {}

  /** Which decoder a campaign checks. */
  enum DecoderChoice {
    WINDOW("window", CoreDecoderFactory.WINDOWS),
    NAIVE("naive", CoreDecoderFactory.NAIVE);

    final String id;
    final CoreDecoderFactory factory;

    DecoderChoice(String id, CoreDecoderFactory factory) {
      this.id = id;
      this.factory = factory;
    }

    static DecoderChoice of(String id) {
      for (DecoderChoice d : values()) {
        if (d.id.equals(id)) {
          return d;
        }
      }
      throw new IllegalArgumentException("unknown decoder '" + id + "' (expected window or naive)");
    }
  }

  /**
   * What one run gave. {@code checked}: the invariant applies to it; {@code error}: the run threw
   * (null if not), which breaks the invariant too.
   */
  record Outcome(Scenario scenario, boolean checked, long instructions, long ambiguous,
      long resolved, long unresolvedUndecidable, long unresolvedGaveUp, long silentErrors,
      long resolvedWrong, String error) {

    boolean fails() {
      return error != null || (checked && (silentErrors > 0 || resolvedWrong > 0));
    }
  }

  /** A failure as the report gives it: the shrunk scenario's file and the command that shows it. */
  @JsonPropertyOrder({"scenario", "command", "silent_errors", "resolved_wrong", "error"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Failure(
      @JsonProperty("scenario") String scenario,
      @JsonProperty("command") String command,
      @JsonProperty("silent_errors") long silentErrors,
      @JsonProperty("resolved_wrong") long resolvedWrong,
      @JsonProperty("error") String error) {}

  /** Simulates, decodes and diffs {@code s} in a scratch directory under {@code scratch}. */
  static Outcome run(Scenario s, DecoderChoice decoder, Path scratch) throws IOException {
    Path dir = Files.createTempDirectory(scratch, "run-");
    try {
      Path rec = dir.resolve("rec");
      new Simulation(s).record(rec);
      TraceInput in = RecordingInput.open(rec, null);
      // without records the decoder goes by the kernel's patch-site tables, where it has them
      boolean checked = s.events() != EventStyle.NONE || !in.sites().isEmpty();
      CoreDiff d = TruthCheck.diff(in, decoder.factory, 1, null).total();
      return new Outcome(s, checked, d.instructionsTruth(), d.ambiguous(),
          d.resolvedRight() + d.resolvedWrong(), d.unresolvedUndecidable(), d.unresolvedGaveUp(),
          d.silentErrors(), d.resolvedWrong(), null);
    } catch (RuntimeException | IOException | StackOverflowError e) {
      String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Outcome(s, true, 0, 0, 0, 0, 0, 0, 0, e.getClass().getSimpleName() + ": " + what);
    } finally {
      GoldenRun.delete(dir);
    }
  }

  /**
   * The smallest variant of the failing run {@code failed} that still fails (fewer cores, shorter,
   * fewer pokes, fewer functions, fewer interrupts, ...), trying at most {@link #SHRINK_ATTEMPTS}
   * runs.
   */
  static Outcome shrink(Outcome failed, DecoderChoice decoder, Path scratch) throws IOException {
    Outcome best = failed;
    int attempts = 0;
    boolean smaller = true;
    while (smaller && attempts < SHRINK_ATTEMPTS) {
      smaller = false;
      for (Scenario s : RandomScenarios.smaller(best.scenario())) {
        if (attempts++ == SHRINK_ATTEMPTS) {
          break;
        }
        Outcome o = run(s, decoder, scratch);
        if (o.fails() && (o.error == null) == (failed.error == null)) {
          best = o;
          smaller = true;
          break;
        }
      }
    }
    return best;
  }

  /**
   * Writes {@code o}'s scenario to {@code outDir} and returns the failure with the command that
   * reproduces it.
   */
  static Failure write(Outcome o, DecoderChoice decoder, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    Path file = outDir.resolve(o.scenario().name() + ".json").toAbsolutePath().normalize();
    Files.writeString(file, o.scenario().toJson());
    Path rec = outDir.resolve(o.scenario().name() + ".rec").toAbsolutePath().normalize();
    String command = "tracepoke simulate --scenario " + file + " --out " + rec
        + " && tracepoke diff " + rec + " --json" + (decoder == DecoderChoice.NAIVE ? " --naive" : "");
    return new Failure(file.toString(), command, o.silentErrors(), o.resolvedWrong(), o.error());
  }

  /** The scenario of run {@code run} of the campaign {@code seed}. */
  static Scenario scenario(long seed, long run, List<Protocol> protocols, List<EventStyle> events) {
    return RandomScenarios.draw(seed, run, protocols, events);
  }
}
