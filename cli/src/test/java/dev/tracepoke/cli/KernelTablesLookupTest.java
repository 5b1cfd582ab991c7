package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfFeatures;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.sim.workload.PatchKind;
import dev.tracepoke.sim.workload.PatchSite;
import dev.tracepoke.sim.workload.WorkloadGenerator;
import dev.tracepoke.vmlinux.PatchTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the kernel's tables come from when no vmlinux lies beside the recording: perf's build-id
 * cache, by the kernel's build-id the recording carries in HEADER_BUILD_ID (as perf record writes
 * it); and a vmlinux linked at another base than the kernel ran at (KASLR): every site moves by
 * kallsyms' {@code _stext} minus the vmlinux's.
 */
class KernelTablesLookupTest {
  /** The KASLR offset of the test: a multiple of 2 MiB, as arm64's. */
  static final long SLIDE = 0x2a00000L;

  @TempDir static Path tmp;
  static Path rec;
  static Path bare;
  static KernelImage image;
  static String withBeside;

  @BeforeAll
  static void record() throws Exception {
    Scenario s = FlowVsTruthTest.scenario(Protocol.NOSYNC, EventStyle.NONE, 3);
    rec = tmp.resolve("rec");
    SimRecordings.record(s, rec);
    image = new WorkloadGenerator(s.seed(), s.functions(), s.cores()).generate();
    // the recording without its vmlinux
    bare = tmp.resolve("bare");
    Files.createDirectories(bare.resolve("kcore_dir"));
    Files.copy(rec.resolve("data"), bare.resolve("data"));
    for (String f : List.of("kcore", "kallsyms", "modules")) {
      Files.copy(rec.resolve("kcore_dir").resolve(f), bare.resolve("kcore_dir").resolve(f));
    }
    Files.createDirectories(bare.resolve("truth"));
    try (var files = Files.list(rec.resolve("truth"))) {
      for (Path f : files.toList()) {
        Files.copy(f, bare.resolve("truth").resolve(f.getFileName()));
      }
    }
    Cli c = new Cli();
    assertEquals(0, c.run("diff", "--json", rec.toString()), c.err());
    withBeside = c.out();
    JsonNode d = new ObjectMapper().readTree(withBeside);
    assertEquals(0, d.get("silent_errors").asLong(), withBeside);
    assertEquals(0, d.get("resolved_wrong").asLong(), withBeside);
    assertTrue(d.get("ambiguous").asLong() > 0, withBeside);
  }

  /** Runs the command line, keeping what it printed. */
  static final class Cli {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    int run(String... args) {
      var cl = Tracepoke.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      return cl.execute(args);
    }

    String out() {
      return out.toString();
    }

    String err() {
      return err.toString();
    }
  }

  private static String vmlinuxId() throws Exception {
    return PatchTables.read(rec.resolve("vmlinux")).buildId();
  }

  /** The recording names the kernel's build-id as perf record does: pid -1, cpumode kernel. */
  @Test
  void theRecordingCarriesTheKernelsBuildId() throws Exception {
    String id = vmlinuxId();
    assertEquals(40, id.length());
    try (PerfDataReader r = PerfDataReader.open(rec.resolve("data"))) {
      List<PerfFeatures.BuildId> ids = r.features().buildIds();
      assertEquals(1, ids.size());
      PerfFeatures.BuildId k = ids.get(0);
      assertEquals(-1, k.pid());
      assertEquals(PerfRecord.MISC_KERNEL | PerfFeatures.BUILD_ID_SIZE, k.misc());
      assertEquals("[kernel.kallsyms]", k.name());
      assertEquals(id, HexFormat.of().formatHex(k.id()));
    }
    Optional<Path> perf = OpenCsdOracle.onPath("perf");
    if (perf.isEmpty()) {
      System.out.println("SKIP: perf not installed (package linux-perf): perf buildid-list oracle");
      return;
    }
    assertEquals(List.of(id + " [kernel.kallsyms]"), tool(perf.get().toString(), "buildid-list", "-i",
        bare.resolve("data").toString()));
  }

  /** A build-id cache laid out as {@code perf buildid-cache -a} lays it out, made by hand. */
  @Test
  void aVmlinuxInTheBuildIdCacheIsFoundByTheKernelsBuildId() throws Exception {
    Path cache = tmp.resolve("cache-by-hand");
    addToCache(cache, rec.resolve("vmlinux"), vmlinuxId());
    Cli c = new Cli();
    assertEquals(0, c.run("diff", "--json", "--buildid-dir", cache.toString(), bare.toString()), c.err());
    assertEquals("", c.err());
    assertEquals(withBeside, c.out());
  }

  /** The cache made by perf itself ({@code perf --buildid-dir DIR buildid-cache -a vmlinux}). */
  @Test
  void aCacheMadeByPerfServesTheTables() throws Exception {
    Optional<Path> perf = OpenCsdOracle.onPath("perf");
    if (perf.isEmpty()) {
      System.out.println("SKIP: perf not installed (package linux-perf): perf buildid-cache oracle");
    }
    assumeTrue(perf.isPresent(), "perf not installed");
    Path cache = tmp.resolve("cache-by-perf");
    tool(perf.get().toString(), "--buildid-dir", cache.toString(), "buildid-cache", "-a",
        rec.resolve("vmlinux").toString());
    String id = vmlinuxId();
    assertTrue(Files.isRegularFile(cache.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2))
        .resolve("elf")), "perf's cache layout changed");
    Cli c = new Cli();
    assertEquals(0, c.run("diff", "--json", "--buildid-dir", cache.toString(), bare.toString()), c.err());
    assertEquals("", c.err());
    assertEquals(withBeside, c.out());
  }

  /** Neither beside nor in the cache: one warning naming the cache and the id looked for. */
  @Test
  void aCacheWithoutTheKernelSaysWhichIdItLookedFor() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty-cache"));
    Cli c = new Cli();
    assertEquals(0, c.run("decode", "--cpu", "0", "--ranges", "--buildid-dir", empty.toString(), bare.toString()),
        c.err());
    List<String> warnings = c.err().lines().filter(l -> l.contains("warning")).toList();
    assertEquals(List.of("tracepoke decode: warning: no vmlinux (give --vmlinux ELF, put it beside the recording, or"
        + " add it to perf's build-id cache " + empty + " for the kernel's build-id " + vmlinuxId() + "): the kernel's"
        + " patch sites are unknown, so text the kernel changed while tracing is decoded as the kcore image shows ("
        + bare + ")"), warnings);
  }

  /**
   * {@code diff --naive} (vmlinux beside, which the naive decoder ignores) shows what a decoder
   * without tables gets: the same decoded and matched instructions and silent errors as the
   * window-aware decoder with no vmlinux anywhere, which flags nothing but the armed kprobes' BRKs
   * (all resolved right); with the tables, none of those silent errors remain.
   */
  @Test
  void diffNaiveShowsWhatADecoderWithoutTablesGets() throws Exception {
    Cli naive = new Cli();
    assertEquals(0, naive.run("diff", "--json", "--naive", rec.toString()), naive.err());
    Path empty = Files.createDirectories(tmp.resolve("no-cache"));
    Cli without = new Cli();
    assertEquals(0, without.run("diff", "--json", "--buildid-dir", empty.toString(), bare.toString()), without.err());
    ObjectMapper m = new ObjectMapper();
    JsonNode n = m.readTree(naive.out());
    JsonNode w = m.readTree(without.out());
    for (String k : List.of("instructions_truth", "instructions_decoded", "matched", "silent_errors")) {
      assertEquals(n.get(k).asLong(), w.get(k).asLong(), k);
    }
    assertEquals(n.get("first_divergence"), w.get("first_divergence"));
    assertTrue(n.get("silent_errors").asLong() > 10_000, naive.out());
    assertEquals(0, n.get("ambiguous").asLong());
    assertTrue(w.get("ambiguous").asLong() > 0, without.out());
    assertEquals(w.get("ambiguous").asLong(), w.get("resolved_right").asLong(), "only the kprobes' BRKs");
    assertEquals(0, m.readTree(withBeside).get("silent_errors").asLong());
  }

  /** What each table site is at run time: "kind word word" by address. */
  private static Map<Long, String> tableSites(long shift) {
    Map<Long, String> want = new TreeMap<>(Long::compareUnsigned);
    for (PatchSite p : image.sites()) {
      if (p.kind() != PatchKind.KPROBE) {
        long a = p.address() + shift;
        // a B/BL word encodes the offset to its target: the same wherever the kernel lies
        want.put(a, (p.kind() == PatchKind.STATIC_KEY ? "jump_label" : "ftrace")
            + String.format(" 0x%08x 0x%08x", p.oldWord(), p.newWord()));
      }
    }
    return want;
  }

  private static Map<Long, String> sites(String json, boolean withKprobes) throws Exception {
    Map<Long, String> got = new TreeMap<>(Long::compareUnsigned);
    for (JsonNode site : new ObjectMapper().readTree(json).get("sites")) {
      if (!withKprobes && site.get("kind").asText().equals("kprobe")) {
        continue;
      }
      StringBuilder b = new StringBuilder(site.get("kind").asText());
      site.get("words").forEach(w -> b.append(' ').append(w.asText()));
      got.put(Long.parseUnsignedLong(site.get("address").asText().substring(2), 16), b.toString());
    }
    return got;
  }

  /**
   * The same kernel linked {@link #SLIDE} lower than it ran: alone, {@code sites} prints its link
   * addresses; with the recording, the run-time addresses (shifted by kallsyms' {@code _stext}
   * minus the vmlinux's), and decode and diff are exactly those with the vmlinux beside.
   */
  @Test
  void aVmlinuxLinkedElsewhereIsShiftedByTheKaslrOffset() throws Exception {
    Path linked = tmp.resolve("vmlinux-linked-lower");
    image.vmlinux(image.base() - SLIDE).write(linked);
    assertEquals(vmlinuxId(), PatchTables.read(linked).buildId(), "the same build at another base");
    assertEquals(image.base() - SLIDE, PatchTables.read(linked).symbol("_stext").orElseThrow());

    Cli alone = new Cli();
    assertEquals(0, alone.run("sites", "--vmlinux", linked.toString(), "--json"), alone.err());
    Map<Long, String> linkTime = tableSites(-SLIDE);
    assertEquals(linkTime, sites(alone.out(), false));
    assertEquals(tableSites(0).size(), linkTime.size());

    Cli withRec = new Cli();
    assertEquals(0, withRec.run("sites", bare.toString(), "--vmlinux", linked.toString(), "--json"), withRec.err());
    assertEquals(tableSites(0), sites(withRec.out(), false));
    Cli beside = new Cli();
    assertEquals(0, beside.run("sites", rec.toString(), "--json"), beside.err());
    assertEquals(beside.out(), withRec.out());
    // the first site, spelled out: its run-time address is the link address plus the offset
    Map.Entry<Long, String> first = tableSites(0).entrySet().iterator().next();
    assertTrue(withRec.out().contains(String.format("{\"address\":\"0x%x\",\"kind\":\"%s\"", first.getKey(),
        first.getValue().split(" ")[0])), withRec.out());
    assertTrue(alone.out().contains(String.format("{\"address\":\"0x%x\"", first.getKey() - SLIDE)), alone.out());

    Cli diff = new Cli();
    assertEquals(0, diff.run("diff", "--json", "--vmlinux", linked.toString(), bare.toString()), diff.err());
    assertEquals("", diff.err());
    assertEquals(withBeside, diff.out());
    assertEquals(0, new ObjectMapper().readTree(diff.out()).get("silent_errors").asLong());

    // and found in the build-id cache: the slid copy has the kernel's build-id
    Path cache = tmp.resolve("cache-kaslr");
    addToCache(cache, linked, vmlinuxId());
    Cli cached = new Cli();
    assertEquals(0, cached.run("sites", bare.toString(), "--buildid-dir", cache.toString(), "--json"), cached.err());
    assertEquals(beside.out(), cached.out());
  }

  /** {@code DIR/.build-id/xx/rest -> ../../ABS/PATH/ID/} holding {@code elf}, as perf makes it. */
  static void addToCache(Path dir, Path elf, String id) throws Exception {
    Path home = dir.resolve(elf.toAbsolutePath().toString().substring(1)).resolve(id);
    Files.createDirectories(home);
    Files.copy(elf, home.resolve("elf"));
    Path link = dir.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2));
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, link.getParent().relativize(home));
  }

  private static List<String> tool(String... cmd) throws Exception {
    Path log = Files.createTempFile(tmp, "tool", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("PAGER", "cat");
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    List<String> lines = new ArrayList<>(Files.readAllLines(log));
    lines.removeIf(l -> l.startsWith("DEBUGINFOD_URLS="));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + String.join("\n", lines));
    return lines;
  }
}
