package dev.tracepoke.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an OpenCSD snapshot directory the way OpenCSD 1.3.3's snapshot parser does: {@code
 * snapshot.ini} → device files and the trace metadata file; {@code ;} and {@code #} start comments
 * anywhere; register names may carry a parenthesised suffix; numbers are C literals. A core whose
 * {@code type=} OpenCSD does not know is rejected, as OpenCSD rejects it.
 */
public final class SnapshotReader {

  /** The file that marks a directory as a snapshot. */
  public static final String SNAPSHOT_INI = "snapshot.ini";

  private SnapshotReader() {}

  /** True if {@code dir} holds a {@code snapshot.ini}. */
  public static boolean isSnapshot(Path dir) {
    return Files.isRegularFile(dir.resolve(SNAPSHOT_INI));
  }

  /** Reads the snapshot in {@code dir}. */
  public static Snapshot read(Path dir) throws IOException {
    Path snapshotIni = dir.resolve(SNAPSHOT_INI);
    if (!Files.isRegularFile(snapshotIni)) {
      throw new SnapshotFormatException(snapshotIni, 0, "no snapshot.ini: not an OpenCSD snapshot directory");
    }
    Ini ini = Ini.read(snapshotIni);
    Ini.Section head = ini.require("snapshot");
    String version = ini.require(head, "version");
    if (!version.equals("1.0") && !version.equals("1")) {
      throw new SnapshotFormatException(snapshotIni, head.line(), "version=" + version + "; expected 1.0");
    }
    String description = head.get("description").orElse("");

    List<Device> devices = new ArrayList<>();
    for (Ini.Entry e : ini.section("device_list").map(Ini.Section::entries).orElse(List.of())) {
      devices.add(readDevice(dir, e.value()));
    }
    Map<String, List<String>> clusters = new LinkedHashMap<>();
    for (Ini.Entry e : ini.section("clusters").map(Ini.Section::entries).orElse(List.of())) {
      List<String> cores = new ArrayList<>();
      for (String c : e.value().split(",")) {
        if (!c.isBlank()) {
          cores.add(c.trim());
        }
      }
      clusters.put(e.key(), cores);
    }

    List<TraceBuffer> buffers = new ArrayList<>();
    Map<String, String> sourceBuffers = new LinkedHashMap<>();
    Map<String, String> coreSources = new LinkedHashMap<>();
    var trace = ini.section("trace");
    if (trace.isPresent()) {
      Path meta = dir.resolve(ini.require(trace.get(), "metadata"));
      if (!Files.isRegularFile(meta)) {
        throw new SnapshotFormatException(
            snapshotIni, trace.get().line(), "trace metadata file " + dir.relativize(meta) + " does not exist");
      }
      Ini t = Ini.read(meta);
      Ini.Section list = t.require("trace_buffers");
      for (String section : t.require(list, "buffers").split(",")) {
        if (section.isBlank()) {
          continue;
        }
        Ini.Section b =
            t.section(section.trim())
                .orElseThrow(
                    () ->
                        new SnapshotFormatException(
                            meta, list.line(), "buffers= names [" + section.trim() + "], which is missing"));
        String file = t.require(b, "file");
        String format = b.get("format").orElse("");
        buffers.add(
            new TraceBuffer(
                b.name(), t.require(b, "name"), file, TraceBuffer.Format.of(format), format));
      }
      t.section("source_buffers").ifPresent(s -> s.entries().forEach(e -> sourceBuffers.put(e.key(), e.value())));
      t.section("core_trace_sources").ifPresent(s -> s.entries().forEach(e -> coreSources.put(e.key(), e.value())));
    }
    return new Snapshot(dir, version, description, devices, clusters, buffers, sourceBuffers, coreSources);
  }

  private static Device readDevice(Path dir, String fileName) throws IOException {
    Path file = dir.resolve(fileName);
    if (!Files.isRegularFile(file)) {
      throw new SnapshotFormatException(dir.resolve(SNAPSHOT_INI), 0, "device file " + fileName + " does not exist");
    }
    Ini ini = Ini.read(file);
    Ini.Section dev = ini.require("device");
    String name = ini.require(dev, "name");
    String cls = ini.require(dev, "class");
    String type = ini.require(dev, "type");
    Map<String, Long> regs = new LinkedHashMap<>();
    ini.section("regs")
        .ifPresent(
            s -> {
              for (Ini.Entry e : s.entries()) {
                regs.put(registerName(e.key()), ini.number(e));
              }
            });
    switch (cls) {
      case "core" -> {
        CoreType coreType =
            CoreType.of(type)
                .orElseThrow(
                    () ->
                        new SnapshotFormatException(
                            file, dev.line(), "unrecognised core type '" + type + "' (OpenCSD rejects it)"));
        List<MemoryDump> dumps = new ArrayList<>();
        for (Ini.Section s : ini.sections()) {
          if (s.name().toLowerCase(java.util.Locale.ROOT).startsWith("dump")) {
            dumps.add(readDump(dir, ini, s));
          }
        }
        return new Device.Core(name, fileName, type, coreType, regs, dumps);
      }
      case "trace_source" -> {
        return new Device.TraceSource(name, fileName, type, regs);
      }
      default -> {
        return new Device.Other(name, fileName, cls, type, regs);
      }
    }
  }

  private static MemoryDump readDump(Path dir, Ini ini, Ini.Section s) throws IOException {
    String file = ini.require(s, "file");
    Path path = dir.resolve(file);
    long address = Ini.number(ini.file(), s.line(), ini.require(s, "address"));
    long offset = s.get("offset").map(v -> Ini.number(ini.file(), s.line(), v)).orElse(0L);
    long length;
    if (s.get("length").isPresent()) {
      length = Ini.number(ini.file(), s.line(), s.get("length").get());
    } else if (Files.isRegularFile(path)) {
      length = Files.size(path) - offset;
    } else {
      // like OpenCSD, a missing dump is not fatal: its extent is unknown, so it maps nothing and
      // the reader of the images names it (MemoryDump#exists)
      length = 0;
    }
    return new MemoryDump(s.name(), file, address, offset, length, s.get("space").orElse(""));
  }

  /** {@code TRCIDR0(0x078)} and {@code TRCIDR0(id:0x78)} both name TRCIDR0. */
  static String registerName(String key) {
    int paren = key.indexOf('(');
    return (paren >= 0 ? key.substring(0, paren) : key).trim();
  }
}
