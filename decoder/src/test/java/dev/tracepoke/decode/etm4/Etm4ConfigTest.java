package dev.tracepoke.decode.etm4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.snapshot.EtmRegisters;
import org.junit.jupiter.api.Test;

class Etm4ConfigTest {

  @Test
  void junoA53Registers() {
    Etm4Config c = Etm4Config.of(new EtmRegisters(0xC1, 0x10, 0x28000EA1L, 0x4100F403L, 0x488, 0, 0, 0, 0, 0, 0));
    assertEquals(0x10, c.traceId());
    assertEquals(4, c.majorVersion());
    assertEquals(0, c.minorVersion());
    assertEquals(0x40, c.fullVersion());
    assertEquals(8, c.vmidBits());
    assertEquals(32, c.contextIdBits());
    assertEquals(12, c.cycleCountBits());
    assertTrue(c.commitOpt());
    assertFalse(c.qSupported());
    assertEquals(0, c.maxSpeculationDepth());
    assertFalse(c.cycleCounting());
    assertFalse(c.timestamps());
    assertFalse(c.conditionalTracing());
  }

  @Test
  void commitOptNeedsCycleCountingSupport() {
    // COMMOPT (bit 29) counts only with TRCCCI (bit 7), as OpenCSD's commitOpt1()
    assertTrue(Etm4Config.of(0, 0x10, (1 << 29) | (1 << 7), 0x488).commitOpt());
    assertFalse(Etm4Config.of(0, 0x10, 1 << 29, 0x488).commitOpt());
    assertFalse(Etm4Config.of(0, 0x10, 1 << 7, 0x488).commitOpt());
  }

  @Test
  void vmidWidthsNeedEtmV41() {
    // VMIDSIZE = 2 (16 bits) and 4 (32 bits) exist from ETMv4.1; before, only 8 bits.
    assertEquals(0, Etm4Config.of(0, 0x10, 0, 0x800).vmidBits());
    assertEquals(16, new Etm4Config(0, 0x10, 0, 0x4100F413, 0x800, 0, 0, 0, 0, 0, 0).vmidBits());
    assertEquals(32, new Etm4Config(0, 0x10, 0, 0x4100F413, 0x1000, 0, 0, 0, 0, 0, 0).vmidBits());
    assertEquals(0, new Etm4Config(0, 0x10, 0, 0x4100F413, 0x0, 0, 0, 0, 0, 0, 0).contextIdBits());
  }

  @Test
  void perfAuxtraceInfoBlock() {
    Etm4Config c = Etm4Config.of(EtmV4Params.etmV4(3, 0x840, 0x16, 0x28008EA1L, 0x4100F463L, 0x1E000488, 4, 0xCC));
    assertEquals(
        new Etm4Config(0x840, 0x16, 0x28008EA1, 0x4100F463, 0x1E000488, 4, 0, 0, 0, 0, 0), c);
    assertTrue(c.timestamps());
    assertTrue(c.qSupported());
    assertEquals(0x46, c.fullVersion());
    assertEquals(27, c.cycleCountBits());
    assertEquals(4, c.maxSpeculationDepth());
  }
}
