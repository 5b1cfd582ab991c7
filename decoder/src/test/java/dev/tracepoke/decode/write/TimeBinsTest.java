package dev.tracepoke.decode.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeBinsTest {

  @Test
  void widensByDoublingAndKeepsEveryCount() {
    TimeBins b = new TimeBins(8, 1);
    b.add(0, 1000, 1); // base 1000, width 1: [1000, 1008)
    assertEquals(1000, b.base());
    assertEquals(1, b.width());
    b.add(0, 1007, 2);
    b.add(0, 1012, 3); // width 2 spans [992, 1008): too short; width 4 spans [992, 1024)
    assertEquals(4, b.width());
    assertEquals(992, b.base()); // a multiple of 8 * 4
    double[] s = b.series(0);
    assertArrayEquals(new double[] {0, 0, 1, 2, 0, 3, 0, 0}, s);
  }

  @Test
  void timesBeforeTheFirstWidenToTheLeft() {
    TimeBins b = new TimeBins(4, 1);
    b.add(0, 100, 1); // base 100, width 1
    b.add(0, 90, 1);
    // widths 2, 4, 8 span from 96 (not 90); width 16 spans [64, 128)
    assertEquals(16, b.width());
    assertEquals(64, b.base());
    assertArrayEquals(new double[] {0, 1, 1, 0}, b.series(0));
  }

  @Test
  void spreadsAnIntervalInProportion() {
    TimeBins b = new TimeBins(8, 1);
    b.cover(0);
    b.cover(7); // width 1, base 0
    b.spread(0, 2, 6, 8); // 4 ns: 2 per ns over bins 2..5
    assertArrayEquals(new double[] {0, 0, 2, 2, 2, 2, 0, 0}, b.series(0));
  }

  @Test
  void histogramsFilledApartAlignOnOneGrid() {
    TimeBins a = new TimeBins(8, 1);
    TimeBins c = new TimeBins(8, 1);
    a.add(0, 5, 1);
    c.add(0, 70, 1);
    c.add(0, 100, 1);
    TimeBins.align(List.of(a, c));
    assertEquals(a.width(), c.width());
    assertEquals(a.base(), c.base());
    assertEquals(16, a.width()); // span 128 from 0 holds 5, 70 and 100
    assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0, 0, 0}, a.series(0));
    assertArrayEquals(new double[] {0, 0, 0, 0, 1, 0, 1, 0}, c.series(0));
  }
}
