package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A walk that differs from another only in an older return-stack entry waits as its shadow: it
 * follows the host's pushes and pops of the entries they share, wakes with its own stack and its
 * own history followed by the host's, and rejoins the host once its own entries are gone.
 */
class ShadowTest {
  private static Walker walker(long... entriesOldestFirst) {
    Walker w = new Walker();
    w.pc = 0x1000;
    w.needAddress = false;
    w.needContext = false;
    for (long e : entriesOldestFirst) {
      w.retPush(e);
    }
    return w;
  }

  private static long[] stack(Walker w) {
    long[] s = new long[w.retCount];
    for (int k = 0; k < w.retCount; k++) {
      s[k] = w.retStack[(w.retHead - k) & 15]; // newest first
    }
    return s;
  }

  @Test
  void aShadowWakesWhenTheHostPopsAnEntryItDoesNotShare() {
    Walker host = walker(0xA0, 0xB0);
    Walker other = walker(0xC0, 0xA0, 0xB0); // one stale entry more, at the bottom
    host.add(FlowElements.RANGE, 1, 2, 1, 0, 0, 0, 0);
    other.add(FlowElements.RANGE, 3, 4, 1, 0, 0, 0, 0);
    other.add(FlowElements.RANGE, 5, 6, 1, 0, 0, 0, 0);
    assertTrue(host.sameButStacks(other));
    host.shadow(other);
    assertEquals(1, host.shadowCount);
    Shadow s = host.shadows[0];
    assertEquals(1, s.from);
    assertEquals(2, s.above); // B0 and A0 are shared; C0 is its own
    assertEquals(1, s.retCount);
    host.add(FlowElements.RANGE, 7, 8, 1, 0, 0, 0, 0); // one history for both from here
    host.retPush(0xD0);
    assertEquals(3, s.above);
    Walker x = host.wake(0);
    assertEquals(0, host.shadowCount);
    assertEquals(3, x.out.count); // its own two ranges, then the host's since the shadow
    assertEquals(3, x.out.get(0, 1));
    assertEquals(5, x.out.get(1, 1));
    assertEquals(7, x.out.get(2, 1));
    assertEquals(java.util.List.of(0xD0L, 0xB0L, 0xA0L, 0xC0L),
        java.util.Arrays.stream(stack(x)).boxed().toList());
    assertEquals(java.util.List.of(0xD0L, 0xB0L, 0xA0L),
        java.util.Arrays.stream(stack(host)).boxed().toList());
  }

  @Test
  void aForkCopiesItsShadowsSharingTheirHistory() {
    Walker host = walker(0xA0);
    Walker other = walker(0xC0, 0xA0);
    other.add(FlowElements.RANGE, 3, 4, 1, 0, 0, 0, 0);
    host.shadow(other);
    Walker copy = host.copy();
    assertEquals(1, copy.shadowCount);
    assertSame(host.shadows[0].out, copy.shadows[0].out);
    assertTrue(host.shadows[0].twin(copy.shadows[0]));
  }

  @Test
  void aShadowWhoseEntriesAreOverwrittenOrFlushedRejoins() {
    Walker host = walker(0xA0);
    Walker other = walker(0xC0, 0xA0);
    host.shadow(other);
    assertFalse(host.rejoined(0));
    for (int k = 0; k < 15; k++) {
      host.retPush(0x100 + 4 * k); // sixteen entries in view: C0 falls off the shadow's stack
    }
    assertEquals(16, host.shadows[0].above);
    assertTrue(host.rejoined(0));
    Walker h2 = walker(0xA0);
    Walker o2 = walker(0xC0, 0xA0);
    h2.shadow(o2);
    h2.retFlush();
    assertTrue(h2.rejoined(0));
  }
}
