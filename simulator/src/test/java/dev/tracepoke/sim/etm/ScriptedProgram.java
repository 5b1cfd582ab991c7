package dev.tracepoke.sim.etm;

import static dev.tracepoke.sim.asm.A64.x;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.SysReg;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small hand-laid A64 program (real encodings from the project's assembler) with what the test
 * executor needs to know about each instruction: its kind and, for branches, its target.
 * Indirect-branch targets stand for the register value the code before the branch would have
 * loaded.
 */
final class ScriptedProgram {

  enum Kind { OTHER, ELR_ADVANCE, PUSH_LR, POP_LR, B, BL, COND, BR, BLR, RET, ERET, ISB, SVC, BRK, UDF }

  record Insn(long pc, int word, Kind kind, long target) {}

  /** User code, EL0. */
  static final long U = 0x0000_0000_0040_0000L;
  /** VBAR_EL1: kernel vectors and handlers, EL1. */
  static final long K = 0xFFFF_8000_0801_0000L;
  /** A kernel function far from the vectors (a different 128 KiB region, same upper half). */
  static final long KFAR = K + 0x10_0000L;
  /** Module code: a different upper 32 bits from the kernel image. */
  static final long M = 0xFFFF_7FFF_C000_0000L;

  static final long MAIN = U;
  static final long UFUNC = U + 0x100;
  static final long UFUNC2 = U + 0x140;
  static final long TBZ_BLOCK = U + 0x200;
  static final int TBZ_COUNT = 48;
  static final long LOOP_BRANCH = TBZ_BLOCK + 4L * TBZ_COUNT;
  static final long STOP = LOOP_BRANCH + 4;
  static final long KFUNC = K + 0x1000;

  final Map<Long, Insn> code = new TreeMap<>(Long::compareUnsigned);

  // ---- A64 encodings from the project's assembler (dev.tracepoke.sim.asm)
  static final int NOP = A64.nop();
  static final int ADD_X0_X0_1 = A64.add(x(0), x(0), 1);
  static final int ISB_SY = A64.isb();
  static final int RET_X30 = A64.ret();
  static final int ERET_WORD = A64.eret();
  static final int MRS_X0_ELR_EL1 = A64.mrs(x(0), SysReg.ELR_EL1);
  static final int ADD_X0_X0_4 = A64.add(x(0), x(0), 4);
  static final int MSR_ELR_EL1_X0 = A64.msr(SysReg.ELR_EL1, x(0));
  static final int STP_FP_LR = A64.stpPre(x(29), x(30), A64.SP, -16);
  static final int LDP_FP_LR = A64.ldpPost(x(29), x(30), A64.SP, 16);

  static int b(long pc, long target) {
    return A64.b(target - pc);
  }

  static int bl(long pc, long target) {
    return A64.bl(target - pc);
  }

  static int bcond(long pc, long target, Cond cond) {
    return A64.bcond(cond, target - pc);
  }

  static int cbnz(long pc, long target, int rt) {
    return A64.cbnz(x(rt), target - pc);
  }

  static int tbz(long pc, long target, int rt, int bit) {
    return A64.tbz(x(rt), bit, target - pc);
  }

  static int br(int rn) {
    return A64.br(x(rn));
  }

  static int blr(int rn) {
    return A64.blr(x(rn));
  }

  static int svc(int imm) {
    return A64.svc(imm);
  }

  static int brk(int imm) {
    return A64.brk(imm);
  }

  /** UDF #imm16: permanently undefined (all-zero upper half; the assembler has no mnemonic for it). */
  static int udf(int imm) {
    return imm & 0xFFFF;
  }

  private void put(long pc, int word, Kind kind, long target) {
    code.put(pc, new Insn(pc, word, kind, target));
  }

  private void put(long pc, int word, Kind kind) {
    put(pc, word, kind, 0);
  }

  ScriptedProgram() {
    // main loop, EL0
    put(U + 0x000, ADD_X0_X0_1, Kind.OTHER);
    put(U + 0x004, bl(U + 0x004, UFUNC), Kind.BL, UFUNC);
    put(U + 0x008, cbnz(U + 0x008, U + 0x010, 1), Kind.COND, U + 0x010);
    put(U + 0x00C, NOP, Kind.OTHER);
    put(U + 0x010, blr(3), Kind.BLR, UFUNC2);
    put(U + 0x014, ISB_SY, Kind.ISB);
    put(U + 0x018, svc(0), Kind.SVC);
    put(U + 0x01C, ADD_X0_X0_1, Kind.OTHER);
    put(U + 0x020, b(U + 0x020, TBZ_BLOCK), Kind.B, TBZ_BLOCK);
    put(UFUNC, ADD_X0_X0_1, Kind.OTHER);
    put(UFUNC + 4, RET_X30, Kind.RET);
    put(UFUNC2, NOP, Kind.OTHER);
    put(UFUNC2 + 4, br(4), Kind.BR, UFUNC2 + 8);
    put(UFUNC2 + 8, RET_X30, Kind.RET);
    // TBZs whose target is the next instruction: the flow is linear whatever the scripted outcome
    for (int i = 0; i < TBZ_COUNT; i++) {
      long pc = TBZ_BLOCK + 4L * i;
      put(pc, tbz(pc, pc + 4, 2, i), Kind.COND, pc + 4);
    }
    put(LOOP_BRANCH, bcond(LOOP_BRANCH, MAIN, Cond.NE), Kind.COND, MAIN);
    put(STOP, b(STOP, STOP), Kind.B, STOP);

    // EL1 synchronous exceptions from EL1 (BRK, UDF): step over the faulting instruction
    put(K + 0x200, MRS_X0_ELR_EL1, Kind.OTHER);
    put(K + 0x204, ADD_X0_X0_4, Kind.OTHER);
    put(K + 0x208, MSR_ELR_EL1_X0, Kind.ELR_ADVANCE);
    put(K + 0x20C, ERET_WORD, Kind.ERET);
    // IRQ taken from EL1
    put(K + 0x280, bl(K + 0x280, KFUNC), Kind.BL, KFUNC);
    put(K + 0x284, ERET_WORD, Kind.ERET);
    // synchronous exception from EL0 (SVC)
    put(K + 0x400, ADD_X0_X0_1, Kind.OTHER);
    put(K + 0x404, bl(K + 0x404, KFUNC), Kind.BL, KFUNC);
    put(K + 0x408, bl(K + 0x408, KFAR), Kind.BL, KFAR);
    put(K + 0x40C, brk(4), Kind.BRK);
    put(K + 0x410, udf(1), Kind.UDF);
    put(K + 0x414, ADD_X0_X0_1, Kind.OTHER);
    put(K + 0x418, ERET_WORD, Kind.ERET);
    // IRQ taken from EL0
    put(K + 0x480, NOP, Kind.OTHER);
    put(K + 0x484, ERET_WORD, Kind.ERET);
    // kernel functions
    put(KFUNC, ADD_X0_X0_1, Kind.OTHER);
    put(KFUNC + 4, RET_X30, Kind.RET);
    put(KFAR, STP_FP_LR, Kind.PUSH_LR);
    put(KFAR + 4, blr(5), Kind.BLR, M);
    put(KFAR + 8, LDP_FP_LR, Kind.POP_LR);
    put(KFAR + 12, RET_X30, Kind.RET);
    put(M, NOP, Kind.OTHER);
    put(M + 4, RET_X30, Kind.RET);
  }

  Insn at(long pc) {
    Insn insn = code.get(pc);
    if (insn == null) {
      throw new IllegalStateException(String.format("no instruction at 0x%x", pc));
    }
    return insn;
  }
}
