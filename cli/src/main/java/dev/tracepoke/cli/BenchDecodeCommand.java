package dev.tracepoke.cli;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.DecodeBench;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.FlowCounts;
import dev.tracepoke.decode.write.JsonlWriter;
import dev.tracepoke.decode.write.OutputBuffer;
import dev.tracepoke.decode.write.TextWriter;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke bench decode}: our decode throughput on a recording or snapshot held in memory,
 * and, on a snapshot, OpenCSD's on the same input with the ratios.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, description = {
    "Decode throughput (packets + flow, counted, not printed) with the trace in memory, repeated until",
    "steady; on an OpenCSD snapshot also times trc_pkt_lister and the OpenCSD library (C API) and",
    "prints the ratios. MB = 2^20 bytes of trace as stored (the formatted buffer for snapshots).",
    "Rates are per CPU second of the decoding threads (the machine may be shared)."})
final class BenchDecodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "REC",
      description = "A perf directory or an OpenCSD snapshot directory (default: the conformance snapshot bugfix-exact-match under ../shared).")
  Path recording;

  @picocli.CommandLine.Mixin InputOptions input = new InputOptions();

  @picocli.CommandLine.Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

  @Option(names = "--seconds", paramLabel = "N", description = "Decode for at least this long (default: ${DEFAULT-VALUE}).")
  double seconds = 10;

  @Option(names = "--threads", paramLabel = "N", description = "Decode threads: cores in parallel for the decode: line; for the wall: line also stretches of one stream (default: ${DEFAULT-VALUE}).")
  int threads = 1;

  @Option(names = "--oracle-runs", paramLabel = "N", description = "Runs of each OpenCSD oracle; the median counts (default: ${DEFAULT-VALUE}).")
  int oracleRuns = 3;

  @Option(names = "--no-oracles", description = "Do not time OpenCSD.")
  boolean noOracles;

  @Option(names = "--write-runs", paramLabel = "N",
      description = "Runs of the whole decode per output format, written to a channel that drops the bytes (0: none; default: ${DEFAULT-VALUE}).")
  int writeRuns = 3;

  private static final double MB = 1 << 20;
  private static final int WINDOW = 3;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path rec = recording != null ? recording : defaultSnapshot();
    if (rec == null) {
      err.println("tracepoke bench decode: give REC (no shared/conformance/opencsd-snapshots/bugfix-exact-match found above "
          + Path.of("").toAbsolutePath() + ")");
      return 2;
    }
    boolean snapshot = SnapshotInput.isSnapshot(rec);
    TraceInput in = Inputs.open(rec, input, spec).inMemory();
    long traceBytes = snapshot ? bufferBytes(SnapshotReader.read(rec)) : -1;
    out.printf(Locale.ROOT, "input: %s (%s, %d cores)%n", rec, snapshot ? "OpenCSD snapshot" : "perf recording",
        in.cores().size());
    if (in.cores().isEmpty()) {
      err.println("tracepoke bench decode: " + rec + " has no ETMv4 trace to decode");
      return 1;
    }
    long[] perRunBytes = {traceBytes};
    // small inputs decode thousands of times a second: print the first runs, then about four a
    // second, and at the end the runs the final figure comes from
    long[] lastPrint = {0};
    int[] lastPrinted = {-1};
    // the runs go on until steady (at least --seconds): the bar shows time spent against --seconds
    ProgressBars.Bar bar = progress.start("bench decode", (long) (seconds * 1000), " ms", 1);
    long began = System.nanoTime();
    DecodeBench.Result result = DecodeBench.untilSteady(in, threads, (long) (seconds * 1e9),
        (long) (Math.max(60, 6 * seconds) * 1e9), WINDOW, 0.05, r -> {
          if (perRunBytes[0] < 0) {
            perRunBytes[0] = r.bytes();
          }
          long now = System.nanoTime();
          bar.stepTo(Math.min((long) (seconds * 1000), (now - began) / 1_000_000));
          if (r.number() < WINDOW || now - lastPrint[0] >= 250_000_000L) {
            printRun(out, r, perRunBytes[0]);
            lastPrint[0] = now;
            lastPrinted[0] = r.number();
          }
        });
    bar.close();
    List<DecodeBench.Run> all = result.runs();
    for (DecodeBench.Run r : all.subList(Math.max(lastPrinted[0] + 1, all.size() - WINDOW), all.size())) {
      printRun(out, r, perRunBytes[0]);
    }
    DecodeBench.Run rep = result.representative(WINDOW);
    double ours = rep.judgedNanos() / 1e9;
    FlowCounts c = rep.counts();
    out.printf(Locale.ROOT, "decode: %.2f MB/s of trace, %.1f M instructions/s (%.1f M ranges/s)%s%n",
        perRunBytes[0] / MB / ours, c.instructions() / 1e6 / ours, c.ranges() / 1e6 / ours,
        result.steady() ? "" : "  [not steady: the last " + WINDOW + " runs differ by more than 5 %]");
    out.printf(Locale.ROOT, "  median of the last %d of %d runs: %.1f ms; %d trace bytes, %d stream bytes, %d packets,"
        + " %d ranges, %d instructions, %d exceptions, %d errors%n", WINDOW, result.runs().size(), ours * 1e3,
        perRunBytes[0], rep.bytes(), rep.packets(), c.ranges(), c.instructions(), c.exceptions(), c.errors());
    DecodeBench.Result walls = DecodeBench.wallUntilSteady(in, threads, (long) (seconds * 1e9 / 2),
        (long) (Math.max(10, 3 * seconds) * 1e9), WINDOW, 0.05);
    DecodeBench.Run walled = walls.representative(WINDOW);
    double wallSeconds = walled.nanos() / 1e9;
    out.printf(Locale.ROOT, "wall: %.2f MB/s of trace, %.1f M instructions/s with %d threads%n",
        perRunBytes[0] / MB / wallSeconds, walled.counts().instructions() / 1e6 / wallSeconds, threads);
    if (walls.stretches()[0] > 0) {
      out.printf(Locale.ROOT, "  %d stretches over %d cores' streams, %d decoded again (their decoder states did not meet)%n",
          walls.stretches()[0], in.cores().size(), walls.stretches()[1]);
    }
    if (threads > 1) {
      // the wall line's ratio to a --threads 1 run is only as good as the machine's steadiness
      // between the two: here both meet the same seconds
      DecodeBench.Paired p = DecodeBench.pairedWall(in, threads, (long) (seconds * 1e9 / 2),
          (long) (seconds * 1e9 / 20));
      out.printf(Locale.ROOT, "  1 thread in alternating rounds: %.2f MB/s; %d threads: %.2f MB/s, %.2fx"
          + " (medians of %d and %d runs)%n", perRunBytes[0] / MB / (p.oneNanos() / 1e9), threads,
          perRunBytes[0] / MB / (p.manyNanos() / 1e9), (double) p.oneNanos() / p.manyNanos(),
          p.oneRuns(), p.manyRuns());
    }
    out.flush();
    // OpenCSD is timed, and our decode against it, before the write runs, printed after them: a
    // write run's sinks make the walk's sink call polymorphic, and the decode timed in alternating
    // rounds after them took 34 ms against the 20 ms of the decode line
    StringWriter oracles = new StringWriter();
    PrintWriter oracleOut = new PrintWriter(oracles);
    if (!noOracles) {
      timeOracles(oracleOut, rec, snapshot, in, ours, c, perRunBytes[0]);
    }
    oracleOut.flush();
    writeRates(out, in);
    out.print(oracles);
    out.flush();
    return 0;
  }

  /** The OpenCSD oracles' times and our ratios to them, onto {@code out}. */
  private void timeOracles(PrintWriter out, Path rec, boolean snapshot, TraceInput in, double ours,
      FlowCounts c, long runBytes) throws IOException, InterruptedException {
    if (!snapshot) {
      out.println("OpenCSD: not timed (it reads snapshot directories; write one with tracepoke export opencsd)");
      return;
    }
    Snapshot snap = SnapshotReader.read(rec);
    if (snap.buffers().size() > 1) {
      out.println("note: OpenCSD decodes only the first of the " + snap.buffers().size()
          + " buffers; the ratios compare different amounts of work");
    }
    Path work = Files.createTempDirectory("tracepoke-bench");
    try {
      String lister = OpenCsdTimings.onPath("trc_pkt_lister");
      double listerCpu = -1;
      if (lister == null) {
        out.println("trc_pkt_lister: not timed (not on PATH; package libopencsd-bin)");
      } else {
        OpenCsdTimings.checkLister(lister, rec, work);
        double[] cpu = new double[oracleRuns];
        double[] wall = new double[oracleRuns];
        for (int i = 0; i < oracleRuns; i++) {
          OpenCsdTimings.Timing t = OpenCsdTimings.lister(lister, rec, work);
          cpu[i] = t.cpuSeconds();
          wall[i] = t.wallSeconds();
        }
        listerCpu = median(cpu);
        out.printf(Locale.ROOT, "trc_pkt_lister -decode: %.3f s cpu (%.3f s wall): %.3f MB/s, %.2f M instructions/s%n",
            listerCpu, median(wall), runBytes / MB / listerCpu, c.instructions() / 1e6 / listerCpu);
      }
      double libCpu = -1;
      Path exe = null;
      String missing = OpenCsdTimings.harnessMissing();
      if (missing != null) {
        out.println("libopencsd: not timed (" + missing + ")");
      } else {
        exe = OpenCsdTimings.compileHarness(work);
        List<OpenCsdTimings.Timing> runs = OpenCsdTimings.harness(exe, snap, oracleRuns);
        libCpu = median(runs.stream().mapToDouble(OpenCsdTimings.Timing::cpuSeconds).toArray());
        double libWall = median(runs.stream().mapToDouble(OpenCsdTimings.Timing::wallSeconds).toArray());
        OpenCsdTimings.Timing first = runs.get(0);
        out.printf(Locale.ROOT, "libopencsd (C API, counting callback): %.3f s cpu (%.3f s wall): %.2f MB/s,"
            + " %.1f M instructions/s; it counted %d ranges, %d instructions%s%n", libCpu, libWall,
            runBytes / MB / libCpu, first.instructions() / 1e6 / libCpu, first.ranges(), first.instructions(),
            first.ranges() == c.ranges() && first.instructions() == c.instructions() ? " (same as ours)"
                : String.format(Locale.ROOT, " (ours: %d, %d)", c.ranges(), c.instructions()));
      }
      out.printf(Locale.ROOT, "ratio tracepoke/lister: %s, tracepoke/libopencsd: %s (CPU time)%n",
          listerCpu > 0 ? String.format(Locale.ROOT, "%.1fx", listerCpu / ours) : "n/a",
          libCpu > 0 ? String.format(Locale.ROOT, "%.1fx", libCpu / ours) : "n/a");
      if (exe != null) {
        pairedWithLibrary(out, in, exe, snap, libCpu);
      }
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * The ratio to the OpenCSD library again, in alternating rounds: one library run, then our
   * decode for as long, each round's ratio of medians, the median of those. The ratio line above
   * divides medians taken seconds apart, and on a shared host the machine's speed drifts by tens
   * of percent in that time (the library's run took 0.305 s in one bench and 0.46 s in another).
   */
  private void pairedWithLibrary(PrintWriter out, TraceInput in, Path exe, Snapshot snap,
      double libCpu) throws IOException, InterruptedException {
    int rounds = Math.max(5, oracleRuns);
    long slice = (long) Math.max(1, libCpu * 1e9);
    double[] ratio = new double[rounds];
    double[] lib = new double[rounds];
    double[] ourSeconds = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      lib[i] = OpenCsdTimings.harness(exe, snap, 1).get(0).cpuSeconds();
      DecodeBench.Result r = DecodeBench.untilSteady(in, threads, slice, slice, 1, Double.MAX_VALUE,
          x -> {});
      ourSeconds[i] = median(r.runs().stream().mapToDouble(x -> x.judgedNanos() / 1e9).toArray());
      if (lib[i] <= 0 || ourSeconds[i] <= 0) {
        out.println("  alternating rounds: n/a (a run too short to time)");
        return;
      }
      ratio[i] = lib[i] / ourSeconds[i];
    }
    out.printf(Locale.ROOT, "  alternating rounds: libopencsd %.3f s, tracepoke %.1f ms: %.1fx (median of %d rounds' ratios)%n",
        median(lib), median(ourSeconds) * 1e3, median(ratio), rounds);
  }

  /**
   * The whole decode command per output format (decode, merge by time, format) into a channel that
   * drops the bytes: MB/s of output, wall clock, the median of {@link #writeRuns} runs.
   */
  private void writeRates(PrintWriter out, TraceInput in) throws IOException {
    if (writeRuns <= 0) {
      return;
    }
    java.util.Map<Integer, Integer> ids = new java.util.HashMap<>();
    for (dev.tracepoke.decode.input.CoreTrace c : in.cores()) {
      ids.put(c.cpu(), c.traceId());
    }
    for (String format : List.of("text", "text --ranges", "jsonl")) {
      double[] wall = new double[writeRuns];
      double[] cpuSeconds = new double[writeRuns];
      long bytes = 0;
      for (int i = 0; i < writeRuns; i++) {
        long t0 = System.nanoTime();
        long c0 = processCpuNanos();
        OutputBuffer buf = new OutputBuffer(OutputBuffer.discarding(), OutputBuffer.DEFAULT_SIZE, "nothing");
        FlowSink writer;
        if (format.equals("jsonl")) {
          JsonlWriter json = new JsonlWriter(buf, cpu -> ids.getOrDefault(cpu, -1));
          json.header(in.source(), Decoding.cpus(in, null));
          writer = json;
        } else {
          writer = new TextWriter(buf, in.symbols(), format.endsWith("--ranges"));
        }
        Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, threads, writer, Long.MIN_VALUE, Long.MAX_VALUE);
        buf.flush();
        wall[i] = (System.nanoTime() - t0) / 1e9;
        cpuSeconds[i] = c0 < 0 ? -1 : (processCpuNanos() - c0) / 1e9;
        bytes = buf.written();
      }
      double s = median(wall);
      double cpu = median(cpuSeconds);
      String perCpu = cpu > 0 ? String.format(Locale.ROOT, ", %.1f MB/s per CPU second", bytes / MB / cpu) : "";
      out.printf(Locale.ROOT, "write %s: %.1f MB/s of output%s (%.1f MB in %.3f s wall: decode, merge by time, format;"
          + " median of %d)%n", format, bytes / MB / s, perCpu, bytes / MB, s, writeRuns);
      out.flush();
    }
  }

  /** CPU time of the whole process (decoder threads, the merge and writer, GC), -1 if unknown. */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static void printRun(PrintWriter out, DecodeBench.Run r, long bytes) {
    out.printf(Locale.ROOT, "run %d: %.1f ms wall, %s: %.2f MB/s, %.1f M instructions/s%n", r.number() + 1,
        r.nanos() / 1e6, r.cpuNanos() >= 0 ? String.format(Locale.ROOT, "%.1f ms cpu", r.cpuNanos() / 1e6) : "no cpu time",
        bytes / MB / (r.judgedNanos() / 1e9), r.counts().instructions() / 1e6 / (r.judgedNanos() / 1e9));
    out.flush();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }

  static long bufferBytes(Snapshot snap) throws IOException {
    long n = 0;
    for (TraceBuffer b : snap.buffers()) {
      n += Files.size(snap.path(b));
    }
    return n;
  }

  /** The conformance snapshot bugfix-exact-match in the nearest {@code shared/} above the working directory. */
  static Path defaultSnapshot() {
    String root = System.getProperty("tracepoke.root");
    Path start = (root != null && !root.isBlank() ? Path.of(root) : Path.of("")).toAbsolutePath();
    for (Path d = start; d != null; d = d.getParent()) {
      Path s = d.resolve("shared/conformance/opencsd-snapshots/bugfix-exact-match");
      if (SnapshotInput.isSnapshot(s)) {
        return s;
      }
    }
    return null;
  }
}
