package dev.tracepoke.cli;

import picocli.CommandLine.Option;

/**
 * Options several commands take, each a picocli mixin so its name, label, default and help are
 * spelled once ({@link InputOptions} is the one for where code comes from).
 */
final class SharedOptions {
  private SharedOptions() {}

  /** {@code --threads N}. */
  static final class Threads {
    @Option(names = "--threads", paramLabel = "N", description = "Decode threads (default: one per available processor); with more than two processors one core's stream is also cut into stretches decoded in parallel.")
    int threads = Runtime.getRuntime().availableProcessors();
  }

  /** {@code --json}. */
  static final class Json {
    @Option(names = "--json", description = "Print JSON instead of text (stable keys, listed in the README and DESIGN.md).")
    boolean json;
  }

  /** {@code --cpu N,...} and {@code --time FROM,TO}: which cores and which stretch of time. */
  static final class Selection {
    @Option(names = "--cpu", paramLabel = "N", split = ",", description = "Only these cores (repeat or comma-separate).")
    int[] cpus;

    @Option(names = "--time", paramLabel = "FROM,TO",
        description = "Only elements in this perf-time window (ns, or seconds with a '.'; either side may be empty).")
    String time;

    /** {FROM, TO} in ns, open sides as Long.MIN_VALUE / MAX_VALUE. */
    long[] window() {
      return DecodeCommand.parseTime(time);
    }
  }
}
