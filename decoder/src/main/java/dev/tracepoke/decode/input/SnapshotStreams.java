package dev.tracepoke.decode.input;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.etm4.OpenCsdIndex;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.snapshot.Device;
import dev.tracepoke.snapshot.Ini;
import dev.tracepoke.snapshot.MemoryDump;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.SnapshotFormatException;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ETMv4 and ETE trace streams of an OpenCSD snapshot: which sources each buffer holds, their
 * configurations, and reading a buffer into one {@link PacketReader} per source (through the
 * CoreSight frame deformatter for formatted buffers). Sources that are neither are listed as
 * skipped with the reason.
 */
public final class SnapshotStreams {

  /**
   * One ETMv4 source of a buffer.
   *
   * @param source the trace source device name
   * @param traceId its CoreSight trace ID (for a {@code source_data} buffer it is only a label)
   * @param config its registers
   * @param core the core it traces, if the snapshot says
   */
  public record Source(String source, int traceId, Etm4Config config, Optional<Device.Core> core) {}

  /** A trace source of a buffer that is not decoded, and why. */
  public record Skipped(String source, String reason) {}

  /** The sources of one buffer. */
  public record BufferPlan(TraceBuffer buffer, List<Source> sources, List<Skipped> skipped) {}

  /** Per-buffer outcome of {@link #read}. */
  public record ReadStats(long bytes, long bytesWithoutReader, Optional<FrameDeformatter.Stats> frames) {}

  private SnapshotStreams() {}

  /**
   * The dumps of {@code cores} whose file is not in the snapshot, one message each naming the ini
   * file and line of the dump section, the missing file and the addresses that stay unmapped (the
   * decoder reports trace there as a gap, like the lister's NACC).
   */
  public static List<String> missingDumps(Snapshot snapshot, List<Device.Core> cores) throws IOException {
    List<String> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Device.Core c : cores) {
      for (MemoryDump d : c.dumps()) {
        if (d.exists(snapshot.dir()) || !seen.add(c.fileName() + "/" + d.section())) {
          continue;
        }
        Path ini = snapshot.dir().resolve(c.fileName());
        int line = Ini.read(ini).section(d.section()).map(Ini.Section::line).orElse(0);
        String range = d.length() > 0
            ? String.format("0x%x..0x%x", d.address(), d.address() + d.length())
            : String.format("from 0x%x (length unknown)", d.address());
        out.add(ini + ":" + line + ": dump file " + d.file() + " does not exist; core " + c.name()
            + "'s memory " + range + " is not in the image (trace there decodes to a gap)");
      }
    }
    return out;
  }

  /**
   * The memory image a decoder of {@code plan}'s sources walks: the dumps of their cores, in one
   * address space as OpenCSD 1.3.3 maps them (a dump listed by several cores — same file, address,
   * offset and length — is mapped once; two different dumps over the same addresses are an error).
   */
  public static MemoryImage memoryImage(Snapshot snapshot, BufferPlan plan) throws IOException {
    Map<MemoryDump, String> dumps = new LinkedHashMap<>();
    for (Source s : plan.sources()) {
      if (s.core().isPresent()) {
        for (MemoryDump d : s.core().get().dumps()) {
          if (!d.exists(snapshot.dir())) {
            continue; // named by missingDumps
          }
          // the section name does not matter for identity: key on where the bytes come from
          dumps.putIfAbsent(new MemoryDump("", d.file(), d.address(), d.offset(), d.length(), ""), s.core().get().name());
        }
      }
    }
    List<MemoryImage.Segment> segments = new ArrayList<>();
    for (MemoryDump d : dumps.keySet()) {
      if (d.length() > 0) {
        segments.add(new MemoryImage.Segment(d.address(), d.read(snapshot.dir())));
      }
    }
    try {
      return MemoryImage.of(segments);
    } catch (IllegalArgumentException e) {
      throw new SnapshotFormatException(snapshot.dir().resolve("snapshot.ini"), 0, "memory dumps overlap: " + e.getMessage());
    }
  }

  /** Why a trace source of type {@code type} (not ETMv4 or ETE) is not decoded. */
  static String notDecoded(String type) {
    String t = type.toUpperCase(java.util.Locale.ROOT);
    String what;
    if (t.startsWith("PTM")) {
      what = "PTM program flow trace (ARMv7 cores)";
    } else if (t.startsWith("ETM3") || t.startsWith("ETMV3")) {
      what = "ETMv3 instruction trace";
    } else if (t.startsWith("STM")) {
      what = "STM software and hardware event messages, not instruction trace";
    } else if (t.startsWith("ITM")) {
      what = "ITM instrumentation messages, not instruction trace";
    } else {
      what = "not an ETMv4 or ETE instruction trace source";
    }
    return "type " + type + ": " + what + "; tracepoke decodes ETMv4 and ETE only";
  }

  /**
   * Why the trace of {@code core} cannot be decoded, if it cannot: tracepoke walks A64 code, so an
   * M-profile core (Thumb only) or an ARMv7 core (A32/T32) would be mis-decoded.
   */
  static Optional<String> undecodableCore(Device.Core core) {
    if (core.coreType() == null) {
      return Optional.empty();
    }
    if (core.coreType().profile() == dev.tracepoke.snapshot.CoreType.Profile.M) {
      return Optional.of("core " + core.name() + " (" + core.type()
          + ") is M-profile: its code is T32 (Thumb), which tracepoke does not decode");
    }
    if (core.coreType().arch() == dev.tracepoke.snapshot.CoreType.Arch.V7) {
      return Optional.of("core " + core.name() + " (" + core.type()
          + ") is ARMv7: its code is A32/T32, which tracepoke does not decode");
    }
    return Optional.empty();
  }

  /** Plans every buffer of the snapshot. */
  public static List<BufferPlan> plan(Snapshot snapshot) {
    List<BufferPlan> plans = new ArrayList<>();
    for (TraceBuffer b : snapshot.buffers()) {
      plans.add(plan(snapshot, b));
    }
    return plans;
  }

  /**
   * The ETMv4 sources of {@code buffer}. A {@code source_data} buffer holds one stream: like
   * OpenCSD, the alphabetically first source mapped to it is decoded and any others are skipped.
   */
  public static BufferPlan plan(Snapshot snapshot, TraceBuffer buffer) {
    List<Source> sources = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    Map<Integer, String> ids = new LinkedHashMap<>();
    for (Device.TraceSource t : snapshot.sourcesIn(buffer)) {
      if (!t.isEtm4() && !t.isEte()) {
        skipped.add(new Skipped(t.name(), notDecoded(t.type())));
        continue;
      }
      Optional<String> core = snapshot.coreOf(t).flatMap(SnapshotStreams::undecodableCore);
      if (core.isPresent()) {
        skipped.add(new Skipped(t.name(), core.get()));
        continue;
      }
      if (buffer.format() == TraceBuffer.Format.SOURCE_DATA && !sources.isEmpty()) {
        skipped.add(
            new Skipped(t.name(), "a source_data buffer holds one stream; it is " + sources.get(0).source() + "'s"));
        continue;
      }
      Etm4Config config = t.isEte()
          ? Etm4Config.ofEte(snapshot.etm4Registers(t), snapshot.eteDevarch(t))
          : Etm4Config.of(snapshot.etm4Registers(t));
      if (buffer.format() != TraceBuffer.Format.SOURCE_DATA && (config.traceId() < 0x01 || config.traceId() > 0x6F)) {
        // frames never carry data for the null or a reserved ID: nothing of this source can be found
        skipped.add(new Skipped(t.name(), snapshot.dir().resolve(t.fileName()) + ": TRCTRACEIDR gives trace ID 0x"
            + Integer.toHexString(config.traceId())
            + ", expected a source ID 0x01..0x6F"));
        continue;
      }
      String other = ids.putIfAbsent(config.traceId(), t.name());
      if (other != null && buffer.format() != TraceBuffer.Format.SOURCE_DATA) {
        skipped.add(new Skipped(t.name(), "trace ID 0x" + Integer.toHexString(config.traceId()) + " already used by " + other));
        continue;
      }
      sources.add(new Source(t.name(), config.traceId(), config, snapshot.coreOf(t)));
    }
    for (Map.Entry<String, String> e : snapshot.sourceBuffers().entrySet()) {
      if (e.getValue().equals(buffer.name()) && snapshot.device(e.getKey()).isEmpty()) {
        skipped.add(new Skipped(e.getKey(), "no device file of " + snapshot.dir().resolve(SnapshotReader.SNAPSHOT_INI)
            + " describes it"));
      }
    }
    return new BufferPlan(buffer, sources, skipped);
  }

  /**
   * Reads {@code plan}'s buffer and pushes each source's bytes into the reader {@code readerFor}
   * gives it (created once per source, before any data), then finishes every reader. For formatted
   * buffers, {@code indexFor} (may return null) receives the OpenCSD index of every run.
   */
  public static ReadStats read(
      Snapshot snapshot,
      BufferPlan plan,
      Function<Source, PacketReader> readerFor,
      Function<Source, OpenCsdIndex> indexFor)
      throws IOException {
    TraceBuffer buffer = plan.buffer();
    if (plan.sources().isEmpty()) {
      return new ReadStats(Files.size(snapshot.path(buffer)), Files.size(snapshot.path(buffer)), Optional.empty());
    }
    if (buffer.format() == TraceBuffer.Format.SOURCE_DATA) {
      PacketReader r = readerFor.apply(plan.sources().get(0));
      byte[] chunk = new byte[1 << 16];
      long total = 0;
      try (InputStream in = Files.newInputStream(snapshot.path(buffer))) {
        for (int n; (n = in.read(chunk)) > 0; ) {
          r.push(chunk, 0, n);
          total += n;
        }
      }
      r.finish();
      return new ReadStats(total, 0, Optional.empty());
    }
    PacketReader[] readers = new PacketReader[128];
    OpenCsdIndex[] indices = new OpenCsdIndex[128];
    for (Source s : plan.sources()) {
      readers[s.traceId()] = readerFor.apply(s);
      indices[s.traceId()] = indexFor.apply(s);
    }
    long[] orphan = new long[1];
    FrameDeformatter.Sink sink =
        new FrameDeformatter.Sink() {
          @Override
          public void data(int traceId, byte[] buf, int off, int len, long frameOffset, long index) {
            PacketReader r = readers[traceId];
            if (r == null) {
              orphan[0] += len;
              return;
            }
            OpenCsdIndex ix = indices[traceId];
            if (ix != null) {
              ix.run(r.offset(), index);
            }
            r.push(buf, off, len);
          }

          @Override
          public void reset(long offset) {
            for (PacketReader r : readers) {
              if (r != null) {
                r.reset();
              }
            }
          }
        };
    FrameDeformatter.Stats stats = deformat(snapshot, buffer, sink);
    for (PacketReader r : readers) {
      if (r != null) {
        r.finish();
      }
    }
    long total = Files.size(snapshot.path(buffer));
    return new ReadStats(total, orphan[0], Optional.of(stats));
  }

  /**
   * Trace in a formatted buffer under trace IDs that no decodable source of the plan has (a device
   * file missing, or a source of another protocol): named, since nothing else would say it is not
   * decoded. One pass over the buffer, counting bytes per ID.
   */
  public static Optional<String> unclaimed(Snapshot snapshot, BufferPlan plan) throws IOException {
    TraceBuffer buffer = plan.buffer();
    // a buffer with no decodable source at all is named with its sources' reasons already
    if (buffer.format() == TraceBuffer.Format.SOURCE_DATA || plan.sources().isEmpty()) {
      return Optional.empty();
    }
    boolean[] claimed = new boolean[128];
    for (Source s : plan.sources()) {
      claimed[s.traceId()] = true;
    }
    long[] bytes = new long[128];
    Path file = snapshot.path(buffer);
    try {
      deformat(snapshot, buffer, (id, buf, off, len, frameOffset, index) -> bytes[id] += len);
    } catch (dev.tracepoke.coresight.FrameFormatException e) {
      return Optional.empty(); // the decode itself names what is wrong with the frames
    }
    StringBuilder ids = new StringBuilder();
    long total = 0;
    for (int id = 0; id < 128; id++) {
      if (bytes[id] > 0 && !claimed[id]) {
        ids.append(ids.length() == 0 ? "" : ", ").append("0x").append(Integer.toHexString(id))
            .append(" (").append(bytes[id]).append(" bytes)");
        total += bytes[id];
      }
    }
    if (total == 0) {
      return Optional.empty();
    }
    return Optional.of("not decoded: " + file + ": buffer " + buffer.name() + " holds " + total
        + " bytes of trace on trace ID(s) " + ids + " that no ETMv4 or ETE source of "
        + snapshot.dir().resolve(SnapshotReader.SNAPSHOT_INI) + " has (TRCTRACEIDR)");
  }

  /**
   * The bytes of {@code buffer}'s file that are whole frames: a memory-aligned buffer (what a sink
   * wrote) cut inside its last frame, as an interrupted copy or a full disk leaves it, is read up
   * to that frame, which {@link #cutFrame} names. (OpenCSD's lister lists the packets of the
   * frames before it too, and stops with a data path error.) A DSTREAM capture's cut frame is the
   * deformatter's to drop; unformatted data has no frames.
   */
  public static long wholeFrames(Snapshot snapshot, TraceBuffer buffer) throws IOException {
    long size = Files.size(snapshot.path(buffer));
    return buffer.format() == TraceBuffer.Format.SOURCE_DATA
        || buffer.format() == TraceBuffer.Format.DSTREAM_CORESIGHT ? size : size - size % 16;
  }

  /**
   * Where {@code plan}'s buffer ends inside a frame, which is not read. A memory-aligned buffer is
   * read up to its last whole frame ({@link #wholeFrames}). A TPIU capture stops wherever the probe
   * stopped, so its last frame may be cut; the deformatter drops those bytes (a packet in them is
   * lost), found in one pass over the capture with nothing kept: debugger captures are small next
   * to what decoding them costs.
   */
  public static Optional<String> cutFrame(Snapshot snapshot, BufferPlan plan) throws IOException {
    TraceBuffer buffer = plan.buffer();
    Path file = snapshot.path(buffer);
    if (plan.sources().isEmpty()) {
      return Optional.empty();
    }
    if (buffer.format() == TraceBuffer.Format.DSTREAM_CORESIGHT) {
      FrameDeformatter d = deformatted(snapshot, buffer, (id, buf, off, len, frameOffset, index) -> { });
      return d.trailingBytes() == 0 ? Optional.empty() : Optional.of(String.format("%s: the capture"
          + " ends inside a frame: its last %d bytes (from offset %d) are part of a cut 16-byte frame"
          + " and are not decoded", file, d.trailingBytes(), d.inputOffset(d.offset() - d.trailingBytes())));
    }
    long whole = wholeFrames(snapshot, buffer);
    long size = Files.size(file);
    if (whole == size) {
      return Optional.empty();
    }
    return Optional.of(String.format("%s: buffer %s ends inside a frame: its last %d bytes (from"
        + " byte offset %d) are not decoded: expected a whole number of 16-byte frames", file,
        buffer.name(), size - whole, whole));
  }

  /** Deformats the whole frames of {@code buffer}'s file ({@link #wholeFrames}) into {@code sink}. */
  public static FrameDeformatter.Stats deformat(Snapshot snapshot, TraceBuffer buffer,
      FrameDeformatter.Sink sink) throws IOException {
    return deformatted(snapshot, buffer, sink).stats();
  }

  /** As {@link #deformat}: the deformatter after its end. */
  private static FrameDeformatter deformatted(Snapshot snapshot, TraceBuffer buffer,
      FrameDeformatter.Sink sink) throws IOException {
    Path file = snapshot.path(buffer);
    FrameDeformatter d = new FrameDeformatter(deformatting(buffer), sink, file.toString());
    byte[] chunk = new byte[1 << 16];
    long left = wholeFrames(snapshot, buffer);
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; left > 0 && (n = in.read(chunk, 0, (int) Math.min(chunk.length, left))) > 0; ) {
        d.push(chunk, 0, n);
        left -= n;
      }
    }
    d.finish();
    return d;
  }

  /**
   * How a buffer's frames are read: a DSTREAM capture (TPIU frames with FSYNCs, in 512-byte blocks
   * that end in an 8-byte probe footer); memory-aligned
   * frames with a frame of four FSYNCs as a reset barrier (what Linux's sink drivers write between
   * AUX buffers and what {@code export opencsd} writes at a stream restart).
   */
  public static EnumSet<FrameDeformatter.Option> deformatting(TraceBuffer buffer) {
    return buffer.format() == TraceBuffer.Format.DSTREAM_CORESIGHT
        ? EnumSet.of(FrameDeformatter.Option.FSYNCS, FrameDeformatter.Option.DSTREAM_FOOTERS)
        : EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC);
  }
}
