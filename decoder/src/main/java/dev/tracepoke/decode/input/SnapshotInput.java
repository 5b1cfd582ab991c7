package dev.tracepoke.decode.input;

import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.input.SnapshotStreams;
import dev.tracepoke.snapshot.Device;
import dev.tracepoke.snapshot.MemoryDump;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an OpenCSD snapshot directory into a {@link TraceInput}: the ETMv4 sources of every buffer
 * become cores (numbered by their core's position in the snapshot, else in source order), the
 * cores' {@code [dump]} sections the static image.
 */
public final class SnapshotInput {
  private SnapshotInput() {}

  public static boolean isSnapshot(Path dir) {
    return SnapshotReader.isSnapshot(dir);
  }

  public static TraceInput open(Path dir) throws IOException {
    Snapshot snap = SnapshotReader.read(dir);
    List<Device.Core> coreDevices = snap.cores();
    MemoryImage image = image(snap, coreDevices);
    boolean pauth = !coreDevices.isEmpty() && coreDevices.get(0).coreType() != null
        && coreDevices.get(0).coreType().hasPointerAuthBranches();
    List<CoreTrace> cores = new ArrayList<>();
    List<String> warnings = new ArrayList<>(SnapshotStreams.missingDumps(snap, coreDevices));
    Set<Integer> used = new HashSet<>();
    int next = 0;
    for (SnapshotStreams.BufferPlan plan : SnapshotStreams.plan(snap)) {
      TraceBuffer buffer = plan.buffer();
      for (SnapshotStreams.Skipped s : plan.skipped()) {
        warnings.add("not decoded: buffer " + buffer.name() + " source " + s.source() + ": " + s.reason());
      }
      Path file = snap.path(buffer);
      SnapshotStreams.unclaimed(snap, plan).ifPresent(warnings::add);
      SnapshotStreams.cutFrame(snap, plan).ifPresent(warnings::add);
      if (!plan.sources().isEmpty() && Files.size(file) == 0) {
        warnings.add(file + ": buffer " + buffer.name() + " is empty: no trace of " + plan.sources().stream()
            .map(SnapshotStreams.Source::source).collect(java.util.stream.Collectors.joining(", ")));
      }
      for (SnapshotStreams.Source s : plan.sources()) {
        int cpu = s.core().map(coreDevices::indexOf).orElse(-1);
        if (cpu < 0 || !used.add(cpu)) {
          while (used.contains(next)) {
            next++;
          }
          cpu = next;
          used.add(cpu);
        }
        int traceId = s.traceId();
        CoreTrace.ByteSource bytes = buffer.format() == TraceBuffer.Format.SOURCE_DATA
            ? sink -> {
              byte[] chunk = new byte[1 << 16];
              try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(chunk)) > 0; ) {
                  sink.accept(chunk, 0, n);
                }
              }
            }
            : sink -> SnapshotStreams.deformat(snap, buffer, CoreTrace.oneSource(traceId, sink));
        cores.add(new CoreTrace(cpu, s.config(), bytes));
      }
    }
    cores.sort((a, b) -> Integer.compare(a.cpu(), b.cpu()));
    return new TraceInput(dir.toString(), image, List.of(), TimeConversion.IDENTITY, dev.tracepoke.decode.image.SymbolNames.NONE, cores,
        Optional.empty(), pauth, warnings);
  }

  /**
   * The union of every core's dumps; the same dump listed for several cores is taken once, and
   * where dumps overlap the first core's wins (the snapshot image is the same memory seen by all).
   */
  private static MemoryImage image(Snapshot snap, List<Device.Core> cores) throws IOException {
    List<MemoryImage.Segment> segs = new ArrayList<>();
    List<long[]> spans = new ArrayList<>();
    for (Device.Core c : cores) {
      for (MemoryDump d : c.dumps()) {
        if (!d.exists(snap.dir())) {
          continue; // named in the warnings (SnapshotStreams.missingDumps)
        }
        byte[] b = d.read(snap.dir());
        long start = d.address();
        long end = start + b.length;
        boolean overlaps = false;
        for (long[] s : spans) {
          if (Long.compareUnsigned(start, s[1]) < 0 && Long.compareUnsigned(s[0], end) < 0) {
            overlaps = true;
            break;
          }
        }
        if (!overlaps && b.length > 0) {
          spans.add(new long[] {start, end});
          segs.add(new MemoryImage.Segment(start, b));
        }
      }
    }
    return MemoryImage.of(segs);
  }
}
