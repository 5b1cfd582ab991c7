package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.sim.asm.Barrier;
import dev.tracepoke.sim.asm.SysReg;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scheduling, timers, the causality check and memory set-up rules. */
class MachineTest {
  private static final long T0 = MachineConfig.defaults().startTime();
  private static final long VBAR = Rig.TEXT + 0x10000;

  private static List<Long> timerTimes(long seed, long jitter) {
    Rig r = new Rig(MachineConfig.defaults().withCores(1).withSeed(seed));
    r.m.memory().loadWords(Rig.TEXT, new int[] {b(0)});
    r.m.memory().loadWords(VBAR + 0x280, new int[] {mrs(x(0), SysReg.ICC_IAR1_EL1), eret()});
    Core c = r.m.core(0);
    c.setPc(Rig.TEXT);
    c.setVbar(VBAR);
    c.setDaif(0);
    List<Long> times = new ArrayList<>();
    c.setObserver(new Recorder() {
      @Override
      public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
        times.add(time - T0);
      }
    });
    r.m.startTimer(0, T0 + 1000, 1000, jitter);
    RunResult res = r.m.run(T0 + 10_500, Long.MAX_VALUE);
    assertEquals(RunResult.Reason.TIME, res.reason());
    return times;
  }

  @Test
  void periodicTimerWithoutJitterFiresOnTheDot() {
    assertEquals(List.of(1000L, 2000L, 3000L, 4000L, 5000L, 6000L, 7000L, 8000L, 9000L, 10000L), timerTimes(1, 0));
  }

  @Test
  void timerJitterIsSeeded() {
    List<Long> a = timerTimes(7, 300);
    assertEquals(a, timerTimes(7, 300));
    assertNotEquals(a, timerTimes(8, 300));
    for (int i = 1; i < a.size(); i++) {
      long gap = a.get(i) - a.get(i - 1);
      assertTrue(gap >= 1000 && gap < 1300, "gap " + gap);
    }
  }

  @Test
  void schedulerKeepsCoresWithinOneSliceOfEachOther() {
    Rig r = new Rig(MachineConfig.defaults().withCores(4));
    r.m.memory().loadWords(Rig.TEXT, new int[] {nop(), b(-4)});
    for (int i = 0; i < 4; i++) {
      r.m.core(i).setPc(Rig.TEXT);
    }
    RunResult res = r.m.run(T0 + 100_000, Long.MAX_VALUE);
    assertEquals(RunResult.Reason.TIME, res.reason());
    assertEquals(T0 + 100_000, res.time());
    assertEquals(400_000, res.instructions());
    for (int i = 0; i < 4; i++) {
      assertEquals(100_000, r.m.core(i).cycles());
    }
  }

  @Test
  void causalityCheckThrowsWhenACoreRanPastTheMaintenance() {
    Rig r = new Rig(MachineConfig.defaults().withCores(2));
    long site = Rig.TEXT + 0x1000;
    r.m.memory().loadWords(site, new int[] {nop()});
    r.m.memory().loadWords(Rig.TEXT, new int[] {str(w(2), x(1), 0), icIvau(x(1)), dsb(Barrier.ISH), b(0)});
    r.m.memory().loadWords(Rig.TEXT + 0x2000, new int[] {b(0)});
    r.m.registerPatchSite(site);
    r.m.core(0).setPc(Rig.TEXT);
    r.m.core(0).setX(1, site);
    r.m.core(0).setX(2, b(4));
    r.m.core(1).setPc(Rig.TEXT + 0x2000);
    // as if core 1 had taken a CSE far in the future while the word was still unsettled for it
    r.m.core(1).lastCseTime = T0 + 1_000_000;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.m.run(T0 + 10_000, Long.MAX_VALUE));
    assertTrue(e.getMessage().startsWith("causality: cpu 1 took a CSE at 1001000000 ns"), e.getMessage());
  }

  @Test
  void patchSiteIsReportedAtRetirementBeforeItsRun() {
    Rig r = new Rig();
    r.m.memory().loadWords(Rig.TEXT, new int[] {movz(x(0), 1, 0), nop(), Rig.STOP});
    r.m.registerPatchSite(Rig.TEXT + 4);
    Recorder rec = new Recorder();
    r.m.core(0).setObserver(rec);
    r.m.core(0).setPc(Rig.TEXT);
    r.m.run(Long.MAX_VALUE, 100);
    assertEquals(List.of(
        String.format("P %x d503201f new @%d", Rig.TEXT + 4, T0 + 2),
        String.format("I %x 3 @%d", Rig.TEXT, T0 + 3)), rec.lines);
  }

  @Test
  void hostLoadOverAPatchSiteIsRefused() {
    Rig r = new Rig();
    r.m.memory().loadWords(Rig.TEXT, new int[] {nop(), nop()});
    r.m.registerPatchSite(Rig.TEXT + 4);
    assertThrows(IllegalStateException.class, () -> r.m.memory().loadWords(Rig.TEXT, new int[] {nop(), nop()}));
    assertThrows(IllegalArgumentException.class, () -> r.m.registerPatchSite(Rig.DATA));
  }

  @Test
  void fetchOutsideTextFaults() {
    Rig r = new Rig();
    MachineFault f = assertThrows(MachineFault.class, () -> r.run(movz(x(1), 0x4000, 16), br(x(1))));
    assertEquals(0x40000000L, f.address());
    assertEquals(0, f.cpu());
  }

  @Test
  void textStoresAreRecordedWithTheirMaintenance() {
    Rig r = new Rig();
    long site = Rig.TEXT + 0x100;
    r.m.memory().loadWords(site, new int[] {nop()});
    List<String> heard = new ArrayList<>();
    r.m.setTextListener(new TextListener() {
      @Override
      public void textWritten(int cpu, long address, int oldWord, int newWord, long time) {
        heard.add(String.format("W %d %x %08x %08x @%d", cpu, address, oldWord, newWord, time));
      }

      @Override
      public void maintenanceCompleted(int cpu, long address, int word, long time) {
        heard.add(String.format("M %d %x %08x @%d", cpu, address, word, time));
      }
    });
    Core c = r.run(cc -> {
      cc.setX(1, site);
      cc.setX(2, brk(1));
    }, str(w(2), x(1), 0), dcCvau(x(1)), dsb(Barrier.ISH), icIvau(x(1)), dsb(Barrier.ISH), isb());
    MachineConfig.Costs k = MachineConfig.Costs.defaults();
    // both DSBs wait for outstanding maintenance (the DC clean, then the IC invalidate)
    long complete = T0 + 5 + k.dcCvau() + k.dsbMaintenance() + k.icIvau() + k.dsbMaintenance();
    assertEquals(List.of(new TextWrite(0, site, nop(), brk(1), T0 + 1, complete)), r.m.textWrites());
    assertEquals(List.of(
        String.format("W 0 %x d503201f d4200020 @%d", site, T0 + 1),
        String.format("M 0 %x d4200020 @%d", site, complete)), heard);
    assertEquals(0, r.m.cmodxViolationCount());
    assertEquals(7, c.instructions());
  }
}
