package dev.tracepoke.sim.etm;

import dev.tracepoke.perf.PerfRecord;

/**
 * The generic counter that ETM timestamps carry, and the {@code PERF_RECORD_TIME_CONV} fields that
 * turn a counter value back into perf time:
 * {@code perf_ns = time_zero + (cyc >> shift) * mult + (((cyc & ((1 << shift) - 1)) * mult) >> shift)}.
 *
 * <p>The counter ticks at {@code counterHz}, which must divide 10^9 so that one tick is a whole
 * number of nanoseconds; {@code mult = nsPerTick << shift} then makes the conversion exact: a counter
 * value converts back to the first nanosecond of its tick. {@code cap_user_time_short} is off, so
 * {@code time_cycles} and {@code time_mask} are 0, as on a kernel with a full 64-bit counter.
 *
 * @param counterHz generic counter frequency (CNTFRQ_EL0), a divisor of 10^9
 * @param timeShift TIME_CONV time_shift
 * @param timeMult TIME_CONV time_mult ({@code (10^9 / counterHz) << timeShift}; fits the kernel's u32)
 * @param timeZero TIME_CONV time_zero: perf time at which the counter read 0 (may be negative)
 */
public record TimeConv(long counterHz, int timeShift, long timeMult, long timeZero) {

  /** Armv8.6 and later fix CNTFRQ at 1 GHz; the default for simulated cores. */
  public static final long DEFAULT_COUNTER_HZ = 1_000_000_000L;
  /** The shift Linux picks for such counters is in this range; any shift converts exactly here. */
  public static final int DEFAULT_SHIFT = 24;

  public TimeConv {
    if (counterHz <= 0 || 1_000_000_000L % counterHz != 0) {
      throw new IllegalArgumentException("counter frequency " + counterHz + " Hz does not divide 1 GHz");
    }
    if (timeShift < 0 || timeShift > 31) {
      throw new IllegalArgumentException("time_shift " + timeShift + " outside 0..31");
    }
    if (timeMult != (1_000_000_000L / counterHz) << timeShift) {
      throw new IllegalArgumentException("time_mult " + timeMult + " is not (1e9 / " + counterHz + ") << " + timeShift);
    }
    if (timeMult > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("time_mult " + timeMult + " does not fit the kernel's u32");
    }
  }

  /** A counter at {@code counterHz} that read 0 at perf time {@code timeZero}. */
  public static TimeConv of(long counterHz, long timeZero) {
    long nsPerTick = 1_000_000_000L / counterHz;
    int shift = DEFAULT_SHIFT;
    while (shift > 0 && (nsPerTick << shift) > 0xFFFF_FFFFL) {
      shift--;
    }
    return new TimeConv(counterHz, shift, nsPerTick << shift, timeZero);
  }

  /** The default: a 1 GHz counter that read 0 at perf time 0. */
  public static TimeConv defaults() {
    return of(DEFAULT_COUNTER_HZ, 0);
  }

  public long nsPerTick() {
    return 1_000_000_000L / counterHz;
  }

  /** Counter value at perf time {@code perfNs} (the tick that contains it). */
  public long counterAt(long perfNs) {
    return Math.floorDiv(perfNs - timeZero, nsPerTick());
  }

  /** perf time of a counter value, computed exactly as perf does from the TIME_CONV fields. */
  public long perfTimeOf(long counter) {
    long mask = (1L << timeShift) - 1;
    return timeZero + (counter >>> timeShift) * timeMult + (((counter & mask) * timeMult) >>> timeShift);
  }

  /** TIME_CONV time_cycles (unused without cap_user_time_short). */
  public long timeCycles() {
    return 0;
  }

  /** TIME_CONV time_mask (unused without cap_user_time_short). */
  public long timeMask() {
    return 0;
  }

  /** The PERF_RECORD_TIME_CONV record (56-byte form) for this counter. */
  public PerfRecord.TimeConv perfRecord() {
    return new PerfRecord.TimeConv(timeShift, timeMult, timeZero, timeCycles(), timeMask(), capUserTimeZero(),
        capUserTimeShort(), true);
  }

  public boolean capUserTimeZero() {
    return true;
  }

  public boolean capUserTimeShort() {
    return false;
  }
}
