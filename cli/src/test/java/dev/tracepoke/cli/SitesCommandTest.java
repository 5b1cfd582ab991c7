package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.sim.workload.PatchKind;
import dev.tracepoke.sim.workload.PatchSite;
import dev.tracepoke.sim.workload.WorkloadGenerator;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracepoke sites} on a simulated recording without text-poke records: the vmlinux beside
 * {@code data} lists exactly the kernel's jump-label and ftrace sites (checked against the
 * generated kernel and against readelf and objdump on the file), and the kprobes the trace shows
 * are kprobe sites the kernel armed.
 */
class SitesCommandTest {
  @TempDir static Path tmp;
  static Path rec;
  static KernelImage image;

  @BeforeAll
  static void record() throws Exception {
    Scenario s = FlowVsTruthTest.scenario(Protocol.NOSYNC, EventStyle.NONE, 3);
    rec = tmp.resolve("rec");
    SimRecordings.record(s, rec);
    image = new WorkloadGenerator(s.seed(), s.functions(), s.cores()).generate();
  }

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /** address -> "kind word word" of every jump-label and ftrace site of the generated kernel. */
  private static Map<Long, String> tableSites() {
    Map<Long, String> want = new TreeMap<>(Long::compareUnsigned);
    for (PatchSite p : image.sites()) {
      if (p.kind() != PatchKind.KPROBE) {
        want.put(p.address(), (p.kind() == PatchKind.STATIC_KEY ? "jump_label" : "ftrace")
            + String.format(" 0x%08x 0x%08x", p.oldWord(), p.newWord()));
      }
    }
    return want;
  }

  private static String describe(JsonNode site) {
    StringBuilder b = new StringBuilder(site.get("kind").asText());
    site.get("words").forEach(w -> b.append(' ').append(w.asText()));
    return b.toString();
  }

  @Test
  void theRecordingListsExactlyTheKernelsSitesAndTheKprobesItsTraceShows() throws Exception {
    assertEquals(0, run("sites", rec.toString(), "--json"), err.toString());
    JsonNode root = new ObjectMapper().readTree(out.toString());
    assertEquals(List.of("sites"), iter(root.fieldNames()));
    Kallsyms ks = image.kallsyms();
    Map<Long, String> tables = new TreeMap<>(Long::compareUnsigned);
    Map<Long, PatchSite> kprobeSites = new HashMap<>();
    image.sites().stream().filter(p -> p.kind() == PatchKind.KPROBE).forEach(p -> kprobeSites.put(p.address(), p));
    int kprobes = 0;
    for (JsonNode site : root.get("sites")) {
      assertEquals(List.of("address", "kind", "symbol", "words"), iter(site.fieldNames()));
      long a = Long.parseUnsignedLong(site.get("address").asText().substring(2), 16);
      Kallsyms.Hit h = ks.lookup(a).orElseThrow();
      assertEquals(h.name() + (h.offset() == 0 ? "" : "+0x" + Long.toHexString(h.offset())), site.get("symbol").asText());
      if (site.get("kind").asText().equals("kprobe")) {
        PatchSite p = kprobeSites.get(a);
        assertTrue(p != null, "a kprobe at 0x" + Long.toHexString(a) + " where the kernel has no kprobe site");
        assertEquals(String.format("kprobe 0x%08x 0x%08x", p.oldWord(), p.newWord()), describe(site));
        kprobes++;
      } else {
        tables.put(a, describe(site));
      }
    }
    assertEquals(tableSites(), tables);
    System.out.printf("sites: %d from the vmlinux tables, %d kprobes seen in the trace%n", tables.size(), kprobes);
    assertTrue(kprobes > 0, "no armed kprobe was hit in the recording");
  }

  @Test
  void theVmlinuxAloneListsTheSameTableSites() throws Exception {
    assertEquals(0, run("sites", "--vmlinux", rec.resolve("vmlinux").toString(), "--json"), err.toString());
    Map<Long, String> got = new TreeMap<>(Long::compareUnsigned);
    for (JsonNode site : new ObjectMapper().readTree(out.toString()).get("sites")) {
      got.put(Long.parseUnsignedLong(site.get("address").asText().substring(2), 16), describe(site));
    }
    assertEquals(tableSites(), got);
  }

  /** Without any vmlinux, decode says so once on stderr and decodes the kcore image as it is. */
  @Test
  void withoutVmlinuxDecodeWarnsOnceAndGoesOn() throws Exception {
    Path bare = tmp.resolve("bare");
    Files.createDirectories(bare.resolve("kcore_dir"));
    Files.copy(rec.resolve("data"), bare.resolve("data"));
    for (String f : List.of("kcore", "kallsyms", "modules")) {
      Files.copy(rec.resolve("kcore_dir").resolve(f), bare.resolve("kcore_dir").resolve(f));
    }
    assertEquals(0, run("decode", "--ranges", "--cpu", "0", bare.toString()), err.toString());
    List<String> lines = err.toString().lines().toList();
    assertEquals("tracepoke decode: warning: no vmlinux (give --vmlinux ELF, put it beside the recording, or add it"
        + " to perf's build-id cache " + dev.tracepoke.decode.input.ImageOptions.defaultBuildIdDir()
        + " for the kernel's build-id " + dev.tracepoke.vmlinux.PatchTables.read(rec.resolve("vmlinux")).buildId()
        + "): the kernel's patch sites are unknown, so text the kernel changed while tracing is decoded as the kcore"
        + " image shows (" + bare + ")", lines.get(0));
    assertEquals(1, lines.stream().filter(l -> l.contains("warning")).count(), err.toString());
    // the rest are the contradictions a decode without tables meets (what --naive shows)
    assertTrue(lines.stream().skip(1).allMatch(l -> l.startsWith("tracepoke decode: " + bare + ": cpu 0 ")),
        err.toString());
    assertTrue(out.toString().lines().count() > 1000, "decoded nothing");
    // the same recording with --vmlinux pointing at the tables decodes with them, without a warning
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    assertEquals(0, run("decode", "--ranges", "--cpu", "0", "--vmlinux", rec.resolve("vmlinux").toString(),
        bare.toString()), err.toString());
    assertEquals(List.of(), err.toString().lines().filter(l -> l.contains("warning")).toList());
    assertTrue(out.toString().contains(" resolved") || out.toString().contains(" ambiguous"), "no flagged range");
  }

  /**
   * Each BRK exception at an armed kprobe is a resolved ambiguity in decode's output (candidates
   * the image word and BRK #4, resolved to BRK #4), one per BRK the truth says each core fetched
   * there; diff counts every one right (0 wrong) with 0 silent errors.
   */
  @Test
  void armedKprobesDecodeAsResolvedAmbiguities() throws Exception {
    Map<Long, PatchSite> kprobeSites = new HashMap<>();
    image.sites().stream().filter(p -> p.kind() == PatchKind.KPROBE).forEach(p -> kprobeSites.put(p.address(), p));
    // the truth: per cpu and kprobe site, how many times the core fetched BRK there
    Map<String, Integer> truth = new TreeMap<>();
    dev.tracepoke.truth.TruthReader tr = dev.tracepoke.truth.TruthReader.open(rec.resolve("truth"));
    for (int cpu = 0; cpu < tr.cores(); cpu++) {
      try (dev.tracepoke.truth.TruthCursor t = tr.cursor(cpu)) {
        for (int k; (k = t.next()) != dev.tracepoke.truth.TruthEvent.END; ) {
          if (k == dev.tracepoke.truth.TruthEvent.PATCH_SITE && kprobeSites.containsKey(t.pc())
              && t.word() == 0xd4200080) {
            truth.merge(cpu + String.format(" 0x%x", t.pc()), 1, Integer::sum);
          }
        }
      }
    }
    assertEquals(0, run("decode", "--format", "jsonl", rec.toString()), err.toString());
    Map<String, Integer> decoded = new TreeMap<>();
    ObjectMapper m = new ObjectMapper();
    for (String line : out.toString().lines().toList()) {
      if (!line.contains("\"type\":\"ambiguity\"") || !line.contains("0xd4200080")) {
        continue;
      }
      JsonNode a = m.readTree(line);
      long pc = Long.parseUnsignedLong(a.get("pc").asText().substring(2), 16);
      PatchSite p = kprobeSites.get(pc);
      assertTrue(p != null, "a BRK ambiguity where the kernel has no kprobe: " + line);
      assertEquals(List.of(String.format("0x%08x", p.oldWord()), "0xd4200080"), iter(a.get("candidates")));
      assertEquals("0xd4200080", a.get("resolved").asText(), line);
      decoded.merge(a.get("cpu").asInt() + " " + a.get("pc").asText(), 1, Integer::sum);
    }
    System.out.printf("kprobe hits: truth %s, decoded %s%n", truth, decoded);
    assertTrue(!truth.isEmpty(), "no kprobe was hit");
    assertEquals(truth, decoded);
    out.getBuffer().setLength(0);
    assertEquals(0, run("diff", "--json", rec.toString()), err.toString());
    JsonNode d = m.readTree(out.toString());
    assertEquals(0, d.get("silent_errors").asLong(), out.toString());
    assertEquals(0, d.get("resolved_wrong").asLong(), out.toString());
  }

  private static List<String> iter(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void neitherRecordingNorVmlinuxIsAUsageError() {
    assertEquals(2, run("sites"));
    assertEquals("tracepoke sites: give a recording REC, or --vmlinux ELF, or both\n", err.toString());
  }

  /**
   * readelf and objdump on the recording's vmlinux: the ftrace table is zero in the file and each
   * entry's R_AARCH64_RELATIVE addend is an ftrace site; the jump table spans 16 bytes per
   * jump-label site; objdump shows NOP at every site (the words kcore starts with).
   */
  @Test
  void binutilsReadTheVmlinuxAsTheKernelsLayout() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(onPath("aarch64-linux-gnu-readelf") && onPath("aarch64-linux-gnu-objdump"),
        "binutils-aarch64-linux-gnu not installed; skipping");
    Path v = rec.resolve("vmlinux");
    Map<String, Long> sym = new HashMap<>();
    Pattern symLine = Pattern.compile("^\\s*\\d+: ([0-9a-f]{16})\\s+\\d+ \\w+\\s+\\w+\\s+\\w+\\s+\\S+ (\\S+)$");
    for (String l : tool("aarch64-linux-gnu-readelf", "-sW", v.toString())) {
      Matcher m = symLine.matcher(l);
      if (m.matches()) {
        sym.put(m.group(2), Long.parseUnsignedLong(m.group(1), 16));
      }
    }
    List<Long> ftrace = new ArrayList<>();
    long jumps = image.sites().stream().filter(p -> p.kind() == PatchKind.STATIC_KEY).count();
    image.sites().stream().filter(p -> p.kind() == PatchKind.FTRACE).forEach(p -> ftrace.add(p.address()));
    assertEquals(16 * jumps, sym.get("__stop___jump_table") - sym.get("__start___jump_table"));
    assertEquals(8L * ftrace.size(), sym.get("__stop_mcount_loc") - sym.get("__start_mcount_loc"));
    Pattern rela = Pattern.compile("^([0-9a-f]{16})\\s+[0-9a-f]+ R_AARCH64_RELATIV\\w*\\s+-([0-9a-f]+)$");
    List<Long> addends = new ArrayList<>();
    long at = sym.get("__start_mcount_loc");
    for (String l : tool("aarch64-linux-gnu-readelf", "-rW", v.toString())) {
      Matcher m = rela.matcher(l.trim());
      if (m.matches()) {
        assertEquals(at, Long.parseUnsignedLong(m.group(1), 16));
        addends.add(-Long.parseUnsignedLong(m.group(2), 16));
        at += 8;
      }
    }
    assertEquals(ftrace, addends);
    for (String l : tool("aarch64-linux-gnu-readelf", "-x", ".init.data", v.toString())) {
      if (l.trim().startsWith("0x")) {
        assertTrue(l.trim().substring(19, 54).matches("[0 ]+"), "non-zero ftrace entry in the file: " + l);
      }
    }
    Map<Long, String> words = new HashMap<>();
    Pattern dis = Pattern.compile("^([0-9a-f]{16}):\\s+([0-9a-f]{8})\\s+(\\S+).*$");
    for (String l : tool("aarch64-linux-gnu-objdump", "-d", "--section=.text", v.toString())) {
      Matcher m = dis.matcher(l.trim());
      if (m.matches()) {
        words.put(Long.parseUnsignedLong(m.group(1), 16), m.group(3));
      }
    }
    for (Long a : tableSites().keySet()) {
      assertEquals("nop", words.get(a), "site 0x" + Long.toHexString(a));
    }
  }

  private static List<String> iter(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static boolean onPath(String exe) {
    String path = System.getenv("PATH");
    return path != null && java.util.Arrays.stream(path.split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, exe)));
  }

  private static List<String> tool(String... cmd) throws Exception {
    Path log = Files.createTempFile(tmp, "tool", ".txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    List<String> lines = Files.readAllLines(log);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + String.join("\n", lines));
    return lines;
  }
}
