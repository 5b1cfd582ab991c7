package dev.tracepoke.sim.etm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.sim.machine.CoreObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The scripted program run once through a trace unit: the stream, the packets, what was executed. */
final class ScriptedRun {

  /** One packet as the encoder reported it. */
  record Packet(PacketKind kind, long offset, int length, long value, long extra) {}

  final EtmConfig config;
  final Etm4TraceUnit unit;
  final ScriptedCore core;
  final List<Packet> packets = new ArrayList<>();
  final ScriptedProgram program = new ScriptedProgram();
  final long endTime;

  static final long START_TIME = 1_000_000_000L;

  /**
   * Outcomes: the loop branch is taken on the first {@code iterations - 1} visits; the TBZ block
   * gets fixed patterns on the first visits (all N, alternating, all E) and pseudo-random ones after.
   */
  static ScriptedCore.Decisions decisions(int iterations) {
    return (pc, visit) -> {
      if (pc == ScriptedProgram.LOOP_BRANCH) {
        return visit < iterations - 1;
      }
      if (pc == ScriptedProgram.U + 0x008) {
        return visit % 3 != 1;
      }
      int bit = (int) ((pc - ScriptedProgram.TBZ_BLOCK) >> 2);
      return switch (visit) {
        case 0 -> false;
        case 1 -> bit % 2 == 1;
        case 2 -> true;
        case 3 -> bit % 2 == 0;
        default -> {
          long h = (visit * 0x9E3779B97F4A7C15L + bit * 0xC2B2AE3D27D4EB4FL);
          h ^= h >>> 29;
          h *= 0xBF58476D1CE4E5B9L;
          yield ((h >>> 40) & 3) != 0;
        }
      };
    };
  }

  /** IRQs: from EL0 mid-run and at a branch target, from EL1 mid-run and at a branch target. */
  static final Set<String> IRQS = Set.of(
      Long.toHexString(ScriptedProgram.U + 0x004) + "/1",          // after ADD at a loop start: mid-run
      Long.toHexString(ScriptedProgram.U + 0x01C) + "/2",          // at the SVC's return address
      Long.toHexString(ScriptedProgram.KFAR + 4) + "/2",            // EL1, after ADD: mid-run
      Long.toHexString(ScriptedProgram.KFUNC) + "/3");              // EL1, at a BL target

  ScriptedRun(EtmConfig config, int iterations) {
    this.config = config;
    this.unit = new Etm4TraceUnit(config,
        (kind, offset, length, value, extra) -> packets.add(new Packet(kind, offset, length, value, extra)));
    this.core = new ScriptedCore(program, new ContextSwitching(unit), decisions(iterations), IRQS, START_TIME);
    this.endTime = core.run(ScriptedProgram.MAIN, 0, ScriptedProgram.STOP);
    unit.finish(endTime);
  }

  /** Passes calls on, and switches CONTEXTIDR_EL1 on the second return to EL0, as a scheduler would. */
  private static final class ContextSwitching implements CoreObserver {
    private final Etm4TraceUnit unit;
    private int returnsToEl0;

    ContextSwitching(Etm4TraceUnit unit) {
      this.unit = unit;
    }

    @Override
    public void instructions(long startPc, int count, long time) {
      unit.instructions(startPc, count, time);
    }

    @Override
    public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
      unit.waypoint(pc, kind, taken, link, nextPc, time);
    }

    @Override
    public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
      unit.exception(type, preferredReturn, vector, fromEl, toEl, time);
    }

    @Override
    public void exceptionReturn(long pc, long target, int toEl, long time) {
      if (toEl == 0 && ++returnsToEl0 == 2) {
        unit.contextIdChanged(0x5678, time);
      }
      unit.exceptionReturn(pc, target, toEl, time);
    }

    @Override
    public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
      unit.patchSiteExecuted(pc, word, newest, time);
    }
  }

  static EtmConfig defaultConfig() {
    return EtmConfig.forCpu(0)
        .withInitialEl(0)
        .withContextIdTracing(true, 0x1234)
        .withSyncPeriodLog2(8)
        .withTimestamps(true, 40)
        .withTimeConv(TimeConv.of(50_000_000L, 0));
  }

  /** The stream holds every atom format, every address form, exceptions and exception returns. */
  static void assertEveryFormAppears(TraceUnitStats stats) {
    long[] formats = stats.atomPacketsByFormat();
    for (int f = 0; f < 6; f++) {
      assertTrue(formats[f] > 0, "atom format " + (f + 1) + " used: " + stats);
    }
    assertTrue(stats.exactMatch() > 0, "exact match used: " + stats);
    assertTrue(stats.short1() > 0 && stats.short2() > 0, "short addresses used: " + stats);
    assertTrue(stats.long32() > 0 && stats.long64() > 0, "long addresses used: " + stats);
    assertTrue(stats.addressWithContext32() > 0 && stats.addressWithContext64() > 0, "addresses with context used: " + stats);
    assertTrue(stats.exceptions() > 0 && stats.exceptionReturns() > 0, "exceptions used: " + stats);
  }
}
