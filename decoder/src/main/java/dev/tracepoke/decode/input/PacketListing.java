package dev.tracepoke.decode.input;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.etm4.PacketPrinter;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.perf.AuxtraceQueue;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The packet listing behind {@code tracepoke dump --packets REC}: every ETMv4 packet of a recording,
 * one stream after the other. REC is an OpenCSD snapshot directory (recognised by its {@code
 * snapshot.ini}), a perf recording directory (its {@code data} file) or a perf.data file.
 *
 * <p>Each stream starts with a comment line naming it, e.g. {@code # buffer etr_0 source etm_1
 * trace-id 0x12 core cpu_1 Cortex-A72 (v8)}, followed by {@link PacketPrinter} lines ({@code
 * <offset> <index> <TYPE> <payload>}, offsets in that trace-ID stream). Sources that cannot be
 * listed appear as {@code # skipped ...} lines with the reason.
 */
public final class PacketListing {

  /** What one listed stream held. */
  public record Stream(String label, int traceId, long bytes, long packets) {}

  /** What was listed and what was skipped. */
  public record Summary(List<Stream> streams, List<String> skipped) {}

  private PacketListing() {}

  /** Lists {@code rec} (snapshot directory, perf directory or perf.data file) to {@code out}. */
  public static Summary list(Path rec, Appendable out) throws IOException {
    if (Files.isDirectory(rec)) {
      if (SnapshotReader.isSnapshot(rec)) {
        return listSnapshot(SnapshotReader.read(rec), out);
      }
      Path data = rec.resolve(Recording.DATA);
      if (Files.isRegularFile(data)) {
        return listPerf(data, out);
      }
      throw new IOException(rec + ": neither an OpenCSD snapshot (snapshot.ini) nor a perf recording (data)");
    }
    return listPerf(rec, out);
  }

  /** Lists every buffer of a snapshot, one trace source after the other. */
  public static Summary listSnapshot(Snapshot snapshot, Appendable out) throws IOException {
    List<Stream> streams = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (SnapshotStreams.BufferPlan plan : SnapshotStreams.plan(snapshot)) {
      for (SnapshotStreams.Skipped s : plan.skipped()) {
        String line = "buffer " + plan.buffer().name() + " source " + s.source() + ": " + s.reason();
        skipped.add(line);
        line(out, "# skipped " + line);
      }
      for (SnapshotStreams.Source src : plan.sources()) {
        StringBuilder label =
            new StringBuilder("buffer ").append(plan.buffer().name()).append(" source ").append(src.source());
        label.append(" trace-id 0x").append(Integer.toHexString(src.traceId()));
        src.core()
            .ifPresent(
                c -> label.append(" core ").append(c.name()).append(' ').append(c.type())
                    .append(" (").append(c.coreType().arch().name().toLowerCase(java.util.Locale.ROOT)).append(')'));
        line(out, "# " + label);
        PacketReader[] reader = new PacketReader[1];
        SnapshotStreams.read(
            snapshot,
            new SnapshotStreams.BufferPlan(plan.buffer(), List.of(src), List.of()),
            s -> reader[0] = new PacketReader(s.config(), new PacketPrinter(out)),
            s -> null);
        streams.add(new Stream(label.toString(), src.traceId(), reader[0].offset(), reader[0].packets()));
      }
    }
    return new Summary(streams, skipped);
  }

  /**
   * Lists the CoreSight ETM data of a perf.data file: per AUX queue (CPU) and per trace ID, with
   * the configuration AUXTRACE_INFO gives for that trace ID (with a v2 CS_ETM header the trace ID
   * of each CPU comes from its AUX_OUTPUT_HW_ID record instead). The AUX data is taken as CoreSight
   * frames as an ETR writes them (perf decodes it with 4×FSYNC resets, so do we).
   */
  public static Summary listPerf(Path perfData, Appendable out) throws IOException {
    List<Stream> streams = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    try (PerfDataReader reader = PerfDataReader.open(perfData)) {
      CsEtmInfo info = null;
      // CS_ETM header v2: the trace IDs come from AUX_OUTPUT_HW_ID records, per CPU
      Map<Integer, Integer> hwIds = new TreeMap<>();
      RecordCursor c = reader.fileOrder();
      for (FileRecord r = c.next(); r != null; r = c.next()) {
        if (r.record() instanceof PerfRecord.AuxtraceInfo ai && ai.priv() instanceof CsEtmInfo cs) {
          info = cs;
        } else if (r.record() instanceof PerfRecord.AuxOutputHwId hw && hw.sampleId().cpu() >= 0) {
          hwIds.putIfAbsent(hw.sampleId().cpu(), hw.traceId());
        }
      }
      if (info == null) {
        throw new IOException(perfData + ": no CS_ETM AUXTRACE_INFO record; not a CoreSight recording");
      }
      List<Etm4Config> configs = new ArrayList<>();
      List<Integer> cpus = new ArrayList<>();
      for (EtmV4Params p : info.cpus()) {
        if (p.isEte()) {
          String line = "cpu " + p.cpu() + ": ETE trace is not ETMv4";
          skipped.add(line);
          line(out, "# skipped " + line);
          continue;
        }
        Etm4Config config = Etm4Config.of(p);
        Integer hwId = info.version() >= 2 ? hwIds.get(p.cpu()) : null;
        if (hwId != null) {
          config = new Etm4Config(config.configr(), hwId, config.idr0(), config.idr1(), config.idr2(),
              config.idr8(), 0, 0, 0, 0, 0);
        }
        configs.add(config);
        cpus.add(p.cpu());
      }
      for (AuxtraceQueue q : reader.auxtraceQueues()) {
        for (int k = 0; k < configs.size(); k++) {
          Etm4Config config = configs.get(k);
          String label =
              "queue " + q.idx() + " cpu " + q.cpu() + " trace-id 0x" + Integer.toHexString(config.traceId())
                  + " (etm of cpu " + cpus.get(k) + ")";
          PacketReader r = new PacketReader(config, new PacketPrinter(out));
          boolean[] any = new boolean[1];
          int id = config.traceId();
          FrameDeformatter.Sink sink =
              new FrameDeformatter.Sink() {
                @Override
                public void data(int traceId, byte[] buf, int off, int len, long frameOffset, long index) {
                  if (traceId == id) {
                    if (!any[0]) {
                      any[0] = true;
                      try {
                        line(out, "# " + label);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    }
                    r.push(buf, off, len);
                  }
                }

                @Override
                public void reset(long offset) {
                  r.reset();
                }
              };
          try (InputStream in = reader.queueStream(q)) {
            FrameDeformatter.deformat(
                in, EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC), sink, perfData + " AUX queue " + q.idx());
          }
          if (any[0]) {
            r.finish();
            streams.add(new Stream(label, id, r.offset(), r.packets()));
          }
        }
      }
    }
    return new Summary(streams, skipped);
  }

  private static void line(Appendable out, String s) throws IOException {
    out.append(s).append('\n');
  }
}
