package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.FlowSink;

/**
 * What a stretch decoder ({@link Stretches}) produces until the stitcher knows how much of it is
 * output: the elements themselves ({@link FlowBlocks}) or, when the output only counts, their
 * counts at the places the stitcher may cut ({@link CountedElements}).
 */
sealed interface HeldElements permits FlowBlocks, CountedElements {
  /** Where the decoder delivers its elements. */
  FlowSink sink();

  /** Elements produced so far. */
  long count();

  /**
   * Elements produced so far, at a place where the stitcher may cut later ({@link #skipTo} and
   * {@link #emitTo} take only numbers returned here or the final {@link #count}).
   */
  default long mark() {
    return count();
  }

  /** Elements before {@code n} are not to be output (another decoder's elements stand for them). */
  void skipTo(long n);

  /** Outputs the elements not yet output nor skipped, up to {@code to}. */
  void emitTo(long to, long indexBase, int cpu, FlowSink out);

  /** See {@link FlowBlocks#goLive}. */
  void goLive(long indexBase, int cpu, CoreStream.Producer out);

  /** See {@link FlowBlocks#endLive}. */
  void endLive();
}
