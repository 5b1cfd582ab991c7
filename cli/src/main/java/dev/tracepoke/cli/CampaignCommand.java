package dev.tracepoke.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke campaign}: random scenarios over every scenario key, each simulated, decoded and
 * diffed in this process; a run that breaks the invariant (silent errors or wrong resolutions where
 * the decoder has records or tables to go by) is shrunk, written as a scenario file with the command
 * that reproduces it, and the table per protocol and event style is printed at the end.
 */
@Command(name = "campaign",
    description = "Random patch scenarios, simulated, decoded and diffed in-process; failures are shrunk and written with the command that reproduces them.")
final class CampaignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--runs", paramLabel = "N",
      description = "Runs to make (default: 100, or unbounded with --minutes).")
  Long runs;

  @Option(names = "--minutes", paramLabel = "M", description = "Start no run after M minutes.")
  Double minutes;

  @Option(names = "--seed", paramLabel = "S", description = "Campaign seed (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--protocols", paramLabel = "P,...", split = ",",
      description = "Protocols to draw from (default: all).")
  List<String> protocols;

  @Option(names = "--events", paramLabel = "E,...", split = ",",
      description = "Event styles to draw from: none, text-poke, pre-post (default: all).")
  List<String> events;

  @Option(names = "--decoder", paramLabel = "window|naive",
      description = "Decoder checked (default: ${DEFAULT-VALUE}); naive shows the failure path.")
  String decoder = "window";

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where failing scenarios are written (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("campaign-failures");

  @Option(names = "--json", description = "Print one JSON object: runs, rows, failures.")
  boolean json;

  @Option(names = "--threads", paramLabel = "N",
      description = "Runs in parallel (default: one per available processor).")
  int threads = Runtime.getRuntime().availableProcessors();

  /** One row of the table: the runs of one protocol and event style. */
  @JsonPropertyOrder({"protocol", "events", "runs", "instructions", "ambiguous", "resolved",
      "unresolved_undecidable", "unresolved_gave_up", "silent_errors", "resolved_wrong"})
  static final class Row {
    @JsonProperty("protocol") final String protocol;
    @JsonProperty("events") final String events;
    @JsonProperty("runs") long runs;
    @JsonProperty("instructions") long instructions;
    @JsonProperty("ambiguous") long ambiguous;
    @JsonProperty("resolved") long resolved;
    @JsonProperty("unresolved_undecidable") long undecidable;
    @JsonProperty("unresolved_gave_up") long gaveUp;
    @JsonProperty("silent_errors") long silent;
    @JsonProperty("resolved_wrong") long wrong;

    Row(Protocol p, EventStyle e) {
      protocol = p.id();
      events = e.id();
    }

    void add(Campaign.Outcome o) {
      runs++;
      instructions += o.instructions();
      ambiguous += o.ambiguous();
      resolved += o.resolved();
      undecidable += o.unresolvedUndecidable();
      gaveUp += o.unresolvedGaveUp();
      silent += o.silentErrors();
      wrong += o.resolvedWrong();
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    List<Protocol> ps;
    List<EventStyle> es;
    Campaign.DecoderChoice d;
    try {
      ps = protocols == null ? List.of(Protocol.values())
          : protocols.stream().map(Protocol::of).toList();
      es = events == null ? List.of(EventStyle.values())
          : events.stream().map(EventStyle::of).toList();
      d = Campaign.DecoderChoice.of(decoder);
      if (ps.isEmpty() || es.isEmpty() || threads < 1 || (runs != null && runs < 0)
          || (minutes != null && minutes <= 0)) {
        throw new IllegalArgumentException("--protocols and --events need at least one value,"
            + " --threads at least 1, --runs and --minutes a positive number");
      }
    } catch (IllegalArgumentException e) {
      err.println("tracepoke campaign: " + e.getMessage());
      err.flush();
      return 2;
    }
    long total = runs != null ? runs : minutes != null ? Long.MAX_VALUE : 100;
    long deadline = minutes == null ? Long.MAX_VALUE
        : System.nanoTime() + (long) (minutes * 60e9);

    Row[][] rows = new Row[Protocol.values().length][EventStyle.values().length];
    for (Protocol p : ps) {
      for (EventStyle e : es) {
        rows[p.ordinal()][e.ordinal()] = new Row(p, e);
      }
    }
    List<Campaign.Failure> failures = new ArrayList<>();
    AtomicLong next = new AtomicLong();
    AtomicLong done = new AtomicLong();
    Path scratch = Files.createTempDirectory("tracepoke-campaign-");
    long started = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    Throwable[] fatal = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try {
          for (long k; (k = next.getAndIncrement()) < total && System.nanoTime() < deadline; ) {
            Scenario s = Campaign.scenario(seed, k, ps, es);
            Campaign.Outcome o = Campaign.run(s, d, scratch);
            synchronized (rows) {
              rows[s.protocol().ordinal()][s.events().ordinal()].add(o);
            }
            if (o.fails()) {
              Campaign.Failure f = Campaign.write(Campaign.shrink(o, d, scratch), d, out);
              synchronized (rows) {
                failures.add(f);
                err.printf(Locale.ROOT, "campaign: run %d (%s) fails: silent %d, wrong %d%s;"
                        + " shrunk to %s%n  %s%n", k, s, o.silentErrors(), o.resolvedWrong(),
                    o.error() == null ? "" : ", " + o.error(), f.scenario(), f.command());
                err.flush();
              }
            }
            done.incrementAndGet();
          }
        } catch (IOException e) {
          synchronized (rows) {
            fatal[0] = new UncheckedIOException(e);
          }
        } catch (RuntimeException | Error e) {
          synchronized (rows) {
            fatal[0] = e;
          }
        }
      }, "tracepoke-campaign-" + t);
      w.setDaemon(true);
      w.start();
      workers.add(w);
    }
    try {
      long lastReport = System.nanoTime();
      while (workers.stream().anyMatch(Thread::isAlive)) {
        for (Thread w : workers) {
          w.join(1000);
        }
        long now = System.nanoTime();
        if (now - lastReport >= 10e9) {
          lastReport = now;
          long n = done.get();
          synchronized (rows) {
            err.printf(Locale.ROOT, "campaign: %d runs in %.0f s (%.2f runs/s), %d failures%n", n,
                (now - started) / 1e9, n / ((now - started) / 1e9), failures.size());
            err.flush();
          }
        }
      }
    } finally {
      GoldenRun.delete(scratch);
    }
    if (fatal[0] != null) {
      if (fatal[0] instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw fatal[0] instanceof Exception e ? e : new IllegalStateException(fatal[0]);
    }
    long n = done.get();
    double seconds = (System.nanoTime() - started) / 1e9;
    err.printf(Locale.ROOT, "campaign: %d runs in %.0f s (%.2f runs/s), %d failures%n", n, seconds,
        n / seconds, failures.size());
    err.flush();

    List<Row> table = new ArrayList<>();
    for (Row[] byProtocol : rows) {
      for (Row r : byProtocol) {
        if (r != null) {
          table.add(r);
        }
      }
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode root = m.createObjectNode();
      root.put("runs", n);
      root.set("rows", m.valueToTree(table));
      root.set("failures", m.valueToTree(failures));
      o.println(m.writeValueAsString(root));
    } else {
      print(o, n, seconds, d, table, failures);
    }
    o.flush();
    return failures.isEmpty() ? 0 : 1;
  }

  private static final String ROW = "%-24s %-9s %6d %12d %8d %8d %11d %8d %8d %6d%n";

  private void print(PrintWriter o, long n, double seconds, Campaign.DecoderChoice d,
      List<Row> table, List<Campaign.Failure> failures) {
    o.printf(Locale.ROOT, "campaign seed %d, decoder %s: %d runs in %.0f s%n", seed, d.id, n,
        seconds);
    String format = "%-24s %-9s %6s %12s %8s %8s %11s %8s %8s %6s%n";
    o.printf(Locale.ROOT, format, "protocol", "events", "runs", "instructions", "ambig",
        "resolved", "undecidable", "gave-up", "silent", "wrong");
    Row sum = new Row(Protocol.NOSYNC, EventStyle.NONE);
    for (Row r : table) {
      o.printf(Locale.ROOT, ROW, r.protocol, r.events, r.runs, r.instructions, r.ambiguous,
          r.resolved, r.undecidable, r.gaveUp, r.silent, r.wrong);
      sum.runs += r.runs;
      sum.instructions += r.instructions;
      sum.ambiguous += r.ambiguous;
      sum.resolved += r.resolved;
      sum.undecidable += r.undecidable;
      sum.gaveUp += r.gaveUp;
      sum.silent += r.silent;
      sum.wrong += r.wrong;
    }
    o.printf(Locale.ROOT, ROW, "all", "", sum.runs,
        sum.instructions, sum.ambiguous, sum.resolved, sum.undecidable, sum.gaveUp, sum.silent,
        sum.wrong);
    long decidable = sum.ambiguous - sum.undecidable;
    o.printf(Locale.ROOT, "resolved %.1f%% of the decidable ambiguous executions (ambiguous -"
            + " undecidable = %d); silent and wrong are checked for %s%n",
        decidable == 0 ? 100.0 : 100.0 * sum.resolved / decidable, decidable,
        "text-poke, pre-post, and none where the recording has patch-site tables");
    for (Campaign.Failure f : failures) {
      o.printf(Locale.ROOT, "failure: %s (silent %d, wrong %d%s)%n  %s%n", f.scenario(),
          f.silentErrors(), f.resolvedWrong(), f.error() == null ? "" : ", " + f.error(),
          f.command());
    }
    if (failures.isEmpty()) {
      o.println("failures: none");
    }
  }
}
