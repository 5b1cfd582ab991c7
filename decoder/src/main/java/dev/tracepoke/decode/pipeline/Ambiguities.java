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
