package dev.tracepoke.coresight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TraceIdMapTest {

  @Test
  void upToCpu47TheSessionGetsTheStaticIds() {
    int[] ids = TraceIdMap.perfSession(48);
    for (int cpu = 0; cpu < 48; cpu++) {
      assertEquals(0x10 + 2 * cpu, ids[cpu], "cpu " + cpu);
    }
    assertTrue(TraceIdMap.allLegacy(ids));
    assertEquals(0x6E, ids[47]);
  }

  @Test
  void fromCpu48TheLowestFreeIdsFollow() {
    int[] ids = TraceIdMap.perfSession(64);
    assertFalse(TraceIdMap.allLegacy(ids));
    int[] tail = new int[16];
    System.arraycopy(ids, 48, tail, 0, 16);
    assertArrayEquals(new int[] {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
        0x0C, 0x0D, 0x0E, 0x0F, 0x11}, tail);
  }

  @Test
  void oneMapServes111CpusAndNoMore() {
    int[] ids = TraceIdMap.perfSession(TraceIdMap.CAPACITY);
    assertEquals(111, ids.length);
    assertEquals(0x6D, ids[109]); // the last odd ID between two legacy ones
    assertEquals(0x6F, ids[110]);
    boolean[] seen = new boolean[0x70];
    for (int id : ids) {
      assertTrue(id >= 1 && id <= 0x6F, "valid: " + id);
      assertFalse(seen[id], "unique: " + id);
      seen[id] = true;
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceIdMap.perfSession(112));
    assertEquals("no free CoreSight trace ID for cpu 111: the 111 IDs 0x01..0x6F of one trace-ID map are in use",
        e.getMessage());
  }
}
