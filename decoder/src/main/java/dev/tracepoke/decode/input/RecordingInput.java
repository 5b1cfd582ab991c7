package dev.tracepoke.decode.input;

import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PatchSites;
import dev.tracepoke.decode.image.PokeKind;
import dev.tracepoke.decode.image.TextPoke;
import dev.tracepoke.elf.ElfImage;
import dev.tracepoke.elf.Segment;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataException;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfFeatures;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.perf.SampleId;
import dev.tracepoke.recording.Recording;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
    return open(path, imageOverride, ImageOptions.none());
  }

  /**
   * Opens {@code path} with an optional kernel image that replaces the recording's kcore, placing
   * user and kernel code as {@link CodePlacement} does from the recording's MMAP/MMAP2 records and
   * {@code options}.
   */
  public static TraceInput open(Path path, Path imageOverride, ImageOptions options) throws IOException {
    try (Recording rec = imageOverride == null ? Recording.open(path) : Recording.open(path, imageOverride)) {
      PerfDataReader data = rec.data();
      List<CodePlacement.MapRecord> maps = new ArrayList<>();
      List<CodePlacement.Fork> forks = new ArrayList<>();
      java.util.Map<Integer, Integer> pidOfTid = new java.util.HashMap<>();
      java.util.Set<Integer> traced = new java.util.TreeSet<>();
      CsEtmInfo etm = null;
      TimeConversion time = TimeConversion.IDENTITY;
      boolean timed = false; // trace timestamps and record times are comparable only through TIME_CONV
      List<TextPoke> pokes = new ArrayList<>();
      List<String> warnings = new ArrayList<>(data.warnings());
      List<String> timeWarnings = new ArrayList<>();
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
        if (p instanceof PerfRecord.Mmap m) {
          maps.add(new CodePlacement.MapRecord(r.offset(), r.time(), p));
          thread(pidOfTid, m.pid(), m.tid());
        } else if (p instanceof PerfRecord.Mmap2 m) {
          maps.add(new CodePlacement.MapRecord(r.offset(), r.time(), p));
          thread(pidOfTid, m.pid(), m.tid());
        } else if (p instanceof PerfRecord.Comm c) {
          thread(pidOfTid, c.pid(), c.tid());
        } else if (p instanceof PerfRecord.Raw raw && raw.type() == FORK && raw.body().length >= 16) {
          java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw.body()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
          int pid = b.getInt(0);
          int ppid = b.getInt(4);
          int tid = b.getInt(8);
          thread(pidOfTid, pid, tid);
          if (pid != ppid) {
            // a new process: a copy of its parent's maps (the body's own time field: u64 at 16)
            forks.add(new CodePlacement.Fork(raw.body().length >= 24 ? b.getLong(16) : r.time(), pid, ppid));
          }
        } else if (p instanceof PerfRecord.ItraceStart it) {
          thread(pidOfTid, it.pid(), it.tid());
          traced.add(it.pid());
        } else if (p instanceof PerfRecord.AuxtraceInfo info && info.priv() instanceof CsEtmInfo cs) {
          etm = cs;
        } else if (p instanceof PerfRecord.AuxtraceInfo info && otherAux < 0) {
          otherAux = r.offset();
          otherAuxType = info.auxType();
        } else if (p instanceof PerfRecord.TimeConv tc) {
          if (tc.timeShift() < 0 || tc.timeShift() > 63) {
            // an impossible shift: keep perf's times as they are rather than guess (+8: time_shift)
            timeWarnings.add(data.file() + ": at byte " + (r.offset() + 8) + ": PERF_RECORD_TIME_CONV time_shift "
                + tc.timeShift() + ", expected 0..63; times are shown as perf recorded them");
            continue;
          }
          time = new TimeConversion((int) tc.timeShift(), tc.timeMult(), tc.timeZero());
          timed = true;
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
      PerfStreams.Plan plan = PerfStreams.read(data.file());
      warnings.clear(); // the plan read the same records: its warnings include the reader's
      String in = " (" + data.file() + ")"; // each warning names its file
      for (String w : plan.warnings()) {
        warnings.add(w.contains(data.file().toString()) ? w : w + in);
      }
      warnings.addAll(timeWarnings);
      for (String s : plan.skipped()) {
        warnings.add("not decoded: " + s + (s.contains(data.file().toString()) ? "" : in));
      }
      if (!timed) {
        // without TIME_CONV the trace's counter and perf's clock cannot be compared: each process's
        // final maps apply throughout, as perf decodes
        maps.replaceAll(m -> new CodePlacement.MapRecord(m.fileOffset(), -1, m.record()));
        forks.replaceAll(f -> new CodePlacement.Fork(-1, f.pid(), f.parent()));
      }
      CodePlacement.Placement placed = readImage(rec, data, maps, forks, pidOfTid, traced, options, warnings);
      LongFunction<String> symbols = symbolizer(rec.kallsyms().orElse(null));
      PatchSites sites = KernelTables.find(rec, options, pokes.isEmpty(), warnings);
      List<CoreTrace> cores = new ArrayList<>(plan.cores());
      cores.sort((a, b) -> Integer.compare(a.cpu(), b.cpu()));
      return new TraceInput(path.toString(), placed.image(), pokes, time, symbols, cores, rec.truthDir(), true,
          warnings, sites, placed.spaces(), true);
    }
  }

  private static final int FORK = 7;

  /** Records that name a thread and its process; a pid of -1 (kernel maps) names none. */
  private static void thread(java.util.Map<Integer, Integer> pidOfTid, int pid, int tid) {
    if (pid >= 0 && tid >= 0) {
      pidOfTid.put(tid, pid);
    }
  }

  private static CodePlacement.Placement readImage(Recording rec, PerfDataReader data,
      List<CodePlacement.MapRecord> maps, List<CodePlacement.Fork> forks, java.util.Map<Integer, Integer> pidOfTid,
      java.util.Set<Integer> traced, ImageOptions options, List<String> warnings) throws IOException {
    Optional<ElfImage> elf = rec.image();
    MemoryImage base = MemoryImage.empty();
    if (elf.isPresent()) {
      try (ElfImage e = elf.get()) {
        List<MemoryImage.Segment> segs = new ArrayList<>();
        for (Segment s : e.loadSegments()) {
          if (s.fileSize() > 0) {
            segs.add(new MemoryImage.Segment(s.vaddr(), e.bytes(s)));
          }
        }
        base = MemoryImage.of(segs);
      }
    }
    boolean more = !options.images().isEmpty() || options.vmlinux().isPresent() || elf.isEmpty() || !maps.isEmpty();
    if (!more) {
      // a perf directory with its kcore and no maps: the image it recorded
      return new CodePlacement.Placement(base, dev.tracepoke.decode.image.AddressSpaces.NONE);
    }
    PerfFeatures.Section ids = data.features().sections().get(PerfFeatures.BUILD_ID);
    java.util.Map<String, byte[]> buildIds = ids == null ? java.util.Map.of()
        : CodePlacement.buildIds(data.file(), ids.offset(), ids.size());
    CodePlacement.Placement placed = CodePlacement.placement(base, maps, forks, pidOfTid, traced, buildIds,
        options, warnings);
    if (placed.image().segmentCount() == 0) {
      // the trace is still read: every range becomes a gap naming its address (exit 0, not 1)
      warnings.add(rec.path() + ": no code could be placed (expected kcore_dir/kcore, MMAP records of files"
          + " found through --symfs DIR or the build-id cache, --vmlinux ELF or --image ELF[@ADDR]):"
          + " the trace decodes to gaps naming the addresses it reaches");
    }
    return placed;
  }

  static LongFunction<String> symbolizer(Kallsyms k) {
    return dev.tracepoke.decode.image.SymbolNames.of(k);
  }

}
