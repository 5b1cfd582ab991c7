package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.IdentityHashMap;
import org.junit.jupiter.api.Test;

/** Forked walks share what they held before the fork, and never see each other's writes. */
class HistoryTest {
  private static void fill(History h, int from, int to) {
    for (int k = from; k < to; k++) {
      h.add(FlowElements.RANGE, k, k + 1L, 1, 0, k, 0, 0);
    }
  }

  @Test
  void copiesShareTheChunksBeforeTheForkAndPartAfterIt() {
    History a = new History();
    fill(a, 0, 3 * History.CHUNK + 10);
    History b = a.share();
    assertSame(a.chunks[0], b.chunks[0]);
    assertSame(a.chunks[3], b.chunks[3]);
    a.add(FlowElements.RANGE, 1000, 1001, 1, 0, 0, 0, 0);
    b.add(FlowElements.RANGE, 2000, 2001, 1, 0, 0, 0, 0);
    // the partly filled chunk was copied by each before it wrote; the full ones stay shared
    assertNotSame(a.chunks[3], b.chunks[3]);
    assertSame(a.chunks[2], b.chunks[2]);
    assertEquals(1000, a.get(3 * History.CHUNK + 10, 1));
    assertEquals(2000, b.get(3 * History.CHUNK + 10, 1));
    assertEquals(3 * History.CHUNK + 10, a.divergence(b));
    assertEquals(3 * History.CHUNK + 10, b.divergence(a));
    IdentityHashMap<long[], Boolean> seen = new IdentityHashMap<>();
    assertEquals(3 * History.CHUNK + 11, History.distinct(a, seen));
    assertEquals(11, History.distinct(b, seen)); // only its own copy of the last chunk
  }

  @Test
  void aMarkOnASharedElementIsTheWritersAlone() {
    History a = new History();
    fill(a, 0, 3 * History.CHUNK);
    History b = a.share();
    int k = History.CHUNK + 5;
    a.or(k, 0, 1L << 8);
    assertEquals(FlowElements.RANGE | 1L << 8, a.get(k, 0));
    assertEquals(FlowElements.RANGE, b.get(k, 0));
    assertEquals(k, a.divergence(b));
    // the written chunk and those after it are the writer's copies; those before stay shared
    assertSame(a.chunks[0], b.chunks[0]);
    assertNotSame(a.chunks[1], b.chunks[1]);
    assertNotSame(a.chunks[2], b.chunks[2]);
    assertEquals(2 * History.CHUNK, b.get(2 * History.CHUNK, 1));
  }

  @Test
  void aClearedHistoryNeverWritesIntoChunksACopyHolds() {
    History a = new History();
    fill(a, 0, 3);
    History b = a.share();
    a.clear();
    fill(a, 100, 104);
    assertEquals(3, b.count);
    assertEquals(0, b.get(0, 1));
    assertEquals(2, b.get(2, 1));
    assertEquals(100, a.get(0, 1));
    // a copy of an empty history gets none of the chunks its source reuses
    History e = new History();
    fill(e, 0, 1);
    e.clear();
    History f = e.share();
    fill(e, 7, 8);
    fill(f, 9, 10);
    assertEquals(7, e.get(0, 1));
    assertEquals(9, f.get(0, 1));
  }

  @Test
  void appendCopiesARangeOfAnotherHistory() {
    History a = new History();
    fill(a, 0, 2 * History.CHUNK + 3);
    History b = new History();
    b.append(a, History.CHUNK - 1, History.CHUNK + 2);
    assertEquals(3, b.count);
    assertEquals(History.CHUNK - 1, b.get(0, 1));
    assertEquals(History.CHUNK + 1, b.get(2, 1));
  }
}
