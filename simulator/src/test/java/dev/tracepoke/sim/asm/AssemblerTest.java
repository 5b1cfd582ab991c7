package dev.tracepoke.sim.asm;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AssemblerTest {
  @Test
  void pointerTablesAndConstants() {
    Assembler a = new Assembler(0xFFFF800008000000L);
    Assembler.Label f = a.newLabel("f");
    a.movImm64(x(0), 0xFFFF800008000010L);
    a.address(f);
    a.bind(f);
    a.emit(ret());
    assertArrayEquals(new int[] {
        movz(x(0), 0x0010, 0), movk(x(0), 0x0800, 16), movk(x(0), 0x8000, 32), movk(x(0), 0xFFFF, 48),
        0x08000018, 0xFFFF8000, ret()}, a.words());
    assertEquals(0xFFFF800008000018L, f.address());
    byte[] b = a.bytes();
    assertEquals(28, b.length);
    assertEquals((byte) 0xC0, b[24]); // RET = 0xD65F03C0, little endian
    assertEquals((byte) 0xD6, b[27]);
  }

  @Test
  void unboundAndDoublyBoundLabelsAreErrors() {
    Assembler a = new Assembler(0);
    Assembler.Label l = a.newLabel("nowhere");
    a.b(l);
    assertThrows(IllegalStateException.class, a::words);
    a.bind(l);
    assertThrows(IllegalStateException.class, () -> a.bind(l));
    assertEquals(b(4), a.words()[0]);
  }

  @Test
  void outOfRangeOperandsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> add(x(0), x(1), 4097));
    assertThrows(IllegalArgumentException.class, () -> b(1L << 27));
    assertThrows(IllegalArgumentException.class, () -> tbz(w(0), 32, 8));
    assertThrows(IllegalArgumentException.class, () -> addReg(x(0), w(1), x(2)));
    assertThrows(IllegalArgumentException.class, () -> ldr(x(0), x(1), 4));
    assertThrows(IllegalArgumentException.class, () -> and(x(0), x(1), 0));
    assertThrows(IllegalArgumentException.class, () -> movk(w(0), 1, 32));
  }
}
