package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
  @Test
  void simulatePrintsItsFigure() {
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "simulate", "--warmup", "0", "--instructions", "1000000"));
    // one core runs slices of 2^20 cycles, so the budget is met after the first slice
    assertTrue(out.toString().matches("simulate: 1048576 instructions in \\d+\\.\\d{3} s = \\d+\\.\\d M instructions/s"
        + " \\(thread CPU \\d+\\.\\d{3} s = \\d+\\.\\d M/s, ground truth written: [1-9]\\d* bytes for 1048576"
        + " instructions\\)\n"),
        out.toString());
  }

  @Test
  void simulateWithoutTruthCountsOnly() {
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "simulate", "--warmup", "0", "--instructions", "1000000", "--no-truth"));
    assertTrue(out.toString().matches("simulate: 1048576 instructions in \\d+\\.\\d{3} s = \\d+\\.\\d M instructions/s"
        + " \\(thread CPU \\d+\\.\\d{3} s = \\d+\\.\\d M/s\\)\n"),
        out.toString());
  }

  @Test
  void decodeCountsWhatItDecodedOnASnapshot() {
    java.nio.file.Path bugfix = BenchDecodeCommand.defaultSnapshot();
    org.junit.jupiter.api.Assumptions.assumeTrue(bugfix != null, "no shared/conformance snapshots");
    java.nio.file.Path a57 = bugfix.resolveSibling("a57_single_step");
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "decode", a57.toString(), "--seconds", "0", "--no-oracles"));
    String text = out.toString();
    // at least 3 runs (steadiness needs 3), each decoding the one range of one instruction
    assertTrue(text.startsWith("input: " + a57 + " (OpenCSD snapshot, 1 cores)\nrun 1: "), text);
    assertTrue(text.contains("\nrun 3: "), text);
    assertTrue(text.matches("(?s).*\ndecode: \\d+\\.\\d\\d MB/s of trace, \\d+\\.\\d M instructions/s \\(\\d+\\.\\d M ranges/s\\)"
        + "(  \\[not steady[^\n]*)?\n  median of the last 3 of \\d+ runs: \\d+\\.\\d ms; 128 trace bytes, 63 stream bytes,"
        + " 9 packets, 1 ranges, 1 instructions, 1 exceptions, 0 errors\n"
        + "wall: \\d+\\.\\d\\d MB/s of trace, \\d+\\.\\d M instructions/s with 1 threads\n"
        + writeLine("text") + writeLine("text --ranges") + writeLine("jsonl")), text);
  }

  @Test
  void decodeOnTwoThreadsSaysHowTheStreamWasCut() {
    String text = benchA57("decode", "--no-oracles", "--threads", "2", "--write-runs", "0");
    // 63 bytes of one core's stream: one stretch, nothing to stitch
    assertTrue(text.matches("(?s).*\nwall: \\d+\\.\\d\\d MB/s of trace, \\d+\\.\\d M instructions/s with 2 threads\n"
        + "  1 stretches over 1 cores' streams, 0 decoded again \\(their decoder states did not meet\\)\n"
        + "  1 thread in alternating rounds: \\d+\\.\\d\\d MB/s; 2 threads: \\d+\\.\\d\\d MB/s, \\d+\\.\\d\\dx"
        + " \\(medians of 3 and 3 runs\\)\n"), text);
  }

  /** Runs {@code bench VERB a57_single_step --seconds 0 ARGS...} (exit 0) and returns its output. */
  private static String benchA57(String verb, String... args) {
    java.nio.file.Path bugfix = BenchDecodeCommand.defaultSnapshot();
    org.junit.jupiter.api.Assumptions.assumeTrue(bugfix != null, "no shared/conformance snapshots");
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("bench", verb,
        bugfix.resolveSibling("a57_single_step").toString(), "--seconds", "0"));
    all.addAll(java.util.List.of(args));
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute(all.toArray(new String[0])));
    return out.toString();
  }

  /** The line bench decode prints for the whole decode written in one format (a57: under 0.1 MB). */
  private static String writeLine(String format) {
    return "write " + format + ": \\d+\\.\\d MB/s of output(, \\d+\\.\\d MB/s per CPU second)? \\(0\\.0 MB in"
        + " \\d+\\.\\d{3} s wall: decode, merge by time, format; median of 3\\)\n";
  }

  @Test
  void packetsCountsWhatItReadOnASnapshot() {
    java.nio.file.Path bugfix = BenchDecodeCommand.defaultSnapshot();
    org.junit.jupiter.api.Assumptions.assumeTrue(bugfix != null, "no shared/conformance snapshots");
    java.nio.file.Path a57 = bugfix.resolveSibling("a57_single_step");
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "packets", a57.toString(), "--seconds", "0"));
    String text = out.toString();
    assertTrue(text.startsWith("input: " + a57 + " (OpenCSD snapshot, 1 cores)\nrun 1: "), text);
    // the a57 trace: 9 packets in 63 bytes of the one stream, two of them addresses, no atoms
    assertTrue(text.matches("(?s).*\npackets: \\d+\\.\\d MB/s of trace, \\d+\\.\\d M packets/s(  \\[not steady[^\n]*)?\n"
        + "  median of the last 5 of \\d+ runs: \\d+\\.\\d\\d ms; 128 trace bytes, 63 stream bytes, 9 packets,"
        + " 0 atoms, 2 addresses, 0 errors\n"), text);
  }

  @Test
  void decodeTimesOpenCsdOnTheSameSnapshot() {
    java.nio.file.Path bugfix = BenchDecodeCommand.defaultSnapshot();
    org.junit.jupiter.api.Assumptions.assumeTrue(bugfix != null, "no shared/conformance snapshots");
    boolean lister = OpenCsdTimings.onPath("trc_pkt_lister") != null;
    String noHarness = OpenCsdTimings.harnessMissing();
    if (!lister || noHarness != null) {
      System.out.println("SKIP: OpenCSD oracles absent (trc_pkt_lister: " + lister + ", harness: " + noHarness + ")");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(lister && noHarness == null, "OpenCSD oracles absent");
    java.nio.file.Path a57 = bugfix.resolveSibling("a57_single_step");
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "decode", a57.toString(), "--seconds", "0", "--oracle-runs", "1"));
    String text = out.toString();
    // the harness decodes the same buffer with libopencsd and must count what we counted
    assertTrue(text.matches("(?s).*\ntrc_pkt_lister -decode: \\d+\\.\\d{3} s cpu \\(\\d+\\.\\d{3} s wall\\)[^\n]*\n"
        + "libopencsd \\(C API, counting callback\\): \\d+\\.\\d{3} s cpu [^\n]*; it counted 1 ranges, 1 instructions"
        + " \\(same as ours\\)\n"
        + "ratio tracepoke/lister: (\\d+\\.\\dx|n/a), tracepoke/libopencsd: \\d+\\.\\dx \\(CPU time\\)\n"
        // and again in alternating rounds, at least 5 (one library run, then our decode as long)
        + "  alternating rounds: libopencsd \\d+\\.\\d{3} s, tracepoke \\d+\\.\\d ms: \\d+\\.\\dx"
        + " \\(median of 5 rounds' ratios\\)\n"), text);
    // timed before the write runs (whose sinks would slow the decode timed after them), printed
    // after their lines
    assertTrue(text.indexOf("write jsonl: ") < text.indexOf("trc_pkt_lister -decode: "), text);
  }

  @Test
  void benchAloneListsItsSubcommands() {
    StringWriter out = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench"));
    assertTrue(out.toString().contains("simulate"), out.toString());
    assertTrue(out.toString().contains("decode"), out.toString());
  }
}
