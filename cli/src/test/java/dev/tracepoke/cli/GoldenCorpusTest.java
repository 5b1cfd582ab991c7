package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.recording.GoldenCase;
import dev.tracepoke.recording.RecordingArchive;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The golden corpus passes {@code tracepoke golden check}, and check notices any altered expectation. */
class GoldenCorpusTest {
  @TempDir Path tmp;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  static Path corpus() {
    String p = System.getProperty("tracepoke.root");
    Path root = null;
    if (p != null && Files.isDirectory(Path.of(p, "testdata"))) {
      root = Path.of(p);
    }
    for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); root == null && d != null; d = d.getParent()) {
      if (Files.exists(d.resolve(".ci/run"))) {
        root = d;
      }
    }
    if (root == null) {
      throw new IllegalStateException("repository root not found from " + System.getProperty("user.dir"));
    }
    return root.resolve("testdata/golden");
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  @Test
  void everyCasePasses() throws IOException {
    List<String> names = GoldenCase.list(corpus()).stream().map(GoldenCase::name).toList();
    // 6 protocols x 3 event styles, plus the static images
    assertEquals(20, names.size(), names.toString());
    assertEquals(0, run("golden", "check", corpus().toString()), out + "\n" + err);
    List<String> expected = new ArrayList<>();
    for (String n : names) {
      expected.add("PASS " + n);
    }
    expected.add("20 passed, 0 failed");
    assertEquals(expected, lines());
    for (String n : names) {
      long size = Files.size(corpus().resolve(n).resolve(RecordingArchive.FILE_NAME));
      assertTrue(size <= 300 * 1024, n + " archive is " + size + " bytes");
    }
  }

  @Test
  void anAlteredLineFailsExactlyItsCase() throws IOException {
    Path copy = copy(tmp.resolve("corpus"), "nosync--pre-post", "static-irq-syscall", "stop-machine--text-poke");
    Path decode = copy.resolve("nosync--pre-post").resolve(GoldenCase.DECODE);
    List<String> text = new ArrayList<>(Files.readAllLines(decode));
    String original = text.get(6);
    text.set(6, original.replace(" E", " N"));
    Files.write(decode, text);
    assertEquals(1, run("golden", "check", copy.toString()), out + "\n" + err);
    assertEquals(List.of(
        "FAIL nosync--pre-post: decode.txt line 7: expected '" + text.get(6) + "', got '" + original + "'",
        "PASS static-irq-syscall",
        "PASS stop-machine--text-poke",
        "2 passed, 1 failed"), lines());
  }

  @ParameterizedTest
  @CsvSource({"diff.json, 4", "costs.txt, 3"})
  void anAlteredDiffOrCostLineFails(String file, int line) throws IOException {
    Path copy = copy(tmp.resolve("corpus"), "brk-emulate--pre-post");
    Path f = copy.resolve("brk-emulate--pre-post").resolve(file);
    List<String> text = new ArrayList<>(Files.readAllLines(f));
    String original = text.get(line - 1);
    text.set(line - 1, original.replace('1', '2').replace('0', '1'));
    Files.write(f, text);
    assertEquals(1, run("golden", "check", copy.toString()), out + "\n" + err);
    assertEquals(List.of(
        "FAIL brk-emulate--pre-post: " + file + " line " + line + ": expected '" + text.get(line - 1) + "', got '"
            + original + "'",
        "0 passed, 1 failed"), lines());
  }

  @Test
  void aRecordingThatIsNotWhatTheScenarioSimulatesFails() throws IOException {
    Path copy = copy(tmp.resolve("corpus"), "static-irq-syscall");
    GoldenCase c = new GoldenCase(copy.resolve("static-irq-syscall"));
    RecordingArchive.Contents contents = RecordingArchive.contents(c.archive());
    TreeMap<String, byte[]> files = new TreeMap<>(contents.files());
    byte[] truth = files.get("truth/core-1.truth").clone();
    truth[100] ^= 0x40;
    files.put("truth/core-1.truth", truth);
    Path dir = tmp.resolve("altered");
    for (var e : files.entrySet()) {
      Files.createDirectories(dir.resolve(e.getKey()).getParent());
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    RecordingArchive.pack(dir, c.archive());
    assertEquals(1, run("golden", "check", copy.toString()), out + "\n" + err);
    byte[] real = contents.files().get("truth/core-1.truth");
    assertEquals(List.of(
        String.format("FAIL static-irq-syscall: recording.tar.xz: re-simulated truth/core-1.truth: byte 100 is 0x%02x,"
            + " expected 0x%02x", real[100] & 0xff, truth[100] & 0xff),
        "0 passed, 1 failed"), lines());
  }

  @Test
  void aBrokenScenarioFailsItsCaseOnly() throws IOException {
    Path copy = copy(tmp.resolve("corpus"), "static-busy", "static-irq-syscall");
    Path scenario = copy.resolve("static-busy").resolve(GoldenCase.SCENARIO);
    Files.writeString(scenario, Files.readString(scenario).replace("\"cores\": 4", "\"cores\": 0"));
    assertEquals(1, run("golden", "check", copy.toString()), out + "\n" + err);
    List<String> lines = lines();
    assertEquals(3, lines.size(), out.toString());
    assertTrue(lines.get(0).startsWith("FAIL static-busy: " + scenario + ": not a valid scenario at line "), lines.get(0));
    assertTrue(lines.get(0).contains("scenario: cores must be 1..64, got 0"), lines.get(0));
    assertEquals(List.of("PASS static-irq-syscall", "1 passed, 1 failed"), lines.subList(1, 3));
  }

  @Test
  void updateRewritesWhatChangedAndSaysSo() throws IOException {
    Path copy = copy(tmp.resolve("corpus"), "static-irq-syscall");
    Path costs = copy.resolve("static-irq-syscall").resolve(GoldenCase.COSTS);
    byte[] before = Files.readAllBytes(costs);
    Files.writeString(costs, "stale\n");
    assertEquals(0, run("golden", "update", copy.toString()), out + "\n" + err);
    assertEquals(List.of("changed static-irq-syscall: costs.txt", "1 cases, 1 changed"), lines());
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(costs));
    assertEquals(0, run("golden", "update", copy.toString()), out + "\n" + err);
    assertEquals(List.of("same    static-irq-syscall", "1 cases, 0 changed"), lines());
  }

  /** decode.txt and diff.json are what {@code decode} and {@code diff --json} print for the archive. */
  @Test
  void expectedOutputsAreTheCommandsOutputs() throws IOException {
    GoldenCase c = new GoldenCase(corpus().resolve("brk-emulate--text-poke"));
    Path rec = tmp.resolve("rec");
    RecordingArchive.unpack(c.archive(), rec);
    List<String> args = new ArrayList<>(List.of("decode"));
    args.addAll(c.decodeArgs());
    args.add(rec.toString());
    assertEquals(0, run(args.toArray(String[]::new)), err.toString());
    assertEquals("", err.toString());
    assertEquals(Files.readString(c.file(GoldenCase.DECODE)), out.toString());
    assertEquals(0, run("diff", "--json", rec.toString()), err.toString());
    ObjectMapper m = new ObjectMapper();
    assertEquals(m.readTree(Files.readString(c.file(GoldenCase.DIFF))), m.readTree(out.toString()));
    assertTrue(out.toString().lines().count() == 1 && Files.readAllLines(c.file(GoldenCase.DIFF)).size() > 20);
  }

  private static Path copy(Path to, String... cases) throws IOException {
    for (String n : cases) {
      Path from = corpus().resolve(n);
      Files.createDirectories(to.resolve(n));
      try (Stream<Path> s = Files.list(from)) {
        for (Path p : s.toList()) {
          Files.copy(p, to.resolve(n).resolve(p.getFileName()));
        }
      }
    }
    return to;
  }
}
