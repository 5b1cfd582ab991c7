package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.RecordCatalogue;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.truth.TruthCursor;
import dev.tracepoke.truth.TruthEvent;
import dev.tracepoke.truth.TruthReader;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;
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
 * perf 6.1 as the oracle for simulated recordings (issue 4): {@code perf report -D} reads every
 * record we write and lists the ETMv4 packets of every AUX buffer exactly as our packet reader
 * does, without decode errors; {@code perf script --itrace=i1i} decodes a static-image recording,
 * kernel and EL0 code alike, from the recording's {@code kcore_dir} with no options, and its
 * per-cpu instruction sequence is the ground truth's.
 *
 * <p>What made perf decode (found here; see {@code RecordingWriter#kallsyms}): perf 6.1 takes code
 * from a perf directory's {@code kcore_dir} only when {@code kallsyms}, {@code modules} and
 * {@code kcore} are all present (it validates kcore against the module list); without {@code
 * modules} it falls back to the host's kernel, prints "Missing DSO" and decodes nothing.
 */
class PerfOnSimulatedRecordingsTest {
  static final long RUN_NANOS = 200_000;

  @TempDir Path tmp;

  static final String PERF = System.getProperty("tracepoke.perf", "perf");

  /** What perf printed and how it ended. */
  record Run(int exit, List<String> out, String err) {}

  Run perf(Path cwd, String... args) throws IOException {
    Optional<Path> perf = OpenCsdOracle.onPath(PERF);
    if (perf.isEmpty() && !Files.isExecutable(Path.of(PERF))) {
      System.out.println("SKIP: perf not installed (package linux-perf): perf oracle");
    }
    assumeTrue(perf.isPresent() || Files.isExecutable(Path.of(PERF)), "perf not installed");
    List<String> cmd = new ArrayList<>();
    cmd.add(perf.map(Path::toString).orElse(PERF));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("perf-out.txt");
    Path err = tmp.resolve("perf-err.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("PAGER", "cat");
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
  private static final Pattern SYNTHESIZED_ATTR = Pattern.compile("^0 0 0 \\[0x[0-9a-f]+\\]: PERF_RECORD_ATTR$");
  private static final Pattern AUXTRACE_CPU = Pattern.compile("PERF_RECORD_AUXTRACE size: .* cpu: (-?\\d+)$");

  /** Our reader's records in perf's delivery order, as {@code offset [size] NAME}. */
  static List<String> ourRecords(Path data) throws IOException {
    List<String> out = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(data)) {
      RecordCursor c = r.timeOrder();
      for (FileRecord x; (x = c.next()) != null; ) {
        out.add(String.format("0x%x [0x%x] %s", x.offset(), x.size(), RecordCatalogue.name(x.record().type())));
      }
    }
    return out;
  }

  @Test
  void perfReportListsOurRecordsAndTheSamePacketsWithoutDecodeErrors() throws IOException {
    Map<String, List<Integer>> packets = new TreeMap<>();
    for (Scenario s : List.of(SimRecordings.scenario("static", 1, RUN_NANOS),
        SimRecordings.scenario("default", 1, RUN_NANOS))) {
      Path rec = tmp.resolve(s.name());
      SimRecordings.Recorded r = SimRecordings.record(s, rec);
      Run run = perf(tmp, "report", "-D", "-i", rec.toString());
      assertEquals(0, run.exit(), s + ": perf report -D failed:\n" + run.err());
      assertEquals("", run.err().strip(), s + ": perf report -D stderr");

      List<String> perfRecords = new ArrayList<>();
      int synthesized = 0;
      Map<Integer, List<String>> perfPackets = new TreeMap<>();
      List<String> bad = new ArrayList<>();
      int cpu = Integer.MIN_VALUE;
      for (String line : run.out()) {
        if (SYNTHESIZED_ATTR.matcher(line).matches()) {
          synthesized++; // the instructions and branches events cs_etm adds; not in the file
          continue;
        }
        Matcher m = RECORD.matcher(line);
        if (m.matches()) {
          perfRecords.add(String.format("0x%s [0x%s] %s", m.group(3), m.group(4), m.group(5)));
          Matcher a = AUXTRACE_CPU.matcher(line);
          cpu = a.find() ? Integer.parseInt(a.group(1)) : Integer.MIN_VALUE;
          continue;
        }
        String[] p = OpenCsdPacketText.parseListerLine(line);
        if (p != null) {
          assertTrue(cpu != Integer.MIN_VALUE, "packet outside an AUXTRACE record: " + line);
          perfPackets.computeIfAbsent(cpu, k -> new ArrayList<>()).add(p[1]);
        }
        if (line.contains("I_BAD") || line.contains("I_RESERVED") || line.contains("I_INCOMPLETE")
            || line.contains("OCSD_ERR") || line.contains("failed to process") || line.contains("Error")) {
          bad.add(line);
        }
      }
      assertEquals(List.of(), bad, s + ": perf decode errors");
      assertEquals(2, synthesized, s + ": synthesized instructions + branches attrs");
      assertEquals(ourRecords(rec.resolve("data")), perfRecords, s + ": records");

      List<Integer> n = samePackets(rec, perfPackets, s.toString());
      assertEquals(r.summary().pokes().records(),
          (int) perfRecords.stream().filter(x -> x.endsWith("TEXT_POKE")).count(), s + ": TEXT_POKE records");
      packets.put(s.name(), n);
    }
    System.out.println("perf report -D: same records, and per cpu the same packets: " + packets);
  }

  /** Per cpu, our packet reader's listing of the recording equals perf's; the packet counts. */
  static List<Integer> samePackets(Path rec, Map<Integer, List<String>> perfPackets, String what)
      throws IOException {
    TraceInput in = RecordingInput.open(rec, null);
    Map<Integer, LongUnaryOperator> index = OpenCsdOracle.indices(rec);
    List<Integer> n = new ArrayList<>();
    for (CoreTrace core : in.cores()) {
      List<String> ours = new ArrayList<>();
      PacketReader reader = new PacketReader(core.config(),
          new OpenCsdPacketText(index.get(core.traceId()), ours::add));
      core.bytes().pushTo(reader::push);
      reader.finish();
      List<String> theirs = perfPackets.getOrDefault(core.cpu(), List.of());
      for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
        if (!ours.get(i).equals(theirs.get(i))) {
          assertEquals(theirs.get(i), ours.get(i), what + " cpu " + core.cpu() + ": packet " + i);
        }
      }
      assertEquals(theirs.size(), ours.size(), what + " cpu " + core.cpu() + ": packets");
      n.add(ours.size());
    }
    return n;
  }

  /**
   * Issue 12 part 9: 64 cores. The session's trace IDs are the kernel's (0x10 + 2 * cpu up to cpu
   * 47, then 0x01..0x0F, then 0x11), each announced by an AUX_OUTPUT_HW_ID record after the cpu's
   * ITRACE_START and held in the v1 metadata too; perf 6.1 reads every record and lists every
   * cpu's packets exactly as we do, and the decode has no silent error against the ground truth.
   */
  @Test
  void sixtyFourCoresGetTheKernelsTraceIdsAndPerfListsEveryCoresPackets() throws IOException {
    Scenario b = SimRecordings.scenario("default", 3, 30_000);
    Scenario s = new Scenario("c64", 64, b.seed(), b.runNanos(), b.functions(), b.protocol(), b.events(),
        b.pokesPerMilli(), b.timerPeriodNanos(), b.syscallsPerMilli(), b.fetchBias(), b.etmSyncPeriodBytes(),
        b.etmTimestampPeriodCycles(), b.overflowEveryNanos(), b.etmCseTimestamps());
    Path rec = tmp.resolve("c64");
    SimRecordings.record(s, rec);

    List<Integer> expected = new ArrayList<>();
    for (int cpu = 0; cpu < 48; cpu++) {
      expected.add(0x10 + 2 * cpu);
    }
    for (int id = 0x01; id <= 0x0F; id++) {
      expected.add(id);
    }
    expected.add(0x11);
    List<Integer> hwIds = new ArrayList<>();
    List<Integer> hwCpus = new ArrayList<>();
    List<Integer> metadata = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(rec.resolve("data"))) {
      RecordCursor c = r.fileOrder();
      for (FileRecord x; (x = c.next()) != null; ) {
        if (x.record() instanceof dev.tracepoke.perf.PerfRecord.AuxOutputHwId hw) {
          hwIds.add(hw.traceId());
          hwCpus.add(hw.sampleId().cpu());
          assertEquals(hw.traceId(), hw.hwId(), "HW_ID version 0.0: nothing but the trace ID");
        } else if (x.record() instanceof dev.tracepoke.perf.PerfRecord.AuxtraceInfo info
            && info.priv() instanceof dev.tracepoke.perf.CsEtmInfo cs) {
          assertEquals(1, cs.version(), "CS_ETM header version (perf 6.1 refuses 2)");
          cs.cpus().forEach(p -> metadata.add(p.traceId()));
        }
      }
    }
    assertEquals(expected, hwIds, "HW_ID trace IDs in cpu order");
    assertEquals(java.util.stream.IntStream.range(0, 64).boxed().toList(), hwCpus, "HW_ID cpus");
    assertEquals(expected, metadata, "TRCTRACEIDR of the metadata");

    TraceInput in = RecordingInput.open(rec, null);
    List<Decoding.CoreResult> decoded = Decoding.run(in, CoreDecoderFactory.WINDOWS, null, 2);
    dev.tracepoke.decode.diff.DiffReport diff = TruthCheck.diff(in, decoded);
    assertEquals(64, decoded.size(), "cores decoded");
    assertEquals(0, diff.total().silentErrors(), "silent errors");
    assertTrue(diff.total().matched() > 64 * 1000, "instructions matched: " + diff.total());

    Run run = perf(tmp, "report", "-D", "-i", rec.toString());
    assertEquals(0, run.exit(), "perf report -D failed:\n" + run.err());
    assertEquals("", run.err().strip(), "perf report -D stderr");
    Map<Integer, List<String>> perfPackets = new TreeMap<>();
    java.util.Set<String> perfIds = new java.util.TreeSet<>();
    int hwLines = 0;
    int cpu = Integer.MIN_VALUE;
    for (String line : run.out()) {
      Matcher m = RECORD.matcher(line);
      if (m.matches()) {
        Matcher a = AUXTRACE_CPU.matcher(line);
        cpu = a.find() ? Integer.parseInt(a.group(1)) : Integer.MIN_VALUE;
        hwLines += m.group(5).equals("AUX_OUTPUT_HW_ID") ? 1 : 0;
        continue;
      }
      String[] p = OpenCsdPacketText.parseListerLine(line);
      if (p != null) {
        perfPackets.computeIfAbsent(cpu, k -> new ArrayList<>()).add(p[1]);
        Matcher id = PACKET_ID.matcher(line);
        assertTrue(id.find(), line);
        perfIds.add(id.group(1));
      }
    }
    assertEquals(64, hwLines, "HW_ID records perf lists");
    assertEquals(64, perfPackets.size(), "cpus whose packets perf lists");
    java.util.Set<String> ids = new java.util.TreeSet<>();
    expected.forEach(id -> ids.add(Integer.toHexString(id)));
    assertEquals(ids, perfIds, "trace IDs of perf's packet lines");
    List<Integer> n = samePackets(rec, perfPackets, "c64");

    // perf script decodes every cpu's trace, silently (the IDs of the metadata are the HW_IDs)
    Run script = perf(tmp, "script", "-i", rec.toString(), "--itrace=i1i", "-F", "cpu,ip");
    assertEquals(0, script.exit(), "perf script failed:\n" + script.err());
    assertEquals("", script.err().strip(), "perf script stderr");
    Map<Integer, Integer> perCpu = new TreeMap<>();
    for (String line : script.out()) {
      Matcher m = Pattern.compile("^\\s*\\[(\\d+)\\]\\s+[0-9a-f]+$").matcher(line);
      assertTrue(m.matches(), "unexpected perf script line: " + line);
      perCpu.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
    }
    assertEquals(java.util.stream.IntStream.range(0, 64).boxed().toList(), List.copyOf(perCpu.keySet()),
        "cpus perf script decodes");
    long perfInstructions = perCpu.values().stream().mapToLong(Integer::longValue).sum();
    assertTrue(perfInstructions <= diff.total().instructionsTruth() && perfInstructions > 64 * 1000,
        perfInstructions + " instructions from perf script, truth " + diff.total());
    System.out.println("64 cores: perf report -D lists " + n.stream().mapToInt(Integer::intValue).sum()
        + " packets of 64 trace IDs as we do; perf script decodes " + perfInstructions
        + " instructions on 64 cpus; decode vs truth: " + diff.total());
  }

  private static final Pattern PACKET_ID = Pattern.compile("ID:([0-9a-f]+);");

  /** Per cpu, the samples at kernel addresses, as perf printed them. */
  static Map<String, List<String>> kernelSamples(List<String> lines) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String line : lines) {
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "unexpected perf script line: " + line);
      if (Long.parseUnsignedLong(m.group(2), 16) < 0) {
        out.computeIfAbsent(m.group(1), c -> new ArrayList<>()).add(m.group(2) + " " + m.group(3));
      }
    }
    return out;
  }

  private static final Pattern SAMPLE = Pattern.compile("^\\s*\\[(\\d+)\\]\\s+([0-9a-f]+)\\s+(\\S+)$");

  /**
   * {@code perf script -i REC --itrace=i1i -F cpu,ip} on a static-image recording, no other
   * option: one sample per instruction, per cpu in program order. Per cpu the sequence is the
   * ground truth's, kernel (EL1) and user (EL0) code alike, up to the core's last P0 element (the
   * same invisible tails as OpenCSD's, which perf drives). Every kernel sample carries the symbol
   * and offset our kallsyms gives. Then the bare {@code data} file with {@code -k vmlinux}.
   */
  @Test
  void perfScriptDecodesTheStaticRecordingToTheGroundTruth() throws IOException {
    Scenario s = SimRecordings.scenario("static", 2, RUN_NANOS);
    Path rec = tmp.resolve("static-script");
    SimRecordings.Recorded r = SimRecordings.record(s, rec);
    Run run = perf(tmp, "script", "-i", rec.toString(), "--itrace=i1i", "-F", "cpu,ip,sym,symoff");
    assertEquals(0, run.exit(), "perf script failed:\n" + run.err());
    assertEquals("", run.err().strip(), "perf script stderr");
    Kallsyms symbols = Kallsyms.read(rec.resolve("kcore_dir/kallsyms"));
    Map<Integer, LongArrayList> ranges = new TreeMap<>();
    long kernel = 0; // samples at EL1 addresses (the top half); the rest ran at EL0
    for (String line : run.out()) {
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "unexpected perf script line: " + line);
      int cpu = Integer.parseInt(m.group(1));
      long pc = Long.parseUnsignedLong(m.group(2), 16);
      if (pc < 0) {
        kernel++;
        String sym = symbols.lookup(pc).map(h -> h.name() + "+0x" + Long.toHexString(h.offset())).orElse("[unknown]");
        assertEquals(sym, m.group(3), "perf's symbol of 0x" + Long.toHexString(pc));
      } else {
        assertEquals("[unknown]", m.group(3), "EL0 code has no symbols: " + line);
      }
      LongArrayList l = ranges.computeIfAbsent(cpu, k -> new LongArrayList());
      if (!l.isEmpty() && l.getLong(l.size() - 1) == pc) {
        l.set(l.size() - 1, pc + 4);
      } else {
        l.add(pc);
        l.add(pc + 4);
      }
    }
    TruthReader truth = TruthReader.open(rec.resolve("truth"));
    MemoryImage image = RecordingInput.open(rec, null).image();
    List<Long> tails = new ArrayList<>();
    long matched = 0;
    for (int cpu = 0; cpu < 4; cpu++) {
      OpenCsdOnSimulatedRecordingsTest.Comparison c = OpenCsdOnSimulatedRecordingsTest.compare(truth, image, cpu,
          ranges.getOrDefault(cpu, new LongArrayList()), null, "perf script cpu " + cpu);
      tails.add(c.tail());
      matched += c.matched();
    }
    System.out.printf("perf script: %d instructions (%d kernel), truth %d, invisible tails %s%n", matched, kernel,
        r.summary().instructions(), tails);
    assertEquals(r.summary().instructions(), matched + tails.stream().mapToLong(Long::longValue).sum());
    assertEquals(List.of(2L, 1L, 0L, 0L), tails);

    // The same trace from the bare perf.data with -k and the recording's own vmlinux (PIE, with the
    // patch-site tables): EL0 code is unreadable, so only kernel samples come out, and per cpu they
    // are exactly the kernel samples of the kcore_dir decode above.
    Path vmlinux = rec.resolve("vmlinux");
    Run k = perf(tmp, "script", "-i", rec.resolve("data").toString(), "-k", vmlinux.toString(), "--itrace=i1i", "-F",
        "cpu,ip,sym,symoff");
    assertEquals(0, k.exit(), "perf script -k failed:\n" + k.err());
    assertEquals("", k.err().strip(), "perf script -k stderr");
    assertEquals(kernelSamples(run.out()), kernelSamples(k.out()));
    assertEquals(797_757L, matched);
    assertEquals(58_154L, kernel);
  }

  /**
   * perf 6.1 on a recording with text pokes (the default scenario: nosync jump-label flips with
   * PRE/POST records): its generic TEXT_POKE handler writes each record's new bytes into the
   * kernel image as the record is delivered, and cs-etm decodes only at the end, so the whole trace
   * is decoded against the image after the last poke (reference perf-data-cs-etm.md 4.5). Per cpu,
   * perf's instruction sequence is therefore the ground truth's exactly up to the core's first
   * execution of a patch-site word that differs from that final image, and leaves the truth after
   * it, at the latest right after the truth's next waypoint (an E atom sends the walk down the final
   * word's branch at once; on an N atom OpenCSD 1.3.3 falls through the unconditional B and
   * consumes the next atom one waypoint early). A core that never ran such a word is decoded
   * exactly.
   */
  @Test
  void perfScriptDecodesAPatchedRecordingAgainstTheImageAfterItsLastPoke() throws IOException {
    Scenario s = SimRecordings.scenario("default", 1, RUN_NANOS);
    Path rec = tmp.resolve("default-script");
    SimRecordings.record(s, rec);
    Run run = perf(tmp, "script", "-i", rec.toString(), "--itrace=i1i", "-F", "cpu,ip");
    assertEquals(0, run.exit(), "perf script failed:\n" + run.err());
    assertEquals("", run.err().strip(), "perf script stderr");
    Map<Integer, LongArrayList> perfPcs = new TreeMap<>();
    Pattern sample = Pattern.compile("^\\s*\\[(\\d+)\\]\\s+([0-9a-f]+)$");
    for (String line : run.out()) {
      Matcher m = sample.matcher(line);
      assertTrue(m.matches(), "unexpected perf script line: " + line);
      perfPcs.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new LongArrayList())
          .add(Long.parseUnsignedLong(m.group(2), 16));
    }
    TraceInput in = RecordingInput.open(rec, null);
    Map<Long, byte[]> finalWords = new TreeMap<>();
    for (dev.tracepoke.decode.image.TextPoke p : in.pokes()) {
      finalWords.put(p.address(), p.newBytes());
    }
    TruthReader truth = TruthReader.open(rec.resolve("truth"));
    MemoryImage base = in.image();
    List<Long> divergences = new ArrayList<>();
    for (int cpu = 0; cpu < 4; cpu++) {
      LongArrayList truthPcs = new LongArrayList();
      int stale = -1;
      int nextWaypoint = -1;
      try (TruthCursor t = truth.cursor(cpu)) {
        long sitePc = -1;
        int siteWord = 0;
        for (int k; (k = t.next()) != TruthEvent.END; ) {
          if (k == TruthEvent.PATCH_SITE) {
            sitePc = t.pc();
            siteWord = t.word();
          } else if (k == TruthEvent.RUN) {
            for (int i = 0; i < t.count(); i++) {
              long pc = t.startPc() + 4L * i;
              byte[] fin = finalWords.get(pc);
              int word = pc == sitePc ? siteWord : (int) base.read32(pc);
              if (stale < 0 && pc == sitePc && fin != null && siteWord != le32(fin)) {
                stale = truthPcs.size();
              } else if (stale >= 0 && nextWaypoint < 0 && A64.isWaypoint(A64.classify(word), true, false)) {
                nextWaypoint = truthPcs.size();
              }
              truthPcs.add(pc);
            }
          }
        }
      }
      LongArrayList p = perfPcs.getOrDefault(cpu, new LongArrayList());
      int n = Math.min(p.size(), truthPcs.size());
      long diverges = -1;
      for (int i = 0; i < n; i++) {
        if (p.getLong(i) != truthPcs.getLong(i)) {
          diverges = i;
          break;
        }
      }
      String what = "cpu " + cpu;
      System.out.printf("perf script, %s, cpu %d: %d samples, truth %d instructions; first stale site execution is"
          + " instruction %d (next waypoint %d); perf leaves the truth at %d%n", s, cpu, p.size(), truthPcs.size(),
          stale, nextWaypoint, diverges);
      if (stale < 0) {
        assertEquals(-1, diverges, what + ": ran no stale word, yet perf differs from the truth");
      } else {
        assertTrue(diverges > stale && diverges <= nextWaypoint + 1,
            what + ": perf leaves the truth at " + diverges + ", not in (" + stale + ", " + (nextWaypoint + 1) + "]");
      }
      divergences.add(diverges);
    }
    assertTrue(in.pokes().size() > 0, "no text pokes in " + s);
    // cpu 0 took the final word's branch at once (atom E); cpus 1-3 got an N atom there, on which
    // OpenCSD 1.3.3 falls through an unconditional B, and left the truth at the next branch
    assertEquals(List.of(3919L, 50345L, 25401L, 68141L), divergences);
  }

  private static int le32(byte[] b) {
    return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
  }
}
