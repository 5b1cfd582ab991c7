package dev.tracepoke.decode.pipeline;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PokeKind;
import dev.tracepoke.decode.image.TextPoke;
import dev.tracepoke.elf.ElfImage;
import dev.tracepoke.elf.Segment;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.AuxtraceQueue;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataException;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.perf.SampleId;
import dev.tracepoke.recording.Recording;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/** Reads a perf recording (directory, or perf.data plus an image) into a {@link TraceInput}. */
public final class RecordingInput {
  private RecordingInput() {}

  /**
   * Opens {@code path} (a perf directory or a perf.data file) with an optional separate image.
   *
   * @throws IOException naming the file and what is missing (no cs_etm AUXTRACE_INFO, no image)
   */
  public static TraceInput open(Path path, Path imageOverride) throws IOException {
    try (Recording rec = imageOverride == null ? Recording.open(path) : Recording.open(path, imageOverride)) {
      PerfDataReader data = rec.data();
      CsEtmInfo etm = null;
      TimeConversion time = TimeConversion.IDENTITY;
      List<TextPoke> pokes = new ArrayList<>();
      List<String> warnings = new ArrayList<>(data.warnings());
      java.util.SortedMap<Integer, List<PerfRecord.Auxtrace>> queues = new java.util.TreeMap<>();
      long otherAux = -1;
      int otherAuxType = 0;
      RecordCursor cur = data.fileOrder();
      while (true) {
        FileRecord r;
        try {
          r = cur.next();
        } catch (PerfDataException damage) {
          // keep everything before the damage: decode what the recording still holds
          warnings.add(damage.getMessage() + "; decoding the records before it");
          break;
        }
        if (r == null) {
          break;
        }
        PerfRecord p = r.record();
        if (p instanceof PerfRecord.Auxtrace a) {
          queues.computeIfAbsent(a.idx(), k -> new ArrayList<>()).add(a);
        } else if (p instanceof PerfRecord.AuxtraceInfo info && info.priv() instanceof CsEtmInfo cs) {
          etm = cs;
        } else if (p instanceof PerfRecord.AuxtraceInfo info && otherAux < 0) {
          otherAux = r.offset();
          otherAuxType = info.auxType();
        } else if (p instanceof PerfRecord.TimeConv tc) {
          if (tc.timeShift() < 0 || tc.timeShift() > 63) {
            // an impossible shift: keep perf's times as they are rather than guess (+8: time_shift)
            warnings.add(data.file() + ": at byte " + (r.offset() + 8) + ": PERF_RECORD_TIME_CONV time_shift "
                + tc.timeShift() + ", expected 0..63; times are shown as perf recorded them");
            continue;
          }
          time = new TimeConversion((int) tc.timeShift(), tc.timeMult(), tc.timeZero());
        } else if (p instanceof PerfRecord.TextPoke tp) {
          if (tp.oldBytes().length == tp.newBytes().length && tp.newBytes().length > 0) {
            pokes.add(new TextPoke(r.time(), tp.addr(), tp.oldBytes(), tp.newBytes(),
                PokeKind.fromMisc(tp.misc()),
                (tp.sampleId().fields() & SampleId.CPU) != 0 ? tp.sampleId().cpu() : -1));
          }
        }
      }
      if (etm == null && otherAux >= 0) {
        throw new PerfDataException(data.file(), otherAux + 8, "expected a PERF_RECORD_AUXTRACE_INFO of type"
            + " CS_ETM (3), found type " + otherAuxType + ": this recording has no CoreSight trace");
      }
      if (etm == null) {
        throw new PerfDataException(data.file(), data.dataStart(), "expected a PERF_RECORD_AUXTRACE_INFO of type"
            + " CS_ETM in the data section from here to byte " + data.dataEnd()
            + ", found none: this recording has no CoreSight trace");
      }
      MemoryImage image = readImage(rec);
      LongFunction<String> symbols = symbolizer(rec.kallsyms().orElse(null));
      List<CoreTrace> cores = new ArrayList<>();
      Path file = data.file();
      for (List<PerfRecord.Auxtrace> buffers : queues.values()) {
        AuxtraceQueue q = new AuxtraceQueue(buffers.get(0).idx(), buffers.get(0).cpu(), buffers);
        EtmV4Params params = paramsFor(etm, q.cpu());
        if (params == null) {
          continue;
        }
        if (params.isEte()) {
          throw new IOException(file + ": cpu " + q.cpu() + " has an ETE trace unit; tracepoke decodes ETMv4 only");
        }
        Etm4Config cfg = new Etm4Config((int) params.trcconfigr(), (int) params.trctraceidr(),
            (int) params.trcidr0(), (int) params.trcidr1(), (int) params.trcidr2(),
            (int) params.trcidr8(), 0, 0, 0, 0, 0);
        int traceId = params.traceId();
        cores.add(new CoreTrace(q.cpu(), cfg, sink -> {
          // perf's AUX buffers from an ETR/ETF are memory-aligned formatter frames
          try (PerfDataReader r2 = PerfDataReader.open(file);
              InputStream in = r2.queueStream(q)) {
            FrameDeformatter.deformat(in, EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC),
                CoreTrace.oneSource(traceId, sink), file + " (AUXTRACE queue " + q.idx() + ")");
          }
        }));
      }
      cores.sort((a, b) -> Integer.compare(a.cpu(), b.cpu()));
      return new TraceInput(path.toString(), image, pokes, time, symbols, cores, rec.truthDir(), true,
          warnings);
    }
  }

  private static EtmV4Params paramsFor(CsEtmInfo etm, int cpu) {
    for (EtmV4Params p : etm.cpus()) {
      if (p.cpu() == cpu) {
        return p;
      }
    }
    return null;
  }

  private static MemoryImage readImage(Recording rec) throws IOException {
    Optional<ElfImage> elf = rec.image();
    if (elf.isEmpty()) {
      throw new IOException(rec.path() + ": no code image (expected kcore_dir/kcore, or give --image ELF)");
    }
    try (ElfImage e = elf.get()) {
      List<MemoryImage.Segment> segs = new ArrayList<>();
      for (Segment s : e.loadSegments()) {
        if (s.fileSize() > 0) {
          segs.add(new MemoryImage.Segment(s.vaddr(), e.bytes(s)));
        }
      }
      return MemoryImage.of(segs);
    }
  }

  static LongFunction<String> symbolizer(Kallsyms k) {
    if (k == null) {
      return pc -> null;
    }
    return pc -> k.lookup(pc).map(h -> h.offset() == 0 ? h.name() : h.name() + "+0x" + Long.toHexString(h.offset()))
        .orElse(null);
  }
}
