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
      devices.add(readDevice(dir, e, snapshotIni));
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
      String metaName = ini.require(trace.get(), "metadata");
      Path meta = regularFile(dir, metaName, snapshotIni, lineOf(trace.get(), "metadata"), "trace metadata file");
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
        regularFile(dir, file, meta, lineOf(b, "file"), "buffer file");
        String format = b.get("format").orElse("");
        buffers.add(
            new TraceBuffer(
                b.name(), t.require(b, "name"), file, TraceBuffer.Format.of(format), format));
      }
      if (!buffers.isEmpty() && t.section("source_buffers").isEmpty()) {
        throw new SnapshotFormatException(meta, 0,
            "expected a [source_buffers] section naming the trace sources of " + buffers.get(0).name()
                + ", found none (without it no trace would be decoded)");
      }
      Map<String, Integer> names = new LinkedHashMap<>();
      for (TraceBuffer b : buffers) {
        names.put(b.name(), 0);
      }
      for (Ini.Entry e : t.section("source_buffers").map(Ini.Section::entries).orElse(List.of())) {
        if (!names.containsKey(e.value())) {
          throw new SnapshotFormatException(meta, e.line(), "source " + e.key() + " names buffer '" + e.value()
              + "'; expected one of " + names.keySet() + " (the name= of a buffer)");
        }
        sourceBuffers.put(e.key(), e.value());
      }
      t.section("core_trace_sources").ifPresent(s -> s.entries().forEach(e -> coreSources.put(e.key(), e.value())));
    }
    return new Snapshot(dir, version, description, devices, clusters, buffers, sourceBuffers, coreSources);
  }

  private static Device readDevice(Path dir, Ini.Entry entry, Path snapshotIni) throws IOException {
    String fileName = entry.value();
    Path file = regularFile(dir, fileName, snapshotIni, entry.line(), "device file");
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
    Path path = resolve(dir, file, ini.file(), lineOf(s, "file"), "dump file");
    long address = Ini.number(ini.file(), lineOf(s, "address"), ini.require(s, "address"));
    long offset = s.get("offset").map(v -> Ini.number(ini.file(), lineOf(s, "offset"), v)).orElse(0L);
    Long given = s.get("length").map(v -> Ini.number(ini.file(), lineOf(s, "length"), v)).orElse(null);
    if (Files.isRegularFile(path)) {
      // checked here, where the ini line is known; MemoryDump.read checks again before allocating
      long size = Files.size(path);
      if (Long.compareUnsigned(offset, size) > 0) {
        throw new SnapshotFormatException(ini.file(), lineOf(s, "offset"), "offset=0x" + Long.toHexString(offset)
            + " of [" + s.name() + "]; expected at most the size of " + file + " (" + size + " bytes)");
      }
      if (given != null && Long.compareUnsigned(given, size - offset) > 0) {
        throw new SnapshotFormatException(ini.file(), lineOf(s, "length"), "length=0x" + Long.toHexString(given)
            + " of [" + s.name() + "]; expected at most the " + (size - offset) + " bytes " + file + " holds from offset "
            + offset);
      }
    }
    // like OpenCSD, a missing dump is not fatal: its extent is unknown, so it maps nothing and the
    // reader of the images names it (MemoryDump#exists)
    long length = given != null ? given : Files.isRegularFile(path) ? Files.size(path) - offset : 0;
    if (Long.compareUnsigned(address, -length) > 0 && length != 0) {
      throw new SnapshotFormatException(ini.file(), lineOf(s, "address"), "address=0x" + Long.toHexString(address)
          + " with length " + length + " of [" + s.name() + "] wraps the address space; expected it to end by 2^64");
    }
    return new MemoryDump(s.name(), file, address, offset, length, s.get("space").orElse(""));
  }

  /** The line of {@code key=} in {@code s} (the section's line if absent). */
  private static int lineOf(Ini.Section s, String key) {
    for (Ini.Entry e : s.entries()) {
      if (e.key().equalsIgnoreCase(key)) {
        return e.line();
      }
    }
    return s.line();
  }

  private static Path resolve(Path dir, String name, Path ini, int line, String what) {
    Path p;
    try {
      p = Path.of(name);
    } catch (java.nio.file.InvalidPathException e) {
      throw new SnapshotFormatException(ini, line, what + " '" + name.replace("\0", "\\0")
          + "': expected a file name, found " + e.getReason().toLowerCase(java.util.Locale.ROOT));
    }
    // OpenCSD appends the name to the snapshot directory; Path.resolve would leave the directory
    if (p.isAbsolute()) {
      throw new SnapshotFormatException(ini, line, what + " '" + name
          + "': expected a file name relative to the snapshot directory, found an absolute path");
    }
    return dir.resolve(p);
  }

  /** {@code name} in {@code dir}, which must be a regular file; else an error at {@code ini}:{@code line}. */
  private static Path regularFile(Path dir, String name, Path ini, int line, String what) {
    Path p = resolve(dir, name, ini, line, what);
    if (!Files.isRegularFile(p)) {
      throw new SnapshotFormatException(ini, line, what + " " + name + ": expected a file, found "
          + (Files.exists(p) ? "a directory" : "no such file"));
    }
    return p;
  }

  /** {@code TRCIDR0(0x078)} and {@code TRCIDR0(id:0x78)} both name TRCIDR0. */
  static String registerName(String key) {
    int paren = key.indexOf('(');
    return (paren >= 0 ? key.substring(0, paren) : key).trim();
  }
}
