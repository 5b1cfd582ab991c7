package dev.tracepoke.sim.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogicalImmediateTest {

  /** Every encodable field decodes to a value that encodes back to a field decoding to itself. */
  @Test
  void everyEncodingRoundTrips() {
    for (int width : new int[] {32, 64}) {
      Set<Long> values = new HashSet<>();
      for (int n = 0; n <= (width == 64 ? 1 : 0); n++) {
        for (int immr = 0; immr < 64; immr++) {
          for (int imms = 0; imms < 64; imms++) {
            long v;
            try {
              v = LogicalImmediate.decode(n, immr, imms, width);
            } catch (IllegalArgumentException reserved) {
              continue;
            }
            if (width == 32 && (immr > 31 || imms > 31 && (imms & 0x20) == 0)) {
              continue;
            }
            int field = LogicalImmediate.encode(v, width);
            assertEquals(v, LogicalImmediate.decode(field >>> 12, (field >>> 6) & 63, field & 63, width));
            values.add(v);
          }
        }
      }
      // distinct values: the sum over element sizes e of e*(e-1) rotations of runs
      assertEquals(width == 64 ? 5334 : 1302, values.size());
    }
  }

  @Test
  void knownFields() {
    assertEquals(0x1007, LogicalImmediate.encode(0xff, 64)); // N=1 immr=0 imms=7
    assertEquals(0x0000, LogicalImmediate.encode(0x0000000100000001L, 64));
    assertEquals(0x003c, LogicalImmediate.encode(0x5555555555555555L, 64)); // size 2, one bit
    assertEquals(0x0041, LogicalImmediate.encode(0x80000001L, 32)); // immr=1 imms=1
  }

  @Test
  void rejectsNonBitmasks() {
    assertThrows(IllegalArgumentException.class, () -> LogicalImmediate.encode(0, 64));
    assertThrows(IllegalArgumentException.class, () -> LogicalImmediate.encode(-1L, 64));
    assertThrows(IllegalArgumentException.class, () -> LogicalImmediate.encode(0x1234, 64));
    assertThrows(IllegalArgumentException.class, () -> LogicalImmediate.encode(0xffffffffL, 32));
  }
}
