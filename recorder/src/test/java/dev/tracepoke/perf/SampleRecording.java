package dev.tracepoke.perf;

import dev.tracepoke.perf.PerfRecord.Aux;
import dev.tracepoke.perf.PerfRecord.AuxtraceInfo;
import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.FinishedRound;
import dev.tracepoke.perf.PerfRecord.ItraceStart;
import dev.tracepoke.perf.PerfRecord.Mmap2;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import dev.tracepoke.perf.PerfRecord.TimeConv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small recording with every record type tracepoke types, laid out the way perf record lays out
 * a CPU-wide cs_etm session (two ETMv4 CPUs, cs_etm + tracking dummy event, 32-byte trailers).
 */
public final class SampleRecording {
  private SampleRecording() {}

  public static final int PMU_TYPE = 10;
  /** IP|TID|TIME|CPU|IDENTIFIER, what perf record uses for CPU-wide cs_etm. */
  public static final long SAMPLE_TYPE = 0x10087;
  public static final long KERNEL_TEXT = 0xffff800008010000L;
  public static final int PID = 4242;

  public static PerfEventAttr csEtmAttr() {
    return PerfEventAttr.csEtm(PMU_TYPE, PerfEventAttr.CS_ETM_CONTEXTID | PerfEventAttr.CS_ETM_TIMESTAMP, SAMPLE_TYPE);
  }

  public static PerfEventAttr dummyAttr() {
    return PerfEventAttr.trackingDummy(SAMPLE_TYPE);
  }

  public static PerfDataWriter.Builder builder(Path target) {
    return configure(PerfDataWriter.builder(target));
  }

  public static PerfDataWriter.Builder configure(PerfDataWriter.Builder b) {
    return b
        .event("cs_etm//", csEtmAttr(), 101, 102)
        .event("dummy:u", dummyAttr(), 201, 202)
        .nrCpus(2, 2)
        .hostname("sim")
        .osRelease("6.1.0-tracepoke")
        .perfVersion("6.1.tracepoke")
        .pmuMapping(1, "software")
        .pmuMapping(PMU_TYPE, "cs_etm");
  }

  public static SampleId sid(int cpu, long time, long id) {
    return SampleId.of(SAMPLE_TYPE, PID, PID, time, 0, 0, cpu, id);
  }

  public static CsEtmInfo csEtm() {
    return CsEtmInfo.v1(PMU_TYPE, List.of(
        EtmV4Params.etmV4(0, CsEtmInfo.trcconfigr(csEtmAttr().config()), CsEtmInfo.legacyTraceId(0),
            0x28000ea1, 0x4100f403, 0x488, 0, 0xcc),
        EtmV4Params.etmV4(1, CsEtmInfo.trcconfigr(csEtmAttr().config()), CsEtmInfo.legacyTraceId(1),
            0x28000ea1, 0x4100f403, 0x488, 0, 0xcc)));
  }

  /**
   * One 16-byte CoreSight frame holding {@code data} (at most 14 bytes, every even-slot byte
   * with bit 0 clear) for trace ID {@code id}, padded with the null ID: ID byte in slot 0, data
   * in slots 1..n, and a null-ID switch right after.
   */
  public static byte[] frame(int id, byte[] data) {
    byte[] f = new byte[16];
    f[0] = (byte) ((id << 1) | 1);
    int slot = 1;
    int aux = 0;
    for (byte d : data) {
      if (slot % 2 == 0) {
        f[slot] = (byte) (d & 0xfe);
        aux |= (d & 1) << (slot / 2);
      } else {
        f[slot] = d;
      }
      slot++;
    }
    if (slot < 15) {
      if (slot % 2 == 1) {
        f[slot++] = 0; // an odd slot cannot hold an ID; ID 0 data is discarded anyway after the switch
      }
      if (slot < 15) {
        f[slot] = 1; // switch to the null ID 0
      }
    }
    f[15] = (byte) aux;
    return f;
  }

  /** A-sync, Trace Info, Trace On for trace ID {@code id}, then a null-ID padding frame. */
  public static byte[] etmStream(int id) {
    byte[] sync = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00};
    byte[] f1 = frame(id, sync);
    byte[] f2 = frame(id, new byte[] {0x04});
    byte[] pad = frame(0, new byte[0]);
    ByteBuffer b = ByteBuffer.allocate(48);
    b.put(f1).put(f2).put(pad);
    return b.array();
  }

  /**
   * Writes the recording and returns what a reader must see in file order (AUXTRACE records as
   * {@link PerfDataWriter#writeAuxtrace} returned them).
   */
  public static List<FileRecord> write(Path target) throws IOException {
    try (PerfDataWriter w = builder(target).open()) {
      return write(w);
    }
  }

  /** Writes the records into an open writer (which the caller closes). */
  public static List<FileRecord> write(PerfDataWriter w) throws IOException {
    List<FileRecord> out = new ArrayList<>();
    {
      add(out, w, new AuxtraceInfo(AuxtraceInfo.TYPE_CS_ETM, csEtm()));
      add(out, w, new TimeConv(10, 40960, 123456789L, 1000, -1L, true, true, true));
      add(out, w, new Comm(0, PID, PID, "etm-probe", sid(0, 1000, 201)));
      add(out, w, new Mmap2(PerfRecord.MISC_KERNEL, -1, 0, KERNEL_TEXT, 0x200000, KERNEL_TEXT,
          0, 0, 0, 0, null, 5, 2, "[kernel.kallsyms]_text", sid(0, 1001, 201)));
      add(out, w, new Mmap2(PerfRecord.MISC_USER, PID, PID, 0x400000, 0x2000, 0, 0xfd, 1, 12345, 0,
          null, 5, 2, "/usr/bin/etm-probe", sid(0, 1002, 201)));
      add(out, w, new ItraceStart(0, PID, PID, sid(0, 1003, 101)));
      add(out, w, new ItraceStart(0, PID, PID, sid(1, 1004, 102)));
      byte[] nop = {0x1f, 0x20, 0x03, (byte) 0xd5};
      byte[] b = {0x0f, 0x00, 0x00, 0x14};
      add(out, w, TextPoke.of(TextPoke.Phase.PRE, KERNEL_TEXT + 4, nop, b, sid(1, 1010, 202)));
      add(out, w, TextPoke.of(TextPoke.Phase.LANDED, KERNEL_TEXT + 4, nop, b, sid(1, 1011, 202)));
      add(out, w, TextPoke.of(TextPoke.Phase.POST, KERNEL_TEXT + 4, nop, b, sid(0, 1012, 201)));
      add(out, w, new Aux(0, 0, 48, 0, sid(0, 1020, 101)));
      add(out, w, new Aux(0, 0, 48, 0, sid(1, 1021, 102)));
      add(out, w, new FinishedRound());
      for (int cpu = 0; cpu < 2; cpu++) {
        long at = w.position();
        PerfRecord.Auxtrace a = w.writeAuxtrace(0, 0x1234567890abcdefL + cpu, cpu, PID, cpu,
            ByteBuffer.wrap(etmStream(0x10 + 2 * cpu)));
        out.add(new FileRecord(at, 48, -1, -1, a));
      }
      add(out, w, new FinishedRound());
    }
    return out;
  }

  private static void add(List<FileRecord> out, PerfDataWriter w, PerfRecord r) throws IOException {
    long at = w.position();
    w.write(r);
    int size = (int) (w.position() - at);
    SampleId s = r.sampleId();
    out.add(new FileRecord(at, size, s.timeOrUnknown(), s.cpuOrUnknown(), r));
  }
}
