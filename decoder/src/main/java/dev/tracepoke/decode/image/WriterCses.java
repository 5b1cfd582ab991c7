package dev.tracepoke.decode.image;

import java.util.Arrays;
import java.util.Map;

/**
 * What a text-poke writer's own trace says about when a flagless record's cache maintenance was
 * complete.
 *
 * <p>A flagless record on A64 is written just before its write; the write becomes certain for a
 * core only at that core's first CSE after the writer's maintenance (DC CVAU, DSB, IC IVAU, DSB)
 * completed, which the record does not say. The writer, though, masks interrupts from the record
 * to the ISB that ends the maintenance ({@code __aarch64_insn_write} masks them around the write;
 * the simulated kernel keeps them masked through the maintenance), so the maintenance is complete
 * before the writer's first context-synchronization event after the record. That event is in the
 * writer's trace, and with timestamps around CSEs its time is exact.
 */
@FunctionalInterface
public interface WriterCses {

  /**
   * A time by which the maintenance of the flagless record {@code cpu} wrote at {@code recordTime}
   * was certainly complete, or {@link Long#MAX_VALUE} when the writer's trace does not tell.
   */
  long maintenanceBound(int cpu, long recordTime);

  /** Nothing known from writers' traces. */
  WriterCses NONE = (cpu, t) -> Long.MAX_VALUE;

  /**
   * From each writer's certain CSEs as flow decoding logs them: (earliest, latest) time pairs in
   * trace order, {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} where a bound is unknown. The bound
   * for a record at {@code t} is the latest time of the first CSE whose earliest time is after
   * {@code t}: that CSE certainly followed the record, so the writer's first CSE after the record
   * is it or an earlier one.
   */
  static WriterCses of(Map<Integer, long[]> logs) {
    Map<Integer, long[]> copy = Map.copyOf(logs);
    return (cpu, t) -> {
      long[] log = copy.get(cpu);
      if (log == null) {
        return Long.MAX_VALUE;
      }
      // in trace order (not by a search: a trace whose timestamps step back must not mislead it)
      for (int i = 0; i + 1 < log.length; i += 2) {
        if (log[i] > t) {
          return log[i + 1];
        }
      }
      return Long.MAX_VALUE;
    };
  }

  /** For tests: one writer's CSEs as (earliest, latest) pairs. */
  static WriterCses of(int cpu, long... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("CSE log needs (earliest, latest) pairs: " + Arrays.toString(pairs));
    }
    return of(Map.of(cpu, pairs.clone()));
  }
}
