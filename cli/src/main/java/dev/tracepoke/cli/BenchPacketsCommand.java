package dev.tracepoke.cli;

import dev.tracepoke.decode.pipeline.PacketBench;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.snapshot.SnapshotReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke bench packets}: the packet layer alone, on a recording or snapshot held in memory. */
@Command(name = "packets", mixinStandardHelpOptions = true, description = {
    "Packet-layer throughput (bytes to packets, counted; no flow) with the trace in memory, repeated",
    "until steady. MB = 2^20 bytes of trace as stored (the formatted buffer for snapshots), as in",
    "bench decode. Rates are per CPU second of the reading thread."})
final class BenchPacketsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "REC",
      description = "A perf directory or an OpenCSD snapshot directory (default: the conformance snapshot bugfix-exact-match under ../shared).")
  Path recording;

  @Option(names = "--image", paramLabel = "ELF", description = "Kernel image for a plain perf.data file.")
  Path image;

  @Option(names = "--seconds", paramLabel = "N", description = "Read for at least this long (default: ${DEFAULT-VALUE}).")
  double seconds = 5;

  private static final double MB = 1 << 20;
  private static final int WINDOW = 5;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path rec = recording != null ? recording : BenchDecodeCommand.defaultSnapshot();
    if (rec == null) {
      err.println("tracepoke bench packets: give REC (no shared/conformance/opencsd-snapshots/bugfix-exact-match found above "
          + Path.of("").toAbsolutePath() + ")");
      return 2;
    }
    boolean snapshot = SnapshotInput.isSnapshot(rec);
    TraceInput in = Inputs.open(rec, image, spec).inMemory();
    out.printf(Locale.ROOT, "input: %s (%s, %d cores)%n", rec, snapshot ? "OpenCSD snapshot" : "perf recording",
        in.cores().size());
    if (in.cores().isEmpty()) {
      err.println("tracepoke bench packets: " + rec + " has no ETMv4 trace to read");
      return 1;
    }
    long traceBytes = snapshot ? BenchDecodeCommand.bufferBytes(SnapshotReader.read(rec)) : -1;
    long[] perRun = {traceBytes};
    long[] lastPrint = {0};
    int[] lastPrinted = {-1};
    PacketBench.Result result = PacketBench.untilSteady(in, (long) (seconds * 1e9),
        (long) (Math.max(30, 6 * seconds) * 1e9), WINDOW, 0.05, r -> {
          if (perRun[0] < 0) {
            perRun[0] = r.bytes();
          }
          long now = System.nanoTime();
          if (r.number() < WINDOW || now - lastPrint[0] >= 250_000_000L) {
            printRun(out, r, perRun[0]);
            lastPrint[0] = now;
            lastPrinted[0] = r.number();
          }
        });
    List<PacketBench.Run> all = result.runs();
    for (PacketBench.Run r : all.subList(Math.max(lastPrinted[0] + 1, all.size() - WINDOW), all.size())) {
      printRun(out, r, perRun[0]);
    }
    PacketBench.Run rep = result.representative(WINDOW);
    double s = rep.judgedNanos() / 1e9;
    out.printf(Locale.ROOT, "packets: %.1f MB/s of trace, %.1f M packets/s%s%n", perRun[0] / MB / s,
        rep.packets() / 1e6 / s,
        result.steady() ? "" : "  [not steady: the last " + WINDOW + " runs differ by more than 5 %]");
    out.printf(Locale.ROOT, "  median of the last %d of %d runs: %.2f ms; %d trace bytes, %d stream bytes, %d packets,"
        + " %d atoms, %d addresses, %d errors%n", WINDOW, all.size(), s * 1e3, perRun[0], rep.bytes(),
        rep.packets(), rep.atoms(), rep.addresses(), rep.errors());
    out.flush();
    return 0;
  }

  private static void printRun(PrintWriter out, PacketBench.Run r, long bytes) {
    out.printf(Locale.ROOT, "run %d: %.2f ms wall, %s: %.1f MB/s%n", r.number() + 1, r.nanos() / 1e6,
        r.cpuNanos() >= 0 ? String.format(Locale.ROOT, "%.2f ms cpu", r.cpuNanos() / 1e6) : "no cpu time",
        bytes / MB / (r.judgedNanos() / 1e9));
    out.flush();
  }
}
