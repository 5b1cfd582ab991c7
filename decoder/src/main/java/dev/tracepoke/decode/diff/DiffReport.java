package dev.tracepoke.decode.diff;

import java.util.List;

/** The diff of a whole recording: totals over all cores, then each core. */
public record DiffReport(CoreDiff total, List<CoreDiff> cores) {

  /** Totals {@code cores} (summed; the earliest first divergence). */
  public static DiffReport of(List<CoreDiff> cores) {
    long t = 0, d = 0, m = 0, s = 0, a = 0, rr = 0, rw = 0, u = 0, ud = 0, ug = 0;
    CoreDiff.Divergence first = null;
    for (CoreDiff c : cores) {
      t += c.instructionsTruth();
      d += c.instructionsDecoded();
      m += c.matched();
      s += c.silentErrors();
      a += c.ambiguous();
      rr += c.resolvedRight();
      rw += c.resolvedWrong();
      u += c.unresolved();
      ud += c.unresolvedUndecidable();
      ug += c.unresolvedGaveUp();
      CoreDiff.Divergence f = c.firstDivergence();
      if (f != null && (first == null || f.time() < first.time())) {
        first = f;
      }
    }
    return new DiffReport(new CoreDiff(-1, t, d, m, s, a, rr, rw, u, ud, ug, first), List.copyOf(cores));
  }
}
