package dev.tracepoke.cli;

import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.input.SnapshotStreams;
import dev.tracepoke.snapshot.CoreType;
import dev.tracepoke.snapshot.Device;
import dev.tracepoke.snapshot.MemoryDump;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times OpenCSD on a snapshot for {@code tracepoke bench decode}: the {@code trc_pkt_lister}
 * tool, and the library through a small C harness of ours ({@code ocsd_bench.c}, compiled once per
 * invocation into a temporary directory against Debian's libopencsd-dev). Both decode the
 * snapshot's first trace buffer, as {@code trc_pkt_lister} does.
 */
final class OpenCsdTimings {
  private OpenCsdTimings() {}

  /** One timed oracle run; counts are -1 where the oracle does not report them. */
  record Timing(double wallSeconds, double cpuSeconds, long ranges, long instructions) {}

  static String onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    return null;
  }

  /** The lister reads a DSTREAM capture's blocks (each ending in a probe footer) with -dstream_format. */
  static List<String> dstreamOption(Path dir) throws IOException {
    dev.tracepoke.snapshot.Snapshot s = dev.tracepoke.snapshot.SnapshotReader.read(dir);
    return !s.buffers().isEmpty()
        && s.buffers().get(0).format() == dev.tracepoke.snapshot.TraceBuffer.Format.DSTREAM_CORESIGHT
        ? List.of("-dstream_format") : List.of();
  }

  private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s");

  /**
   * {@code trc_pkt_lister -ss_dir DIR -decode -logstdout -logfilename /dev/null}, output to
   * /dev/null; CPU time (user + sys) from the shell's {@code times}.
   */
  static Timing lister(String lister, Path dir, Path work) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c",
        "\"$@\" >/dev/null 2>&1; s=$?; times; exit $s", "sh", lister, "-ss_dir",
        dir.toAbsolutePath().toString(), "-decode", "-logstdout", "-logfilename", "/dev/null"));
    cmd.addAll(dstreamOption(dir));
    Process p = new ProcessBuilder(cmd)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .start();
    List<String> lines = readLines(p.getInputStream());
    waitFor(p, "trc_pkt_lister");
    double wall = (System.nanoTime() - t0) / 1e9;
    // times prints the shell's own times, then its children's
    Matcher m = TIMES.matcher(lines.isEmpty() ? "" : lines.get(lines.size() - 1));
    if (p.exitValue() != 0 || !m.find()) {
      throw new IOException("trc_pkt_lister on " + dir + " exited " + p.exitValue() + ": " + lines);
    }
    double cpu = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2))
        + Integer.parseInt(m.group(3)) * 60 + Double.parseDouble(m.group(4));
    return new Timing(wall, cpu, -1, -1);
  }

  /**
   * Checks, untimed, that the lister reads the snapshot and processes its buffer (it exits 0 even
   * when it cannot): a packets-only run must end with its "Trace buffer done" line.
   *
   * @throws IOException with the lister's last lines if it did not
   */
  static void checkLister(String lister, Path dir, Path work) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of(lister, "-ss_dir", dir.toAbsolutePath().toString(),
        "-logstdout", "-logfilename", "/dev/null"));
    cmd.addAll(dstreamOption(dir));
    Process p = new ProcessBuilder(cmd)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .start();
    String last = "";
    String previous = "";
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        previous = last;
        last = l;
      }
    }
    waitFor(p, "trc_pkt_lister");
    if (!last.contains("Trace buffer done")) {
      throw new IOException("trc_pkt_lister did not process " + dir + ": " + previous + " / " + last);
    }
  }

  /** Why the C harness cannot be built here, or null when gcc and the headers are present. */
  static String harnessMissing() {
    if (onPath("gcc") == null) {
      return "no gcc on PATH";
    }
    if (!Files.exists(Path.of("/usr/include/opencsd/c_api/opencsd_c_api.h"))) {
      return "no /usr/include/opencsd/c_api/opencsd_c_api.h (package libopencsd-dev)";
    }
    return null;
  }

  /** Compiles ocsd_bench.c into {@code work}; returns the executable. */
  static Path compileHarness(Path work) throws IOException, InterruptedException {
    Path src = work.resolve("ocsd_bench.c");
    try (InputStream in = OpenCsdTimings.class.getResourceAsStream("ocsd_bench.c")) {
      if (in == null) {
        throw new IOException("resource dev/tracepoke/cli/ocsd_bench.c missing from the jar");
      }
      Files.copy(in, src);
    }
    Path exe = work.resolve("ocsd_bench");
    Process p = new ProcessBuilder(onPath("gcc"), "-O2", "-o", exe.toString(), src.toString(),
        "-lopencsd_c_api", "-lopencsd")
        .redirectErrorStream(true)
        .start();
    List<String> out = readLines(p.getInputStream());
    waitFor(p, "gcc");
    if (p.exitValue() != 0) {
      throw new IOException("gcc could not build the OpenCSD harness: " + String.join("\n", out));
    }
    return exe;
  }

  private static final Pattern RUN = Pattern.compile(
      "run (\\d+) wall_s ([\\d.]+) cpu_s ([\\d.]+) bytes (\\d+) ranges (\\d+) instructions (\\d+)");

  /** Runs the harness {@code runs} times over the snapshot's first buffer; one timing per run. */
  static List<Timing> harness(Path exe, Snapshot snap, int runs)
      throws IOException, InterruptedException {
    TraceBuffer buffer = snap.buffers().get(0);
    List<String> cmd = new ArrayList<>(List.of(exe.toString(), Integer.toString(runs),
        snap.path(buffer).toAbsolutePath().toString(), switch (buffer.format()) {
          case SOURCE_DATA -> "raw";
          case DSTREAM_CORESIGHT -> "dstream";
          default -> "coresight";
        }));
    for (SnapshotStreams.Source s : SnapshotStreams.plan(snap, buffer).sources()) {
      Etm4Config c = s.config();
      String arch = s.core().map(Device.Core::coreType).map(CoreType::arch)
          .map(a -> switch (a) {
            case V8R3 -> "v8r3";
            case AA64 -> "aa64";
            default -> "v8";
          }).orElse("v8");
      cmd.add(String.format(Locale.ROOT, "etm=0x%x,0x%x,0x%x,0x%x,0x%x,0x%x,0x%x,0x%x,0x%x,0x%x,0x%x,%s",
          c.traceIdr(), c.configr(), c.idr0(), c.idr1(), c.idr2(), c.idr8(), c.idr9(), c.idr10(),
          c.idr11(), c.idr12(), c.idr13(), arch));
    }
    // OpenCSD keeps one memory map: the same dump listed by several cores is given once
    Set<String> seen = new HashSet<>();
    for (Device.Core core : snap.cores()) {
      for (MemoryDump d : core.dumps()) {
        String key = d.file() + "@" + d.address() + "+" + d.offset() + ":" + d.length();
        if (seen.add(key) && d.length() > 0) {
          cmd.add(String.format(Locale.ROOT, "mem=0x%x,%d,%d,%s", d.address(), d.offset(),
              d.length(), snap.dir().resolve(d.file()).toAbsolutePath()));
        }
      }
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = readLines(p.getInputStream());
    waitFor(p, "ocsd_bench");
    List<Timing> out = new ArrayList<>();
    for (String l : lines) {
      Matcher m = RUN.matcher(l);
      if (m.matches()) {
        out.add(new Timing(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
            Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
      }
    }
    if (p.exitValue() != 0 || out.size() != runs) {
      throw new IOException("ocsd_bench exited " + p.exitValue() + ": " + String.join("\n", lines));
    }
    return out;
  }

  private static List<String> readLines(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        lines.add(l);
      }
    }
    return lines;
  }

  private static void waitFor(Process p, String what) throws IOException, InterruptedException {
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(what + " did not finish in 600 s");
    }
  }
}
