package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.coresight.FrameFormatter;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.SnapshotExport;
import dev.tracepoke.elf.Elf;
import dev.tracepoke.elf.ElfWriter;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfEventAttr;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.SampleId;
import dev.tracepoke.recording.RecordingWriter;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SnapshotExport} and {@link SnapshotInput} round-trip a perf recording: a two-core
 * recording written here (kcore with a small A64 loop, CS_ETM AUXTRACE_INFO, AUXTRACE data as
 * CoreSight frames holding a hand-made ETMv4 stream per core) decodes to the same elements from
 * the recording and from the exported snapshot, those elements are the ones the code and the
 * atoms imply, and {@code trc_pkt_lister -ss_dir OUT -decode} decodes the snapshot to the same
 * elements for both trace IDs (where it is installed).
 */
class SnapshotExportTest {
  static final long BASE = 0xffff800008000000L;
  static final int ADD_X0 = 0x91000400; // add x0, x0, #1
  static final int CMP_X0_3 = 0xf1000c1f; // cmp x0, #3
  static final int BNE_BACK_8 = 0x54ffffc1; // b.ne .-8
  static final int BL_PLUS_0X14 = 0x94000005; // bl .+0x14
  static final int NOP = 0xd503201f;
  static final int B_SELF = 0x14000000; // b .
  static final int ADD_X1 = 0x91000421; // add x1, x1, #1
  static final int RET = 0xd65f03c0;

  @TempDir Path tmp;

  /** 0x00 loop: add; cmp; b.ne 0x00 — 0x0c bl 0x20 — 0x10 nop; b . — 0x20 add; ret. */
  static byte[] code() {
    int[] words = {ADD_X0, CMP_X0_3, BNE_BACK_8, BL_PLUS_0X14, NOP, B_SELF, NOP, NOP, ADD_X1, RET};
    ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int w : words) {
      b.putInt(w);
    }
    return b.array();
  }

  /** The 8 payload bytes of a 64-bit IS0 address (long address and address-with-context). */
  static byte[] address64(long a) {
    return new byte[] {(byte) ((a >>> 2) & 0x7F), (byte) ((a >>> 9) & 0x7F), (byte) (a >>> 16),
        (byte) (a >>> 24), (byte) (a >>> 32), (byte) (a >>> 40), (byte) (a >>> 48), (byte) (a >>> 56)};
  }

  /**
   * A-sync, Trace Info, Trace On, address + context (EL1, AArch64, NS) at the loop, atoms E E N
   * (the loop runs three times), E (bl), E (ret), the return target as a long address, E E (b .).
   */
  static byte[] stream() throws IOException {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80});
    s.write(new byte[] {0x01, 0x01, 0x00, 0x04, (byte) 0x85});
    s.write(address64(BASE));
    s.write(0x31);
    s.write(new byte[] {(byte) 0xF7, (byte) 0xF7, (byte) 0xF6, (byte) 0xF7, (byte) 0xF7, (byte) 0x9D});
    s.write(address64(BASE + 0x10));
    s.write(new byte[] {(byte) 0xF7, (byte) 0xF7});
    return s.toByteArray();
  }

  static final int[] TRACE_IDS = {0x10, 0x11};

  Path recording() throws IOException {
    Path dir = tmp.resolve("rec");
    long st = SampleId.TID | SampleId.TIME | SampleId.CPU | SampleId.IDENTIFIER;
    try (RecordingWriter w = RecordingWriter.create(dir, d -> d
        .event("cs_etm//", PerfEventAttr.builder(10, 0x10004000).sampleType(st).build(), 7)
        .nrCpus(2, 2))) {
      w.kcore(ElfWriter.core().load("text", BASE, code(), Elf.PF_R | Elf.PF_X));
      List<EtmV4Params> etms = new ArrayList<>();
      for (int cpu = 0; cpu < 2; cpu++) {
        etms.add(EtmV4Params.etmV4(cpu, 0x1, TRACE_IDS[cpu], 0x28000ea1, 0x4100f403, 0x488, 0, 0xcc));
      }
      w.data().write(new PerfRecord.AuxtraceInfo(3, CsEtmInfo.v1(10, etms)));
      for (int cpu = 0; cpu < 2; cpu++) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        FrameFormatter f = new FrameFormatter(frames);
        f.write(TRACE_IDS[cpu], stream());
        f.pad(0);
        w.data().writeAuxtrace(0, 0x100 + cpu, cpu, 43, cpu, ByteBuffer.wrap(frames.toByteArray()));
      }
    }
    return dir;
  }

  /** Every element of every core, one line each, in core order. */
  static List<String> decode(TraceInput in) throws IOException {
    List<String> out = new ArrayList<>();
    for (Decoding.CoreResult r : Decoding.run(in, CoreDecoderFactory.STATIC, null, 1)) {
      int id = in.cores().stream().filter(c -> c.cpu() == r.cpu()).findFirst().orElseThrow().traceId();
      FlowSink sink = OpenCsdListing.sink(s -> out.add("cpu " + r.cpu() + " id 0x" + Integer.toHexString(id) + " " + s),
          true, LongUnaryOperator.identity());
      for (int i = 0; i < r.flow().size(r.cpu()); i++) {
        r.flow().replay(r.cpu(), i, sink);
      }
    }
    return out;
  }

  /** What the stream means over the code, per core, with stream offsets of the packets. */
  static List<String> expected() {
    List<String> e = new ArrayList<>();
    for (int cpu = 0; cpu < 2; cpu++) {
      String p = "cpu " + cpu + " id 0x" + Integer.toHexString(TRACE_IDS[cpu]) + " ";
      e.add(p + OpenCsdListing.context(1, true, true, 0, 0, 16));
      e.add(p + OpenCsdListing.range(BASE, BASE + 0xc, 3, "cond", true, 26));
      e.add(p + OpenCsdListing.range(BASE, BASE + 0xc, 3, "cond", true, 27));
      e.add(p + OpenCsdListing.range(BASE, BASE + 0xc, 3, "cond", false, 28));
      e.add(p + OpenCsdListing.range(BASE + 0xc, BASE + 0x10, 1, "direct", true, 29));
      e.add(p + OpenCsdListing.range(BASE + 0x20, BASE + 0x28, 2, "return", true, 30));
      e.add(p + OpenCsdListing.range(BASE + 0x10, BASE + 0x18, 2, "direct", true, 40));
      e.add(p + OpenCsdListing.range(BASE + 0x14, BASE + 0x18, 1, "direct", true, 41));
    }
    return e;
  }

  @Test
  void exportedSnapshotDecodesLikeTheRecording() throws IOException {
    TraceInput rec = RecordingInput.open(recording(), null);
    assertEquals(List.of(0, 1), rec.cores().stream().map(CoreTrace::cpu).toList());
    List<String> fromRecording = decode(rec);
    assertEquals(expected(), fromRecording);

    Path out = tmp.resolve("snapshot");
    SnapshotExport.Result r = SnapshotExport.write(rec, out, "round trip");
    assertArrayEquals(new long[] {stream().length, stream().length}, r.streamBytes());
    assertEquals(0, r.pokesLeftOut());
    assertTrue(SnapshotInput.isSnapshot(out));
    Snapshot snap = SnapshotReader.read(out);
    assertEquals(List.of("cpu_0", "cpu_1"), snap.cores().stream().map(c -> c.name()).toList());
    assertEquals(1, snap.buffers().size());
    assertEquals(r.bufferBytes(), Files.size(snap.path(snap.buffers().get(0))));
    // the base image is listed by every core
    for (var c : snap.cores()) {
      assertEquals(1, c.dumps().size());
      assertEquals(BASE, c.dumps().get(0).address());
      assertArrayEquals(code(), c.dumps().get(0).read(out));
    }
    TraceInput back = SnapshotInput.open(out);
    assertEquals(List.of(0x10, 0x11), back.cores().stream().map(CoreTrace::traceId).toList());
    assertEquals(fromRecording, decode(back));
  }

  @Test
  void trcPktListerDecodesTheExportLikeUs() throws Exception {
    String lister = OpenCsdConformanceTest.onPath("trc_pkt_lister");
    if (lister == null) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin)");
    }
    Assumptions.assumeTrue(lister != null, "trc_pkt_lister not on PATH");
    Path out = tmp.resolve("snapshot");
    SnapshotExport.write(RecordingInput.open(recording(), null), out, "lister check");
    Map<Integer, LongUnaryOperator> index = PipelineConformanceTest.indices(out);
    // ours, with stream offsets mapped to the lister's indices in the formatted buffer
    Map<String, List<String>> ours = new TreeMap<>();
    TraceInput in = SnapshotInput.open(out);
    for (Decoding.CoreResult r : Decoding.run(in, CoreDecoderFactory.STATIC, null, 1)) {
      int id = in.cores().stream().filter(c -> c.cpu() == r.cpu()).findFirst().orElseThrow().traceId();
      PipelineConformanceTest.Lines lines = new PipelineConformanceTest.Lines(r.flow(), r.cpu(), index.get(id));
      List<String> l = ours.computeIfAbsent(Integer.toHexString(id), k -> new ArrayList<>());
      for (String s; (s = lines.next()) != null; ) {
        l.add(s);
      }
    }
    Map<String, List<String>> theirs = new TreeMap<>();
    Process p = new ProcessBuilder(lister, "-ss_dir", out.toString(), "-decode", "-logstdout",
        "-logfilename", "/dev/null")
        .directory(tmp.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = br.readLine()) != null; ) {
        OpenCsdListing.element(line, (id, s) -> theirs.computeIfAbsent(id, k -> new ArrayList<>()).add(s));
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "trc_pkt_lister finished");
    assertEquals(0, p.exitValue());
    assertEquals(List.of("10", "11"), new ArrayList<>(theirs.keySet()));
    assertEquals(8, theirs.get("10").size(), String.join("\n", theirs.get("10")));
    assertEquals(theirs, ours);
  }
}
