package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.x;

import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel text being assembled, shared by every part of the generated kernel (exception entry,
 * interrupts, boot, functions, and the guest side of the patching protocols in {@code
 * sim.patching}): the assembler, the kallsyms entries its labels become, the labels parts call
 * across, and the code idioms they all use (the kernel's frame, per-cpu access, host calls).
 */
public final class KernelText {
  /** Bytes of the exception frame {@link #saveFrame} pushes. */
  public static final int FRAME = 272;
  public static final int FRAME_X30 = 240;
  public static final int FRAME_ELR = 248;
  public static final int FRAME_SPSR = 256;

  private final Assembler a;
  private final List<Kallsyms.Symbol> syms = new ArrayList<>();

  /** Labels that one part binds and others branch to. */
  final Label panic;
  final Label badSync;

  KernelText() {
    a = new Assembler(Layout.KERNEL_BASE);
    panic = a.newLabel("panic");
    badSync = a.newLabel("bad_sync");
  }

  public Assembler asm() {
    return a;
  }

  /** {@code panic}: X1 = reason; never returns. */
  public Label panic() {
    return panic;
  }

  List<Kallsyms.Symbol> symbols() {
    return syms;
  }

  /** A kallsyms entry at the current pc. */
  public void sym(String name, char type) {
    syms.add(new Kallsyms.Symbol(a.pc(), type, name, null));
  }

  /** Binds {@code l} here and lists it in kallsyms under its name. */
  public void bind(Label l, char type) {
    a.bind(l);
    sym(l.toString(), type);
  }

  // ---- code idioms ----------------------------------------------------------------------------

  /** Writes {@code code} to the host-call register (X9 clobbered); arguments are in X1..X3. */
  public static void hostcall(Assembler a, int code) {
    a.emit(A64.movz(x(9), code, 0));
    a.emit(A64.msr(SysReg.HOSTCALL, 9));
  }

  /** X{reg} = this cpu's number (clobbers X10). */
  public static void cpuNumber(Assembler a, int reg) {
    a.emit(A64.mrs(10, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(reg), x(10), Layout.PCPU_CPU));
  }

  /** Adds one to this cpu's per-cpu counter at {@code field} (clobbers X10, X11). */
  public static void percpuIncrement(Assembler a, int field) {
    a.emit(A64.mrs(10, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(11), x(10), field));
    a.emit(A64.add(x(11), x(11), 1));
    a.emit(A64.str(x(11), x(10), field));
  }

  /** X{reg} = DATA_BASE + offset (ADRP + ADD). */
  public static void dataAddress(Assembler a, int reg, long offset) {
    textAddress(a, reg, Layout.DATA_BASE + offset);
  }

  /** X{reg} = a kernel address within 4 GiB of the code (ADRP + ADD). */
  public static void textAddress(Assembler a, int reg, long target) {
    long pc = a.pc();
    a.emit(A64.adrp(x(reg), (target >> 12) - (pc >> 12)));
    a.emit(A64.add(x(reg), x(reg), target & 0xfff));
  }

  public static void prologue(Assembler a, int frame) {
    a.emit(A64.stpPre(x(29), x(30), SP, -frame));
    a.emit(A64.movSp(x(29), SP));
  }

  public static void epilogue(Assembler a, int frame) {
    a.emit(A64.ldpPost(x(29), x(30), SP, frame));
    a.emit(A64.ret());
  }

  /** kernel_entry: X0-X30, ELR_EL1 and SPSR_EL1 on the kernel stack. */
  public static void saveFrame(Assembler a) {
    a.emit(A64.sub(SP, SP, FRAME));
    for (int r = 0; r < 30; r += 2) {
      a.emit(A64.stp(x(r), x(r + 1), SP, 8L * r));
    }
    a.emit(A64.mrs(21, SysReg.ELR_EL1));
    a.emit(A64.mrs(22, SysReg.SPSR_EL1));
    a.emit(A64.stp(x(30), x(21), SP, FRAME_X30));
    a.emit(A64.str(x(22), SP, FRAME_SPSR));
  }

  /** kernel_exit: restores what {@link #saveFrame} saved (ELR/SPSR possibly changed) and ERETs. */
  public static void restoreFrameAndEret(Assembler a) {
    a.emit(A64.ldp(x(30), x(21), SP, FRAME_X30));
    a.emit(A64.ldr(x(22), SP, FRAME_SPSR));
    a.emit(A64.msr(SysReg.ELR_EL1, 21));
    a.emit(A64.msr(SysReg.SPSR_EL1, 22));
    for (int r = 0; r < 30; r += 2) {
      a.emit(A64.ldp(x(r), x(r + 1), SP, 8L * r));
    }
    a.emit(A64.add(SP, SP, FRAME));
    a.emit(A64.eret());
  }

  /** X11 = next value of this cpu's xorshift64 state (X10 = per-cpu area). */
  public static void random(Assembler a) {
    a.emit(A64.mrs(10, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(11), x(10), Layout.PCPU_RNG));
    a.emit(A64.eor(x(11), x(11), x(11), Shift.LSL, 13));
    a.emit(A64.eor(x(11), x(11), x(11), Shift.LSR, 7));
    a.emit(A64.eor(x(11), x(11), x(11), Shift.LSL, 17));
    a.emit(A64.str(x(11), x(10), Layout.PCPU_RNG));
  }
}
