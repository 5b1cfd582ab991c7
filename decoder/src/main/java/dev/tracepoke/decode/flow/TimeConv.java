package dev.tracepoke.decode.flow;

/**
 * Converts ETM timestamp counter values to perf time with the fields of {@code
 * PERF_RECORD_TIME_CONV}, using perf's formula ({@code tsc_to_perf_time}): {@code quot = cyc >>
 * shift; rem = cyc & ((1 << shift) - 1); ns = zero + quot * mult + ((rem * mult) >> shift)}.
 *
 * @param timeShift time_shift (0..31)
 * @param timeMult time_mult
 * @param timeZero time_zero
 */
public record TimeConv(int timeShift, long timeMult, long timeZero) {
  /** Counter values are already perf time (snapshots, hand-made traces). */
  public static final TimeConv IDENTITY = new TimeConv(0, 1, 0);

  public TimeConv {
    if (timeShift < 0 || timeShift > 31) {
      throw new IllegalArgumentException("time_shift " + timeShift + " outside 0..31");
    }
  }

  /** Perf time (ns) of counter value {@code cyc}. */
  public long toPerf(long cyc) {
    long quot = cyc >>> timeShift;
    long rem = cyc & ((1L << timeShift) - 1);
    return timeZero + quot * timeMult + ((rem * timeMult) >>> timeShift);
  }
}
