package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowDecoder;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Decodes the same input again and again (packets and flow into {@link FlowCounts}, nothing
 * kept) until the time per decode is steady, for {@code tracepoke bench decode}. Give it an input
 * whose bytes are in memory ({@link TraceInput#inMemory}) so the disk is not measured. Every run
 * starts from nothing (new block caches), as a fresh decode of the input would.
 */
public final class DecodeBench {
  private DecodeBench() {}

  /**
   * One decode of every core.
   *
   * @param number 0 for the first run
   * @param nanos wall time of the run
   * @param cpuNanos CPU time of the decoding threads (-1 where the JVM cannot measure it)
   * @param bytes trace bytes decoded (all cores, deformatted)
   * @param packets packets read
   * @param counts what the decoders output
   */
  public record Run(int number, long nanos, long cpuNanos, long bytes, long packets, FlowCounts counts) {
    /** The time steadiness and rates are judged on: CPU time where known, else wall time. */
    public long judgedNanos() {
      return cpuNanos >= 0 ? cpuNanos : nanos;
    }
  }

  /**
   * What a benchmark measured; {@code stretches} = {stretches cut, stretches decoded again} of
   * the last whole decode ({0, 0} where one stream was not cut).
   */
  public record Result(List<Run> runs, boolean steady, long[] stretches) {
    public Result(List<Run> runs, boolean steady) {
      this(runs, steady, new long[2]);
    }

    /** The median of the last {@code window} runs by {@link Run#judgedNanos}. */
    public Run representative(int window) {
      List<Run> last = new ArrayList<>(runs.subList(Math.max(0, runs.size() - window), runs.size()));
      last.sort((a, b) -> Long.compare(a.judgedNanos(), b.judgedNanos()));
      return last.get(last.size() / 2);
    }
  }

  /**
   * Runs decodes until at least {@code minNanos} have passed and the last {@code window} runs
   * agree within {@code tolerance} (0.05 = 5 %), or until {@code maxNanos} have passed.
   *
   * @param threads decode threads (cores are independent; 1 decodes in the calling thread)
   * @param each called after every run
   */
  public static Result untilSteady(TraceInput input, int threads, long minNanos, long maxNanos,
      int window, double tolerance, Consumer<Run> each) throws IOException {
    ImageTimeline timeline = Decoding.timeline(input, CoreDecoderFactory.WINDOWS);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean cpu = mx.isCurrentThreadCpuTimeSupported();
    if (cpu && !mx.isThreadCpuTimeEnabled()) {
      mx.setThreadCpuTimeEnabled(true);
    }
    ExecutorService pool = threads > 1 && input.cores().size() > 1
        ? Decoding.daemonPool(Math.min(threads, input.cores().size()), "tracepoke-bench")
        : null;
    List<Run> runs = new ArrayList<>();
    long start = System.nanoTime();
    try {
      while (true) {
        Run r = once(runs.size(), input, timeline, pool, cpu ? mx : null);
        runs.add(r);
        each.accept(r);
        long elapsed = System.nanoTime() - start;
        boolean steady = steady(runs, window, tolerance);
        if ((elapsed >= minNanos && steady) || elapsed >= maxNanos) {
          return new Result(List.copyOf(runs), steady);
        }
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /**
   * Times whole decodes of {@code input} by the wall clock, the work of {@link #untilSteady}
   * (packets and flow, elements counted, nothing kept), on {@code threads} threads all together,
   * until steady. With one thread every core is decoded on the calling thread. With more, each
   * core's stream is also cut into {@link Stretches} decoded in parallel on a pool of {@code
   * threads} and stitched as {@link Decoding#stream} stitches them: what is counted is what a decode
   * on one thread outputs, stretch decoders that ran on past their stitch counted once.
   * Counting needs no merge by time, so no element goes through a queue.
   */
  public static Result wallUntilSteady(TraceInput input, int threads, long minNanos, long maxNanos,
      int window, double tolerance) throws IOException {
    return wallUntilSteady(input, threads, Stretches.stretchFor(threads), minNanos, maxNanos,
        window, tolerance);
  }

  /** {@link #wallUntilSteady}, with more than one thread cut into stretches of about {@code stretchBytes}. */
  static Result wallUntilSteady(TraceInput input, int threads, int stretchBytes, long minNanos,
      long maxNanos, int window, double tolerance) throws IOException {
    ImageTimeline timeline = Decoding.timeline(input, CoreDecoderFactory.WINDOWS);
    FlowDecoder.Config config = Stretches.config(CoreDecoderFactory.WINDOWS, input);
    int inFlight = Decoding.Streams.inFlight(threads, stretchBytes);
    ExecutorService stretchPool = threads > 1 && inFlight >= 3 ? Decoding.Streams.pool(threads) : null;
    ExecutorService corePool = threads > 1 && input.cores().size() > 1
        ? Decoding.daemonPool(Math.min(threads, input.cores().size()), "tracepoke-bench")
        : null;
    List<Run> runs = new ArrayList<>();
    long start = System.nanoTime();
    try {
      while (true) {
        AtomicLong cuts = new AtomicLong();
        AtomicLong redone = new AtomicLong();
        long t0 = System.nanoTime();
        List<Callable<FlowCounts>> work = new ArrayList<>();
        for (CoreTrace c : input.cores()) {
          work.add(() -> {
            FlowCounts counts = new FlowCounts();
            if (stretchPool == null) {
              Decoding.decodeCore(c, timeline, input, CoreDecoderFactory.WINDOWS, counts);
            } else {
              Stretches st = new Stretches(c, timeline, input, config, stretchPool, inFlight,
                  stretchBytes, counts);
              st.decode();
              cuts.addAndGet(st.count());
              redone.addAndGet(st.redone);
            }
            return counts;
          });
        }
        FlowCounts counts = new FlowCounts();
        for (FlowCounts c : Decoding.onThreads(work, corePool, "benchmark")) {
          counts.add(c);
        }
        runs.add(new Run(runs.size(), System.nanoTime() - t0, -1, -1, -1, counts));
        long elapsed = System.nanoTime() - start;
        boolean steady = steady(runs, window, tolerance);
        if ((elapsed >= minNanos && steady) || elapsed >= maxNanos) {
          return new Result(List.copyOf(runs), steady, new long[] {cuts.get(), redone.get()});
        }
      }
    } finally {
      Decoding.Streams.stop(stretchPool);
      if (corePool != null) {
        corePool.shutdownNow();
      }
    }
  }

  /**
   * Wall times of the {@link #wallUntilSteady} decode on one thread and on {@code threads}: the
   * median of each's runs.
   */
  public record Paired(long oneNanos, long manyNanos, int oneRuns, int manyRuns) {}

  /**
   * {@link #wallUntilSteady} on one thread and on {@code threads}, in alternating rounds of about
   * {@code roundNanos} each, for at least {@code nanos} and 3 rounds each after a first round of
   * each that is left out (warm-up): both meet the same machine, so their ratio holds on one
   * whose speed drifts (a shared host's can by tens of percent within seconds).
   */
  public static Paired pairedWall(TraceInput input, int threads, long nanos, long roundNanos)
      throws IOException {
    List<Long> one = new ArrayList<>();
    List<Long> many = new ArrayList<>();
    long start = System.nanoTime();
    for (int round = 0; round < 4 || System.nanoTime() - start < nanos; round++) {
      for (int t : new int[] {1, threads}) {
        Result r = wallUntilSteady(input, t, roundNanos, roundNanos, 1, Double.MAX_VALUE);
        if (round > 0) {
          for (Run x : r.runs()) {
            (t == 1 ? one : many).add(x.nanos());
          }
        }
      }
    }
    return new Paired(median(one), median(many), one.size(), many.size());
  }

  private static long median(List<Long> nanos) {
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return s[s.length / 2];
  }

  static boolean steady(List<Run> runs, int window, double tolerance) {
    if (runs.size() < window) {
      return false;
    }
    long[] t = new long[window];
    for (int i = 0; i < window; i++) {
      t[i] = runs.get(runs.size() - window + i).judgedNanos();
    }
    Arrays.sort(t);
    return t[window - 1] <= t[0] * (1 + tolerance);
  }

  private record Part(long cpuNanos, long bytes, long packets, FlowCounts counts) {}

  private static Run once(int number, TraceInput input, ImageTimeline timeline, ExecutorService pool,
      ThreadMXBean mx) throws IOException {
    long t0 = System.nanoTime();
    List<Callable<Part>> work = new ArrayList<>();
    for (CoreTrace c : input.cores()) {
      work.add(() -> core(c, input, timeline, mx));
    }
    List<Part> parts = Decoding.onThreads(work, pool, "benchmark");
    long nanos = System.nanoTime() - t0;
    long cpuNanos = mx == null ? -1 : 0;
    long bytes = 0;
    long packets = 0;
    FlowCounts counts = new FlowCounts();
    for (Part p : parts) {
      if (mx != null) {
        cpuNanos += p.cpuNanos();
      }
      bytes += p.bytes();
      packets += p.packets();
      counts.add(p.counts());
    }
    return new Run(number, nanos, cpuNanos, bytes, packets, counts);
  }

  private static Part core(CoreTrace c, TraceInput input, ImageTimeline timeline, ThreadMXBean mx)
      throws IOException {
    long c0 = mx == null ? 0 : mx.getCurrentThreadCpuTime();
    FlowCounts counts = new FlowCounts();
    long[] bp = Decoding.decodeCore(c, timeline, input, CoreDecoderFactory.WINDOWS, counts);
    long cpuNanos = mx == null ? 0 : mx.getCurrentThreadCpuTime() - c0;
    return new Part(cpuNanos, bp[0], bp[1], counts);
  }
}
