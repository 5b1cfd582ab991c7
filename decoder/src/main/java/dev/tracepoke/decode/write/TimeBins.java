package dev.tracepoke.decode.write;

import java.util.List;

/**
 * Counts over time in a fixed number of bins whose width doubles as the times seen spread out (a
 * streaming histogram): memory is {@code bins × series} longs whatever the trace's length. Bins lie
 * on one canonical grid (the width a power of two nanoseconds, the covered span starting at a
 * multiple of {@code bins × width}), so histograms filled apart (one per core) line up exactly.
 */
final class TimeBins {
  /** Called when bins merge pairwise, so per-bin extras kept elsewhere can follow. */
  interface Regrid {
    /** Old bin {@code from} is now part of new bin {@code to}. */
    void moved(int from, int to);

    /** All moves of one doubling are done. */
    void done();
  }

  private final int bins;
  private final double[][] counts;
  private long width = 1;
  private long base;
  private boolean empty = true;
  private Regrid regrid;

  TimeBins(int bins, int series) {
    if (Integer.bitCount(bins) != 1 || bins < 2) {
      throw new IllegalArgumentException("bins must be a power of two: " + bins);
    }
    this.bins = bins;
    counts = new double[series][bins];
  }

  void onRegrid(Regrid r) {
    regrid = r;
  }

  int bins() {
    return bins;
  }

  long width() {
    return width;
  }

  long base() {
    return base;
  }

  boolean isEmpty() {
    return empty;
  }

  double[] series(int s) {
    return counts[s];
  }

  /** Adds {@code v} to series {@code s} at time {@code t}. */
  void add(int s, long t, double v) {
    counts[s][cover(t)] += v;
  }

  /**
   * Spreads {@code v} over the bins that {@code [from, to]} meets, in proportion to the overlap
   * (a range of a few instructions between timestamps microseconds apart adds fractions).
   */
  void spread(int s, long from, long to, double v) {
    if (to <= from) {
      add(s, from, v);
      return;
    }
    cover(from);
    int b1 = cover(to);
    int b0 = bin(from);
    if (b0 == b1) {
      counts[s][b0] += v;
      return;
    }
    double perNano = v / (to - from);
    double[] c = counts[s];
    for (int b = b0; b <= b1; b++) {
      long lo = Math.max(from, base + b * width);
      long hi = Math.min(to, base + (b + 1) * width);
      c[b] += perNano * (hi - lo);
    }
  }

  /** The bin of {@code t}, widening the grid until it holds {@code t}. */
  int cover(long t) {
    if (empty) {
      empty = false;
      base = Math.floorDiv(t, (long) bins) * bins;
    }
    while (t < base || t - base >= width * bins) {
      doubleWidth();
    }
    return bin(t);
  }

  private int bin(long t) {
    return (int) ((t - base) / width);
  }

  private void doubleWidth() {
    long newWidth = width * 2;
    long newBase = Math.floorDiv(base, newWidth * bins) * (newWidth * bins);
    int offset = (int) ((base - newBase) / width); // 0: the old span is the left half, bins: the right
    for (double[] c : counts) {
      double[] merged = new double[bins];
      for (int i = 0; i < bins; i++) {
        merged[(offset + i) >> 1] += c[i];
      }
      System.arraycopy(merged, 0, c, 0, bins);
    }
    if (regrid != null) {
      for (int i = 0; i < bins; i++) {
        regrid.moved(i, (offset + i) >> 1);
      }
      regrid.done();
    }
    width = newWidth;
    base = newBase;
  }

  /** Widens every non-empty histogram to one common grid (the coarsest that holds them all). */
  static void align(List<TimeBins> all) {
    long w = 1;
    for (TimeBins b : all) {
      if (!b.empty) {
        w = Math.max(w, b.width);
      }
    }
    for (TimeBins b : all) {
      while (!b.empty && b.width < w) {
        b.doubleWidth();
      }
    }
    while (true) {
      Long common = null;
      boolean same = true;
      for (TimeBins b : all) {
        if (b.empty) {
          continue;
        }
        if (common == null) {
          common = b.base;
        } else if (common != b.base) {
          same = false;
        }
      }
      if (same) {
        return;
      }
      for (TimeBins b : all) {
        if (!b.empty) {
          b.doubleWidth();
        }
      }
    }
  }
}
