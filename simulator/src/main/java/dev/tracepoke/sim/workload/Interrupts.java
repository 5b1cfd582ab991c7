package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.x;
import static dev.tracepoke.sim.workload.KernelText.epilogue;
import static dev.tracepoke.sim.workload.KernelText.percpuIncrement;
import static dev.tracepoke.sim.workload.KernelText.prologue;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.SysReg;
import dev.tracepoke.sim.patching.GuestPatching;

/**
 * The interrupt side of the kernel: {@code gic_handle_irq} acknowledges GICv3 interrupts until
 * none is pending and dispatches them (stop-machine and kick IPIs and patch requests to the
 * patching protocols' guest code, {@link GuestPatching}; timer ticks to {@code do_tick}, which
 * calls the plan's tick function).
 */
final class Interrupts {
  private Interrupts() {}

  static void emit(KernelText k, WorkloadPlan.Plan p, Label gicHandleIrq, GuestPatching patching) {
    Assembler a = k.asm();
    Label tick = a.newLabel("do_tick");

    // gic_handle_irq: acknowledge and dispatch until nothing is pending
    k.bind(gicHandleIrq, 'T');
    Label irqLoop = a.newLabel();
    Label irqDone = a.newLabel();
    Label eoi = a.newLabel();
    Label notStop = a.newLabel();
    Label notKick = a.newLabel();
    Label notPatch = a.newLabel();
    prologue(a, 32);
    a.emit(A64.stp(x(19), x(20), SP, 16));
    a.bind(irqLoop);
    a.emit(A64.mrs(19, SysReg.ICC_IAR1_EL1));
    a.emit(A64.cmp(x(19), 1020));
    a.bcond(Cond.HS, irqDone);
    a.emit(A64.cmp(x(19), Layout.INTID_STOP));
    a.bcond(Cond.NE, notStop);
    a.bl(patching.stopHandler());
    a.b(eoi);
    a.bind(notStop);
    a.emit(A64.cmp(x(19), Layout.INTID_KICK));
    a.bcond(Cond.NE, notKick);
    a.bl(patching.kickHandler());
    a.b(eoi);
    a.bind(notKick);
    a.emit(A64.cmp(x(19), Layout.INTID_PATCH));
    a.bcond(Cond.NE, notPatch);
    a.bl(patching.patcher());
    a.b(eoi);
    a.bind(notPatch);
    a.emit(A64.cmp(x(19), Layout.INTID_TIMER));
    a.bcond(Cond.NE, eoi);
    a.bl(tick);
    a.bind(eoi);
    a.emit(A64.msr(SysReg.ICC_EOIR1_EL1, 19));
    a.b(irqLoop);
    a.bind(irqDone);
    a.emit(A64.ldp(x(19), x(20), SP, 16));
    epilogue(a, 32);

    // do_tick
    k.bind(tick, 't');
    prologue(a, 16);
    percpuIncrement(a, Layout.PCPU_TICKS);
    a.bl(p.fns[p.tickFn].label);
    epilogue(a, 16);
  }
}
