package dev.tracepoke.decode.input;

import dev.tracepoke.decode.etm4.PacketPrinter;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
  /**
   * What was listed, what was skipped (with the reason) and what was wrong with the input but did
   * not stop it being listed.
   */
  public record Summary(List<Stream> streams, List<String> skipped, List<String> warnings) {
    public Summary(List<Stream> streams, List<String> skipped) {
      this(streams, skipped, List.of());
    }
  }

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
    List<String> warnings = new ArrayList<>();
    for (SnapshotStreams.BufferPlan plan : SnapshotStreams.plan(snapshot)) {
      SnapshotStreams.unclaimed(snapshot, plan).ifPresent(warnings::add);
      SnapshotStreams.cutFrame(snapshot, plan).ifPresent(warnings::add);
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
    return new Summary(streams, skipped, warnings);
  }

  /**
   * Lists the CoreSight trace of a perf.data file as {@link PerfStreams} plans it (the same streams
   * {@code decode} reads): per AUX queue and trace unit, with the configuration AUXTRACE_INFO gives
   * it and the trace ID AUX_OUTPUT_HW_ID records give where the recording has them. Formatted AUX
   * data is deformatted (4×FSYNC barriers restart the reader, as perf does); raw (TRBE) AUX data is
   * one stream per CPU, restarted at each AUX record's fragment. Streams without data are left out.
   */
  public static Summary listPerf(Path perfData, Appendable out) throws IOException {
    List<Stream> streams = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    PerfStreams.Plan plan = PerfStreams.read(perfData);
    for (String s : plan.skipped()) {
      skipped.add(s);
      line(out, "# skipped " + s);
    }
    for (PerfStreams.Stream st : plan.streams()) {
      PacketReader r = new PacketReader(st.config(), new PacketPrinter(out));
      boolean[] any = new boolean[1];
      st.bytes().pushTo(new PerfStreams.Restarts(new CoreTrace.ByteSink() {
        @Override
        public void accept(byte[] buf, int off, int len) {
          if (!any[0]) {
            any[0] = true;
            try {
              line(out, "# " + st.label());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          r.push(buf, off, len);
        }

        @Override
        public void broken(String what) {
          r.reset(); // data was lost there: what follows does not continue the packet before
        }

        @Override
        public void restart() {
          r.reset();
        }
      }));
      if (any[0]) {
        r.finish();
        streams.add(new Stream(st.label(), st.config().traceId(), r.offset(), r.packets()));
      }
    }
    return new Summary(streams, skipped, plan.warnings());
  }

  private static void line(Appendable out, String s) throws IOException {
    out.append(s).append('\n');
  }
}
