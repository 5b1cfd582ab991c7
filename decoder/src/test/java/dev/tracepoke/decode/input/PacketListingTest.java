package dev.tracepoke.decode.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.coresight.FrameFormatter;
import dev.tracepoke.decode.etm4.PacketReaderTest;
import dev.tracepoke.decode.etm4.SnapshotConformanceTest;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfDataWriter;
import dev.tracepoke.perf.PerfEventAttr;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.SampleId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dump --packets}: snapshot directories and perf recordings. */
class PacketListingTest {

  @TempDir Path tmp;

  @Test
  void listsARawSnapshotBuffer() throws IOException {
    Path shared = SnapshotConformanceTest.snapshotsDir();
    assumeTrue(shared != null, "shared/conformance not found");
    StringBuilder out = new StringBuilder();
    PacketListing.Summary s = PacketListing.list(shared.resolve("init-short-addr"), out);
    List<String> lines = PacketReaderTest.lines(out);
    assertEquals(
        List.of(
            "# buffer CSTMC_TRACE_FIFO source CSETM_0 trace-id 0x0 core Cortex-A57_0 Cortex-A57 (v8)",
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "15 2 TRACE_ON",
            "16 3 CONTEXT EL3 AArch64 S cid=0x0",
            "22 4 TRACE_ON",
            "23 5 CONTEXT EL3 AArch64 S cid=0x0",
            "29 6 ADDR_S_IS0 0x0000000000002ebc",
            "32 7 ATOM_F3 ENE",
            "33 8 ATOM_F6 EEEN"),
        lines.subList(0, 10));
    assertEquals("55 28 IGNORE", lines.get(lines.size() - 1));
    assertEquals(
        List.of(
            new PacketListing.Stream(
                "buffer CSTMC_TRACE_FIFO source CSETM_0 trace-id 0x0 core Cortex-A57_0 Cortex-A57 (v8)", 0, 56, 29)),
        s.streams());
    assertEquals(List.of(), s.skipped());
  }

  @Test
  void listsTheFormattedBugfixBufferPerTraceId() throws IOException {
    Path shared = SnapshotConformanceTest.snapshotsDir();
    assumeTrue(shared != null, "shared/conformance not found");
    PacketListing.Summary s = PacketListing.list(shared.resolve("bugfix-exact-match"), new StringBuilder());
    assertEquals(6, s.streams().size());
    PacketListing.Stream cpu1 = s.streams().get(1);
    assertEquals("buffer etr_0 source etm_1 trace-id 0x12 core cpu_1 Cortex-A72 (v8)", cpu1.label());
    // 974,749 deformatted bytes of ID 0x12, 687,741 packets (as trc_pkt_lister lists them)
    assertEquals(974_749, cpu1.bytes());
    assertEquals(687_741, cpu1.packets());
    assertEquals(0, s.streams().get(0).bytes());
  }

  @Test
  void listsAPerfRecordingPerCpuQueueAndTraceId() throws IOException {
    byte[] sync = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00, 0x04};
    byte[] cpu0 = cat(sync, new byte[] {(byte) 0x85, 0, 0x08, 0, 0, 0, 0, 0, 0, 0x30, (byte) 0xF7, (byte) 0xDB});
    byte[] cpu1 = cat(sync, new byte[] {(byte) 0x95, 0x05, (byte) 0x90});
    Path data = tmp.resolve("data");
    PerfEventAttr attr = PerfEventAttr.builder(10, (1L << 14) | (1L << 28)).sampleType(0x10087).build();
    try (PerfDataWriter w =
        PerfDataWriter.builder(data).event("cs_etm//", attr, 101, 102).nrCpus(2, 2).pmuMapping(10, "cs_etm").open()) {
      w.write(
          new PerfRecord.AuxtraceInfo(
              PerfRecord.AuxtraceInfo.TYPE_CS_ETM,
              CsEtmInfo.v1(
                  10,
                  List.of(
                      EtmV4Params.etmV4(0, 0xC1, 0x10, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC),
                      EtmV4Params.etmV4(1, 0xC1, 0x12, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC)))));
      w.writeAuxtrace(0, 1, 0, -1, 0, ByteBuffer.wrap(frames(0x10, cpu0)));
      w.writeAuxtrace(0, 2, 1, -1, 1, ByteBuffer.wrap(frames(0x12, cpu1)));
    }
    StringBuilder out = new StringBuilder();
    PacketListing.Summary s = PacketListing.list(tmp, out);
    assertEquals(
        List.of(
            "# queue 0 cpu 0 trace-id 0x10 (etm of cpu 0)",
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 TRACE_ON",
            "15 3 ADDR_CTXT_L64_IS0 0x0000000000001000 EL0 AArch64 NS",
            "25 4 ATOM_F1 E",
            "26 5 ATOM_F2 EE",
            "# queue 1 cpu 1 trace-id 0x12 (etm of cpu 1)",
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 TRACE_ON",
            "15 3 ADDR_S_IS0 0x0000000000000014",
            "17 4 ADDR_MATCH[0] 0x0000000000000014"),
        PacketReaderTest.lines(out));
    assertEquals(2, s.streams().size());
    assertEquals(new PacketListing.Stream("queue 0 cpu 0 trace-id 0x10 (etm of cpu 0)", 0x10, 27, 6), s.streams().get(0));
  }

  @Test
  void csEtmHeaderV2TakesTraceIdsFromAuxOutputHwId() throws IOException {
    byte[] stream = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00, (byte) 0xF7};
    Path data = tmp.resolve("v2.data");
    PerfEventAttr attr =
        PerfEventAttr.builder(10, (1L << 14) | (1L << 28))
            .sampleType(0x10087)
            .flags(PerfEventAttr.FLAG_SAMPLE_ID_ALL)
            .build();
    try (PerfDataWriter w = PerfDataWriter.builder(data).event("cs_etm//", attr, 101).nrCpus(1, 1).open()) {
      // TRCTRACEIDR is 0 in the v2 block; the HW_ID record says the trace ID is 0x2a
      w.write(
          new PerfRecord.AuxtraceInfo(
              PerfRecord.AuxtraceInfo.TYPE_CS_ETM,
              new CsEtmInfo(2, 10, false,
                  List.of(EtmV4Params.etmV4(0, 0xC1, 0, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC)))));
      w.write(new PerfRecord.AuxOutputHwId(0, 0x2a, SampleId.of(0x10087, 1, 1, 100, 0, 0, 0, 101)));
      w.writeAuxtrace(0, 1, 0, -1, 0, ByteBuffer.wrap(frames(0x2a, stream)));
    }
    StringBuilder out = new StringBuilder();
    PacketListing.list(data, out);
    assertEquals(
        List.of("# queue 0 cpu 0 trace-id 0x2a (etm of cpu 0)", "0 0 ASYNC", "12 1 TRACE_INFO info=0x0", "14 2 ATOM_F1 E"),
        PacketReaderTest.lines(out));
  }

  static byte[] frames(int id, byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(b);
    f.write(id, data);
    f.pad(0);
    return b.toByteArray();
  }

  static byte[] cat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void refusesADirectoryThatIsNeither() throws IOException {
    Files.createDirectories(tmp.resolve("empty"));
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(
        IOException.class, () -> PacketListing.list(tmp.resolve("empty"), new StringBuilder()));
    assertEquals(
        tmp.resolve("empty") + ": neither an OpenCSD snapshot (snapshot.ini) nor a perf recording (data)",
        e.getMessage());
  }
}
