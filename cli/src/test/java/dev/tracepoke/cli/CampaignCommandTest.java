package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.RandomScenarios;
import dev.tracepoke.sim.scenario.Scenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tracepoke campaign}: the issue's JSON keys, the invariant on the window decoder, and the
 * failure path on real failures of the naive decoder (shrunk, written, reproduced by its command).
 */
class CampaignCommandTest {
  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  static Run tracepoke(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static List<String> keys(JsonNode n) {
    List<String> k = new ArrayList<>();
    n.fieldNames().forEachRemaining(k::add);
    return k;
  }

  @Test
  void theWindowDecoderKeepsTheInvariantAndTheReportHasTheIssuesKeys() throws Exception {
    String[] args = {"campaign", "--runs", "6", "--seed", "5", "--protocols", "nosync,brk-emulate",
        "--events", "text-poke,pre-post", "--threads", "2", "--out", tmp.resolve("f").toString(),
        "--json"};
    Run r = tracepoke(args);
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals(List.of("runs", "rows", "failures"), keys(root));
    assertEquals(6, root.get("runs").asLong());
    assertEquals(0, root.get("failures").size());
    long runs = 0;
    for (JsonNode row : root.get("rows")) {
      assertEquals(List.of("protocol", "events", "runs", "instructions", "ambiguous", "resolved",
          "unresolved_undecidable", "unresolved_gave_up", "silent_errors", "resolved_wrong"),
          keys(row));
      assertEquals(0, row.get("silent_errors").asLong(), row.toString());
      assertEquals(0, row.get("resolved_wrong").asLong(), row.toString());
      assertEquals(0, row.get("unresolved_gave_up").asLong(), row.toString());
      runs += row.get("runs").asLong();
    }
    assertEquals(6, runs);
    assertEquals(4, root.get("rows").size()); // 2 protocols x 2 event styles
    assertTrue(Files.notExists(tmp.resolve("f")), "nothing failed, nothing written");
    // the same seed gives the same campaign, whatever the threads
    args[10] = "1";
    assertEquals(r.out(), tracepoke(args).out());
  }

  @Test
  void theNaiveDecoderFailsAndTheFailureIsShrunkWrittenAndReproduced() throws Exception {
    Path out = tmp.resolve("failures");
    Run r = tracepoke("campaign", "--runs", "1", "--seed", "3", "--protocols", "nosync",
        "--events", "pre-post", "--decoder", "naive", "--threads", "1", "--out", out.toString(),
        "--json");
    assertEquals(1, r.exit(), "a campaign with a failure exits 1: " + r.err());
    assertTrue(r.err().contains("campaign: run 0 (campaign-3-0"), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    JsonNode failures = root.get("failures");
    assertEquals(1, failures.size());
    JsonNode f = failures.get(0);
    assertEquals(List.of("scenario", "command", "silent_errors", "resolved_wrong"), keys(f));
    Path file = out.resolve("campaign-3-0.json").toAbsolutePath().normalize();
    Path rec = out.resolve("campaign-3-0.rec").toAbsolutePath().normalize();
    assertEquals(file.toString(), f.get("scenario").asText());
    assertEquals("tracepoke simulate --scenario " + file + " --out " + rec + " && tracepoke diff "
        + rec + " --json --naive", f.get("command").asText());

    // shrunk: smaller than the drawn run in at least one key, never larger in any
    Scenario drawn = RandomScenarios.draw(3, 0, List.of(Protocol.NOSYNC),
        List.of(EventStyle.PRE_POST));
    Scenario shrunk = Scenario.load(file);
    assertTrue(shrunk.cores() <= drawn.cores() && shrunk.runNanos() <= drawn.runNanos()
        && shrunk.functions() <= drawn.functions()
        && shrunk.pokesPerMilli() <= drawn.pokesPerMilli(), shrunk.toJson());
    assertTrue(shrunk.cores() < drawn.cores() || shrunk.runNanos() < drawn.runNanos()
        || shrunk.functions() < drawn.functions() || shrunk.pokesPerMilli() < drawn.pokesPerMilli()
        || shrunk.timerPeriodNanos() < drawn.timerPeriodNanos()
        || shrunk.syscallsPerMilli() < drawn.syscallsPerMilli(), shrunk.toJson());

    // the command reproduces the failure exactly
    Run sim = tracepoke("simulate", "--scenario", file.toString(), "--out", rec.toString());
    assertEquals(0, sim.exit(), sim.err());
    Run diff = tracepoke("diff", rec.toString(), "--json", "--naive");
    assertEquals(0, diff.exit(), diff.err());
    JsonNode d = new ObjectMapper().readTree(diff.out());
    long silent = f.get("silent_errors").asLong();
    assertTrue(silent > 0, f.toString());
    assertEquals(silent, d.get("silent_errors").asLong());
    assertEquals(f.get("resolved_wrong").asLong(), d.get("resolved_wrong").asLong());
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertEquals(2, tracepoke("campaign", "--decoder", "exact").exit());
    assertEquals(2, tracepoke("campaign", "--protocols", "nosync,quick").exit());
    assertEquals(2, tracepoke("campaign", "--events", "post").exit());
  }
}
