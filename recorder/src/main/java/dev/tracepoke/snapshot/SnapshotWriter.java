package dev.tracepoke.snapshot;

import dev.tracepoke.storage.WholeFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes OpenCSD snapshot directories that {@code trc_pkt_lister} (1.3.3) and {@link
 * SnapshotReader} read: {@code snapshot.ini}, {@code trace.ini}, one {@code .ini} per device,
 * trace buffers and memory dumps.
 *
 * <p>Two uses: {@link #write(Snapshot, Path)} writes an existing snapshot model (copying its data
 * files), and the builder methods assemble a new one — typically one core and one ETMv4 device per
 * CPU, one buffer of CoreSight frames, and the traced code as dumps:
 *
 * <pre>{@code
 * new SnapshotWriter(dir, "exported by tracepoke")
 *     .core("cpu_0", "ARM-AA64", List.of(new SnapshotWriter.Dump("kernel.bin", base, text)))
 *     .etm4("ETM_0", "cpu_0", registers)
 *     .buffer("ETB_0", TraceBuffer.Format.CORESIGHT, frames, "ETM_0")
 *     .write();
 * }</pre>
 *
 * Memory dumps go into one global address map in OpenCSD 1.3.3: give every core the same dump
 * (same file and address) rather than distinct images at the same address.
 */
public final class SnapshotWriter {

  /** A memory image for a core: {@code bytes} at {@code address}, stored in {@code file}. */
  public record Dump(String file, long address, byte[] bytes) {
    public Dump {
      Objects.requireNonNull(file, "file");
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Dump d && d.file.equals(file) && d.address == address && Arrays.equals(d.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return file.hashCode() * 31 + Long.hashCode(address);
    }
  }

  private final Path dir;
  private final String description;
  private final List<Device> devices = new ArrayList<>();
  private final Map<String, List<String>> clusters = new LinkedHashMap<>();
  private final List<TraceBuffer> buffers = new ArrayList<>();
  private final Map<String, String> sourceBuffers = new LinkedHashMap<>();
  private final Map<String, String> coreSources = new LinkedHashMap<>();
  private final Map<String, byte[]> files = new LinkedHashMap<>();

  /**
   * @param dir the directory to write (created if needed)
   * @param description the {@code description=} text (no {@code ;} or {@code #})
   */
  public SnapshotWriter(Path dir, String description) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.description = checkValue(description);
  }

  /** Adds a core device {@code <name>.ini} of {@code type} (e.g. {@code ARM-AA64}) with its dumps. */
  public SnapshotWriter core(String name, String type, List<Dump> dumps) {
    CoreType coreType =
        CoreType.of(type).orElseThrow(() -> new IllegalArgumentException("core type unknown to OpenCSD: " + type));
    List<MemoryDump> sections = new ArrayList<>();
    int i = 0;
    for (Dump d : dumps) {
      addFile(d.file(), d.bytes);
      sections.add(new MemoryDump("dump" + i++, d.file(), d.address(), 0, d.bytes.length, ""));
    }
    devices.add(new Device.Core(checkValue(name), name + ".ini", type, coreType, Map.of(), sections));
    return this;
  }

  /** Adds an ETMv4 device {@code <name>.ini} tracing core {@code coreName}. */
  public SnapshotWriter etm4(String name, String coreName, EtmRegisters r) {
    Map<String, Long> regs = new LinkedHashMap<>();
    regs.put("TRCCONFIGR", r.configr());
    regs.put("TRCTRACEIDR", r.traceIdr());
    regs.put("TRCIDR0", r.idr0());
    regs.put("TRCIDR1", r.idr1());
    regs.put("TRCIDR2", r.idr2());
    regs.put("TRCIDR8", r.idr8());
    regs.put("TRCIDR9", r.idr9());
    regs.put("TRCIDR10", r.idr10());
    regs.put("TRCIDR11", r.idr11());
    regs.put("TRCIDR12", r.idr12());
    regs.put("TRCIDR13", r.idr13());
    regs.put("TRCAUTHSTATUS", 0xCCL);
    devices.add(new Device.TraceSource(checkValue(name), name + ".ini", "ETM4", regs));
    coreSources.put(checkValue(coreName), name);
    return this;
  }

  /**
   * Adds an ETE device {@code <name>.ini} ({@code type=ETE}, Armv9's Embedded Trace Extension)
   * tracing core {@code coreName}: the registers OpenCSD's ETE decoder reads, TRCDEVARCH among
   * them (its version comes from there, not from TRCIDR1); ETE has no TRCIDR9-13.
   */
  public SnapshotWriter ete(String name, String coreName, EtmRegisters r, long devarch) {
    Map<String, Long> regs = new LinkedHashMap<>();
    regs.put("TRCCONFIGR", r.configr());
    regs.put("TRCTRACEIDR", r.traceIdr());
    regs.put("TRCDEVARCH", devarch);
    regs.put("TRCIDR0", r.idr0());
    regs.put("TRCIDR1", r.idr1());
    regs.put("TRCIDR2", r.idr2());
    regs.put("TRCIDR8", r.idr8());
    regs.put("TRCAUTHSTATUS", 0xCCL);
    devices.add(new Device.TraceSource(checkValue(name), name + ".ini", "ETE", regs));
    coreSources.put(checkValue(coreName), name);
    return this;
  }

  /** Adds a cluster of cores ({@code [clusters]}). */
  public SnapshotWriter cluster(String name, List<String> cores) {
    clusters.put(checkValue(name), List.copyOf(cores));
    return this;
  }

  /**
   * Adds trace buffer {@code name} (file {@code <name>.bin}) holding the data of {@code sources}.
   * A {@code SOURCE_DATA} buffer must hold exactly one source.
   */
  public SnapshotWriter buffer(String name, TraceBuffer.Format format, byte[] data, String... sources) {
    if (format == TraceBuffer.Format.SOURCE_DATA && sources.length != 1) {
      throw new IllegalArgumentException("a source_data buffer holds exactly one source, not " + sources.length);
    }
    String file = checkValue(name) + ".bin";
    addFile(file, data);
    buffers.add(new TraceBuffer("buffer" + buffers.size(), name, file, format, format.iniName()));
    for (String s : sources) {
      sourceBuffers.put(checkValue(s), name);
    }
    return this;
  }

  private void addFile(String file, byte[] bytes) {
    byte[] old = files.get(file);
    if (old != null && !Arrays.equals(old, bytes)) {
      throw new IllegalArgumentException("two different contents for file " + file);
    }
    files.put(file, bytes);
  }

  /** Writes everything added so far and returns the snapshot as {@link SnapshotReader} will read it. */
  public Snapshot write() throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      WholeFile.write(dir.resolve(f.getKey()), f.getValue());
    }
    Snapshot s = new Snapshot(dir, "1.0", description, devices, clusters, buffers, sourceBuffers, coreSources);
    writeIni(s, dir);
    return s;
  }

  /**
   * Writes {@code snapshot} into {@code target}: its ini files, and copies of its buffer and dump
   * files (unless {@code target} is its own directory). Returns the snapshot at its new place.
   */
  public static Snapshot write(Snapshot snapshot, Path target) throws IOException {
    Files.createDirectories(target);
    if (!Files.isSameFile(snapshot.dir(), target)) {
      Map<String, Boolean> copied = new HashMap<>();
      for (TraceBuffer b : snapshot.buffers()) {
        copy(snapshot.dir(), target, b.file(), copied);
      }
      for (Device.Core c : snapshot.cores()) {
        for (MemoryDump d : c.dumps()) {
          copy(snapshot.dir(), target, d.file(), copied);
        }
      }
    }
    Snapshot moved =
        new Snapshot(
            target,
            snapshot.version(),
            snapshot.description(),
            snapshot.devices(),
            snapshot.clusters(),
            snapshot.buffers(),
            snapshot.sourceBuffers(),
            snapshot.coreTraceSources());
    writeIni(moved, target);
    return moved;
  }

  private static void copy(Path from, Path to, String file, Map<String, Boolean> copied) throws IOException {
    if (copied.putIfAbsent(file, Boolean.TRUE) == null) {
      Path dest = to.resolve(file);
      Files.createDirectories(dest.toAbsolutePath().getParent());
      WholeFile.copy(from.resolve(file), dest);
    }
  }

  private static void writeIni(Snapshot s, Path dir) throws IOException {
    StringBuilder ini = new StringBuilder();
    ini.append("[snapshot]\nversion=").append(s.version()).append('\n');
    if (!s.description().isEmpty()) {
      ini.append("description=").append(checkValue(s.description())).append('\n');
    }
    ini.append("\n[device_list]\n");
    int n = 0;
    for (Device d : s.devices()) {
      ini.append("device").append(n++).append('=').append(d.fileName()).append('\n');
      WholeFile.writeString(dir.resolve(d.fileName()), deviceIni(d), StandardCharsets.ISO_8859_1);
    }
    if (!s.clusters().isEmpty()) {
      ini.append("\n[clusters]\n");
      s.clusters().forEach((k, v) -> ini.append(k).append('=').append(String.join(",", v)).append('\n'));
    }
    if (!s.buffers().isEmpty()) {
      ini.append("\n[trace]\nmetadata=trace.ini\n");
      WholeFile.writeString(dir.resolve("trace.ini"), traceIni(s), StandardCharsets.ISO_8859_1);
    }
    WholeFile.writeString(dir.resolve(SnapshotReader.SNAPSHOT_INI), ini.toString(), StandardCharsets.ISO_8859_1);
  }

  private static String deviceIni(Device d) {
    StringBuilder b = new StringBuilder("[device]\n");
    String cls;
    if (d instanceof Device.Core) {
      cls = "core";
    } else if (d instanceof Device.TraceSource) {
      cls = "trace_source";
    } else {
      cls = ((Device.Other) d).deviceClass();
    }
    b.append("name=").append(d.name()).append("\nclass=").append(cls).append("\ntype=").append(d.type()).append('\n');
    if (!d.registers().isEmpty()) {
      b.append("\n[regs]\n");
      d.registers().forEach((k, v) -> b.append(k).append('=').append(hex(v)).append('\n'));
    }
    if (d instanceof Device.Core c) {
      for (MemoryDump m : c.dumps()) {
        b.append('\n').append('[').append(m.section()).append("]\nfile=").append(checkValue(m.file()));
        b.append("\naddress=").append(hex(m.address()));
        if (m.offset() != 0) {
          b.append("\noffset=").append(hex(m.offset()));
        }
        b.append("\nlength=").append(hex(m.length())).append('\n');
        if (!m.space().isEmpty()) {
          b.append("space=").append(m.space()).append('\n');
        }
      }
    }
    return b.toString();
  }

  private static String traceIni(Snapshot s) {
    StringBuilder b = new StringBuilder("[trace_buffers]\nbuffers=");
    List<String> sections = new ArrayList<>();
    for (TraceBuffer t : s.buffers()) {
      sections.add(t.section());
    }
    b.append(String.join(",", sections)).append('\n');
    for (TraceBuffer t : s.buffers()) {
      b.append("\n[").append(t.section()).append("]\nname=").append(t.name());
      b.append("\nfile=").append(checkValue(t.file())).append("\nformat=").append(t.formatName()).append('\n');
    }
    b.append("\n[source_buffers]\n");
    s.sourceBuffers().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    b.append("\n[core_trace_sources]\n");
    s.coreTraceSources().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return b.toString();
  }

  private static String hex(long v) {
    String h = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
    int width = (v >>> 32) != 0 ? 16 : 8;
    return "0x" + "0".repeat(Math.max(0, width - h.length())) + h;
  }

  /** Values cannot hold comment characters or line breaks in this format. */
  private static String checkValue(String v) {
    Objects.requireNonNull(v);
    if (v.indexOf(';') >= 0 || v.indexOf('#') >= 0 || v.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("snapshot values cannot contain ';', '#' or line breaks: " + v);
    }
    return v;
  }
}
