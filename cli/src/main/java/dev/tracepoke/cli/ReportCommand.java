package dev.tracepoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.flow.FlowTee;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.decode.write.RecordingReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke report REC}: one offline HTML page showing where the patch windows fell on each core. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write one self-contained HTML page "
    + "(opens offline): per-core lanes over time with decoded-trace density, exceptions, context-synchronization "
    + "events, each patch window per site and every ambiguous execution coloured by outcome (zoom and pan with the "
    + "mouse), the patch sites, and with ground truth the diff. Prints the page's path.")
final class ReportCommand implements Callable<Integer> {
  /** The page's name inside a recording directory. */
  static final String FILE = "report.html";

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REC",
      description = "A perf directory, a perf.data file (with --image), or an OpenCSD snapshot directory.")
  Path recording;

  @Option(names = "--out", paramLabel = "FILE.html", description = "Where to write the page (default: REC/report.html).")
  Path out;

  @Mixin InputOptions input;

  @Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

  @Option(names = "--summary", paramLabel = "JSON",
      description = "What `tracepoke simulate --json` printed for REC: adds the simulator's cost report.")
  Path summary;

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  @Override
  public Integer call() throws IOException {
    TraceInput in = Inputs.open(recording, input, spec);
    Path file = out != null ? out : defaultFile(recording);
    RecordingReport report;
    try (ProgressBars.Bar bar = Inputs.decodeBar(progress, recording, "report")) {
      report = build(Inputs.counted(in, bar), threading.threads, null);
    }
    if (summary != null) {
      JsonNode costs = new ObjectMapper().readTree(summary.toFile()).path("costs");
      if (!costs.isObject()) {
        throw new IOException(summary + ": no \"costs\" object (expected the output of tracepoke simulate --json)");
      }
      costs(report, costs);
    }
    write(report, file);
    PrintWriter o = spec.commandLine().getOut();
    RecordingReport.Summary s = report.summary();
    o.printf("%s: ambiguous %d, resolved %d, unresolved %d%s%n", file, s.ambiguous(), s.resolved(), s.unresolved(),
        s.silentErrors() < 0 ? "" : ", silent errors " + s.silentErrors());
    o.flush();
    return 0;
  }

  /** {@code REC/report.html} for a directory; {@code REC.report.html} beside a file. */
  static Path defaultFile(Path recording) {
    if (Files.isDirectory(recording)) {
      return recording.resolve(FILE);
    }
    return recording.resolveSibling(recording.getFileName() + "." + FILE);
  }

  /**
   * Decodes {@code in} (window-aware) into a report: with ground truth through the streamed diff,
   * so ambiguous executions show right or wrong; without, through the decode merged by time.
   * {@code alsoTap} (or null), per core, sees the same elements (the demo's own collector).
   */
  static RecordingReport build(TraceInput in, int threads, IntFunction<FlowSink> alsoTap) throws IOException {
    boolean truth = in.truthDir().isPresent();
    RecordingReport report = new RecordingReport(in, Decoding.timeline(in, CoreDecoderFactory.WINDOWS), truth);
    if (truth) {
      IntFunction<FlowSink> tap = alsoTap == null ? report::lane
          : cpu -> new FlowTee(alsoTap.apply(cpu), report.lane(cpu));
      DiffReport d = TruthCheck.diff(in, CoreDecoderFactory.WINDOWS, threads, tap, report::outcomes);
      report.truth(d);
    } else {
      Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, threads, report.merged(), Long.MIN_VALUE, Long.MAX_VALUE);
    }
    return report;
  }

  /** The simulator's cost report (as {@code simulate --json} prints it) as the page's key/value lines. */
  static void costs(RecordingReport report, JsonNode costs) {
    for (Iterator<Map.Entry<String, JsonNode>> it = costs.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      report.cost(e.getKey(), e.getValue().asText());
    }
  }

  static void write(RecordingReport report, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      report.writeHtml(w);
    }
  }
}
