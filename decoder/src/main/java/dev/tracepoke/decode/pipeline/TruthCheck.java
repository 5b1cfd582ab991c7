package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.diff.Diff;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.diff.RecordedTruth;
import dev.tracepoke.decode.flow.ElementWindow;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.function.IntFunction;

/** Diffs a decode of a simulated recording against the ground truth stored beside it. */
public final class TruthCheck {
  private TruthCheck() {}

  /**
   * Diffs decodes held in memory.
   *
   * @throws IOException if the input has no ground truth (not a simulated recording)
   */
  public static DiffReport diff(TraceInput input, List<Decoding.CoreResult> decoded) throws IOException {
    Diff.TruthSource truth = truth(input);
    List<CoreDiff> cores = new ArrayList<>();
    for (Decoding.CoreResult r : decoded) {
      int cpu = r.cpu();
      cores.add(Diff.diffCore(r.flow().window(cpu), truth.open(cpu), () -> truth.open(cpu),
          input.symbols()));
    }
    return DiffReport.of(cores);
  }

  /**
   * Decodes every core with {@code factory} and diffs it as it is decoded: each core's elements
   * stream through a bounded queue into its diff (cores in parallel, up to {@code threads}), so
   * memory does not grow with the trace.
   *
   * @param tap per core, a sink that also sees every element of that core in order (called on
   *     that core's diff thread), or null
   * @throws IOException if the input has no ground truth (not a simulated recording)
   */
  public static DiffReport diff(TraceInput input, CoreDecoderFactory factory, int threads,
      IntFunction<FlowSink> tap) throws IOException {
    return diff(input, factory, threads, tap, null);
  }

  /**
   * As {@link #diff(TraceInput, CoreDecoderFactory, int, IntFunction)}; per core, {@code outcomes}
   * (or null) hears each ambiguity's verdict and each silent error, on that core's diff thread.
   */
  public static DiffReport diff(TraceInput input, CoreDecoderFactory factory, int threads,
      IntFunction<FlowSink> tap, IntFunction<Diff.Outcomes> outcomes) throws IOException {
    Diff.TruthSource truth = truth(input);
    ImageTimeline timeline = Decoding.timeline(input, factory);
    List<CoreTrace> cores = input.cores();
    ExecutorService pool = Decoding.daemonPool(Math.max(1, Math.min(threads, cores.size())),
        "tracepoke-diff");
    try (Decoding.Streams streams = new Decoding.Streams(input, timeline, factory, cores, threads)) {
      List<Callable<CoreDiff>> work = new ArrayList<>();
      for (CoreStream s : streams.cores) {
        FlowSink sink = tap == null ? null : tap.apply(s.cpu());
        Diff.Outcomes heard = outcomes == null ? Diff.Outcomes.NONE : outcomes.apply(s.cpu());
        work.add(() -> {
          ElementWindow w = sink == null ? s : new Tapped(s, sink);
          CoreDiff d = Diff.diffCore(w, truth.open(s.cpu()), () -> truth.open(s.cpu()),
              input.symbols(), heard);
          if (w instanceof Tapped t) {
            t.drain();
          }
          return d;
        });
      }
      return DiffReport.of(Decoding.onThreads(work, pool, "diff"));
    } finally {
      pool.shutdownNow();
    }
  }

  private static Diff.TruthSource truth(TraceInput input) throws IOException {
    Path dir = input.truthDir().orElseThrow(() -> new IOException(
        input.source() + ": no ground truth (truth/ is written only by tracepoke simulate)"));
    return RecordedTruth.open(dir);
  }

  /** A window that sends each element to a tap once the reader has passed it. */
  private static final class Tapped implements ElementWindow {
    private final ElementWindow in;
    private final FlowSink tap;
    private long sent;

    Tapped(ElementWindow in, FlowSink tap) {
      this.in = in;
      this.tap = tap;
    }

    @Override
    public int cpu() {
      return in.cpu();
    }

    @Override
    public boolean has(long i) throws IOException {
      return in.has(i);
    }

    @Override
    public long get(long i, int slot) {
      return in.get(i, slot);
    }

    @Override
    public void send(long i, FlowSink sink) {
      in.send(i, sink);
    }

    @Override
    public void trimBefore(long i) {
      for (; sent < i; sent++) {
        in.send(sent, tap);
      }
      in.trimBefore(i);
    }

    /** Sends what the reader did not pass (it stops at the end: nothing, unless it stopped early). */
    void drain() throws IOException {
      while (in.has(sent)) {
        in.send(sent++, tap);
      }
    }
  }
}
