package dev.tracepoke.sim.scenario;

import dev.tracepoke.coresight.FrameFormatter;
import dev.tracepoke.coresight.TraceIdMap;
import dev.tracepoke.elf.Elf;
import dev.tracepoke.elf.ElfWriter;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfDataWriter;
import dev.tracepoke.perf.PerfEventAttr;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.SampleId;
import dev.tracepoke.recording.RecordingWriter;
import dev.tracepoke.sim.etm.TimeConv;
import dev.tracepoke.sim.patching.TextPokeEvent;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.sim.workload.Layout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a run as {@code perf record -e cs_etm// -a --kcore} would lay it out: the kcore image of
 * the base text (and the EL0 program), kallsyms, the kernel's {@code vmlinux} beside {@code data}
 * (its patch-site tables, which the kcore copy lacks as perf's does), and in {@code data} the AUXTRACE_INFO built from
 * each unit's registers, TIME_CONV, COMM, the kernel MMAP2, ITRACE_START per cpu (each followed by
 * an AUX_OUTPUT_HW_ID when the session's trace IDs are not all the static ones), the TEXT_POKE
 * records in time order, and per cpu one AUX + AUXTRACE carrying that cpu's stream in CoreSight
 * frames.
 */
final class RecordingAssembly {
  /** The dynamic PMU type of cs_etm on the simulated machine. */
  static final int PMU_TYPE = 10;
  static final long SAMPLE_TYPE = PerfEventAttr.SAMPLE_TYPE_CPU_WIDE;
  static final long CS_ETM_CONFIG = PerfEventAttr.CS_ETM_TIMESTAMP | PerfEventAttr.CS_ETM_CONTEXTID;
  private static final long CS_ETM_ID_BASE = 1000;
  private static final long DUMMY_ID_BASE = 2000;

  private RecordingAssembly() {}

  /** The events of the perf.data description: cs_etm and the tracking dummy, one id per cpu each. */
  static void describe(PerfDataWriter.Builder b, int cores) {
    long[] etm = new long[cores];
    long[] dummy = new long[cores];
    for (int c = 0; c < cores; c++) {
      etm[c] = CS_ETM_ID_BASE + c;
      dummy[c] = DUMMY_ID_BASE + c;
    }
    b.event("cs_etm//", PerfEventAttr.csEtm(PMU_TYPE, CS_ETM_CONFIG, SAMPLE_TYPE), etm)
        .event("dummy:u", PerfEventAttr.trackingDummy(SAMPLE_TYPE), dummy)
        .nrCpus(cores, cores)
        .hostname("tracepoke-sim")
        .osRelease("6.1.0-tracepoke-sim")
        .perfVersion("6.1.tracepoke")
        .pmuMapping(PerfEventAttr.TYPE_SOFTWARE, "software")
        .pmuMapping(PMU_TYPE, "cs_etm");
  }

  static void write(RecordingWriter w, KernelImage image, List<TextPokeEvent> pokes, List<CoreTrace> traces,
      TimeConv conv, long start, long end, long seed) throws IOException {
    w.kcore(ElfWriter.core()
        .load("kernel", image.base(), image.textBytes(), Elf.PF_R | Elf.PF_X)
        .load("user", Layout.USER_BASE, image.userTextBytes(), Elf.PF_R | Elf.PF_X));
    w.kallsyms(image.kallsyms());
    w.vmlinux(image.vmlinux());

    PerfDataWriter d = w.data();
    List<EtmV4Params> params = new ArrayList<>();
    for (CoreTrace t : traces) {
      long[] p = t.config().perfParams();
      params.add(EtmV4Params.etmV4(t.config().cpu(), p[0], p[1], p[2], p[3], p[4], p[5], p[6]));
    }
    // Header v1 even when the IDs are the kernel's dynamic ones (HW_ID records below): perf 6.1
    // refuses v2 ("Unknown Header Version = 2, Version supported <= 1") and takes every ID from
    // TRCTRACEIDR, while newer perf takes them from HW_ID records whatever the version; with the
    // allocated IDs in both places, both read the same mapping.
    d.write(new PerfRecord.AuxtraceInfo(PerfRecord.AuxtraceInfo.TYPE_CS_ETM, CsEtmInfo.v1(PMU_TYPE, params)));
    d.write(new PerfRecord.TimeConv(conv.timeShift(), conv.timeMult(), conv.timeZero(), conv.timeCycles(),
        conv.timeMask(), conv.capUserTimeZero(), conv.capUserTimeShort(), true));
    d.write(new PerfRecord.Comm(0, 0, 0, "swapper", dummy(0, start)));
    long textLen = 4L * image.textWords();
    d.write(new PerfRecord.Mmap2(PerfRecord.MISC_KERNEL, -1, 0, image.base(), textLen, image.base(), 0, 0, 0, 0,
        null, 5, 2, "[kernel.kallsyms]_text", dummy(0, start)));
    boolean dynamicIds = false;
    for (CoreTrace t : traces) {
      dynamicIds |= t.config().traceId() != TraceIdMap.legacy(t.config().cpu());
    }
    for (CoreTrace t : traces) {
      d.write(new PerfRecord.ItraceStart(0, 0, 0, etm(t.config().cpu(), start)));
      if (dynamicIds) {
        // the driver reports each cpu's ID once as the event starts there (HW_ID version 0.0:
        // bits [7:0] the ID); the metadata holds the same IDs so that perf 6.1 reads them too
        d.write(new PerfRecord.AuxOutputHwId(0, t.config().traceId(), etm(t.config().cpu(), start)));
      }
    }
    for (TextPokeEvent e : pokes) {
      d.write(PerfRecord.TextPoke.of(e.phase(), e.address(), le(e.oldWord()), le(e.newWord()), dummy(e.cpu(), e.time())));
    }
    d.write(new PerfRecord.FinishedRound());

    List<byte[]> framed = new ArrayList<>();
    for (CoreTrace t : traces) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(t.stream().length * 17 / 15 + 64);
      FrameFormatter f = new FrameFormatter(out);
      f.write(t.config().traceId(), t.stream());
      // perf 6.1 drops output still pending in a buffer's last frame: end with a padding frame
      f.pad(1);
      framed.add(out.toByteArray());
    }
    for (int i = 0; i < traces.size(); i++) {
      d.write(new PerfRecord.Aux(0, 0, framed.get(i).length, 0, etm(traces.get(i).config().cpu(), end)));
    }
    d.write(new PerfRecord.FinishedRound());
    long reference = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < traces.size(); i++) {
      int cpu = traces.get(i).config().cpu();
      d.writeAuxtrace(0, reference + cpu, cpu, 0, cpu, ByteBuffer.wrap(framed.get(i)));
    }
    d.write(new PerfRecord.FinishedRound());
  }

  private static SampleId etm(int cpu, long time) {
    return SampleId.of(SAMPLE_TYPE, 0, 0, time, CS_ETM_ID_BASE + cpu, 0, cpu, CS_ETM_ID_BASE + cpu);
  }

  private static SampleId dummy(int cpu, long time) {
    return SampleId.of(SAMPLE_TYPE, 0, 0, time, DUMMY_ID_BASE + cpu, 0, cpu, DUMMY_ID_BASE + cpu);
  }

  private static byte[] le(int word) {
    return new byte[] {(byte) word, (byte) (word >>> 8), (byte) (word >>> 16), (byte) (word >>> 24)};
  }
}
