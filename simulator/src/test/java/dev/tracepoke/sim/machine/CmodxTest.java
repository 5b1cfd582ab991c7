package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Barrier;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.SysReg;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The cross-modifying-code model: core 0 patches a word with the nosync sequence (STR, DC CVAU,
 * DSB ISH, IC IVAU, DSB ISH, ISB) while core 1 runs it in a loop and takes a timer IRQ later.
 */
class CmodxTest {
  private static final long T0 = MachineConfig.defaults().startTime();
  private static final long VBAR = Rig.TEXT + 0x10000;
  private static final long LOOP = Rig.TEXT + 0x1000;
  private static final long SITE = LOOP;
  private static final long IRQ_AT = T0 + 4000;

  /** What core 1 saw in one run. */
  record Window(long writeTime, long completeTime, long cseTime, List<long[]> fetches, Machine m, List<String> lines) {}

  private static Window patchWhileRunning(long seed, double bias, int oldWord, int newWord) {
    Rig r = new Rig(MachineConfig.defaults().withCores(2).withSeed(seed).withBias(bias));
    Machine m = r.m;
    // core 0: spin a seeded while, then patch SITE with the nosync sequence, then spin
    Assembler p = new Assembler(Rig.TEXT);
    p.emit(movz(x(9), 300 + (int) (seed * 7 % 200), 0));
    Assembler.Label spin = p.here();
    p.emit(subs(x(9), x(9), 1));
    p.bcond(Cond.NE, spin);
    p.emit(str(w(2), x(1), 0));
    p.emit(dcCvau(x(1)));
    p.emit(dsb(Barrier.ISH));
    p.emit(icIvau(x(1)));
    p.emit(dsb(Barrier.ISH));
    p.emit(isb());
    p.emit(b(0));
    m.memory().loadWords(Rig.TEXT, p.words());
    // core 1: the site in a loop; the timer IRQ is its first CSE after the patch
    m.memory().loadWords(LOOP, new int[] {oldWord, add(x(3), x(3), 1), b(-8)});
    m.memory().loadWords(VBAR + 0x280, new int[] {mrs(x(25), SysReg.ICC_IAR1_EL1), eret()});
    m.registerPatchSite(SITE);
    Core c0 = m.core(0);
    c0.setX(1, SITE);
    c0.setX(2, newWord);
    c0.setPc(Rig.TEXT);
    Core c1 = m.core(1);
    c1.setPc(LOOP);
    c1.setVbar(VBAR);
    c1.setDaif(0);
    m.raiseIrq(1, IRQ_AT);
    Recorder rec = new Recorder();
    c1.setObserver(rec);
    m.run(T0 + 6000, Long.MAX_VALUE);

    List<TextWrite> writes = m.textWrites();
    assertEquals(1, writes.size());
    TextWrite w = writes.get(0);
    assertEquals(new TextWrite(0, SITE, oldWord, newWord, w.time(), w.completeTime()), w);
    List<long[]> fetches = new java.util.ArrayList<>();
    long cse = -1;
    for (String l : rec.lines) {
      String[] f = l.split(" ");
      long t = Long.parseLong(l.substring(l.indexOf('@') + 1));
      if (l.startsWith("P ")) {
        // reported at retirement; the fetch was one cycle earlier
        fetches.add(new long[] {t - 1, Long.parseUnsignedLong(f[2], 16), f[3].equals("new") ? 1 : 0});
      } else if (l.startsWith("E ") && cse < 0) {
        cse = t;
      }
    }
    return new Window(w.time(), w.completeTime(), cse, fetches, m, rec.lines);
  }

  @Test
  void nosyncWindowShowsBothWordsButNeverNewBeforeWriteNorOldAfterCse() {
    int nop = nop();
    int branch = b(4);
    Set<Long> oldCounts = new HashSet<>();
    for (long seed = 1; seed <= 12; seed++) {
      Window w = patchWhileRunning(seed, 0.5, nop, branch);
      assertTrue(w.writeTime() < w.completeTime() && w.completeTime() < w.cseTime(), "seed " + seed);
      assertEquals(IRQ_AT, w.cseTime());
      int oldIn = 0;
      int newIn = 0;
      int before = 0;
      int after = 0;
      for (long[] f : w.fetches()) {
        int word = (int) f[1];
        if (f[0] < w.writeTime()) {
          assertEquals(nop, word, "new word before the write, seed " + seed);
          before++;
        } else if (f[0] >= w.cseTime()) {
          assertEquals(branch, word, "old word after the CSE, seed " + seed);
          assertEquals(1, f[2]);
          after++;
        } else {
          if (word == nop) {
            oldIn++;
          } else {
            newIn++;
          }
          assertEquals(word == branch ? 1 : 0, f[2]);
        }
      }
      assertTrue(before > 50 && after > 50, "seed " + seed + ": " + before + " before, " + after + " after");
      assertTrue(oldIn > 0 && newIn > 0, "seed " + seed + ": old " + oldIn + " new " + newIn + " in the window");
      assertEquals(0, w.m().cmodxViolationCount()); // NOP <-> B is in the CMODX set
      oldCounts.add((long) oldIn);
    }
    assertTrue(oldCounts.size() > 1, "the seed must change the choices: " + oldCounts);
  }

  @Test
  void biasZeroKeepsTheOldWordAndBiasOneTheNewUntilTheCse() {
    for (double bias : new double[] {0.0, 1.0}) {
      Window w = patchWhileRunning(5, bias, nop(), b(4));
      int expected = bias == 0.0 ? nop() : b(4);
      int inWindow = 0;
      for (long[] f : w.fetches()) {
        if (f[0] >= w.writeTime() && f[0] < w.cseTime()) {
          assertEquals(expected, (int) f[1]);
          inWindow++;
        }
      }
      assertTrue(inWindow > 100, "fetches in the window: " + inWindow);
    }
  }

  @Test
  void sameSeedSameRun() {
    Window a = patchWhileRunning(9, 0.5, nop(), b(4));
    Window b = patchWhileRunning(9, 0.5, nop(), b(4));
    Window c = patchWhileRunning(10, 0.5, nop(), b(4));
    assertEquals(a.lines(), b.lines());
    assertNotEquals(a.lines(), c.lines());
  }

  @Test
  void patchingAddToSubUnderNosyncIsACmodxViolation() {
    int add = add(x(3), x(3), 1);
    int sub = sub(x(3), x(3), 1);
    Window w = patchWhileRunning(3, 0.5, add, sub);
    long inWindow = w.fetches().stream().filter(f -> f[0] >= w.writeTime() && f[0] < w.cseTime()).count();
    List<CmodxViolation> v = w.m().cmodxViolations();
    assertTrue(v.size() > 100, "violations: " + v.size());
    assertTrue(v.size() <= inWindow);
    assertEquals(v.size(), w.m().cmodxViolationCount());
    for (CmodxViolation x : v) {
      assertEquals(1, x.cpu());
      assertEquals(SITE, x.pc());
      assertEquals(add, x.oldWord());
      assertEquals(sub, x.newWord());
      assertTrue(x.time() >= w.writeTime() && x.time() < w.cseTime());
    }
  }

  @Test
  void quantumLargerThanHalfTheMaintenanceCostIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> MachineConfig.defaults().withQuantum(81));
    assertEquals(80, MachineConfig.defaults().withQuantum(80).quantum());
  }
}
