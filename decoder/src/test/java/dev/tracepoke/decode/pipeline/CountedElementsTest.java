package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tracepoke.decode.flow.FlowSink;
import org.junit.jupiter.api.Test;

/** A stretch decoder's counts come out exactly between the places the stitcher cuts at. */
class CountedElementsTest {

  /**
   * Ten elements, of every kind, into the counter a stretch decoder delivers to: nine count (a
   * transaction does not), so they are nine element numbers.
   */
  private static void tenElements(CountedElements counted, int instructions) {
    FlowSink c = counted.sink();
    c.range(0, 0x1000, 0x1000 + 4L * instructions, instructions, FlowSink.LAST_DIRECT, true, 5, 6,
        FlowSink.FLAG_NONE, 1);
    c.rangeWithCycles(0, 0x2000, 0x2008, 2, FlowSink.LAST_COND, false, 5, 6, FlowSink.FLAG_NONE, 2, 17);
    c.exception(0, 3, 0x2008, 5, 6, 3);
    c.exceptionReturn(0, 5, 6, 4);
    c.context(0, 1, true, true, 7, 0, 5);
    c.gap(0, FlowSink.GAP_OVERFLOW, 0, 6);
    c.noPath(0, 0x3000, 0x3010, 4, 7);
    c.ambiguity(0, 0x4000, new int[] {1, 2}, true, 1, 5, 6, 8);
    c.error(0, 9, 3, "test");
    c.transaction(0, 0, 10);
  }

  @Test
  void countsBetweenMarksAreOutputOnceAndExactly() {
    CountedElements c = new CountedElements();
    tenElements(c, 3);
    assertEquals(9, c.count());
    assertEquals(9, c.mark());
    tenElements(c, 5);
    assertEquals(18, c.mark());
    tenElements(c, 7);
    assertEquals(27, c.count());

    // another decoder stands for the first ten elements; this one's are output from there
    c.skipTo(9);
    FlowCounts out = new FlowCounts();
    c.emitTo(18, 0, 0, out);
    // ranges 2, instructions 5+2, exceptions, returns, contexts 1, gaps 2 (one a no-path), ambiguities, errors 1
    assertArrayEquals(new long[] {2, 7, 1, 1, 1, 2, 1, 1}, out.snapshot());
    c.emitTo(18, 0, 0, out); // nothing twice
    c.emitTo(27, 0, 0, out);
    assertArrayEquals(new long[] {4, 16, 2, 2, 2, 4, 2, 2}, out.snapshot());
  }

  @Test
  void onlyMarksAndTheEndAreCutPlaces() {
    CountedElements c = new CountedElements();
    tenElements(c, 3);
    c.mark();
    tenElements(c, 3);
    assertThrows(IllegalStateException.class, () -> c.skipTo(15));
    FlowCounts out = new FlowCounts();
    c.emitTo(9, 0, 0, out);
    assertArrayEquals(new long[] {2, 5, 1, 1, 1, 2, 1, 1}, out.snapshot());
    // the mark at 9 is behind the cut now and forgotten; the end still is a place
    assertThrows(IllegalStateException.class, () -> c.skipTo(9 + 1));
    c.emitTo(18, 0, 0, out);
    assertArrayEquals(new long[] {4, 10, 2, 2, 2, 4, 2, 2}, out.snapshot());
    assertThrows(IllegalStateException.class,
        () -> c.goLive(0, 0, null), "counts never go to a queue");
  }
}
