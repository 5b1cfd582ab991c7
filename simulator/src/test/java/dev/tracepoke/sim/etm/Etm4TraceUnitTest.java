package dev.tracepoke.sim.etm;

import static dev.tracepoke.sim.machine.CoreObserver.BRANCH_CONDITIONAL;
import static dev.tracepoke.sim.machine.CoreObserver.BRANCH_DIRECT;
import static dev.tracepoke.sim.machine.CoreObserver.BRANCH_INDIRECT;
import static dev.tracepoke.sim.machine.CoreObserver.EXCEPTION_BRK;
import static dev.tracepoke.sim.machine.CoreObserver.EXCEPTION_IRQ;
import static dev.tracepoke.sim.machine.CoreObserver.EXCEPTION_SVC;
import static dev.tracepoke.sim.machine.CoreObserver.EXCEPTION_UNDEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace unit driven by scripted {@code CoreObserver} calls: exact streams and stream rules. */
class Etm4TraceUnitTest {

  private static final long U = 0x0000_0000_0040_0000L;
  private static final long K = 0xFFFF_8000_0801_0000L;
  private static final String ASYNC = "000000000000000000000080";

  private static String hex(Etm4TraceUnit unit) {
    return HexFormat.of().formatHex(unit.buffer().toByteArray());
  }

  private static String bytes(String... parts) {
    return String.join("", parts).replace(" ", "");
  }

  @Test
  void startThenAtomsHeldBackUntilAnIndirectBranch() {
    Etm4TraceUnit unit = new Etm4TraceUnit(EtmConfig.forCpu(0).withContextIdTracing(false, 0).withTimestamps(true, 0));
    unit.instructions(K, 3, 1000);
    unit.waypoint(K + 8, BRANCH_CONDITIONAL, false, false, K + 12, 1010);
    unit.instructions(K + 12, 1, 1020);
    unit.waypoint(K + 12, BRANCH_CONDITIONAL, false, false, K + 16, 1020);
    unit.instructions(K + 16, 1, 1030);
    unit.waypoint(K + 16, BRANCH_CONDITIONAL, false, false, K + 20, 1030);
    assertEquals(bytes(ASYNC, "010100", "04", "85 00 00 01 08 00 80 ff ff 31", "02 e8 07"), hex(unit),
        "three N atoms are still held back");
    unit.instructions(K + 20, 2, 1040);
    unit.waypoint(K + 24, BRANCH_INDIRECT, true, true, K + 0x1000, 1040);
    // NNNE is no format-4 pattern: F3 (NNN) + F1 (E), then the target as a two-byte short address.
    assertEquals(bytes(ASYNC, "010100", "04", "85 00 00 01 08 00 80 ff ff 31", "02 e8 07", "f8 f7", "95 80 88"), hex(unit));
    unit.finish(1050);
    assertEquals(7, unit.stats().instructions());
    assertEquals(4, unit.stats().atoms());
  }

  @Test
  void exceptionsAndReturnsAcrossAndWithinExceptionLevels() {
    EtmConfig config = EtmConfig.forCpu(0).withInitialEl(0).withContextIdTracing(false, 0).withTimestamps(false, 0);
    Etm4TraceUnit unit = new Etm4TraceUnit(config);
    unit.instructions(U, 2, 100);                                  // ...; SVC at U+4
    unit.exception(EXCEPTION_SVC, U + 8, K + 0x400, 0, 1, 101);
    unit.instructions(K + 0x400, 1, 102);                          // ERET at the vector
    unit.exceptionReturn(K + 0x400, U + 8, 0, 102);
    unit.instructions(U + 8, 1, 103);                              // IRQ before U+0xC
    unit.exception(EXCEPTION_IRQ, U + 0xC, K + 0x480, 0, 1, 104);
    unit.instructions(K + 0x480, 2, 105);                          // B to K+0x500, IRQ at its target
    unit.waypoint(K + 0x484, BRANCH_DIRECT, true, false, K + 0x500, 105);
    unit.exception(EXCEPTION_IRQ, K + 0x500, K + 0x280, 1, 1, 106);
    unit.instructions(K + 0x280, 1, 107);                          // ERET within EL1
    unit.exceptionReturn(K + 0x280, K + 0x500, 1, 107);
    unit.finish(108);
    assertEquals(bytes(
        ASYNC, "010100", "04", "82 00 00 40 00 30",
        "06 05", "95 02", "85 00 02 01 08 00 80 ff ff 31",           // Call; return U+8; vector with context EL1
        "f7", "85 02 00 40 00 00 00 00 00 30", "07",                  // ERET: E, target with context EL0, Exception Return
        "06 1d", "95 03", "85 20 02 01 08 00 80 ff ff 31",           // IRQ mid-run: E1:E0 = 01
        "f7", "06 5c", "95 40", "95 a0 81",                           // IRQ at the B target: E1:E0 = 10; same EL: plain vector
        "f7", "91", "07"), hex(unit));                                // ERET within EL1: exact match of history entry 1
    TraceUnitStats stats = unit.stats();
    assertEquals(3, stats.exceptions());
    assertEquals(2, stats.exceptionReturns());
    assertEquals(1, stats.addressWithContext32());
    assertEquals(3, stats.addressWithContext64());
    assertEquals(1, stats.exactMatch());
    assertEquals(3, stats.short1());
    assertEquals(1, stats.short2());
  }

  @Test
  void breakpointAndUndefinedReturnToTheFaultingInstruction() {
    EtmConfig config = EtmConfig.forCpu(1).withContextIdTracing(false, 0).withTimestamps(false, 0);
    Etm4TraceUnit unit = new Etm4TraceUnit(config);
    unit.instructions(K + 0x1000, 2, 10);                          // BRK at K+0x1008 after two instructions
    unit.exception(EXCEPTION_BRK, K + 0x1008, K + 0x200, 1, 1, 11);
    unit.instructions(K + 0x200, 1, 12);
    unit.exceptionReturn(K + 0x200, K + 0x100C, 1, 12);
    unit.exception(EXCEPTION_UNDEF, K + 0x100C, K + 0x200, 1, 1, 13); // UDF right at the ERET target
    unit.finish(14);
    assertEquals(bytes(
        ASYNC, "010100", "04", "85 00 08 01 08 00 80 ff ff 31",
        "06 0d", "95 02", "95 80 81",                                 // Inst Debug, E1:E0 = 01; return K+0x1008; vector
        "f7", "95 83 88", "07",                                       // ERET to K+0x100C
        "06 46", "90", "92"), hex(unit));                             // Trap, E1:E0 = 10; exact matches
  }

  @Test
  void overflowDropsTraceUntilTheWindowEndsAndReportsTheStretch() {
    EtmConfig config = EtmConfig.forCpu(0).withInitialEl(0).withContextIdTracing(false, 0).withTimestamps(false, 0)
        .withOverflows(List.of(new OverflowWindow(2000, 3000)));
    Etm4TraceUnit unit = new Etm4TraceUnit(config);
    unit.instructions(U, 2, 1000);
    unit.waypoint(U + 4, BRANCH_CONDITIONAL, true, false, U + 0x10, 1000);
    unit.instructions(U + 0x10, 3, 2000);
    unit.waypoint(U + 0x18, BRANCH_INDIRECT, true, false, U + 0x100, 2000);  // lost
    unit.instructions(U + 0x100, 4, 2500);
    unit.waypoint(U + 0x10C, BRANCH_DIRECT, true, false, U + 0x200, 2500);   // lost
    unit.instructions(U + 0x200, 1, 3100);
    unit.waypoint(U + 0x200, BRANCH_CONDITIONAL, false, false, U + 0x204, 3100);
    unit.finish(3200);
    assertEquals(bytes(
        ASYNC, "010100", "04", "82 00 00 40 00 30", "f7", "00 05",
        ASYNC, "010100", "04", "82 00 01 40 00 30", "f6"), hex(unit));
    assertEquals(List.of(new UntracedStretch(0, 2, 7, U + 0x10, U + 0x200, 2000, 3100)), unit.untracedStretches());
    assertEquals(7, unit.stats().untracedInstructions());
    assertEquals(10, unit.stats().instructions());
  }

  @Test
  void contextIdChangeIsAContextPacketAfterTheAtomsSoFar() {
    Etm4TraceUnit unit = new Etm4TraceUnit(EtmConfig.forCpu(0).withContextIdTracing(true, 7).withTimestamps(false, 0));
    unit.instructions(K, 1, 1);
    unit.waypoint(K, BRANCH_DIRECT, true, false, K + 0x40, 1);
    unit.contextIdChanged(0x1234, 2);
    unit.contextIdChanged(0x1234, 3);
    unit.finish(4);
    assertEquals(bytes(ASYNC, "010100", "04", "85 00 00 01 08 00 80 ff ff b1 07 00 00 00", "f7", "81 b1 34 12 00 00"), hex(unit));
  }

  @Test
  void runsThatDoNotJoinUpAreRejected() {
    Etm4TraceUnit unit = new Etm4TraceUnit(EtmConfig.forCpu(0));
    unit.instructions(K, 2, 1);
    assertThrows(IllegalStateException.class, () -> unit.instructions(K + 0x100, 1, 2));
    assertThrows(IllegalStateException.class, () -> unit.waypoint(K, BRANCH_DIRECT, true, false, K + 0x40, 2));
    assertThrows(IllegalStateException.class, () -> unit.exception(EXCEPTION_IRQ, K + 4, K + 0x280, 1, 1, 2));
    assertThrows(IllegalStateException.class, () -> unit.exception(EXCEPTION_IRQ, K + 8, K + 0x280, 0, 1, 2));
  }

  // ------------------------------------------------------------------ the scripted program

  @Test
  void scriptedProgramUsesEveryPacketForm() {
    ScriptedRun s = new ScriptedRun(ScriptedRun.defaultConfig(), 6);
    TraceUnitStats stats = s.unit.stats();
    ScriptedRun.assertEveryFormAppears(stats);
    assertEquals(s.core.instructions, stats.instructions());
    assertEquals(s.unit.buffer().size(), stats.bytes());
    long lastEnd = 0;
    for (ScriptedRun.Packet p : s.packets) {
      assertEquals(lastEnd, p.offset(), "packets tile the stream");
      lastEnd = p.offset() + p.length();
    }
    assertEquals(stats.bytes(), lastEnd);
    long atoms = 0;
    for (long a : stats.atomsByFormat()) {
      atoms += a;
    }
    assertEquals(stats.atoms(), atoms);
  }

  @Test
  void periodicSyncAfterTheConfiguredNumberOfBytes() {
    ScriptedRun s = new ScriptedRun(ScriptedRun.defaultConfig(), 6);
    List<Long> asyncs = new ArrayList<>();
    for (ScriptedRun.Packet p : s.packets) {
      if (p.kind() == PacketKind.ASYNC) {
        asyncs.add(p.offset());
      }
    }
    assertTrue(asyncs.size() >= 3, "several periods in " + s.unit.stats().bytes() + " bytes");
    for (int i = 1; i < asyncs.size(); i++) {
      long gap = asyncs.get(i) - asyncs.get(i - 1);
      // at the first P0 element after 256 bytes; one P0 element writes well under 64 bytes
      assertTrue(gap >= 256 && gap < 256 + 64, "sync gap " + gap);
    }
    // every A-sync: Trace Info, Trace On (only at the start), address with context, timestamp
    for (int i = 0; i < s.packets.size(); i++) {
      if (s.packets.get(i).kind() != PacketKind.ASYNC) {
        continue;
      }
      int j = i + 1;
      assertEquals(PacketKind.TRACE_INFO, s.packets.get(j++).kind());
      if (i == 0) {
        assertEquals(PacketKind.TRACE_ON, s.packets.get(j++).kind());
      }
      PacketKind address = s.packets.get(j++).kind();
      assertTrue(address == PacketKind.ADDR_CTXT_64 || address == PacketKind.ADDR_CTXT_32, address.toString());
      assertEquals(PacketKind.TIMESTAMP, s.packets.get(j).kind());
    }
  }

  @Test
  void timestampsAtSyncPointsAndEveryPeriod() {
    ScriptedRun s = new ScriptedRun(ScriptedRun.defaultConfig(), 6);
    long period = s.config.timestampPeriodTicks();
    long last = -1;
    int periodic = 0;
    for (int i = 0; i < s.packets.size(); i++) {
      ScriptedRun.Packet p = s.packets.get(i);
      if (p.kind() != PacketKind.TIMESTAMP) {
        continue;
      }
      boolean atSync = s.packets.get(i - 1).kind() == PacketKind.ADDR_CTXT_64 || s.packets.get(i - 1).kind() == PacketKind.ADDR_CTXT_32;
      if (!atSync) {
        assertTrue(p.value() - last >= period, "periodic timestamp " + (p.value() - last) + " ticks after the previous");
        periodic++;
      }
      assertTrue(p.value() >= last, "timestamps do not go back");
      last = p.value();
    }
    assertTrue(periodic > 0);
    // the counter runs at 50 MHz from perf time 0: the first one is the start time in ticks
    long first = s.packets.stream().filter(p -> p.kind() == PacketKind.TIMESTAMP).findFirst().orElseThrow().value();
    assertEquals(ScriptedRun.START_TIME / 20, first);
    assertEquals(ScriptedRun.START_TIME, s.config.timeConv().perfTimeOf(first));
  }
}
