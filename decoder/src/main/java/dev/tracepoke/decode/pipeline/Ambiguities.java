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
    FlowSink collect = new FlowSink() {
      @Override
      public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
          long timeFrom, long timeTo, int flag, long offset) {}

      @Override
      public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {}

      @Override
      public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {}

      @Override
      public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {}

      @Override
      public void gap(int cpu, int reason, long address, long offset) {}

      @Override
      public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
          long timeFrom, long timeTo, long resolvedAt) {
        out.add(new Ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt));
      }

      @Override
      public void error(int cpu, long offset, long packetIndex, String message) {}
    };
    for (Decoding.CoreResult r : cores) {
      for (int i = 0, n = r.flow().size(r.cpu()); i < n; i++) {
        r.flow().replay(r.cpu(), i, collect);
      }
    }
    return out;
  }
}
