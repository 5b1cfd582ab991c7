package dev.tracepoke.decode.pipeline;

import dev.tracepoke.coresight.FrameFormatter;
import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.snapshot.EtmRegisters;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotWriter;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link TraceInput} (typically a perf recording, {@link RecordingInput}) as an OpenCSD
 * snapshot directory that {@code trc_pkt_lister -ss_dir DIR -decode} decodes and {@link
 * SnapshotInput} reads back to the same cores and streams: {@code snapshot.ini}, {@code
 * trace.ini} naming one buffer of CoreSight frames that holds every core's stream under its trace
 * ID (a restart of a stream, such as a new AUX fragment, as a frame of four FSYNCs), one core
 * ({@code cpu_N.ini}) and one ETMv4 device ({@code etm_N.ini}, or {@code ete_N.ini} of type ETE)
 * per core, and the base
 * image as memory dumps listed by every core (OpenCSD 1.3.3 keeps one memory map).
 *
 * <p>The snapshot is static: text-poke records are not carried over (OpenCSD has no notion of an
 * image that changes); the returned {@link Result} says how many were left out. Core types are
 * {@code ARM-AA64} when the input treats PAuth branches as waypoints, else {@code ARMv8-A}, so
 * that OpenCSD walks the code with the same waypoints as we do.
 */
public final class SnapshotExport {
  private SnapshotExport() {}

  /** Name of the one trace buffer. */
  public static final String BUFFER = "etr_0";

  /**
   * What was written.
   *
   * @param snapshot the snapshot as {@link dev.tracepoke.snapshot.SnapshotReader} reads it
   * @param streamBytes per core (input order), the bytes of its trace stream
   * @param bufferBytes size of the formatted buffer
   * @param pokesLeftOut text-poke records of the input that a static snapshot cannot hold
   */
  public record Result(Snapshot snapshot, long[] streamBytes, long bufferBytes, int pokesLeftOut) {}

  /**
   * @param description the snapshot's {@code description=} (no {@code ;} or {@code #})
   * @throws IOException if the input cannot be read or the directory written
   */
  public static Result write(TraceInput in, Path dir, String description) throws IOException {
    if (in.cores().isEmpty()) {
      throw new IOException(in.source() + ": no core has ETMv4 trace; nothing to export");
    }
    for (CoreTrace c : in.cores()) {
      if (c.traceId() < 0x01 || c.traceId() > 0x6F) {
        // a source_data snapshot may label its one stream 0: CoreSight frames cannot carry that ID
        throw new IOException(in.source() + ": cpu " + c.cpu() + " has trace ID 0x" + Integer.toHexString(c.traceId())
            + " (TRCTRACEIDR); expected 0x01..0x6F to write it in CoreSight frames");
      }
    }
    SnapshotWriter w = new SnapshotWriter(dir, description);
    List<SnapshotWriter.Dump> dumps = new ArrayList<>();
    for (MemoryImage.Segment s : in.image().segments()) {
      dumps.add(new SnapshotWriter.Dump(String.format(Locale.ROOT, "mem_%016x.bin", s.vaddr()), s.vaddr(),
          s.bytes()));
    }
    String type = in.pauthBranches() ? "ARM-AA64" : "ARMv8-A";
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    FrameFormatter frames = new FrameFormatter(buffer);
    long[] streamBytes = new long[in.cores().size()];
    String[] sources = new String[in.cores().size()];
    int i = 0;
    for (CoreTrace c : in.cores()) {
      String core = "cpu_" + c.cpu();
      w.core(core, type, dumps);
      String etm;
      if (c.config().isEte()) {
        etm = "ete_" + c.cpu();
        w.ete(etm, core, registers(c.config()), u(c.config().devarch()));
      } else {
        etm = "etm_" + c.cpu();
        w.etm4(etm, core, registers(c.config()));
      }
      sources[i] = etm;
      long[] n = new long[1];
      c.bytes().pushTo(new CoreTrace.ByteSink() {
        @Override
        public void accept(byte[] buf, int off, int len) {
          frames.write(c.traceId(), buf, off, len);
          n[0] += len;
        }

        @Override
        public void restart() {
          if (n[0] > 0) {
            // a new AUX fragment: the barrier Linux's sink drivers write, on which OpenCSD resets
            // when told to (as perf tells it; trc_pkt_lister 1.3.3 does not for snapshots)
            frames.resetBarrier();
          }
        }
      });
      streamBytes[i++] = n[0];
    }
    frames.pad(0);
    byte[] formatted = buffer.toByteArray();
    w.buffer(BUFFER, TraceBuffer.Format.CORESIGHT, formatted, sources);
    Snapshot snap = w.write();
    return new Result(snap, streamBytes, formatted.length, in.pokes().size());
  }

  private static EtmRegisters registers(Etm4Config c) {
    return new EtmRegisters(u(c.configr()), u(c.traceIdr()), u(c.idr0()), u(c.idr1()), u(c.idr2()),
        u(c.idr8()), u(c.idr9()), u(c.idr10()), u(c.idr11()), u(c.idr12()), u(c.idr13()));
  }

  private static long u(int v) {
    return v & 0xFFFFFFFFL;
  }
}
