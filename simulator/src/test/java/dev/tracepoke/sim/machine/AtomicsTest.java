package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.sim.asm.Assembler;
import org.junit.jupiter.api.Test;

/** LSE atomics, compare-and-swap, acquire/release and the exclusive monitor. */
class AtomicsTest {
  private static final long T0 = MachineConfig.defaults().startTime();
  private final Rig rig = new Rig();

  @Test
  void lseAtomicsReturnTheOldValue() {
    long d = Rig.DATA;
    rig.m.memory().write64(d, 40);
    rig.m.memory().write64(d + 8, 0xFF);
    rig.m.memory().write64(d + 16, 0xFFFFFFFF_00000005L);
    Core c = rig.run(cc -> {
      cc.setX(1, d);
      cc.setX(2, 2);
      cc.setX(3, 0x0F);
      cc.setX(4, d + 8);
      cc.setX(5, d + 16);
    },
        ldadd(x(2), x(10), x(1)), // [d] = 42, x10 = 40
        ldaddal(x(2), x(11), x(1)), // [d] = 44, x11 = 42
        ldclral(x(3), x(12), x(4)), // [d+8] = 0xF0
        ldeoral(x(3), x(13), x(4)), // [d+8] = 0xFF
        ldsetal(x(2), x(14), x(4)), // unchanged 0xFF | 2
        swpal(x(2), x(15), x(1)), // [d] = 2, x15 = 44
        ldadd(w(2), w(16), x(5))); // low word 5 + 2, high word untouched
    assertEquals(2L, rig.m.memory().read64(d));
    assertEquals(40L, c.x(10));
    assertEquals(42L, c.x(11));
    assertEquals(0xFFL, c.x(12));
    assertEquals(0xF0L, c.x(13));
    assertEquals(0xFFL, c.x(14));
    assertEquals(44L, c.x(15));
    assertEquals(0xFFL, rig.m.memory().read64(d + 8));
    assertEquals(5L, c.x(16));
    assertEquals(0xFFFFFFFF_00000007L, rig.m.memory().read64(d + 16));
  }

  @Test
  void compareAndSwap() {
    long d = Rig.DATA;
    rig.m.memory().write64(d, 7);
    Core c = rig.run(cc -> {
      cc.setX(1, d);
      cc.setX(2, 7); // expected
      cc.setX(3, 9); // new
      cc.setX(4, 7); // stale expectation for the second CAS
    },
        casal(x(2), x(3), x(1)), // succeeds: [d] = 9, x2 = 7
        cas(x(4), x(3), x(1))); // fails: [d] stays 9, x4 = 9
    assertEquals(9L, rig.m.memory().read64(d));
    assertEquals(7L, c.x(2));
    assertEquals(9L, c.x(4));
  }

  @Test
  void acquireReleaseAreLoadsAndStores() {
    Core c = rig.run(cc -> {
      cc.setX(1, Rig.DATA);
      cc.setX(2, 0xFFFFFFFF_12345678L);
    }, stlr(w(2), x(1)), ldar(x(3), x(1)), ldar(w(4), x(1)));
    assertEquals(0x12345678L, c.x(3));
    assertEquals(0x12345678L, c.x(4));
  }

  @Test
  void exclusivesSucceedWithinASliceAndFailWhenTheMonitorIsLost() {
    long d = Rig.DATA;
    Core c = rig.run(cc -> {
      cc.setX(1, d);
      cc.setX(2, 5);
      cc.setX(3, d + 8);
    },
        ldxr(x(10), x(1)),
        stxr(w(11), x(2), x(1)), // armed for d: stores, status 0
        stxr(w(12), x(2), x(1)), // monitor consumed: status 1
        ldxr(x(10), x(1)),
        stxr(w(13), x(2), x(3)), // another address: status 1, no store
        ldaxr(x(10), x(1)),
        clrex(),
        stlxr(w(14), x(2), x(1))); // cleared: status 1
    assertEquals(0L, c.x(11));
    assertEquals(1L, c.x(12));
    assertEquals(1L, c.x(13));
    assertEquals(1L, c.x(14));
    assertEquals(5L, rig.m.memory().read64(d));
    assertEquals(0L, rig.m.memory().read64(d + 8));
  }

  /** Four cores add 1 to one counter 2,000 times each; returns the final counter. */
  private static long contend(boolean exclusives) {
    Rig r = new Rig(MachineConfig.defaults().withCores(4));
    Assembler a = new Assembler(Rig.TEXT);
    a.emit(movz(x(9), 2000, 0));
    Assembler.Label loop = a.here();
    if (exclusives) {
      Assembler.Label retry = a.here();
      a.emit(ldaxr(x(10), x(1)));
      a.emit(add(x(10), x(10), 1));
      a.emit(stlxr(w(11), x(10), x(1)));
      a.cbnz(w(11), retry);
    } else {
      a.emit(ldaddal(x(2), XZR, x(1)));
    }
    a.emit(subs(x(9), x(9), 1));
    a.bcond(dev.tracepoke.sim.asm.Cond.NE, loop);
    Assembler.Label spin = a.here();
    a.b(spin);
    r.m.memory().loadWords(Rig.TEXT, a.words());
    for (int i = 0; i < 4; i++) {
      Core c = r.m.core(i);
      c.setPc(Rig.TEXT);
      c.setX(1, Rig.DATA);
      c.setX(2, 1);
    }
    r.m.run(T0 + 200_000, Long.MAX_VALUE);
    return r.m.memory().read64(Rig.DATA);
  }

  @Test
  void concurrentIncrementsAreNotLost() {
    assertEquals(8000L, contend(false));
    assertEquals(8000L, contend(true));
  }
}
