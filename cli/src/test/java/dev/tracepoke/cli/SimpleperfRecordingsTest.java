package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.PerfStreams;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfFeatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * simpleperf's real perf.data files (shared/conformance/simpleperf-etm) against perf 6.1: the same
 * records, the same packets per trace ID, and perf_etm.data's 944 instructions.
 */
class SimpleperfRecordingsTest {

  @TempDir Path tmp;

  static Path dir() {
    Path d = Path.of(System.getProperty("tracepoke.root", "..")).toAbsolutePath().normalize()
        .resolve("../shared/conformance/simpleperf-etm");
    if (!Files.isDirectory(d)) {
      d = Path.of("/work/shared/conformance/simpleperf-etm");
    }
    assumeTrue(Files.isDirectory(d), "shared/conformance/simpleperf-etm not found");
    return d;
  }

  record Run(int exit, List<String> out, String err) {}

  Run perf(String... args) throws IOException {
    Optional<Path> perf = OpenCsdOracle.onPath("perf");
    if (perf.isEmpty()) {
      System.out.println("SKIP: perf not installed (package linux-perf): perf oracle");
    }
    assumeTrue(perf.isPresent(), "perf not installed");
    List<String> cmd = new ArrayList<>(List.of(perf.get().toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("perf-out.txt");
    Path err = tmp.resolve("perf-err.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("PAGER", "cat");
    pb.environment().put("HOME", tmp.toString()); // no build-id cache but the one a test makes
    Process p = pb.start();
    try {
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd + " did not finish in 300 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.ISO_8859_1),
        Files.readString(err, StandardCharsets.ISO_8859_1));
  }

  private static final Pattern RECORD =
      Pattern.compile("^(?:(-?\\d+) )?(?:(\\d+) )?0x([0-9a-f]+) \\[0x([0-9a-f]+)\\]: PERF_RECORD_([A-Z0-9_]+)(.*)$");

  /** perf's records as "offset [size] NAME", and its packet lines per trace ID (Idx kept or not). */
  static Map<String, List<String>> perfPackets(List<String> lines, List<String> records, boolean keepIdx) {
    Map<String, List<String>> packets = new TreeMap<>();
    for (String line : lines) {
      Matcher m = RECORD.matcher(line);
      if (m.matches()) {
        records.add(String.format("0x%s [0x%s] %s", m.group(3), m.group(4), m.group(5)));
        continue;
      }
      String[] p = OpenCsdPacketText.parseListerLine(line);
      if (p != null) {
        packets.computeIfAbsent(p[0], k -> new ArrayList<>()).add(keepIdx ? p[1] : p[1].substring(p[1].indexOf('\t') + 1));
      }
    }
    return packets;
  }

  /** Our packets per trace ID (hex) in the lister's words, as the decode path reads them. */
  static Map<String, List<String>> ourPackets(Path data, Map<Integer, LongUnaryOperator> index, boolean keepIdx)
      throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    for (CoreTrace core : PerfStreams.read(data).cores()) {
      List<String> lines = new ArrayList<>();
      LongUnaryOperator ix = index == null ? LongUnaryOperator.identity() : index.get(core.traceId());
      PacketReader reader = new PacketReader(core.config(), new OpenCsdPacketText(ix, lines::add, core.config().isEte()));
      core.bytes().pushTo(new CoreTrace.ByteSink() {
        @Override
        public void accept(byte[] buf, int off, int len) {
          reader.push(buf, off, len);
        }

        @Override
        public void restart() {
          reader.reset();
        }
      });
      reader.finish();
      List<String> l = new ArrayList<>();
      for (String s : lines) {
        l.add(keepIdx ? s : s.substring(s.indexOf('\t') + 1));
      }
      out.put(Integer.toHexString(core.traceId()), l);
    }
    return out;
  }

  @Test
  void recordsAndPacketsEqualPerfReportD() throws IOException {
    Map<String, Integer> counts = new TreeMap<>();
    for (String name : List.of("perf_etm.data", "perf_kernel.data")) {
      Path data = dir().resolve(name);
      Run run = perf("report", "-D", "-i", data.toString());
      assertEquals(0, run.exit(), name + ": " + run.err());
      List<String> records = new ArrayList<>();
      // perf_kernel's cpu 6 has two AUXTRACE buffers and perf -D counts Idx from each buffer's
      // start (we count from the queue's): compare Idx where the queue is one buffer
      boolean oneBuffer = name.equals("perf_etm.data");
      Map<String, List<String>> theirs = perfPackets(run.out(), records, oneBuffer);
      assertEquals(PerfOnSimulatedRecordingsTest.ourRecords(data), records, name + ": records");
      Map<String, List<String>> ours = ourPackets(data, oneBuffer ? OpenCsdOracle.indices(data) : null, oneBuffer);
      assertEquals(theirs.keySet(), ours.keySet(), name + ": trace IDs");
      for (String id : theirs.keySet()) {
        assertEquals(theirs.get(id), ours.get(id), name + " trace ID " + id);
        counts.put(name + " " + id, ours.get(id).size());
      }
    }
    assertEquals(Map.of("perf_etm.data 1e", 27, "perf_kernel.data 10", 11195, "perf_kernel.data 1c", 12414), counts);
    System.out.println("perf report -D: same records and packets: " + counts);
  }

  /**
   * perf 6.1 cannot read simpleperf's AUXTRACE index, so it falls back to reading raw TRBE data as
   * frames and lists nothing; with the index rewritten in Linux's layout it reads the raw fragment
   * and lists the ETE packets we list from the file as shipped.
   */
  @Test
  void rawEteAuxDataEqualsPerfWithALinuxLayoutIndex() throws IOException {
    Path shipped = dir().resolve("perf_with_unformatted_trace.data");
    Path linux = tmp.resolve("linux-index.data");
    rewriteIndexLinuxLayout(shipped, linux);
    Run run = perf("report", "-D", "-i", linux.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(!run.err().contains("Failed to process auxtrace index"), run.err());
    List<String> records = new ArrayList<>();
    Map<String, List<String>> theirs = perfPackets(run.out(), records, true);
    assertEquals(PerfOnSimulatedRecordingsTest.ourRecords(shipped), records, "records");
    // perf 6.1 configures every raw queue from metadata block 0 and prints its trace ID: 0x10
    Map<String, List<String>> ours = ourPackets(shipped, null, true);
    assertEquals(List.of("10"), List.copyOf(ours.keySet()));
    assertEquals(21, ours.get("10").size());
    assertEquals(theirs.get("10"), ours.get("10"));
    // the ETE trace decodes to the instructions perf script finds in the Linux-layout copy
    Path symfs = tmp.resolve("symfs");
    Files.createDirectories(symfs.resolve("data/local/tmp"));
    Files.copy(dir().resolve("etm_test_loop"), symfs.resolve("data/local/tmp/etm_test_loop"));
    Run script = perf("script", "-i", linux.toString(), "--symfs", symfs.toString(), "--itrace=i1i", "-F", "ip");
    assertEquals(0, script.exit(), script.err());
    List<String> ips = new ArrayList<>();
    for (String l : script.out()) {
      ips.add(l.strip());
    }
    assertEquals(944, ips.size());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, tracepoke(out, err, "decode", shipped.toString(), "--symfs", symfs.toString()), err.toString());
    assertEquals(ips, ourIps(out.toString()));
    // and our reader reads the shipped (simpleperf) index and the rewritten (Linux) one alike
    try (PerfDataReader a = PerfDataReader.open(shipped); PerfDataReader b = PerfDataReader.open(linux)) {
      assertEquals(List.of(new PerfFeatures.AuxtraceIndexEntry(0x4910, 0x30)), a.features().auxtraceIndex());
      assertEquals(a.features().auxtraceIndex(), b.features().auxtraceIndex());
      assertEquals(List.of(), a.warnings());
    }
  }

  /** A copy of {@code in} whose AUXTRACE feature is {nr, pairs...} appended at the end. */
  static void rewriteIndexLinuxLayout(Path in, Path out) throws IOException {
    Files.copy(in, out);
    PerfFeatures.Section s;
    long tableAt;
    try (PerfDataReader r = PerfDataReader.open(in)) {
      s = r.features().sections().get(PerfFeatures.AUXTRACE);
      tableAt = r.dataEnd();
    }
    try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
      byte[] old = new byte[(int) s.size()];
      f.seek(s.offset());
      f.readFully(old);
      long at = (f.length() + 7) & ~7L;
      ByteBuffer b = ByteBuffer.allocate(8 + old.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(old.length / 16).put(old);
      f.seek(at);
      f.write(b.array());
      // the feature table after the data section: find the AUXTRACE entry by its {offset, size}
      byte[] table = new byte[16 * 64];
      f.seek(tableAt);
      int n = f.read(table);
      ByteBuffer t = ByteBuffer.wrap(table, 0, n).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i + 16 <= n; i += 16) {
        if (t.getLong(i) == s.offset() && t.getLong(i + 8) == s.size()) {
          ByteBuffer e = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(at).putLong(8 + old.length);
          f.seek(tableAt + i);
          f.write(e.array());
          return;
        }
      }
      throw new IOException(in + ": AUXTRACE feature entry not found in the table at " + tableAt);
    }
  }

  private int tracepoke(StringWriter out, StringWriter err, String... args) {
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /** Instruction addresses of our text decode, in order. */
  static List<String> ourIps(String text) {
    List<String> ips = new ArrayList<>();
    for (String l : text.split("\n")) {
      Matcher m = Pattern.compile("^\\[\\d+\\]\\s+-\\s+0*([0-9a-f]+)\\s").matcher(l);
      if (m.find()) {
        ips.add(m.group(1));
      }
    }
    return ips;
  }

  @Test
  void perfEtmDecodesToPerfScriptsInstructionsThroughSymfsAndTheBuildIdCache() throws IOException {
    Path data = dir().resolve("perf_etm.data");
    Path symfs = tmp.resolve("symfs");
    Files.createDirectories(symfs.resolve("data/local/tmp"));
    Files.copy(dir().resolve("etm_test_loop"), symfs.resolve("data/local/tmp/etm_test_loop"));
    Run run = perf("script", "-i", data.toString(), "--symfs", symfs.toString(), "--itrace=i1i", "-F", "ip");
    assertEquals(0, run.exit(), run.err());
    List<String> theirs = new ArrayList<>();
    for (String l : run.out()) {
      theirs.add(l.strip());
    }
    assertEquals(944, theirs.size());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, tracepoke(out, err, "decode", data.toString(), "--symfs", symfs.toString()), err.toString());
    assertEquals(theirs, ourIps(out.toString()));

    // perf's build-id cache as `perf buildid-cache -a` lays it out: .build-id/0c/<rest> -> dir with elf;
    // the recorded id is zero-padded to 20 bytes, the cache is named by the real 16
    Path cache = tmp.resolve("debug");
    Path elfDir = cache.resolve("tmp/etm_test_loop/0c9a20bf9c009d0e4e8bbf9fad0300ae");
    Files.createDirectories(elfDir);
    Files.copy(dir().resolve("etm_test_loop"), elfDir.resolve("elf"));
    Files.createDirectories(cache.resolve(".build-id/0c"));
    Files.createSymbolicLink(cache.resolve(".build-id/0c/9a20bf9c009d0e4e8bbf9fad0300ae"),
        Path.of("../../tmp/etm_test_loop/0c9a20bf9c009d0e4e8bbf9fad0300ae"));
    StringWriter out2 = new StringWriter();
    StringWriter err2 = new StringWriter();
    assertEquals(0, tracepoke(out2, err2, "decode", data.toString(), "--buildid-dir", cache.toString()), err2.toString());
    assertEquals(theirs, ourIps(out2.toString()));
    assertEquals(out.toString(), out2.toString());
  }

  @Test
  void lostAuxDataIsNamedAndExitsOne() {
    Path data = dir().resolve("perf_with_missing_aux_data.data");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(1, tracepoke(out, err, "decode", data.toString(), "--image", dir().resolve("etm_test_loop").toString()));
    assertTrue(err.toString().contains("tracepoke decode: warning: not decoded: no trace at all: the AUX data was lost"
        + " (6 AUX records announce 1535344 bytes; the file has no AUXTRACE record)"), err.toString());
    assertTrue(err.toString().contains("no trace that tracepoke can decode"), err.toString());
    assertEquals("", out.toString());
    StringWriter out2 = new StringWriter();
    StringWriter err2 = new StringWriter();
    assertEquals(1, tracepoke(out2, err2, "dump", "--packets", data.toString()));
    assertTrue(err2.toString().contains("the AUX data was lost"), err2.toString());
  }

  /**
   * The ETE file whose AUX data was lost: perf 6.1 lists the same 156 records as we do, no packet
   * and no instruction; we say why and exit 1 ({@link #lostAuxDataIsNamedAndExitsOne}).
   */
  @Test
  void lostAuxDataRecordsEqualPerfsAndNeitherSideDecodes() throws IOException {
    Path data = dir().resolve("perf_with_missing_aux_data.data");
    Run run = perf("report", "-D", "-i", data.toString());
    assertEquals(0, run.exit(), run.err());
    List<String> records = new ArrayList<>();
    Map<String, List<String>> theirs = perfPackets(run.out(), records, true);
    assertEquals(156, records.size());
    assertEquals(PerfOnSimulatedRecordingsTest.ourRecords(data), records);
    assertEquals(Map.of(), theirs, "perf lists no packet");
    Run script = perf("script", "-i", data.toString(), "--itrace=i1i", "-F", "ip");
    assertEquals(0, script.exit(), script.err());
    assertEquals(List.of(), script.out());
  }

  /**
   * perf_kernel.data without a kernel image: perf script decodes no instruction and says that 2 of
   * 3 AUX buffers lost data, as our decode says (and claims no instruction either).
   */
  @Test
  void perfKernelNeitherSideClaimsAnInstructionAndBothNameTheLostAux() throws IOException {
    Path data = dir().resolve("perf_kernel.data");
    Run script = perf("script", "-i", data.toString(), "--itrace=i1i", "-F", "ip");
    assertEquals(0, script.exit(), script.err());
    assertEquals(List.of(), script.out());
    assertTrue(script.err().contains("AUX data lost 2 times out of 3!"), script.err());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, tracepoke(out, err, "decode", data.toString()), err.toString());
    assertTrue(err.toString().contains("tracepoke decode: warning: 2 of 3 AUX records are flagged truncated:"
        + " trace was lost there (" + data + ")"), err.toString());
    assertEquals(List.of(), ourIps(out.toString()));
  }

  /**
   * perf_kernel.data with neither vmlinux nor kcore: no code can be placed (perf prints "Debug
   * data not found for address 0xffffff9a5dde6530" and decodes nothing). We say so on stderr and
   * decode the trace to gaps naming every address it reaches, exit 0 (the trace was read).
   */
  @Test
  void nothingPlacedDecodesToGapsNamingTheAddresses() {
    Path data = dir().resolve("perf_kernel.data");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, tracepoke(out, err, "decode", data.toString()), err.toString());
    assertTrue(err.toString().contains("tracepoke decode: warning: " + data + ": no code could be placed"
        + " (expected kcore_dir/kcore, MMAP records of files found through --symfs DIR or the build-id cache,"
        + " --vmlinux ELF or --image ELF[@ADDR]): the trace decodes to gaps naming the addresses it reaches"),
        err.toString());
    List<String> lines = List.of(out.toString().split("\n"));
    assertEquals("[000]                    -  gap nacc address ffffff9a5dde6530 at offset 993", lines.get(1));
    assertEquals(4744, lines.stream().filter(l -> l.contains(" gap nacc address ")).count());
    assertEquals(List.of(), ourIps(out.toString()), "no instruction is claimed");
  }

  /**
   * export opencsd of the raw-ETE recording writes an ETE device (type=ETE, TRCDEVARCH 0x47715a13
   * as recorded) that trc_pkt_lister decodes to the same 208 ranges perf's --itrace=b gives.
   */
  @Test
  void eteCoresExportAsEteDevices() throws IOException {
    Path data = dir().resolve("perf_with_unformatted_trace.data");
    Path symfs = tmp.resolve("symfs-ete");
    Files.createDirectories(symfs.resolve("data/local/tmp"));
    Files.copy(dir().resolve("etm_test_loop"), symfs.resolve("data/local/tmp/etm_test_loop"));
    Path snap = tmp.resolve("ete-snapshot");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, tracepoke(out, err, "export", "opencsd", "--symfs", symfs.toString(), data.toString(),
        snap.toString()), err.toString());
    String device = Files.readString(snap.resolve("ete_0.ini"));
    assertTrue(device.contains("type=ETE"), device);
    assertTrue(device.contains("TRCDEVARCH=0x47715A13"), device);
    assertTrue(Files.notExists(snap.resolve("etm_0.ini")));
    var in = dev.tracepoke.decode.input.SnapshotInput.open(snap);
    assertEquals(1, in.cores().size());
    assertEquals(0x47715a13, in.cores().get(0).config().devarch());
    java.util.Optional<Path> lister = OpenCsdOracle.onPath("trc_pkt_lister");
    if (lister.isEmpty()) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): ETE export decode");
      return;
    }
    Process p = new ProcessBuilder(lister.get().toString(), "-ss_dir", snap.toString(), "-decode", "-logstdout",
        "-logfilename", "/dev/null").directory(tmp.toFile()).redirectErrorStream(true).start();
    String listed = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    long ranges = listed.lines().filter(l -> l.contains("OCSD_GEN_TRC_ELEM_INSTR_RANGE")).count();
    assertEquals(208, ranges, listed.lines().filter(l -> l.contains("ERR")).findFirst().orElse(""));
    assertTrue(listed.contains("Protocol printer ETE on Trace ID 0x10"), "the lister made an ETE decoder");
  }
}
