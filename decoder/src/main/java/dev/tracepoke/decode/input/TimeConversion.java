package dev.tracepoke.decode.input;

/**
 * Converts trace-unit timestamps (the generic counter) to perf time in nanoseconds the way perf
 * does with PERF_RECORD_TIME_CONV: {@code zero + (cyc >> shift) * mult + ((cyc & mask) * mult >> shift)}.
 * Splitting the product keeps it exact without 128-bit arithmetic for counters below 2^63.
 */
public record TimeConversion(int shift, long mult, long zero) {
  /** Timestamps are already perf time (snapshots, or recordings without TIME_CONV). */
  public static final TimeConversion IDENTITY = new TimeConversion(0, 1, 0);

  public TimeConversion {
    if (shift < 0 || shift > 63) {
      throw new IllegalArgumentException("time_shift must be 0..63, got " + shift);
    }
  }

  public long toPerfTime(long counter) {
    if (this == IDENTITY || (shift == 0 && mult == 1 && zero == 0)) {
      return counter;
    }
    long quot = counter >>> shift;
    long rem = counter & ((1L << shift) - 1);
    return zero + quot * mult + ((rem * mult) >>> shift);
  }
}
