package dev.tracepoke.decode.etm4;

import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * Maps an offset in a trace-ID stream to OpenCSD's index of it in the formatted buffer. OpenCSD's
 * frame deformatter hands each run of a source's bytes on with one index (see {@link
 * dev.tracepoke.coresight.FrameDeformatter.Sink#data}); a byte's index is that plus its position in
 * the run, which is what {@code trc_pkt_lister} prints as {@code Idx}. Record every run with
 * {@link #run}; lookups are a binary search.
 */
public final class OpenCsdIndex implements LongUnaryOperator {

  private long[] starts = new long[256];
  private long[] indices = new long[256];
  private int runs;

  /** The run that starts at stream offset {@code streamOffset} has OpenCSD index {@code index}. */
  public void run(long streamOffset, long index) {
    if (runs == starts.length) {
      starts = Arrays.copyOf(starts, runs * 2);
      indices = Arrays.copyOf(indices, runs * 2);
    }
    starts[runs] = streamOffset;
    indices[runs] = index;
    runs++;
  }

  /** Number of runs recorded. */
  public int runs() {
    return runs;
  }

  @Override
  public long applyAsLong(long offset) {
    int lo = 0;
    int hi = runs - 1;
    if (hi < 0 || offset < starts[0]) {
      return offset;
    }
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return indices[lo] + (offset - starts[lo]);
  }
}
