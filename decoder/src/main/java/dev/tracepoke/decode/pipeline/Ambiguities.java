package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowSink;
import java.util.ArrayList;
import java.util.List;

/** The ambiguous executions a decode reported, collected from its per-core results. */
public final class Ambiguities {
  /** One ambiguous patch-site execution. */
  public record Ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {}

  private Ambiguities() {}

  /**
   * Collects ambiguities per core while a streamed diff runs ({@link
   * TruthCheck#diff(TraceInput, CoreDecoderFactory, int, java.util.function.IntFunction)}'s tap).
   */
  public static final class Collector implements java.util.function.IntFunction<FlowSink> {
    private final java.util.Map<Integer, List<Ambiguity>> perCore =
        new java.util.concurrent.ConcurrentSkipListMap<>();

    @Override
    public FlowSink apply(int cpu) {
      List<Ambiguity> out = new ArrayList<>();
      perCore.put(cpu, out);
      return new FlowSink.Ignoring() {
        @Override
        public void ambiguity(int c, long pc, int[] candidates, boolean resolved, int resolvedWord,
            long timeFrom, long timeTo, long resolvedAt) {
          out.add(new Ambiguity(c, pc, candidates, resolved, resolvedWord, timeFrom, timeTo,
              resolvedAt));
        }
      };
    }

    /** Every core's ambiguities, cores ascending, each core's in its order. */
    public List<Ambiguity> all() {
      List<Ambiguity> all = new ArrayList<>();
      perCore.values().forEach(all::addAll);
      return all;
    }
  }

  public static List<Ambiguity> of(List<Decoding.CoreResult> cores) {
    List<Ambiguity> out = new ArrayList<>();
    FlowSink collect = new FlowSink.Ignoring() {
      @Override
      public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
          long timeFrom, long timeTo, long resolvedAt) {
        out.add(new Ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt));
      }
    };
    for (Decoding.CoreResult r : cores) {
      for (int i = 0, n = r.flow().size(r.cpu()); i < n; i++) {
        r.flow().replay(r.cpu(), i, collect);
      }
    }
    return out;
  }
}
