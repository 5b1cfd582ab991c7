package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.x;
import static dev.tracepoke.sim.workload.KernelText.FRAME_ELR;
import static dev.tracepoke.sim.workload.KernelText.dataAddress;
import static dev.tracepoke.sim.workload.KernelText.hostcall;
import static dev.tracepoke.sim.workload.KernelText.percpuIncrement;
import static dev.tracepoke.sim.workload.KernelText.random;
import static dev.tracepoke.sim.workload.KernelText.restoreFrameAndEret;
import static dev.tracepoke.sim.workload.KernelText.saveFrame;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Extend;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import dev.tracepoke.sim.patching.GuestPatching;

/**
 * The exception side of the kernel (arm64's entry.S): the vector table at the start of text,
 * {@code bad_vector} and {@code panic}, the system-call path {@code el0_sync} dispatching through
 * {@code sys_call_table}, the BRK dispatch {@code el1_sync} (kprobes here; brk-emulate's handler
 * is the patching protocol's, {@link GuestPatching}) and the IRQ entries into {@code gic_handle_irq}.
 */
final class ExceptionEntry {
  private ExceptionEntry() {}

  static void emit(KernelText k, WorkloadPlan.Plan p, Label gicHandleIrq, GuestPatching patching) {
    Assembler a = k.asm();
    k.sym("_text", 'T');
    k.sym("vectors", 'T');
    Label el1Sync = a.newLabel("el1_sync");
    Label el1Irq = a.newLabel("el1_irq");
    Label el0Sync = a.newLabel("el0_sync");
    Label el0Irq = a.newLabel("el0_irq");
    Label badVector = a.newLabel("bad_vector");
    for (int v = 0; v < 16; v++) {
      Label target = switch (v) {
        case 4 -> el1Sync;
        case 5 -> el1Irq;
        case 8 -> el0Sync;
        case 9 -> el0Irq;
        default -> badVector;
      };
      a.b(target);
      while ((a.pc() - Layout.KERNEL_BASE) % 0x80 != 0) {
        a.emit(A64.brk(0x800)); // never executed: a vector entry is one branch
      }
    }

    // bad_vector, panic
    k.bind(badVector, 't');
    a.emit(A64.movz(x(1), Layout.PANIC_BAD_VECTOR, 0));
    k.bind(k.panic, 'T');
    hostcall(a, Layout.HC_PANIC);
    a.emit(A64.b(0));

    syscalls(k, p, el0Sync);
    breakpoints(k, p, el1Sync, patching);

    // IRQ entries
    k.bind(el1Irq, 't');
    saveFrame(a);
    a.bl(gicHandleIrq);
    restoreFrameAndEret(a);
    k.bind(el0Irq, 't');
    saveFrame(a);
    a.bl(gicHandleIrq);
    restoreFrameAndEret(a);
  }

  /** el0_sync: the system call path. */
  private static void syscalls(KernelText k, WorkloadPlan.Plan p, Label el0Sync) {
    Assembler a = k.asm();
    k.bind(el0Sync, 't');
    saveFrame(a);
    a.emit(A64.mrs(0, SysReg.ESR_EL1));
    a.emit(A64.lsr(x(1), x(0), 26));
    a.emit(A64.cmp(x(1), 0x15));
    a.bcond(Cond.NE, k.badSync);
    a.emit(A64.msrDaifClr(2));
    percpuIncrement(a, Layout.PCPU_SYSCALLS);
    a.emit(A64.ldr(x(8), SP, 64));
    Label ni = a.newLabel();
    Label sysRet = a.newLabel();
    a.emit(A64.cmp(x(8), p.nsys));
    a.bcond(Cond.HS, ni);
    dataAddress(a, 16, Layout.SYS_CALL_TABLE);
    a.emit(A64.ldr(x(20), x(16), x(8), Extend.LSL, true));
    // a syscall works through a data-dependent batch: its handler runs 1..8 times
    random(a);
    a.emit(A64.and(x(19), x(11), 7));
    a.emit(A64.add(x(19), x(19), 1));
    Label batch = a.here();
    a.emit(A64.ldr(x(0), SP, 0));
    a.emit(A64.blr(20));
    a.emit(A64.subs(x(19), x(19), 1));
    a.bcond(Cond.NE, batch);
    a.b(sysRet);
    a.bind(ni);
    a.emit(A64.movn(x(0), 37, 0)); // -ENOSYS
    a.bind(sysRet);
    a.emit(A64.str(x(0), SP, 0));
    a.emit(A64.msrDaifSet(2));
    restoreFrameAndEret(a);

    k.bind(k.badSync, 't');
    a.emit(A64.movz(x(1), Layout.PANIC_BAD_SYNC, 0));
    a.b(k.panic);
  }

  /** el1_sync: BRK from kernel code, BRK #4 to the kprobe handler, BRK #0x100+ to brk-emulate's. */
  private static void breakpoints(KernelText k, WorkloadPlan.Plan p, Label el1Sync, GuestPatching patching) {
    Assembler a = k.asm();
    k.bind(el1Sync, 't');
    saveFrame(a);
    Label kprobe = a.newLabel("kprobe_breakpoint_handler");
    Label emulate = patching.emulateHandler();
    Label el1Ret = a.newLabel();
    a.emit(A64.mrs(0, SysReg.ESR_EL1));
    a.emit(A64.lsr(x(1), x(0), 26));
    a.emit(A64.cmp(x(1), 0x3c));
    a.bcond(Cond.NE, k.badSync);
    a.emit(A64.and(x(1), x(0), 0xffff));
    a.emit(A64.cmp(x(1), Layout.BRK_KPROBE));
    a.bcond(Cond.EQ, kprobe);
    a.emit(A64.cmp(x(1), Layout.BRK_EMULATE_BASE));
    a.bcond(Cond.HS, emulate);
    a.b(k.badSync);

    int kprobes = (int) p.sites.stream().filter(s -> s.kind == PatchKind.KPROBE).count();
    k.bind(kprobe, 't');
    Label kpLoop = a.newLabel();
    Label kpFound = a.newLabel();
    Label kpMissing = a.newLabel();
    a.emit(A64.ldr(x(0), SP, FRAME_ELR));
    dataAddress(a, 2, Layout.KPROBE_TABLE);
    a.emit(A64.movz(x(3), kprobes, 0));
    a.bind(kpLoop);
    a.cbz(x(3), kpMissing);
    a.emit(A64.ldpPost(x(4), x(5), x(2), 16));
    a.emit(A64.cmpReg(x(4), x(0), Shift.LSL, 0));
    a.bcond(Cond.EQ, kpFound);
    a.emit(A64.sub(x(3), x(3), 1));
    a.b(kpLoop);
    a.bind(kpFound);
    percpuIncrement(a, Layout.PCPU_KPROBE_HITS);
    a.emit(A64.str(x(5), SP, FRAME_ELR));
    a.b(el1Ret);
    a.bind(kpMissing);
    a.emit(A64.movz(x(1), Layout.PANIC_NO_KPROBE, 0));
    a.b(k.panic);

    patching.emitEmulateHandler(); // falls through to el1Ret
    a.bind(el1Ret);
    restoreFrameAndEret(a);
  }
}
