package dev.tracepoke.snapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OpenCSD snapshot directory ("Debug and Trace Snapshot File Format" v0.2 as OpenCSD 1.3.3 reads
 * it): the devices of {@code snapshot.ini} and the trace buffers of its trace metadata file.
 * Read with {@link SnapshotReader}, written with {@link SnapshotWriter}.
 *
 * @param dir the directory
 * @param version the {@code [snapshot] version=} value
 * @param description the {@code description=} value, {@code ""} if none
 * @param devices devices in {@code [device_list]} order
 * @param clusters {@code [clusters]}: cluster name to core device names
 * @param buffers trace buffers in {@code buffers=} order
 * @param sourceBuffers {@code [source_buffers]}: trace source name to buffer name
 * @param coreTraceSources {@code [core_trace_sources]}: core name to trace source name
 */
public record Snapshot(
    Path dir,
    String version,
    String description,
    List<Device> devices,
    Map<String, List<String>> clusters,
    List<TraceBuffer> buffers,
    Map<String, String> sourceBuffers,
    Map<String, String> coreTraceSources) {

  public Snapshot {
    devices = List.copyOf(devices);
    Map<String, List<String>> c = new LinkedHashMap<>();
    clusters.forEach((k, v) -> c.put(k, List.copyOf(v)));
    clusters = Collections.unmodifiableMap(c);
    buffers = List.copyOf(buffers);
    sourceBuffers = Collections.unmodifiableMap(new LinkedHashMap<>(sourceBuffers));
    coreTraceSources = Collections.unmodifiableMap(new LinkedHashMap<>(coreTraceSources));
  }

  /** The file of {@code buffer}. */
  public Path path(TraceBuffer buffer) {
    return dir.resolve(buffer.file());
  }

  /** The device named {@code name} ({@code name=} of its file). */
  public Optional<Device> device(String name) {
    for (Device d : devices) {
      if (d.name().equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The buffer named {@code name}. */
  public Optional<TraceBuffer> buffer(String name) {
    for (TraceBuffer b : buffers) {
      if (b.name().equals(name)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /**
   * The trace sources whose data is in {@code buffer}, by name in alphabetical order (OpenCSD's
   * order; for a {@code source_data} buffer it decodes only the first). Sources that name a device
   * the snapshot does not have are left out.
   */
  public List<Device.TraceSource> sourcesIn(TraceBuffer buffer) {
    List<String> names = new ArrayList<>();
    sourceBuffers.forEach(
        (source, b) -> {
          if (b.equals(buffer.name())) {
            names.add(source);
          }
        });
    Collections.sort(names);
    List<Device.TraceSource> out = new ArrayList<>();
    for (String n : names) {
      device(n).filter(d -> d instanceof Device.TraceSource).map(d -> (Device.TraceSource) d).ifPresent(out::add);
    }
    return out;
  }

  /** The core a trace source traces ({@code [core_trace_sources]}), if any. */
  public Optional<Device.Core> coreOf(Device.TraceSource source) {
    for (Map.Entry<String, String> e : coreTraceSources.entrySet()) {
      if (e.getValue().equals(source.name())) {
        return device(e.getKey()).filter(d -> d instanceof Device.Core).map(d -> (Device.Core) d);
      }
    }
    return Optional.empty();
  }

  /** All core devices, in device-list order. */
  public List<Device.Core> cores() {
    List<Device.Core> out = new ArrayList<>();
    for (Device d : devices) {
      if (d instanceof Device.Core c) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The ETMv4 registers of {@code source}. TRCCONFIGR, TRCTRACEIDR, TRCIDR0 and TRCIDR2 are
   * required (OpenCSD cannot create a decoder without them); TRCIDR1 and TRCIDR8-13 default.
   */
  public EtmRegisters etm4Registers(Device.TraceSource source) {
    Map<String, Long> r = source.registers();
    return new EtmRegisters(
        required(source, "TRCCONFIGR"),
        required(source, "TRCTRACEIDR"),
        required(source, "TRCIDR0"),
        r.getOrDefault("TRCIDR1", EtmRegisters.DEFAULT_IDR1),
        required(source, "TRCIDR2"),
        r.getOrDefault("TRCIDR8", 0L),
        r.getOrDefault("TRCIDR9", 0L),
        r.getOrDefault("TRCIDR10", 0L),
        r.getOrDefault("TRCIDR11", 0L),
        r.getOrDefault("TRCIDR12", 0L),
        r.getOrDefault("TRCIDR13", 0L));
  }

  /**
   * TRCDEVARCH of an ETE device; OpenCSD assumes 0x47705A13 (ETE 1.0) when the device file does
   * not give it.
   */
  public long eteDevarch(Device.TraceSource source) {
    return source.registers().getOrDefault("TRCDEVARCH", 0x47705A13L);
  }

  private long required(Device.TraceSource source, String name) {
    Long v = source.registers().get(name);
    if (v == null) {
      throw new SnapshotFormatException(
          dir.resolve(source.fileName()), 0, "ETM device '" + source.name() + "' lacks register " + name);
    }
    return v;
  }
}
