package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.XZR;
import static dev.tracepoke.sim.asm.A64.x;
import static dev.tracepoke.sim.workload.KernelText.dataAddress;
import static dev.tracepoke.sim.workload.KernelText.textAddress;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import dev.tracepoke.sim.workload.WorkloadPlan.Plan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * How every cpu starts and what it runs at EL0: {@code secondary_entry} (VBAR, per-cpu area,
 * stacks, then ERET to the EL0 program), the EL0 program itself, and the initial data region the
 * kernel reads (per-cpu seeds, the system-call and function-pointer tables, the kprobe table).
 */
final class Boot {
  private Boot() {}

  /** secondary_entry; returns its address label. */
  static Label emitSecondaryEntry(KernelText k) {
    Assembler a = k.asm();
    // secondary_entry: X0 = cpu; set up this cpu and drop to the EL0 program
    Label boot = a.newLabel("secondary_entry");
    k.bind(boot, 'T');
    textAddress(a, 1, Layout.KERNEL_BASE);
    a.emit(A64.msr(SysReg.VBAR_EL1, 1));
    dataAddress(a, 2, Layout.PERCPU);
    a.emit(A64.add(x(2), x(2), x(0), Shift.LSL, 8));
    a.emit(A64.msr(SysReg.TPIDR_EL1, 2));
    textAddress(a, 3, Layout.KERNEL_STACK_BASE);
    a.emit(A64.add(x(4), x(0), 1));
    a.emit(A64.lsl(x(4), x(4), Integer.numberOfTrailingZeros(Layout.KERNEL_STACK_SIZE)));
    a.emit(A64.addReg(x(3), x(3), x(4)));
    a.emit(A64.movSp(SP, x(3)));
    a.movImm64(x(5), Layout.USER_STACK_BASE);
    a.emit(A64.add(x(6), x(0), 1));
    a.emit(A64.lsl(x(6), x(6), Integer.numberOfTrailingZeros(Layout.USER_STACK_SIZE)));
    a.emit(A64.addReg(x(5), x(5), x(6)));
    a.emit(A64.msr(SysReg.SP_EL0, 5));
    a.emit(A64.ldr(x(27), x(2), Layout.PCPU_USER_ITERS));
    a.emit(A64.ldr(x(28), x(2), Layout.PCPU_USER_SEED));
    a.movImm64(x(7), Layout.USER_BASE);
    a.emit(A64.msr(SysReg.ELR_EL1, 7));
    a.emit(A64.msr(SysReg.SPSR_EL1, XZR));
    a.emit(A64.eret());

    return boot;
  }

  /** The EL0 program: an xorshift loop of X27 turns, then SVC #0 with X8 = a syscall number. */
  static int[] userProgram() {
    Assembler u = new Assembler(Layout.USER_BASE);
    Label outer = u.here();
    u.emit(A64.mov(x(19), x(27)));
    Label inner = u.here();
    Label skip = u.newLabel();
    u.emit(A64.eor(x(28), x(28), x(28), Shift.LSL, 13));
    u.emit(A64.eor(x(28), x(28), x(28), Shift.LSR, 7));
    u.emit(A64.eor(x(28), x(28), x(28), Shift.LSL, 17));
    u.tbz(x(28), 5, skip);
    u.emit(A64.add(x(20), x(20), 1));
    u.bind(skip);
    u.emit(A64.subs(x(19), x(19), 1));
    u.bcond(Cond.NE, inner);
    u.emit(A64.and(x(8), x(28), 7));
    u.emit(A64.mov(x(0), x(28)));
    u.emit(A64.svc(0));
    u.b(outer);
    return u.words();
  }

  static byte[] data(WorkloadPlan plan, Plan p, List<PatchSite> sites, int cores, long userIterations) {
    ByteBuffer d = ByteBuffer.allocate(Layout.DATA_FIXED_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    d.putLong(Layout.G_NCORES, cores);
    for (int c = 0; c < cores; c++) {
      int base = Layout.PERCPU + c * Layout.PERCPU_SIZE;
      d.putLong(base + Layout.PCPU_CPU, c);
      d.putLong(base + Layout.PCPU_RNG, nonZero(plan.next()));
      d.putLong(base + Layout.PCPU_USER_ITERS, userIterations);
      d.putLong(base + Layout.PCPU_USER_SEED, nonZero(plan.next()));
    }
    for (int s = 0; s < p.nsys; s++) {
      d.putLong(Layout.SYS_CALL_TABLE + 8 * s, p.fns[s].label.address());
    }
    for (int t = 0; t < p.tables; t++) {
      for (int k = 0; k < Layout.FPTR_TABLE_ENTRIES; k++) {
        d.putLong(Layout.FPTR_TABLES + (t * Layout.FPTR_TABLE_ENTRIES + k) * 8, p.fns[p.tableEntries[t][k]].label.address());
      }
    }
    if (Layout.FPTR_TABLES + p.tables * Layout.FPTR_TABLE_ENTRIES * 8 > Layout.KPROBE_TABLE) {
      throw new IllegalStateException("too many function-pointer tables");
    }
    int k = 0;
    for (PatchSite s : sites) {
      if (s.kind() == PatchKind.KPROBE) {
        d.putLong(Layout.KPROBE_TABLE + 16 * k, s.address());
        d.putLong(Layout.KPROBE_TABLE + 16 * k + 8, s.slot());
        k++;
      }
    }
    return d.array();
  }

  private static long nonZero(long v) {
    return v == 0 ? 0x2545F4914F6CDD1DL : v;
  }
}
