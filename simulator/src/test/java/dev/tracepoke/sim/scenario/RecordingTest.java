package dev.tracepoke.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.sim.patching.TextPokeEvent;
import dev.tracepoke.truth.TruthReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingTest {
  @TempDir Path tmp;

  private static Scenario small() {
    return new Scenario("small", 3, 11, 400_000, 120, Protocol.NOSYNC_KICK, EventStyle.PRE_POST, 40, 50_000, 40,
        0.5, 4096, 4096, 0, false);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }

  @Test
  void sameScenarioAndSeedGiveTheSameBytesInEveryFile() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    RunSummary sa = new Simulation(small()).record(a);
    RunSummary sb = new Simulation(small()).record(b);
    assertEquals(sa, sb);
    List<Path> fa = files(a);
    assertEquals(List.of(Path.of("data"), Path.of("kcore_dir/kallsyms"), Path.of("kcore_dir/kcore"),
            Path.of("kcore_dir/modules"), Path.of("vmlinux")),
        fa.stream().filter(p -> !p.startsWith("truth")).toList());
    assertTrue(fa.contains(Path.of("truth/truth.properties")), fa.toString());
    assertEquals(fa, files(b));
    for (Path f : fa) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f.toString());
    }
    Path c = tmp.resolve("c");
    new Simulation(small().withSeed(12)).record(c);
    assertTrue(!java.util.Arrays.equals(Files.readAllBytes(a.resolve("data")), Files.readAllBytes(c.resolve("data"))));
  }

  @Test
  void recordingHoldsTheRunsRecordsTruthAndTrace() throws IOException {
    Path dir = tmp.resolve("rec");
    Simulation sim = new Simulation(small());
    RunSummary s = sim.record(dir);
    List<TextPokeEvent> events = new Simulation(small()).run(c -> null, c -> null).events();
    List<PerfRecord.TextPoke> pokes = new ArrayList<>();
    long[] auxtrace = new long[3];
    try (Recording rec = Recording.open(dir)) {
      RecordCursor cursor = rec.data().fileOrder();
      for (FileRecord r = cursor.next(); r != null; r = cursor.next()) {
        if (r.record() instanceof PerfRecord.TextPoke t) {
          pokes.add(t);
        } else if (r.record() instanceof PerfRecord.Auxtrace t) {
          auxtrace[t.cpu()] += t.size();
        }
      }
      assertEquals(new Simulation(small()).run(c -> null, c -> null).image().symbols().size(), rec.kallsyms().orElseThrow().size());
      assertEquals(2, rec.image().orElseThrow().loadSegments().size());
    }
    assertEquals(events.size(), pokes.size());
    assertEquals(s.pokes().records(), pokes.size());
    for (int i = 0; i < events.size(); i++) {
      TextPokeEvent e = events.get(i);
      PerfRecord.TextPoke p = pokes.get(i);
      assertEquals(e.phase(), p.phase());
      assertEquals(e.address(), p.addr());
      assertEquals(e.time(), p.sampleId().time());
      assertEquals(e.cpu(), p.sampleId().cpu());
      assertEquals(e.newWord(), java.nio.ByteBuffer.wrap(p.newBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
    }
    TruthReader truth = TruthReader.open(dir.resolve("truth"));
    for (int c = 0; c < 3; c++) {
      assertEquals(s.cores().get(c).instructions(), truth.countInstructions(c));
      // 16-byte frames: every 15 trace bytes take at most one frame of 16, plus the padding frame
      assertTrue(auxtrace[c] % 16 == 0 && auxtrace[c] >= s.cores().get(c).traceBytes(), c + ": " + auxtrace[c]);
    }
  }

  /** perf 6.1 (an oracle we did not write) reads the whole recording and lists its TEXT_POKE records. */
  @Test
  void perfReportAcceptsTheRecording() throws Exception {
    assumeTrue(onPath("perf"), "perf not installed: skipping the perf report check");
    Path dir = tmp.resolve("rec");
    RunSummary s = new Simulation(small()).record(dir);
    Process p = new ProcessBuilder("perf", "report", "-D", "-i", dir.toString()).redirectErrorStream(true).start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    long pokes = lines.stream().filter(l -> l.contains("PERF_RECORD_TEXT_POKE")).count();
    assertEquals(s.pokes().records(), pokes);
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
