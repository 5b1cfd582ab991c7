package dev.tracepoke.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.TruthCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke diff REC}: decode a simulated recording and compare it with what ran. */
@Command(name = "diff", mixinStandardHelpOptions = true, description = "Decode a simulated recording and diff it against ground truth.")
final class DiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REC", description = "A recording written by tracepoke simulate.")
  Path recording;

  @picocli.CommandLine.Mixin SharedOptions.Json output = new SharedOptions.Json();

  @Option(names = "--naive",
      description = "Switch the image at each text-poke record's time and never flag: what a decoder without window analysis reports.")
  boolean naive;

  @picocli.CommandLine.Mixin InputOptions input = new InputOptions();

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  @Override
  public Integer call() throws IOException {
    TraceInput in = Inputs.open(recording, input, spec);
    DiffReport report = TruthCheck.diff(in, naive ? CoreDecoderFactory.NAIVE : CoreDecoderFactory.WINDOWS, threading.threads, null);
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      out.println(new ObjectMapper().writeValueAsString(toJson(report)));
    } else {
      printText(out, report);
    }
    out.flush();
    return 0;
  }

  static ObjectNode toJson(DiffReport report) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = fields(m, report.total());
    ArrayNode cores = root.putArray("cores");
    for (CoreDiff c : report.cores()) {
      ObjectNode o = m.createObjectNode();
      o.put("cpu", c.cpu());
      o.setAll(fields(m, c));
      cores.add(o);
    }
    return root;
  }

  private static ObjectNode fields(ObjectMapper m, CoreDiff c) {
    ObjectNode o = m.createObjectNode();
    o.put("instructions_truth", c.instructionsTruth());
    o.put("instructions_decoded", c.instructionsDecoded());
    o.put("matched", c.matched());
    o.put("silent_errors", c.silentErrors());
    o.put("ambiguous", c.ambiguous());
    o.put("resolved_right", c.resolvedRight());
    o.put("resolved_wrong", c.resolvedWrong());
    o.put("unresolved", c.unresolved());
    o.put("unresolved_undecidable", c.unresolvedUndecidable());
    o.put("unresolved_gave_up", c.unresolvedGaveUp());
    CoreDiff.Divergence d = c.firstDivergence();
    if (d == null) {
      o.putNull("first_divergence");
    } else {
      ObjectNode f = o.putObject("first_divergence");
      f.put("cpu", d.cpu());
      f.put("time", d.time());
      f.put("pc", String.format("0x%x", d.pc()));
      if (d.symbol() == null) {
        f.putNull("symbol");
      } else {
        f.put("symbol", d.symbol());
      }
    }
    return o;
  }

  static void printText(PrintWriter out, DiffReport r) {
    out.printf("%-5s %12s %12s %12s %8s %9s %8s %8s %10s%n", "cpu", "truth", "decoded", "matched",
        "silent", "ambiguous", "res-ok", "res-bad", "unresolved");
    for (CoreDiff c : r.cores()) {
      row(out, String.valueOf(c.cpu()), c);
    }
    row(out, "all", r.total());
    CoreDiff.Divergence d = r.total().firstDivergence();
    out.println(d == null ? "first divergence: none"
        : String.format("first divergence: cpu %d time %s pc %016x %s", d.cpu(), dev.tracepoke.decode.write.ElementNames.time(d.time()),
            d.pc(), d.symbol() == null ? "[unknown]" : d.symbol()));
  }

  private static void row(PrintWriter out, String cpu, CoreDiff c) {
    out.printf("%-5s %12d %12d %12d %8d %9d %8d %8d %10d%n", cpu, c.instructionsTruth(),
        c.instructionsDecoded(), c.matched(), c.silentErrors(), c.ambiguous(), c.resolvedRight(),
        c.resolvedWrong(), c.unresolved());
  }
}
