package dev.tracepoke.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.Ambiguities;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.recording.GoldenCase;
import dev.tracepoke.recording.RecordingArchive;
import dev.tracepoke.sim.scenario.RunSummary;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * One golden case, checked or brought up to date. The expected outputs are what the real commands
 * print: {@code decode.txt} is {@code tracepoke decode DECODE.ARGS REC}, {@code diff.json} is
 * {@code tracepoke diff --json REC} (indented), {@code costs.txt} is the run summary {@code
 * tracepoke simulate} prints.
 */
final class GoldenRun {
  /** Half the width of the decode window chosen for a new case (ns of perf time). */
  private static final long HALF_WINDOW = 1_500;

  private GoldenRun() {}

  /** The outcome of one case: null {@code failure} when it passed; {@code changed} files for update. */
  record Result(String name, String failure, List<String> changed) {}

  /** Re-simulates and re-decodes the case; the first difference from what it holds, or null. */
  static Result check(GoldenCase c) throws IOException {
    Path tmp = Files.createTempDirectory("tracepoke-golden-");
    try {
      Scenario s = Scenario.load(c.scenario());
      Path sim = tmp.resolve("sim");
      RunSummary summary = new Simulation(s).record(sim);
      if (!Files.isRegularFile(c.archive())) {
        return new Result(c.name(), RecordingArchive.FILE_NAME + ": missing", List.of());
      }
      String rec = RecordingArchive.contents(c.archive()).firstDifference(RecordingArchive.read(sim));
      if (rec != null) {
        return new Result(c.name(), RecordingArchive.FILE_NAME + ": re-simulated " + rec, List.of());
      }
      Path unpacked = tmp.resolve("rec");
      RecordingArchive.unpack(c.archive(), unpacked);
      if (!Files.isRegularFile(c.file(GoldenCase.DECODE_ARGS))) {
        return new Result(c.name(), GoldenCase.DECODE_ARGS + ": missing", List.of());
      }
      Map<String, String> outputs = render(unpacked, c.decodeArgs(), summary);
      for (String name : GoldenCase.OUTPUTS) {
        String d = c.compare(name, outputs.get(name));
        if (d != null) {
          return new Result(c.name(), d, List.of());
        }
      }
      return new Result(c.name(), null, List.of());
    } finally {
      delete(tmp);
    }
  }

  /**
   * Re-simulates the case and rewrites what differs: the archive when the recording changed, the
   * expected outputs, and {@code decode.args} when absent (a window around the first ambiguous
   * execution, else the first divergence from truth, else the middle of the run).
   */
  static Result update(GoldenCase c) throws IOException {
    Path tmp = Files.createTempDirectory("tracepoke-golden-");
    try {
      Scenario s = Scenario.load(c.scenario());
      Path sim = tmp.resolve("sim");
      RunSummary summary = new Simulation(s).record(sim);
      List<String> changed = new ArrayList<>();
      boolean same = Files.isRegularFile(c.archive())
          && RecordingArchive.contents(c.archive()).firstDifference(RecordingArchive.read(sim)) == null;
      if (!same) {
        RecordingArchive.pack(sim, c.archive());
        changed.add(RecordingArchive.FILE_NAME);
      }
      if (!Files.isRegularFile(c.file(GoldenCase.DECODE_ARGS))) {
        c.writeIfChanged(GoldenCase.DECODE_ARGS, defaultDecodeArgs(sim, s) + "\n");
        changed.add(GoldenCase.DECODE_ARGS);
      }
      Map<String, String> outputs = render(sim, c.decodeArgs(), summary);
      for (String name : GoldenCase.OUTPUTS) {
        if (c.writeIfChanged(name, outputs.get(name))) {
          changed.add(name);
        }
      }
      return new Result(c.name(), null, changed);
    } finally {
      delete(tmp);
    }
  }

  /** The expected outputs of a recording, by file name, from the commands that print them. */
  static Map<String, String> render(Path recording, List<String> decodeArgs, RunSummary summary) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> args = new ArrayList<>();
    args.add("decode");
    args.addAll(decodeArgs);
    args.add(recording.toString());
    out.put(GoldenCase.DECODE, run(recording, args.toArray(String[]::new)));
    String diff = run(recording, "diff", "--json", recording.toString());
    ObjectMapper m = new ObjectMapper();
    out.put(GoldenCase.DIFF, m.writerWithDefaultPrettyPrinter().writeValueAsString(m.readTree(diff)) + "\n");
    out.put(GoldenCase.COSTS, summary.toText());
    return out;
  }

  /**
   * Runs a tracepoke command; its standard output, then its standard error with the recording's
   * temporary path written as {@code REC} (decode errors name the file they are in).
   */
  private static String run(Path recording, String... args) throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute(args);
    String e = err.toString().replace(recording.toString(), "REC");
    if (rc != 0) {
      throw new IOException("tracepoke " + String.join(" ", args) + " exited with " + rc + ": " + e.strip());
    }
    return out + e;
  }

  private static String defaultDecodeArgs(Path recording, Scenario s) throws IOException {
    TraceInput in = RecordingInput.open(recording, null);
    List<Decoding.CoreResult> decoded = Decoding.run(in, CoreDecoderFactory.WINDOWS, null, 1);
    List<Ambiguities.Ambiguity> amb = Ambiguities.of(decoded).stream()
        .filter(a -> a.timeFrom() != FlowSink.NO_TIME).toList();
    int cpu = 0;
    long at = Simulation.START_TIME + s.runNanos() / 2;
    if (!amb.isEmpty()) {
      Ambiguities.Ambiguity first = amb.stream()
          .min(Comparator.comparingLong(Ambiguities.Ambiguity::timeFrom).thenComparingInt(Ambiguities.Ambiguity::cpu))
          .orElseThrow();
      cpu = first.cpu();
      at = first.timeFrom();
    } else {
      CoreDiff.Divergence d = TruthCheck.diff(in, decoded).total().firstDivergence();
      if (d != null) {
        cpu = d.cpu();
        at = d.time();
      }
    }
    return String.format(Locale.ROOT, "--ranges --cpu %d --time %d,%d", cpu, at - HALF_WINDOW, at + HALF_WINDOW);
  }

  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
