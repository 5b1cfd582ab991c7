package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.diff.Diff;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.diff.RecordedTruth;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Diffs a decode of a simulated recording against the ground truth stored beside it. */
public final class TruthCheck {
  private TruthCheck() {}

  /**
   * @throws IOException if the input has no ground truth (not a simulated recording)
   */
  public static DiffReport diff(TraceInput input, List<Decoding.CoreResult> decoded) throws IOException {
    Path dir = input.truthDir().orElseThrow(() -> new IOException(
        input.source() + ": no ground truth (truth/ is written only by tracepoke simulate)"));
    Diff.TruthSource truth = RecordedTruth.open(dir);
    List<CoreDiff> cores = new ArrayList<>();
    for (Decoding.CoreResult r : decoded) {
      cores.add(Diff.diffCore(r.cpu(), r.flow(), truth.open(r.cpu()), input.symbols()));
    }
    return DiffReport.of(cores);
  }
}
