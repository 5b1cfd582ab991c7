package dev.tracepoke.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracepoke.decode.write.ComparisonPage;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke compare-protocols}: one workload under every patching protocol and event style;
 * what each costs the machine and what a decoder can know from its recording.
 */
@Command(name = "compare-protocols", mixinStandardHelpOptions = true,
    description = "Run one workload under every protocol and event style; print costs and decode accuracy per row.")
final class CompareProtocolsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--scenario", paramLabel = "NAME|FILE",
      description = "Built-in scenario (default, static) or a JSON scenario file (default: ${DEFAULT-VALUE}).")
  String scenario = "default";

  @Option(names = "--seed", paramLabel = "N", description = "Override the scenario's seed.")
  Long seed;

  @picocli.CommandLine.Mixin SharedOptions.Json output = new SharedOptions.Json();

  @picocli.CommandLine.Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write the comparison as one offline HTML page: the table and charts of costs against decode accuracy.")
  Path html;

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Scenario s;
    try {
      s = Scenario.resolve(scenario);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("tracepoke compare-protocols: " + e.getMessage());
      return 2;
    }
    if (seed != null) {
      s = s.withSeed(seed);
    }
    List<ProtocolComparison.Row> rows = new ArrayList<>();
    Path tmp = Files.createTempDirectory("tracepoke-compare-");
    try (ProgressBars.Bar bar = progress.start("compare-protocols", Protocol.values().length * EventStyle.values().length,
        " rows", 1)) {
      if (!output.json) {
        out.printf(Locale.ROOT, "workload %s, seed %d, %d cores, %d ns%n", s.name(), s.seed(), s.cores(), s.runNanos());
        out.printf(Locale.ROOT, "%-24s %-9s %5s %8s %8s %8s %8s %5s %11s %8s %6s %6s %6s %6s %7s %8s%n", "protocol",
            "events", "pokes", "patch", "patch-mx", "visible", "vis-mx", "IPIs", "lost-cycles", "irq-off", "ambig", "resolv", "wrong", "unres",
            "silent", "naive-si");
        out.flush();
      }
      for (Protocol p : Protocol.values()) {
        for (EventStyle e : EventStyle.values()) {
          Path dir = tmp.resolve(p.id() + "--" + e.id());
          bar.say(p.id() + " " + e.id());
          ProtocolComparison.Row r = ProtocolComparison.measure(s, p, e, dir, threading.threads);
          bar.step(1);
          GoldenRun.delete(dir);
          rows.add(r);
          if (!output.json) {
            out.printf(Locale.ROOT, "%-24s %-9s %5d %8d %8d %8d %8d %5d %11d %8d %6d %6d %6d %6d %7d %8d%n", p.id(),
                e.id(), r.pokes(), r.meanPatchNanos(), r.maxPatchNanos(), r.meanVisibleNanos(), r.maxVisibleNanos(),
                r.ipis(), r.lostCycles(),
                r.maxInterruptsOffNanos(), r.ambiguous(), r.resolved(), r.resolvedWrong(), r.unresolved(),
                r.silentErrors(), r.silentErrorsNaive());
            out.flush();
          }
        }
      }
    } finally {
      GoldenRun.delete(tmp);
    }
    if (html != null) {
      writeHtml(s, rows);
    }
    if (output.json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode root = m.createObjectNode();
      root.set("rows", m.valueToTree(rows));
      out.println(m.writeValueAsString(root));
    } else {
      out.println("ns: patch (mean, max) on the patching core, visible (mean, max) until no core can fetch an old word,"
          + " irq-off;");
      out.println("lost-cycles: other cores in rendezvous or BRK traps; ambig/resolv/wrong/unres: ambiguous"
          + " executions and their outcome;"
          + " silent: wrong instructions output without a flag (naive-si: by the naive decoder)");
    }
    out.flush();
    return 0;
  }

  private void writeHtml(Scenario s, List<ProtocolComparison.Row> rows) throws IOException {
    List<ComparisonPage.Column> cols = List.of(
        new ComparisonPage.Column("protocol", ComparisonPage.Side.LABEL),
        new ComparisonPage.Column("events", ComparisonPage.Side.LABEL),
        new ComparisonPage.Column("pokes", ComparisonPage.Side.TABLE),
        new ComparisonPage.Column("patch latency, mean (ns)", ComparisonPage.Side.COST),
        new ComparisonPage.Column("patch latency, max (ns)", ComparisonPage.Side.TABLE),
        new ComparisonPage.Column("until no core runs an old word, mean (ns)", ComparisonPage.Side.TABLE),
        new ComparisonPage.Column("until no core runs an old word, max (ns)", ComparisonPage.Side.COST),
        new ComparisonPage.Column("IPIs", ComparisonPage.Side.COST),
        new ComparisonPage.Column("cycles other cores lost (stalls)", ComparisonPage.Side.COST),
        new ComparisonPage.Column("longest interrupts-off (ns)", ComparisonPage.Side.COST),
        new ComparisonPage.Column("ambiguous", ComparisonPage.Side.DECODE),
        new ComparisonPage.Column("resolved", ComparisonPage.Side.TABLE),
        new ComparisonPage.Column("resolved wrong", ComparisonPage.Side.TABLE),
        new ComparisonPage.Column("unresolved", ComparisonPage.Side.DECODE),
        new ComparisonPage.Column("silent errors", ComparisonPage.Side.DECODE),
        new ComparisonPage.Column("silent errors, naive decoder", ComparisonPage.Side.DECODE));
    List<List<Object>> data = new ArrayList<>();
    for (ProtocolComparison.Row r : rows) {
      data.add(List.of(r.protocol().id(), r.events().id(), r.pokes(), r.meanPatchNanos(), r.maxPatchNanos(),
          r.meanVisibleNanos(), r.maxVisibleNanos(), r.ipis(), r.lostCycles(), r.maxInterruptsOffNanos(),
          r.ambiguous(), r.resolved(), r.resolvedWrong(), r.unresolved(), r.silentErrors(), r.silentErrorsNaive()));
    }
    try (java.io.Writer w = Files.newBufferedWriter(html, java.nio.charset.StandardCharsets.UTF_8)) {
      ComparisonPage.write(w, "tracepoke compare-protocols",
          List.of(String.format(Locale.ROOT, "workload %s, seed %d, %d cores, %d ns; each row simulated, decoded "
              + "window-aware and naively, and diffed against truth.", s.name(), s.seed(), s.cores(), s.runNanos())),
          cols, data);
    }
  }
}
