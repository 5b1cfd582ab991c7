package dev.tracepoke.sim.etm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tracepoke.perf.PerfRecord;
import org.junit.jupiter.api.Test;

class TimeConvTest {

  @Test
  void defaultIsAOneGigahertzCounterFromPerfTimeZero() {
    TimeConv c = TimeConv.defaults();
    assertEquals(1_000_000_000L, c.counterHz());
    assertEquals(24, c.timeShift());
    assertEquals(1L << 24, c.timeMult());
    assertEquals(0, c.timeZero());
    assertEquals(123_456_789_012L, c.counterAt(123_456_789_012L));
    assertEquals(123_456_789_012L, c.perfTimeOf(123_456_789_012L));
  }

  @Test
  void fiftyMegahertzConvertsBackToTheStartOfTheTick() {
    TimeConv c = TimeConv.of(50_000_000L, 0);
    assertEquals(24, c.timeShift());
    assertEquals(20L << 24, c.timeMult());
    assertEquals(50_000_006L, c.counterAt(1_000_000_123L));
    assertEquals(1_000_000_120L, c.perfTimeOf(50_000_006L));
  }

  @Test
  void counterThatStartedBeforePerfTimeZero() {
    TimeConv c = TimeConv.of(25_000_000L, -5_000_000_000L);
    assertEquals(125_000_000L, c.counterAt(0));
    assertEquals(0, c.perfTimeOf(125_000_000L));
    // Exact for counters far above 2^shift, as perf computes it.
    for (long t = 3_600_000_000_000L; t < 3_600_000_000_000L + 1000; t += 7) {
      assertEquals(t - Math.floorMod(t + 5_000_000_000L, 40), c.perfTimeOf(c.counterAt(t)));
    }
  }

  @Test
  void perfRecordCarriesTheSameFields() {
    TimeConv c = TimeConv.of(50_000_000L, 77);
    assertEquals(new PerfRecord.TimeConv(24, 20L << 24, 77, 0, 0, true, false, true), c.perfRecord());
  }

  @Test
  void rejectsFrequenciesWithoutWholeNanosecondTicks() {
    assertThrows(IllegalArgumentException.class, () -> TimeConv.of(19_200_000L, 0));
    assertThrows(IllegalArgumentException.class, () -> new TimeConv(50_000_000L, 24, 21L << 24, 0));
  }
}
