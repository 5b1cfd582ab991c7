package dev.tracepoke.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/** Runs the installed perf (the oracle) and parses the record lines of {@code perf report -D}. */
final class PerfTool {
  private PerfTool() {}

  /** What perf printed and how it ended. */
  record Run(int exit, String out, String err) {}

  /** One record line: {@code [cpu] [time] 0xOFFSET [0xSIZE]: PERF_RECORD_NAME rest}. */
  record Line(long cpu, long time, long offset, int size, String name, String rest) {}

  private static final Pattern RECORD =
      Pattern.compile("^(?:(-?\\d+) )?(?:(\\d+) )?0x([0-9a-f]+) \\[0x([0-9a-f]+)\\]: PERF_RECORD_([A-Z0-9_]+)(.*)$");

  /** The perf binary (system property {@code tracepoke.perf}, default {@code perf} on the PATH). */
  static final String PERF = System.getProperty("tracepoke.perf", "perf");

  /** Skips the calling test, with the reason, where perf is missing or does not run. */
  static void assumePerf() {
    String reason = null;
    try {
      Run r = run(Path.of(System.getProperty("java.io.tmpdir")), PERF, "version");
      if (r.exit() != 0 || !r.out().startsWith("perf version")) {
        reason = "perf version exited " + r.exit() + ": " + r.out() + r.err();
      }
    } catch (IOException e) {
      reason = "perf is not installed (" + e.getMessage() + ")";
    }
    String why = reason;
    Assumptions.assumeTrue(why == null, () -> "skipped: oracle perf unavailable: " + why);
  }

  static Run run(Path cwd, String... cmd) throws IOException {
    Path out = Files.createTempFile("perf-out", ".txt");
    Path err = Files.createTempFile("perf-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("PAGER", "cat");
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
          Files.readString(err, StandardCharsets.ISO_8859_1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The record lines of a {@code perf report -D} listing, in the order perf printed them. */
  static List<Line> records(String listing) {
    List<Line> out = new ArrayList<>();
    for (String l : listing.split("\n")) {
      Matcher m = RECORD.matcher(l);
      if (m.matches()) {
        long cpu = m.group(2) != null ? Long.parseLong(m.group(1)) : -1;
        long time = m.group(2) != null ? Long.parseLong(m.group(2)) : m.group(1) != null ? Long.parseLong(m.group(1)) : -1;
        out.add(new Line(cpu, time, Long.parseLong(m.group(3), 16), Integer.parseInt(m.group(4), 16),
            m.group(5), m.group(6)));
      }
    }
    return out;
  }
}
