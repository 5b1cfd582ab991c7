package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.SysReg;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vector offsets, ELR/SPSR/ESR, ERET, IRQ delivery and masking, IPIs and what observers see. */
class ExceptionsTest {
  private static final long VBAR = Rig.TEXT + 0x10000;
  private static final long T0 = MachineConfig.defaults().startTime();
  private static final int ENTRY = MachineConfig.Costs.defaults().exceptionEntry();
  private static final int ERET_COST = MachineConfig.Costs.defaults().eret();

  /** At each vector: x20 = offset, x21 = ELR, x22 = SPSR, x23 = ESR, x24 = SP, stop. */
  private static void reportingVectors(Machine m) {
    for (int off : new int[] {0x000, 0x080, 0x200, 0x280, 0x400, 0x480}) {
      m.memory().loadWords(VBAR + off, new int[] {
          movz(x(20), off, 0),
          mrs(x(21), SysReg.ELR_EL1),
          mrs(x(22), SysReg.SPSR_EL1),
          mrs(x(23), SysReg.ESR_EL1),
          movSp(x(24), SP),
          Rig.STOP});
    }
  }

  private Rig rig(int cores) {
    Rig r = new Rig(MachineConfig.defaults().withCores(cores));
    reportingVectors(r.m);
    for (int i = 0; i < cores; i++) {
      r.m.core(i).setVbar(VBAR);
    }
    return r;
  }

  @Test
  void svcFromEl1TakesCurrentElSpxSyncVector() {
    Rig r = rig(1);
    Recorder rec = new Recorder();
    r.m.core(0).setObserver(rec);
    Core c = r.run(cc -> cc.setNzcv(0x9), nop(), svc(0x1234));
    assertEquals(0x200L, c.x(20));
    assertEquals(Rig.TEXT + 8, c.x(21)); // SVC: the next instruction
    assertEquals(0x900003C5L, c.x(22)); // NZCV=1001, DAIF masked, EL1h
    assertEquals(0x56001234L, c.x(23)); // EC 0x15, IL, imm16
    assertEquals(Rig.STACK + Rig.STACK_SIZE, c.x(24));
    assertEquals(1, c.exceptionCount(CoreObserver.EXCEPTION_SVC));
    assertEquals(List.of(
        String.format("I %x 2 @%d", Rig.TEXT, T0 + 2),
        String.format("E t0 ret %x vec %x el1->el1 @%d", Rig.TEXT + 8, VBAR + 0x200, T0 + 2),
        String.format("I %x 6 @%d", VBAR + 0x200, T0 + 2 + ENTRY + 6)), rec.lines);
  }

  @Test
  void svcFromEl0TakesLowerElVectorAndSwitchesStack() {
    Rig r = rig(1);
    Core c = r.run(cc -> {
      cc.setMode(0, 0);
      cc.setDaif(0);
      cc.setSp(0x1234560);
      cc.setNzcv(0x6);
    }, svc(7));
    assertEquals(0x400L, c.x(20));
    assertEquals(Rig.TEXT + 4, c.x(21));
    assertEquals(0x60000000L, c.x(22)); // EL0t, nothing masked
    assertEquals(0x56000007L, c.x(23));
    assertEquals(Rig.STACK + Rig.STACK_SIZE, c.x(24)); // handler runs on SP_EL1
    assertEquals(0x1234560L, c.spEl0());
    assertEquals(1, c.el());
  }

  @Test
  void el1tUsesTheSpEl0Vectors() {
    Rig r = rig(1);
    Core c = r.run(cc -> cc.setMode(1, 0), svc(0));
    assertEquals(0x000L, c.x(20));
    assertEquals(0x3C4L, c.x(22)); // EL1t
  }

  @Test
  void brkReturnsToItself() {
    Rig r = rig(1);
    Core c = r.run(nop(), nop(), brk(0x3E8));
    assertEquals(0x200L, c.x(20));
    assertEquals(Rig.TEXT + 8, c.x(21));
    assertEquals(0xF20003E8L, c.x(23)); // EC 0x3C, IL, imm16
    assertEquals(1, c.exceptionCount(CoreObserver.EXCEPTION_BRK));
    assertEquals(2 + 6, c.instructions()); // two NOPs and the 6 handler words retired; BRK did not
  }

  @Test
  void undefinedInstructionsFromEl0() {
    Rig r = rig(1);
    Core c = r.run(cc -> {
      cc.setMode(0, 0);
      cc.setDaif(0);
    }, nop(), 0x1E222820 /* FADD s0, s1, s2: no FP here */);
    assertEquals(0x400L, c.x(20));
    assertEquals(Rig.TEXT + 4, c.x(21));
    assertEquals(0x02000000L, c.x(23)); // EC 0x00 (unknown reason), IL
    // the attempt costs its cycle: the exception is taken at cycle 2
    assertEquals(List.of(new UndefinedInstruction(0, Rig.TEXT + 4, 0x1E222820, T0 + 2)), r.m.undefinedInstructions());
    assertEquals(1, c.exceptionCount(CoreObserver.EXCEPTION_UNDEF));
  }

  @Test
  void privilegedAccessAtEl0IsUndefined() {
    for (int word : new int[] {eret(), mrs(x(0), SysReg.VBAR_EL1), msrDaifClr(2), msr(SysReg.HOSTCALL, x(0)),
        mrs(x(0), SysReg.SP_EL1), 0x00000000 /* UDF #0 */}) {
      Rig r = rig(1);
      Core c = r.run(cc -> {
        cc.setMode(0, 0);
        cc.setDaif(0);
      }, word);
      assertEquals(0x400L, c.x(20), Integer.toHexString(word));
      assertEquals(0x02000000L, c.x(23));
      assertEquals(Rig.TEXT, c.x(21));
    }
    // SP_EL1 is not accessible at EL1 either (only from EL2 up)
    Rig r = rig(1);
    Core c = r.run(mrs(x(0), SysReg.SP_EL1));
    assertEquals(0x200L, c.x(20));
    assertEquals(0x02000000L, c.x(23));
  }

  @Test
  void eretRestoresPstateAndDropsToEl0() {
    Rig r = rig(1);
    Assembler a = new Assembler(Rig.TEXT);
    Assembler.Label el0 = a.newLabel("el0");
    a.emit(movz(x(1), 0x6000, 16)); // SPSR: NZCV=0110, DAIF clear, EL0t
    a.emit(msr(SysReg.SPSR_EL1, x(1)));
    a.adr(x(2), el0);
    a.emit(msr(SysReg.ELR_EL1, x(2)));
    a.emit(movz(x(3), 0x7000, 0));
    a.emit(msr(SysReg.SP_EL0, x(3)));
    a.emit(eret());
    a.bind(el0);
    a.emit(mrs(x(4), SysReg.NZCV));
    a.emit(movSp(x(5), SP));
    a.emit(svc(9));
    Recorder rec = new Recorder();
    r.m.core(0).setObserver(rec);
    Core c = r.run(a);
    assertEquals(0x60000000L, c.x(4));
    assertEquals(0x7000L, c.x(5));
    assertEquals(0x400L, c.x(20)); // the SVC came from EL0
    assertEquals(0x60000000L, c.x(22));
    long eretPc = Rig.TEXT + 24;
    assertEquals(String.format("R %x -> %x el0 @%d", eretPc, el0.address(), T0 + 7), rec.lines.get(1));
    assertEquals(String.format("I %x 7 @%d", Rig.TEXT, T0 + 7), rec.lines.get(0));
    assertEquals(String.format("I %x 3 @%d", el0.address(), T0 + 7 + ERET_COST + 3), rec.lines.get(2));
  }

  @Test
  void eretToUnsupportedModeFaults() {
    Rig r = rig(1);
    MachineFault f = org.junit.jupiter.api.Assertions.assertThrows(MachineFault.class,
        () -> r.run(movz(x(1), 9, 0), msr(SysReg.SPSR_EL1, x(1)), eret()));
    assertEquals(Rig.TEXT + 8, f.pc());
  }

  @Test
  void irqPreferredReturnIsTheFirstInstructionNotExecuted() {
    Rig r = rig(1);
    Recorder rec = new Recorder();
    r.m.core(0).setObserver(rec);
    int[] prog = new int[201];
    prog[0] = msrDaifClr(2);
    for (int i = 1; i < prog.length; i++) {
      prog[i] = nop();
    }
    r.m.raiseIrq(0, T0 + 50);
    // replace the reporting IRQ handler: acknowledge twice
    r.m.memory().loadWords(VBAR + 0x280, new int[] {
        mrs(x(21), SysReg.ELR_EL1), mrs(x(25), SysReg.ICC_IAR1_EL1), mrs(x(26), SysReg.ICC_IAR1_EL1), Rig.STOP});
    Core c = r.run(prog);
    assertEquals(Rig.TEXT + 50 * 4, c.x(21)); // 50 instructions took cycles 0..49
    assertEquals(Machine.TIMER_INTID, c.x(25));
    assertEquals(1023L, c.x(26)); // nothing pending: spurious
    assertEquals(1, c.exceptionCount(CoreObserver.EXCEPTION_IRQ));
    assertEquals(String.format("E t3 ret %x vec %x el1->el1 @%d", Rig.TEXT + 200, VBAR + 0x280, T0 + 50),
        rec.lines.get(rec.lines.size() - 2));
  }

  @Test
  void maskedIrqIsTakenRightAfterUnmasking() {
    Rig r = rig(1);
    int[] prog = new int[40];
    for (int i = 0; i < prog.length; i++) {
      prog[i] = nop();
    }
    prog[20] = msrDaifClr(2);
    r.m.raiseIrq(0, T0 + 5);
    Core c = r.run(prog);
    assertEquals(0x280L, c.x(20));
    assertEquals(Rig.TEXT + 21 * 4, c.x(21));
    assertEquals(0x3C5L & ~0x80L, c.x(22)); // SPSR: I was clear when taken
  }

  @Test
  void irqFromEl0UsesLowerElVector() {
    Rig r = rig(1);
    r.m.raiseIrq(0, T0 + 3);
    Core c = r.run(cc -> {
      cc.setMode(0, 0);
      cc.setDaif(0);
    }, nop(), nop(), nop(), nop(), nop());
    assertEquals(0x480L, c.x(20));
    assertEquals(Rig.TEXT + 12, c.x(21));
    assertEquals(0L, c.x(22));
  }

  @Test
  void ipiArrivesAfterTheLatencyAtTheTarget() {
    Rig r = rig(2);
    Recorder rec1 = new Recorder();
    r.m.core(1).setObserver(rec1);
    // core 0: SGI 3 to target list {cpu 1}, then spin; core 1: unmask and spin
    long sgi = 3L << 24 | 0b10;
    r.m.memory().loadWords(Rig.TEXT, new int[] {msr(SysReg.ICC_SGI1R_EL1, x(1)), b(0)});
    r.m.memory().loadWords(Rig.TEXT + 0x100, new int[] {msrDaifClr(2), b(0)});
    r.m.memory().loadWords(VBAR + 0x280, new int[] {mrs(x(25), SysReg.ICC_IAR1_EL1), mrs(x(21), SysReg.ELR_EL1), Rig.STOP});
    r.m.core(0).setX(1, sgi);
    r.m.core(0).setPc(Rig.TEXT);
    r.m.core(1).setPc(Rig.TEXT + 0x100);
    r.m.run(Long.MAX_VALUE, 1_000_000);
    Core c1 = r.m.core(1);
    assertEquals(3L, c1.x(25));
    assertEquals(Rig.TEXT + 0x104, c1.x(21));
    long arrival = T0 + 1 + r.m.config().ipiLatency();
    String taken = rec1.lines.stream().filter(l -> l.startsWith("E ")).findFirst().orElseThrow();
    assertEquals(String.format("E t3 ret %x vec %x el1->el1 @%d", Rig.TEXT + 0x104, VBAR + 0x280, arrival), taken);
    assertEquals(0, r.m.core(0).exceptionCount(CoreObserver.EXCEPTION_IRQ));
  }

  @Test
  void broadcastIpiReachesAllOtherCores() {
    Rig r = rig(4);
    r.m.memory().loadWords(Rig.TEXT, new int[] {msrDaifClr(2), msr(SysReg.ICC_SGI1R_EL1, x(1)), b(0)});
    r.m.memory().loadWords(Rig.TEXT + 0x100, new int[] {msrDaifClr(2), b(0)});
    r.m.memory().loadWords(VBAR + 0x280, new int[] {mrs(x(25), SysReg.ICC_IAR1_EL1), b(0)});
    r.m.core(0).setX(1, 1L << 40 | 5L << 24);
    for (int i = 0; i < 4; i++) {
      r.m.core(i).setPc(i == 0 ? Rig.TEXT : Rig.TEXT + 0x100);
    }
    r.m.run(T0 + 2000, Long.MAX_VALUE);
    assertEquals(0, r.m.core(0).exceptionCount(CoreObserver.EXCEPTION_IRQ));
    for (int i = 1; i < 4; i++) {
      assertEquals(1, r.m.core(i).exceptionCount(CoreObserver.EXCEPTION_IRQ));
      assertEquals(5L, r.m.core(i).x(25));
    }
  }

  @Test
  void observerSeesRunsWaypointsAndReturnsInOrder() {
    Rig r = rig(1);
    Assembler a = new Assembler(Rig.TEXT);
    Assembler.Label f = a.newLabel("f");
    Assembler.Label done = a.newLabel("done");
    a.emit(movz(x(0), 2, 0));
    a.bind(done.isBound() ? a.newLabel() : a.newLabel());
    Assembler.Label loop = a.here();
    a.emit(subs(x(0), x(0), 1));
    a.bcond(dev.tracepoke.sim.asm.Cond.NE, loop);
    a.bl(f);
    a.emit(isb());
    a.emit(Rig.STOP);
    a.bind(f);
    a.emit(ret());
    Recorder rec = new Recorder();
    r.m.core(0).setObserver(rec);
    r.run(a);
    long t = Rig.TEXT;
    assertEquals(List.of(
        String.format("I %x 3 @%d", t, T0 + 3),
        String.format("W %x k1 T -> %x @%d", t + 8, t + 4, T0 + 3),
        String.format("I %x 2 @%d", t + 4, T0 + 5),
        String.format("W %x k1 N -> %x @%d", t + 8, t + 12, T0 + 5),
        String.format("I %x 1 @%d", t + 12, T0 + 6),
        String.format("W %x k0 T L -> %x @%d", t + 12, t + 24, T0 + 6),
        String.format("I %x 1 @%d", t + 24, T0 + 7),
        String.format("W %x k2 T -> %x @%d", t + 24, t + 16, T0 + 7),
        String.format("I %x 1 @%d", t + 16, T0 + 8),
        String.format("W %x k3 T -> %x @%d", t + 16, t + 20, T0 + 8),
        String.format("I %x 1 @%d", t + 20, T0 + 9 + MachineConfig.Costs.defaults().isb())), rec.lines);
  }
}
