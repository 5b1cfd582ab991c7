package dev.tracepoke.decode.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.diff.Diff;
import dev.tracepoke.decode.flow.FlowSink;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReportLaneTest {
  static final long SITE = 0xffff800008001000L;

  @Test
  void windowClosesAtTheCoresFirstCseAfterTheMaintenance() {
    ReportLane l = new ReportLane(2, 64, new long[] {100, 300, Long.MAX_VALUE}, false);
    l.range(2, 0x1000, 0x1010, 4, FlowSink.LAST_ISB, false, 50, 150, FlowSink.FLAG_NONE, 0);
    l.exception(2, 0xE, 0x2000, 200, 250, 10); // a CSE, but before window 1's maintenance was done
    l.range(2, 0x2000, 0x2008, 2, FlowSink.LAST_OTHER, false, 250, 390, FlowSink.FLAG_NONE, 20);
    l.exceptionReturn(2, 390, 400, 30);
    assertArrayEquals(new long[] {150, 400, Long.MAX_VALUE}, l.closes);
    assertEquals(3, sum(l, ReportLane.CSES));
    assertEquals(1, sum(l, ReportLane.IRQS));
    assertEquals(0, sum(l, ReportLane.EXCEPTIONS));
    assertEquals(6, sum(l, ReportLane.INSNS), 1e-9);
    assertEquals(6, l.instructions);
  }

  @Test
  void verdictsJoinTheirAmbiguitiesInEitherOrder() {
    ReportLane l = new ReportLane(0, 64, new long[0], true);
    l.range(0, 0x1000, 0x1004, 1, FlowSink.LAST_OTHER, false, 10, 20, FlowSink.FLAG_NONE, 0);
    l.ambiguity(0, SITE, new int[] {0xd503201f, 0x14000010}, true, 0x14000010, 20, 30, 5);
    l.ambiguity(1, Diff.Outcomes.UNRESOLVED); // the diff judged the second before the tap passed it
    l.ambiguity(0, SITE, new int[] {0xd503201f, 0x14000010}, false, 0, 40, 50, 6);
    l.ambiguity(0, Diff.Outcomes.WRONG); // and the first only later
    l.silent(60, SITE + 4);
    l.finish();
    assertEquals(0, sum(l, ReportLane.RESOLVED));
    assertEquals(1, sum(l, ReportLane.WRONG));
    assertEquals(1, sum(l, ReportLane.UNRESOLVED));
    assertEquals(1, sum(l, ReportLane.SILENT));
    assertArrayEquals(new long[] {0, 1, 1, 0}, l.perSite.get(SITE));
    assertArrayEquals(new long[] {0, 0, 0, 1}, l.perSite.get(SITE + 4));
    assertEquals(2, l.ambiguous);
    assertEquals(1, l.resolved);
    assertEquals(1, l.unresolved);
  }

  @Test
  void withoutTruthTheDecodeSaysResolvedOrUnresolved() {
    ReportLane l = new ReportLane(0, 64, new long[0], false);
    l.ambiguity(0, SITE, new int[] {1, 2}, true, 2, 20, 30, 5);
    l.ambiguity(0, SITE, new int[] {1, 2}, false, 0, 40, 50, 6);
    l.ambiguity(0, SITE, new int[] {1, 2}, false, 0, 40, 50, 7); // the same bin as the one before
    assertEquals(1, sum(l, ReportLane.RESOLVED));
    assertEquals(2, sum(l, ReportLane.UNRESOLVED));
    // examples for the tooltip: alike executions in one bin count together
    long examples = 0;
    long counted = 0;
    for (int b = 0; b < 64; b++) {
      examples += l.samples(b).size();
      counted += l.samples(b).stream().mapToLong(s -> s.count).sum();
    }
    assertEquals(3, counted);
    assertEquals(2, examples);
  }

  private static double sum(ReportLane l, int series) {
    return Arrays.stream(l.bins.series(series)).sum();
  }
}
