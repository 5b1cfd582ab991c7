package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tracepoke.perf.PerfRecord.TextPoke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * perf 6.1 is the oracle: {@code perf report -D -i DIR} must accept what the writer makes and
 * list the same records, in the same order, with the same TEXT_POKE addresses and bytes.
 */
class PerfReportOracleTest {
  @TempDir Path dir;

  /** Our reader's view in perf's order, as perf prints it: offset, size, name. */
  static List<String> ours(Path data) throws IOException {
    List<String> out = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(data)) {
      RecordCursor c = r.timeOrder();
      for (FileRecord x = c.next(); x != null; x = c.next()) {
        out.add(String.format("0x%x [0x%x] %s t=%d", x.offset(), x.size(), RecordCatalogue.name(x.record().type()),
            x.hasTime() ? x.time() : 0));
      }
    }
    return out;
  }

  static List<String> perfs(List<PerfTool.Line> lines) {
    List<String> out = new ArrayList<>();
    for (PerfTool.Line l : lines) {
      out.add(String.format("0x%x [0x%x] %s t=%d", l.offset(), l.size(), l.name(), Math.max(0, l.time())));
    }
    return out;
  }

  private List<PerfTool.Line> perfReport(Path recordingDir) throws IOException {
    PerfTool.Run run = PerfTool.run(dir, PerfTool.PERF, "report", "-D", "-i", recordingDir.toString());
    assertEquals(0, run.exit(), "perf report -D failed:\n" + run.err());
    assertFalse(run.err().contains("failed to process"), run.err());
    assertFalse(run.out().contains("failed to process"), run.out());
    return PerfTool.records(run.out());
  }

  @Test
  void perfListsTheSameRecordsInTheSameOrderWithTheSameTextPokes() throws IOException {
    PerfTool.assumePerf();
    Path rec = dir.resolve("rec");
    dev.tracepoke.recording.RecordingTest.writeDirectory(rec);
    List<PerfTool.Line> lines = perfReport(rec);
    assertEquals(ours(rec.resolve("data")), perfs(lines));
    assertEquals(16, lines.size());

    List<TextPoke> pokes = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(rec.resolve("data"))) {
      for (FileRecord x : r.readAll()) {
        if (x.record() instanceof TextPoke t) {
          pokes.add(t);
        }
      }
    }
    PerfTool.Run run = PerfTool.run(dir, PerfTool.PERF, "report", "-D", "-i", rec.toString());
    List<String> perfPokes = new ArrayList<>();
    String[] out = run.out().split("\n");
    for (int i = 0; i < out.length; i++) {
      if (out[i].contains("PERF_RECORD_TEXT_POKE ")) {
        String[] w = out[i].substring(out[i].indexOf("PERF_RECORD_TEXT_POKE ") + 22).split(" ");
        perfPokes.add(w[0] + " old " + out[i + 1].trim().substring("Old bytes: ".length())
            + " new " + out[i + 2].trim().substring("New bytes: ".length()));
      }
    }
    List<String> ourPokes = new ArrayList<>();
    HexFormat hex = HexFormat.ofDelimiter(" ");
    for (TextPoke t : pokes) {
      ourPokes.add(Long.toHexString(t.addr()) + " old " + hex.formatHex(t.oldBytes()) + " new " + hex.formatHex(t.newBytes()));
    }
    assertEquals(List.of(
        "ffff800008010004 old 1f 20 03 d5 new 0f 00 00 14",
        "ffff800008010004 old 1f 20 03 d5 new 0f 00 00 14",
        "ffff800008010004 old 1f 20 03 d5 new 0f 00 00 14"), ourPokes);
    assertEquals(ourPokes, perfPokes);
  }

  @Test
  void perfDeliversRoundsInTheOrderOurReaderDoes() throws IOException {
    PerfTool.assumePerf();
    Path rec = Files.createDirectories(dir.resolve("order"));
    OrderingTest.write(rec.resolve("data"), 500, 300, -2, 400, -3, 0, 600, -2, 550, 450, 450, -2, 700, 100);
    List<PerfTool.Line> lines = perfReport(rec);
    assertEquals(ours(rec.resolve("data")), perfs(lines));
    assertEquals(14, lines.size());
  }

  @Test
  void perfReadsOurFeatureSections() throws IOException {
    PerfTool.assumePerf();
    Path rec = dir.resolve("features");
    dev.tracepoke.recording.RecordingTest.writeDirectory(rec);
    PerfTool.Run run = PerfTool.run(dir, PerfTool.PERF, "report", "--header-only", "-I", "-i", rec.toString());
    assertEquals(0, run.exit(), run.err());
    List<String> lines = run.out().lines().filter(l -> !l.startsWith("# captured on")).toList();
    assertEquals(List.of(
        "# ========",
        "# header version : 1",
        "# data offset    : 424",
        "# data size      : 1200",
        "# feat offset    : 1624",
        "# hostname : sim",
        "# os release : 6.1.0-tracepoke",
        "# perf version : 6.1.tracepoke",
        "# arch : aarch64",
        "# nrcpus online : 2",
        "# nrcpus avail : 2",
        "# event : name = cs_etm//, , id = { 101, 102 }, type = 10, size = 128, config = 0x10004000,"
            + " { sample_period, sample_freq } = 1, sample_type = IP|TID|TIME|CPU|IDENTIFIER,"
            + " read_format = ID|LOST, disabled = 1, exclude_hv = 1, sample_id_all = 1",
        "# event : name = dummy:u, , id = { 201, 202 }, type = 1, size = 128, config = 0x9,"
            + " { sample_period, sample_freq } = 1, sample_type = IP|TID|TIME|CPU|IDENTIFIER,"
            + " read_format = ID|LOST, disabled = 1, exclude_hv = 1, mmap = 1, comm = 1, task = 1,"
            + " sample_id_all = 1, mmap2 = 1, comm_exec = 1, text_poke = 1",
        "# pmu mappings: software = 1, cs_etm = 10",
        "# contains AUX area data (e.g. instruction trace)"), lines.subList(0, 15));
    assertEquals("", run.err());
  }
}
