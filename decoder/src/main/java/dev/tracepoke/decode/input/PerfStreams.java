package dev.tracepoke.decode.input;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.perf.AuxtraceQueue;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataException;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfFeatures;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The CoreSight trace of a perf.data file as byte streams: the one place that decides which trace
 * unit each CPU has, which trace ID it wrote, and which bytes of the AUX area are its trace.
 *
 * <ul>
 *   <li>Trace units: the CS_ETM blocks of AUXTRACE_INFO (ETMv4 or ETE); ETMv3/PTM blocks are named
 *       as not decoded.
 *   <li>Trace IDs: from AUX_OUTPUT_HW_ID records (bits 7:0, the CPU from the record's sample id)
 *       wherever the recording has them, as newer perf does whatever the header version; else
 *       TRCTRACEIDR[6:0]. A block flagged unused (TRCTRACEIDR bit 31, CS_ETM v2) without a HW_ID
 *       record has no trace ID and is named.
 *   <li>AUX data: per AUXTRACE queue. A queue whose first non-empty AUX record is flagged {@code
 *       PERF_AUX_FLAG_CORESIGHT_FORMAT_RAW} (0x100, a TRBE) holds one unformatted stream, the
 *       trace of the queue's CPU: each AUX record's range of it is one fragment, and the reader
 *       restarts at every fragment (what perf does). Other queues hold CoreSight frames, split by
 *       trace ID (perf decodes them whole, resetting on 4×FSYNC barriers; so do we).
 *   <li>AUX records that announce data the file does not hold (lost AUX data, truncated records)
 *       are named in the warnings.
 * </ul>
 */
public final class PerfStreams {

  /**
   * One stream of trace bytes of one trace unit in one AUXTRACE queue.
   *
   * @param label names it, e.g. {@code queue 7 cpu 7 trace-id 0x1e (etm of cpu 7)}
   * @param queue the AUXTRACE idx
   * @param cpu the CPU whose trace unit wrote it
   * @param config that unit's configuration, with the trace ID it wrote
   * @param raw an unformatted (TRBE) stream rather than CoreSight frames
   * @param bytes the stream (may be empty: a formatted queue need not hold every trace ID)
   */
  public record Stream(String label, int queue, int cpu, Etm4Config config, boolean raw,
      CoreTrace.ByteSource bytes) {}

  /**
   * What a perf.data file holds for decoding.
   *
   * @param info the CS_ETM AUXTRACE_INFO
   * @param units per CPU with a decodable trace unit, its configuration (trace ID resolved)
   * @param streams per queue and trace unit, in queue order
   * @param skipped trace units or data not decoded, each with the reason
   * @param warnings what is wrong with the recording but did not stop it being read
   */
  public record Plan(Path file, CsEtmInfo info, SortedMap<Integer, Etm4Config> units, List<Stream> streams,
      List<String> skipped, List<String> warnings) {

    /** Per CPU, its streams over all queues as one trace (the reader restarts between them). */
    public List<CoreTrace> cores() {
      List<CoreTrace> out = new ArrayList<>();
      for (Map.Entry<Integer, Etm4Config> u : units.entrySet()) {
        List<Stream> mine = new ArrayList<>();
        for (Stream s : streams) {
          if (s.cpu() == u.getKey()) {
            mine.add(s);
          }
        }
        if (mine.isEmpty()) {
          continue;
        }
        out.add(new CoreTrace(u.getKey(), u.getValue(), sink -> {
          Restarts between = new Restarts(sink);
          for (int i = 0; i < mine.size(); i++) {
            between.restart();
            mine.get(i).bytes().pushTo(between);
          }
        }));
      }
      return out;
    }
  }

  /**
   * Passes a restart on only between bytes: a restart before any byte or after the last one would
   * only make a reader drop what it holds (and not report a packet cut by the end of the data).
   */
  static final class Restarts implements CoreTrace.ByteSink {
    private final CoreTrace.ByteSink next;
    private boolean any;
    private boolean pending;

    Restarts(CoreTrace.ByteSink next) {
      this.next = next;
    }

    @Override
    public void accept(byte[] buf, int off, int len) {
      if (len == 0) {
        return;
      }
      if (pending && any) {
        next.restart();
      }
      pending = false;
      any = true;
      next.accept(buf, off, len);
    }

    @Override
    public void restart() {
      pending = true;
    }

    @Override
    public void broken(String what) {
      pending = false; // lost data: the reader starts over there anyway, and must say so
      next.broken(what);
    }
  }

  /** One AUX record: where its data lies in the AUX area of a CPU (or thread). */
  private record AuxRange(long start, long size, long flags, int cpu, int tid, long offset) {}

  private PerfStreams() {}

  /**
   * Reads the records of {@code file} once and plans its trace streams.
   *
   * @throws IOException when the file cannot be read or holds no CS_ETM AUXTRACE_INFO
   */
  public static Plan read(Path file) throws IOException {
    List<String> warnings = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    CsEtmInfo info = null;
    Map<Integer, Integer> hwIds = new TreeMap<>();
    List<AuxRange> aux = new ArrayList<>();
    SortedMap<Integer, List<PerfRecord.Auxtrace>> queues = new TreeMap<>();
    Set<Long> auxtraceAt = new HashSet<>();
    boolean cutShort;
    try (PerfDataReader reader = PerfDataReader.open(file)) {
      cutShort = reader.cutShort();
      warnings.addAll(reader.warnings());
      RecordCursor c = reader.fileOrder();
      while (true) {
        FileRecord r;
        try {
          r = c.next();
        } catch (PerfDataException damage) {
          warnings.add(damage.getMessage() + "; decoding the records before it");
          break;
        }
        if (r == null) {
          break;
        }
        PerfRecord p = r.record();
        if (p instanceof PerfRecord.AuxtraceInfo ai && ai.priv() instanceof CsEtmInfo cs) {
          info = cs;
        } else if (p instanceof PerfRecord.AuxOutputHwId hw) {
          hwId(r, hw, hwIds, warnings);
        } else if (p instanceof PerfRecord.Aux a) {
          long start = (a.flags() & PerfRecord.Aux.FLAG_OVERWRITE) != 0 ? a.auxOffset() - a.auxSize() : a.auxOffset();
          aux.add(new AuxRange(start, a.auxSize(), a.flags(), r.cpu(), a.sampleId().tid(), r.offset()));
        } else if (p instanceof PerfRecord.Auxtrace a) {
          queues.computeIfAbsent(a.idx(), k -> new ArrayList<>()).add(a);
          auxtraceAt.add(r.offset());
        }
      }
      // the index only speeds up random access (we read the records in order), but a wrong one
      // means a damaged file or a layout we misread: say so
      for (PerfFeatures.AuxtraceIndexEntry e : reader.features().auxtraceIndex()) {
        if (!auxtraceAt.contains(e.fileOffset())) {
          warnings.add("the AUXTRACE index names byte " + e.fileOffset() + ", which holds no AUXTRACE record");
        }
      }
    }
    if (info == null) {
      throw new PerfDataException(file, 0,
          "a PERF_RECORD_AUXTRACE_INFO of type CS_ETM (this recording has no CoreSight trace)");
    }
    SortedMap<Integer, Etm4Config> units = units(info, hwIds, skipped, warnings);
    lostData(aux, queues, cutShort, warnings);
    List<Stream> streams = new ArrayList<>();
    for (List<PerfRecord.Auxtrace> buffers : queues.values()) {
      AuxtraceQueue q = new AuxtraceQueue(buffers.get(0).idx(), buffers.get(0).cpu(), buffers);
      List<AuxRange> fragments = fragments(q, aux, cutShort);
      boolean raw = false;
      for (AuxRange f : fragments) {
        if (f.size() > 0) {
          raw = (f.flags() & PerfRecord.Aux.FLAG_CORESIGHT_RAW) != 0;
          break;
        }
      }
      if (raw) {
        rawStream(file, q, fragments, units, streams, skipped);
      } else {
        long[] bytesPerId = idsIn(file, q);
        for (Map.Entry<Integer, Etm4Config> u : units.entrySet()) {
          int id = u.getValue().traceId();
          if (bytesPerId[id] > 0) {
            streams.add(formattedStream(file, q, u.getKey(), u.getValue()));
            bytesPerId[id] = 0;
          }
        }
        for (int id = 1; id < bytesPerId.length; id++) {
          if (bytesPerId[id] > 0) {
            skipped.add("AUXTRACE queue " + q.idx() + ": " + bytesPerId[id] + " bytes of trace ID 0x"
                + Integer.toHexString(id) + ", which no trace unit in AUXTRACE_INFO has");
          }
        }
      }
    }
    if (queues.isEmpty()) {
      long announced = 0;
      for (AuxRange a : aux) {
        announced += a.size();
      }
      skipped.add(announced > 0
          ? "no trace at all: the AUX data was lost (" + aux.size() + " AUX records announce " + announced
              + " bytes; the file has no AUXTRACE record)"
          : "no trace at all: the file has no AUXTRACE record");
    }
    return new Plan(file, info, units, streams, skipped, warnings);
  }

  private static void hwId(FileRecord r, PerfRecord.AuxOutputHwId hw, Map<Integer, Integer> hwIds,
      List<String> warnings) {
    int major = (int) (hw.hwId() >>> 60);
    String where = "AUX_OUTPUT_HW_ID at byte " + r.offset();
    if (major != 0) {
      warnings.add(where + ": version " + major + " is not understood (0 is); ignored");
    } else if (r.cpu() < 0) {
      warnings.add(where + ": no CPU in its sample id; ignored");
    } else {
      Integer before = hwIds.putIfAbsent(r.cpu(), hw.traceId());
      if (before != null && before != hw.traceId()) {
        warnings.add(where + ": cpu " + r.cpu() + " trace ID 0x" + Integer.toHexString(hw.traceId())
            + " after 0x" + Integer.toHexString(before) + "; keeping the first");
      }
    }
  }

  /** Each CPU's trace unit with the trace ID it wrote. */
  private static SortedMap<Integer, Etm4Config> units(CsEtmInfo info, Map<Integer, Integer> hwIds,
      List<String> skipped, List<String> warnings) {
    SortedMap<Integer, Etm4Config> units = new TreeMap<>();
    Map<Integer, Integer> owner = new TreeMap<>();
    for (EtmV4Params p : info.cpus()) {
      Etm4Config config = Etm4Config.of(p);
      Integer hw = hwIds.get(p.cpu());
      int id;
      if (hw != null) {
        id = hw;
      } else if (!hwIds.isEmpty() && (p.trctraceidr() & (1L << 31)) != 0) {
        skipped.add("cpu " + p.cpu() + ": no AUX_OUTPUT_HW_ID record gives its trace ID (TRCTRACEIDR 0x"
            + Long.toHexString(p.trctraceidr()) + " is flagged unused)");
        continue;
      } else {
        id = p.traceId();
      }
      if (id <= 0 || id >= 0x70) {
        skipped.add("cpu " + p.cpu() + ": trace ID 0x" + Integer.toHexString(id) + " is not a valid CoreSight ID");
        continue;
      }
      Integer other = owner.putIfAbsent(id, p.cpu());
      if (other != null) {
        warnings.add("cpu " + p.cpu() + " and cpu " + other + " both have trace ID 0x" + Integer.toHexString(id)
            + "; its data is taken as cpu " + other + "'s");
        continue;
      }
      units.put(p.cpu(), config.withTraceId(id));
    }
    return units;
  }

  /** The AUX records whose data this queue holds, in file order. */
  private static List<AuxRange> fragments(AuxtraceQueue q, List<AuxRange> aux, boolean cutShort) {
    List<AuxRange> out = new ArrayList<>();
    for (AuxRange a : aux) {
      if (holder(q, a) != null) {
        out.add(a);
      } else if (cutShort) {
        // the data a recording cut short holds of its last AUX record (PerfDataReader keeps the
        // start of the AUXTRACE buffer the end of the file cut)
        long held = heldBytes(q, a);
        if (held > 0) {
          out.add(new AuxRange(a.start(), held, a.flags(), a.cpu(), a.tid(), a.offset()));
        }
      }
    }
    return out;
  }

  /** The buffer of {@code q} that holds {@code a}'s data, or null. */
  private static PerfRecord.Auxtrace holder(AuxtraceQueue q, AuxRange a) {
    for (PerfRecord.Auxtrace b : q.buffers()) {
      boolean mine = b.cpu() >= 0 ? b.cpu() == a.cpu() : b.tid() == a.tid();
      if (mine && Long.compareUnsigned(b.offset(), a.start()) <= 0
          && Long.compareUnsigned(a.start() + a.size(), b.offset() + b.size()) <= 0) {
        return b;
      }
    }
    return null;
  }

  /**
   * The bytes of {@code a}'s data that one AUXTRACE buffer of {@code q} holds: all of them, or the
   * start of them where the buffer is the one a recording cut short ended inside.
   */
  private static long heldBytes(AuxtraceQueue q, AuxRange a) {
    long most = 0;
    for (PerfRecord.Auxtrace b : q.buffers()) {
      boolean mine = b.cpu() >= 0 ? b.cpu() == a.cpu() : b.tid() == a.tid();
      if (mine && Long.compareUnsigned(b.offset(), a.start()) <= 0) {
        long end = Math.min(a.start() + a.size(), b.offset() + b.size());
        most = Math.max(most, end - a.start());
      }
    }
    return most;
  }

  /** Names AUX records whose data is missing or was cut. */
  private static void lostData(List<AuxRange> aux, SortedMap<Integer, List<PerfRecord.Auxtrace>> queues,
      boolean cutShort, List<String> warnings) {
    int truncated = 0;
    int missing = 0;
    long missingBytes = 0;
    List<AuxtraceQueue> all = new ArrayList<>();
    queues.forEach((idx, l) -> all.add(new AuxtraceQueue(idx, l.get(0).cpu(), l)));
    for (AuxRange a : aux) {
      if ((a.flags() & PerfRecord.Aux.FLAG_TRUNCATED) != 0) {
        truncated++;
      }
      if (a.size() == 0 || queues.isEmpty()) {
        continue;
      }
      long held = 0;
      for (AuxtraceQueue q : all) {
        // what is decoded (fragments): a buffer holds all of an AUX record's data, or, in a
        // recording cut short, the start of it
        held = Math.max(held, holder(q, a) != null ? a.size() : cutShort ? heldBytes(q, a) : 0);
      }
      if (held < a.size()) {
        missing++;
        missingBytes += a.size() - held;
      }
    }
    if (truncated > 0) {
      warnings.add(truncated + " of " + aux.size() + " AUX records are flagged truncated: trace was lost there");
    }
    if (missing > 0) {
      warnings.add(missing + " AUX records announce " + missingBytes + " bytes that no AUXTRACE record holds");
    }
  }

  /** Bytes per trace ID in a formatted queue (one pass of the deformatter, nothing kept). */
  private static long[] idsIn(Path file, AuxtraceQueue q) throws IOException {
    long[] n = new long[128];
    try (PerfDataReader r = PerfDataReader.open(file); InputStream in = r.queueStream(q)) {
      FrameDeformatter.deformat(in, EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC),
          (id, buf, off, len, frameOffset, index) -> n[id] += len, file + " (AUXTRACE queue " + q.idx() + ")");
    }
    return n;
  }

  private static Stream formattedStream(Path file, AuxtraceQueue q, int cpu, Etm4Config config) {
    int id = config.traceId();
    String label = "queue " + q.idx() + " cpu " + q.cpu() + " trace-id 0x" + Integer.toHexString(id)
        + " (" + (config.isEte() ? "ete" : "etm") + " of cpu " + cpu + ")";
    return new Stream(label, q.idx(), cpu, config, false, sink -> {
      try (PerfDataReader r = PerfDataReader.open(file); InputStream in = r.queueStream(q)) {
        FrameDeformatter.deformat(in, EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC),
            new FrameDeformatter.Sink() {
              @Override
              public void data(int traceId, byte[] buf, int off, int len, long frameOffset, long index) {
                if (traceId == id) {
                  sink.accept(buf, off, len);
                }
              }

              @Override
              public void reset(long offset) {
                sink.restart();
              }

              @Override
              public void reservedId(int traceId, long index, String message) {
                sink.broken(message);
              }
            }, file + " (AUXTRACE queue " + q.idx() + ")");
      }
    });
  }

  private static void rawStream(Path file, AuxtraceQueue q, List<AuxRange> fragments,
      SortedMap<Integer, Etm4Config> units, List<Stream> streams, List<String> skipped) {
    int cpu = q.cpu();
    if (cpu < 0 && !fragments.isEmpty()) {
      cpu = fragments.get(0).cpu();
    }
    Etm4Config config = units.get(cpu);
    if (config == null) {
      skipped.add("AUXTRACE queue " + q.idx() + ": raw trace of cpu " + cpu
          + ", which has no decodable trace unit in AUXTRACE_INFO");
      return;
    }
    List<AuxRange> parts = new ArrayList<>();
    for (AuxRange f : fragments) {
      if (f.size() > 0) {
        parts.add(f);
      }
    }
    String label = "queue " + q.idx() + " cpu " + q.cpu() + " trace-id 0x" + Integer.toHexString(config.traceId())
        + " (" + (config.isEte() ? "ete" : "etm") + " of cpu " + cpu + ", raw)";
    streams.add(new Stream(label, q.idx(), cpu, config, true, sink -> {
      byte[] chunk = new byte[1 << 16];
      try (PerfDataReader r = PerfDataReader.open(file)) {
        for (int i = 0; i < parts.size(); i++) {
          AuxRange f = parts.get(i);
          if (i > 0) {
            sink.restart(); // each AUX record's data starts a new session, as perf decodes it
          }
          PerfRecord.Auxtrace b = holder(q, f);
          try (InputStream in = r.payloadStream(b)) {
            in.skipNBytes(f.start() - b.offset());
            long left = f.size();
            while (left > 0) {
              int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
              if (n <= 0) {
                throw new PerfDataException(file, b.dataPosition() + (f.start() - b.offset()) + (f.size() - left),
                    "the rest of the AUX data of the AUX record at byte " + f.offset());
              }
              sink.accept(chunk, 0, n);
              left -= n;
            }
          }
        }
      }
    }));
  }
}
