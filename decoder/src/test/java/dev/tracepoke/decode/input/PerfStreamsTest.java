package dev.tracepoke.decode.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.decode.etm4.PacketPrinter;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.etm4.PacketReaderTest;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfDataWriter;
import dev.tracepoke.perf.PerfEventAttr;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.SampleId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The perf half of the input layer: trace IDs, raw (TRBE) AUX data, lost AUX data. */
class PerfStreamsTest {

  @TempDir Path tmp;

  static final long SAMPLE_TYPE = 0x10087; // IP | TID | TIME | CPU | IDENTIFIER
  static final byte[] SYNC = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00};

  static PerfDataWriter writer(Path data) throws IOException {
    PerfEventAttr attr = PerfEventAttr.builder(10, (1L << 14) | (1L << 28)).sampleType(SAMPLE_TYPE)
        .flags(PerfEventAttr.FLAG_SAMPLE_ID_ALL).build();
    return PerfDataWriter.builder(data).event("cs_etm//", attr, 101, 102).nrCpus(2, 2).open();
  }

  static SampleId on(int cpu, long time) {
    return SampleId.of(SAMPLE_TYPE, 7, 7, time, 0, 0, cpu, 101 + cpu);
  }

  /** What the decode path reads for each core: "cpu id: packet lines", restarts as "# restart". */
  static List<String> decodePath(PerfStreams.Plan plan) throws IOException {
    List<String> out = new ArrayList<>();
    for (CoreTrace c : plan.cores()) {
      StringBuilder text = new StringBuilder();
      PacketReader r = new PacketReader(c.config(), new PacketPrinter(text));
      c.bytes().pushTo(new CoreTrace.ByteSink() {
        @Override
        public void accept(byte[] buf, int off, int len) {
          r.push(buf, off, len);
        }

        @Override
        public void restart() {
          text.append("# restart\n");
          r.reset();
        }
      });
      r.finish();
      for (String l : PacketReaderTest.lines(text)) {
        out.add(c.cpu() + " 0x" + Integer.toHexString(c.traceId()) + ": " + l);
      }
    }
    return out;
  }

  @Test
  void auxOutputHwIdGivesTheTraceIdToDecodeAndListingAlike() throws IOException {
    Path data = tmp.resolve("v2.data");
    byte[] stream = PacketListingTest.cat(SYNC, new byte[] {(byte) 0xF7});
    try (PerfDataWriter w = writer(data)) {
      // v2: TRCTRACEIDR holds the legacy ID flagged unused (bit 31); HW_ID records give the real ones
      w.write(new PerfRecord.AuxtraceInfo(PerfRecord.AuxtraceInfo.TYPE_CS_ETM, new CsEtmInfo(2, 10, false, List.of(
          EtmV4Params.etmV4(0, 0xC1, 0x80000010L, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC),
          EtmV4Params.etmV4(1, 0xC1, 0x80000012L, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC)))));
      w.write(new PerfRecord.AuxOutputHwId(0, 0x2a, on(0, 100)));
      w.write(new PerfRecord.Aux(0, 0, 48, 0, on(0, 200)));
      w.writeAuxtrace(0, 1, 0, -1, 0, ByteBuffer.wrap(PacketListingTest.frames(0x2a, stream)));
    }
    PerfStreams.Plan plan = PerfStreams.read(data);
    assertEquals(List.of("cpu 1: no AUX_OUTPUT_HW_ID record gives its trace ID (TRCTRACEIDR 0x80000012 is flagged unused)"),
        plan.skipped());
    assertEquals(List.of("0 0x2a: 0 0 ASYNC", "0 0x2a: 12 1 TRACE_INFO info=0x0", "0 0x2a: 14 2 ATOM_F1 E"),
        decodePath(plan));
    StringBuilder listing = new StringBuilder();
    PacketListing.listPerf(data, listing);
    assertEquals(List.of("# skipped cpu 1: no AUX_OUTPUT_HW_ID record gives its trace ID (TRCTRACEIDR 0x80000012 is"
            + " flagged unused)", "# queue 0 cpu 0 trace-id 0x2a (etm of cpu 0)", "0 0 ASYNC", "12 1 TRACE_INFO info=0x0",
        "14 2 ATOM_F1 E"), PacketReaderTest.lines(listing));
  }

  @Test
  void rawAuxDataIsOneStreamPerCpuRestartedAtEachFragment() throws IOException {
    Path data = tmp.resolve("raw.data");
    // fragment 1 ends inside an address packet; fragment 2 starts over with an A-sync
    byte[] f1 = PacketListingTest.cat(SYNC, new byte[] {0x04, (byte) 0xF7, (byte) 0x9D, 0x00});
    byte[] f2 = PacketListingTest.cat(SYNC, new byte[] {(byte) 0xDB});
    byte[] buffer = PacketListingTest.cat(PacketListingTest.cat(f1, f2), new byte[] {0, 0, 0});
    try (PerfDataWriter w = writer(data)) {
      w.write(new PerfRecord.AuxtraceInfo(PerfRecord.AuxtraceInfo.TYPE_CS_ETM, CsEtmInfo.v1(10, List.of(
          EtmV4Params.etmV4(0, 0xC1, 0x10, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC),
          new EtmV4Params(EtmV4Params.MAGIC_ETE, 1, 0xC1, 0x12, 0x28000EA1, 0x4100FFF3, 0x488, 0, 0xCC,
              new long[] {0x47705A13L})))));
      // an empty record first (TRBE start), then two fragments of cpu 1, raw
      w.write(new PerfRecord.Aux(0, 0, 0, PerfRecord.Aux.FLAG_CORESIGHT_RAW, on(1, 100)));
      w.write(new PerfRecord.Aux(0, 0, f1.length, PerfRecord.Aux.FLAG_CORESIGHT_RAW, on(1, 200)));
      w.write(new PerfRecord.Aux(0, f1.length, f2.length,
          PerfRecord.Aux.FLAG_CORESIGHT_RAW | PerfRecord.Aux.FLAG_TRUNCATED, on(1, 300)));
      w.writeAuxtrace(0, 1, 1, -1, 1, ByteBuffer.wrap(buffer));
    }
    PerfStreams.Plan plan = PerfStreams.read(data);
    assertEquals(1, plan.streams().size());
    PerfStreams.Stream s = plan.streams().get(0);
    assertTrue(s.raw());
    assertTrue(s.config().isEte());
    assertEquals("queue 1 cpu 1 trace-id 0x12 (ete of cpu 1, raw)", s.label());
    assertEquals(List.of(
        "1 0x12: 0 0 ASYNC", "1 0x12: 12 1 TRACE_INFO info=0x0", "1 0x12: 14 2 TRACE_ON", "1 0x12: 15 3 ATOM_F1 E",
        "1 0x12: # restart",
        "1 0x12: 18 4 ASYNC", "1 0x12: 30 5 TRACE_INFO info=0x0", "1 0x12: 32 6 ATOM_F2 EE"), decodePath(plan));
    assertEquals(List.of("1 of 3 AUX records are flagged truncated: trace was lost there"), plan.warnings());
    assertEquals(List.of(), plan.skipped());
  }

  @Test
  void lostAuxDataIsNamed() throws IOException {
    Path data = tmp.resolve("lost.data");
    try (PerfDataWriter w = writer(data)) {
      w.write(new PerfRecord.AuxtraceInfo(PerfRecord.AuxtraceInfo.TYPE_CS_ETM, CsEtmInfo.v1(10, List.of(
          EtmV4Params.etmV4(0, 0xC1, 0x10, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC)))));
      w.write(new PerfRecord.Aux(0, 0, 0x1000, 0, on(0, 100)));
      w.write(new PerfRecord.Aux(0, 0x1000, 0x30, 0, on(0, 200)));
    }
    PerfStreams.Plan plan = PerfStreams.read(data);
    assertEquals(List.of("no trace at all: the AUX data was lost (2 AUX records announce 4144 bytes; the file has"
        + " no AUXTRACE record)"), plan.skipped());
    assertTrue(plan.cores().isEmpty());
    StringBuilder listing = new StringBuilder();
    PacketListing.Summary sum = PacketListing.listPerf(data, listing);
    assertTrue(sum.streams().isEmpty());
    assertFalse(sum.skipped().isEmpty());
  }
}
