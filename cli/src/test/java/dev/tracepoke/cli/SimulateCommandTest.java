package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.truth.TruthReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void jsonSummaryHasItsKeysAndAgreesWithTheRecording() throws Exception {
    Path scenario = tmp.resolve("small.json");
    Files.writeString(scenario, """
        {"name": "small", "cores": 2, "seed": 3, "run_nanos": 300000, "functions": 60,
         "protocol": "nosync", "events": "text-poke", "pokes_per_milli": 40, "timer_period_nanos": 50000,
         "syscalls_per_milli": 40, "fetch_bias": 0.5, "etm_sync_period_bytes": 4096,
         "etm_timestamp_period_cycles": 4096, "overflow_every_nanos": 0, "etm_cse_timestamps": true}
        """);
    Path dir = tmp.resolve("rec");
    assertEquals(0, run("simulate", "--scenario", scenario.toString(), "--protocol", "brk-emulate", "--out",
        dir.toString(), "--json"), err.toString());
    JsonNode j = new ObjectMapper().readTree(out.toString());
    List<String> keys = new ArrayList<>();
    j.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("scenario", "seed", "protocol", "events", "run_nanos", "cores", "pokes", "costs",
        "cmodx_violations", "old_word_after_record", "instructions", "trace_bytes", "trace_bytes_per_instruction"),
        keys);
    assertEquals("brk-emulate", j.get("protocol").asText());
    assertEquals(2, j.get("cores").size());
    List<String> coreKeys = new ArrayList<>();
    j.get("cores").get(0).fieldNames().forEachRemaining(coreKeys::add);
    assertEquals(List.of("cpu", "instructions", "exceptions", "patch_sites_old", "patch_sites_new", "trace_bytes"),
        coreKeys);
    TruthReader truth = TruthReader.open(dir.resolve("truth"));
    long instructions = 0;
    long bytes = 0;
    for (int c = 0; c < 2; c++) {
      JsonNode core = j.get("cores").get(c);
      assertEquals(c, core.get("cpu").asInt());
      assertEquals(truth.countInstructions(c), core.get("instructions").asLong());
      instructions += core.get("instructions").asLong();
      bytes += core.get("trace_bytes").asLong();
    }
    assertEquals(instructions, j.get("instructions").asLong());
    assertEquals((double) bytes / instructions, j.get("trace_bytes_per_instruction").asDouble(), 1e-12);
    // every TEXT_POKE the summary counts is in the recording
    int pokes = 0;
    try (Recording rec = Recording.open(dir, null)) {
      RecordCursor cursor = rec.data().fileOrder();
      for (FileRecord r = cursor.next(); r != null; r = cursor.next()) {
        if (r.record() instanceof PerfRecord.TextPoke) {
          pokes++;
        }
      }
    }
    assertEquals(j.get("pokes").get("records").asInt(), pokes);
    assertTrue(pokes > 0);
    assertEquals(0, j.get("old_word_after_record").asLong());
  }

  @Test
  void aNonEmptyOutputDirectoryIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(dir.resolve("x"), "x");
    assertEquals(1, run("simulate", "--scenario", "static", "--out", dir.toString()));
    assertEquals("tracepoke simulate: " + dir + ": recording directory is not empty", err.toString().strip());
  }

  @Test
  void unknownProtocolIsAUsageError() {
    assertEquals(2, run("simulate", "--protocol", "yolo", "--out", tmp.resolve("x").toString()));
    assertTrue(err.toString().contains("unknown protocol 'yolo'"), err.toString());
  }
}
