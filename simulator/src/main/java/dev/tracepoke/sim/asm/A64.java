package dev.tracepoke.sim.asm;

/**
 * A64 instruction encoder: every method returns the 32-bit encoding of one real instruction.
 *
 * <p>Registers are ints: {@link #x(int)} / {@link #w(int)} give the 64-bit and 32-bit views of
 * register n (n = 31 is SP or ZR, decided by the instruction as in the architecture). A method
 * whose operands are W registers encodes the 32-bit form; mixing widths is an error.
 * PC-relative forms take a byte offset from the instruction's own address; {@link Assembler}
 * resolves labels into those offsets. Out-of-range operands throw {@link IllegalArgumentException}.
 */
public final class A64 {
  private A64() {}

  private static final int W_BIT = 0x20;

  /** Register 31 in a stack-pointer context (64-bit view). */
  public static final int SP = 31;
  /** Register 31 in a zero-register context (64-bit view). */
  public static final int XZR = 31;
  /** 32-bit view of register 31: WSP or WZR depending on the instruction. */
  public static final int WZR = 31 | W_BIT;
  public static final int WSP = 31 | W_BIT;
  /** The link register X30. */
  public static final int LR = 30;

  /** The 64-bit view of register {@code n} (0..31). */
  public static int x(int n) {
    checkReg(n);
    return n;
  }

  /** The 32-bit view of register {@code n} (0..31). */
  public static int w(int n) {
    checkReg(n);
    return n | W_BIT;
  }

  private static void checkReg(int n) {
    if (n < 0 || n > 31) {
      throw new IllegalArgumentException("register number " + n + " outside 0..31");
    }
  }

  static int num(int r) {
    return r & 31;
  }

  static boolean is32(int r) {
    return (r & W_BIT) != 0;
  }

  /** sf bit for a group of registers that must share one width. */
  private static int sf(int... regs) {
    boolean w = is32(regs[0]);
    for (int r : regs) {
      if (is32(r) != w) {
        throw new IllegalArgumentException("operands mix 32-bit and 64-bit registers");
      }
    }
    return w ? 0 : 1;
  }

  private static int field(long value, int bits, String what) {
    if (value < 0 || value >= (1L << bits)) {
      throw new IllegalArgumentException(what + " " + value + " does not fit " + bits + " unsigned bits");
    }
    return (int) value;
  }

  private static int signedField(long value, int bits, String what) {
    long min = -(1L << (bits - 1));
    long max = (1L << (bits - 1)) - 1;
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " " + value + " does not fit " + bits + " signed bits");
    }
    return (int) (value & ((1L << bits) - 1));
  }

  private static int branchOffset(long offset, int bits, String what) {
    if ((offset & 3) != 0) {
      throw new IllegalArgumentException(what + " offset " + offset + " is not a multiple of 4");
    }
    return signedField(offset >> 2, bits, what + " offset/4");
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  private static int addSubImm(int op, int s, int rd, int rn, long imm) {
    int sh = 0;
    if (imm >= 4096 && (imm & 0xfff) == 0 && imm < (1L << 24)) {
      sh = 1;
      imm >>= 12;
    }
    return 0x11000000 | sf(rd, rn) << 31 | op << 30 | s << 29 | sh << 22
        | field(imm, 12, "immediate") << 10 | num(rn) << 5 | num(rd);
  }

  /** ADD Rd|SP, Rn|SP, #imm (imm12, or imm12 &lt;&lt; 12 when the low 12 bits are zero). */
  public static int add(int rd, int rn, long imm) {
    return addSubImm(0, 0, rd, rn, imm);
  }

  public static int adds(int rd, int rn, long imm) {
    return addSubImm(0, 1, rd, rn, imm);
  }

  public static int sub(int rd, int rn, long imm) {
    return addSubImm(1, 0, rd, rn, imm);
  }

  public static int subs(int rd, int rn, long imm) {
    return addSubImm(1, 1, rd, rn, imm);
  }

  /** CMP Rn, #imm = SUBS ZR, Rn, #imm. */
  public static int cmp(int rn, long imm) {
    return subs(is32(rn) ? WZR : XZR, rn, imm);
  }

  /** CMN Rn, #imm = ADDS ZR, Rn, #imm. */
  public static int cmn(int rn, long imm) {
    return adds(is32(rn) ? WZR : XZR, rn, imm);
  }

  /** MOV to or from SP = ADD Rd, Rn, #0. */
  public static int movSp(int rd, int rn) {
    return add(rd, rn, 0);
  }

  private static int addSubReg(int op, int s, int rd, int rn, int rm, Shift shift, int amount) {
    if (shift == Shift.ROR) {
      throw new IllegalArgumentException("ROR is not a valid shift for ADD/SUB");
    }
    int sf = sf(rd, rn, rm);
    return 0x0B000000 | sf << 31 | op << 30 | s << 29 | shift.ordinal() << 22 | num(rm) << 16
        | field(amount, sf == 1 ? 6 : 5, "shift amount") << 10 | num(rn) << 5 | num(rd);
  }

  /** ADD Rd, Rn, Rm{, shift #amount} (shifted register; register 31 is ZR). */
  public static int add(int rd, int rn, int rm, Shift shift, int amount) {
    return addSubReg(0, 0, rd, rn, rm, shift, amount);
  }

  public static int addReg(int rd, int rn, int rm) {
    return addSubReg(0, 0, rd, rn, rm, Shift.LSL, 0);
  }

  public static int adds(int rd, int rn, int rm, Shift shift, int amount) {
    return addSubReg(0, 1, rd, rn, rm, shift, amount);
  }

  public static int sub(int rd, int rn, int rm, Shift shift, int amount) {
    return addSubReg(1, 0, rd, rn, rm, shift, amount);
  }

  public static int subReg(int rd, int rn, int rm) {
    return addSubReg(1, 0, rd, rn, rm, Shift.LSL, 0);
  }

  public static int subs(int rd, int rn, int rm, Shift shift, int amount) {
    return addSubReg(1, 1, rd, rn, rm, shift, amount);
  }

  /** CMP Rn, Rm{, shift} = SUBS ZR, Rn, Rm. */
  public static int cmpReg(int rn, int rm, Shift shift, int amount) {
    return subs(is32(rn) ? WZR : XZR, rn, rm, shift, amount);
  }

  /** CMN Rn, Rm{, shift} = ADDS ZR, Rn, Rm. */
  public static int cmnReg(int rn, int rm, Shift shift, int amount) {
    return adds(is32(rn) ? WZR : XZR, rn, rm, shift, amount);
  }

  private static int addSubExt(int op, int s, int rd, int rn, int rm, RegExtend ext, int amount) {
    int sf = sf(rd, rn);
    boolean wantX = sf == 1 && (ext.ordinal() & 3) == 3; // UXTX/SXTX on a 64-bit op take an X register
    if (is32(rm) == wantX) {
      throw new IllegalArgumentException(ext + " needs a" + (wantX ? "n X" : " W") + " index register");
    }
    if (amount < 0 || amount > 4) {
      throw new IllegalArgumentException("extended-register shift " + amount + " outside 0..4");
    }
    return 0x0B200000 | sf << 31 | op << 30 | s << 29 | num(rm) << 16 | ext.ordinal() << 13 | amount << 10
        | num(rn) << 5 | num(rd);
  }

  /** ADD Rd|SP, Rn|SP, Rm, extend {#amount} (extended register; amount 0..4). */
  public static int add(int rd, int rn, int rm, RegExtend ext, int amount) {
    return addSubExt(0, 0, rd, rn, rm, ext, amount);
  }

  public static int adds(int rd, int rn, int rm, RegExtend ext, int amount) {
    return addSubExt(0, 1, rd, rn, rm, ext, amount);
  }

  public static int sub(int rd, int rn, int rm, RegExtend ext, int amount) {
    return addSubExt(1, 0, rd, rn, rm, ext, amount);
  }

  public static int subs(int rd, int rn, int rm, RegExtend ext, int amount) {
    return addSubExt(1, 1, rd, rn, rm, ext, amount);
  }

  /** CMP Rn|SP, Rm, extend {#amount} = SUBS ZR, Rn, Rm, extend. */
  public static int cmp(int rn, int rm, RegExtend ext, int amount) {
    return subs(is32(rn) ? WZR : XZR, rn, rm, ext, amount);
  }

  private static int condCompare(int op, int rn, int operand, boolean register, int nzcv, Cond cond) {
    field(nzcv, 4, "nzcv");
    int base = register ? 0x3A400000 | num(operand) << 16 : 0x3A400800 | field(operand, 5, "imm5") << 16;
    return base | sf(rn) << 31 | op << 30 | cond.code() << 12 | num(rn) << 5 | nzcv;
  }

  /** CCMP Rn, #imm5, #nzcv, cond: flags of Rn - imm5 if cond holds, else nzcv. */
  public static int ccmp(int rn, int imm5, int nzcv, Cond cond) {
    return condCompare(1, rn, imm5, false, nzcv, cond);
  }

  /** CCMP Rn, Rm, #nzcv, cond. */
  public static int ccmpReg(int rn, int rm, int nzcv, Cond cond) {
    sf(rn, rm);
    return condCompare(1, rn, rm, true, nzcv, cond);
  }

  /** CCMN Rn, #imm5, #nzcv, cond: flags of Rn + imm5 if cond holds, else nzcv. */
  public static int ccmn(int rn, int imm5, int nzcv, Cond cond) {
    return condCompare(0, rn, imm5, false, nzcv, cond);
  }

  public static int ccmnReg(int rn, int rm, int nzcv, Cond cond) {
    sf(rn, rm);
    return condCompare(0, rn, rm, true, nzcv, cond);
  }

  /** MADD Rd, Rn, Rm, Ra: Rd = Ra + Rn * Rm. */
  public static int madd(int rd, int rn, int rm, int ra) {
    return 0x1B000000 | sf(rd, rn, rm, ra) << 31 | num(rm) << 16 | num(ra) << 10 | num(rn) << 5 | num(rd);
  }

  /** MSUB Rd, Rn, Rm, Ra: Rd = Ra - Rn * Rm. */
  public static int msub(int rd, int rn, int rm, int ra) {
    return madd(rd, rn, rm, ra) | 1 << 15;
  }

  /** MUL Rd, Rn, Rm = MADD Rd, Rn, Rm, ZR. */
  public static int mul(int rd, int rn, int rm) {
    return madd(rd, rn, rm, is32(rd) ? WZR : XZR);
  }

  private static int dp2(int opcode, int rd, int rn, int rm) {
    return 0x1AC00000 | sf(rd, rn, rm) << 31 | num(rm) << 16 | opcode << 10 | num(rn) << 5 | num(rd);
  }

  public static int udiv(int rd, int rn, int rm) {
    return dp2(0b000010, rd, rn, rm);
  }

  public static int sdiv(int rd, int rn, int rm) {
    return dp2(0b000011, rd, rn, rm);
  }

  /** LSLV (LSL by register). */
  public static int lslv(int rd, int rn, int rm) {
    return dp2(0b001000, rd, rn, rm);
  }

  public static int lsrv(int rd, int rn, int rm) {
    return dp2(0b001001, rd, rn, rm);
  }

  public static int asrv(int rd, int rn, int rm) {
    return dp2(0b001010, rd, rn, rm);
  }

  public static int rorv(int rd, int rn, int rm) {
    return dp2(0b001011, rd, rn, rm);
  }

  // ---- logical ------------------------------------------------------------------------------

  private static int logicalImm(int opc, int rd, int rn, long value) {
    int sf = sf(rd, rn);
    int bits = LogicalImmediate.encode(value, sf == 1 ? 64 : 32);
    return 0x12000000 | sf << 31 | opc << 29 | bits << 10 | num(rn) << 5 | num(rd);
  }

  /** AND Rd|SP, Rn, #bitmask. */
  public static int and(int rd, int rn, long bitmask) {
    return logicalImm(0, rd, rn, bitmask);
  }

  public static int orr(int rd, int rn, long bitmask) {
    return logicalImm(1, rd, rn, bitmask);
  }

  public static int eor(int rd, int rn, long bitmask) {
    return logicalImm(2, rd, rn, bitmask);
  }

  public static int ands(int rd, int rn, long bitmask) {
    return logicalImm(3, rd, rn, bitmask);
  }

  /** TST Rn, #bitmask = ANDS ZR, Rn, #bitmask. */
  public static int tst(int rn, long bitmask) {
    return ands(is32(rn) ? WZR : XZR, rn, bitmask);
  }

  private static int logicalReg(int opc, int n, int rd, int rn, int rm, Shift shift, int amount) {
    int sf = sf(rd, rn, rm);
    return 0x0A000000 | sf << 31 | opc << 29 | shift.ordinal() << 22 | n << 21 | num(rm) << 16
        | field(amount, sf == 1 ? 6 : 5, "shift amount") << 10 | num(rn) << 5 | num(rd);
  }

  public static int and(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(0, 0, rd, rn, rm, shift, amount);
  }

  public static int bic(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(0, 1, rd, rn, rm, shift, amount);
  }

  public static int orr(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(1, 0, rd, rn, rm, shift, amount);
  }

  public static int orn(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(1, 1, rd, rn, rm, shift, amount);
  }

  public static int eor(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(2, 0, rd, rn, rm, shift, amount);
  }

  public static int eon(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(2, 1, rd, rn, rm, shift, amount);
  }

  public static int ands(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(3, 0, rd, rn, rm, shift, amount);
  }

  public static int bics(int rd, int rn, int rm, Shift shift, int amount) {
    return logicalReg(3, 1, rd, rn, rm, shift, amount);
  }

  /** MOV Rd, Rm = ORR Rd, ZR, Rm. */
  public static int mov(int rd, int rm) {
    return orr(rd, is32(rd) ? WZR : XZR, rm, Shift.LSL, 0);
  }

  /** TST Rn, Rm{, shift} = ANDS ZR, Rn, Rm. */
  public static int tstReg(int rn, int rm, Shift shift, int amount) {
    return ands(is32(rn) ? WZR : XZR, rn, rm, shift, amount);
  }

  // ---- move wide ----------------------------------------------------------------------------

  private static int moveWide(int opc, int rd, int imm16, int shift) {
    int sf = sf(rd);
    if (shift % 16 != 0 || shift < 0 || shift > (sf == 1 ? 48 : 16)) {
      throw new IllegalArgumentException("move-wide shift " + shift + " is not 0, 16" + (sf == 1 ? ", 32 or 48" : ""));
    }
    return 0x12800000 | sf << 31 | opc << 29 | (shift / 16) << 21 | field(imm16, 16, "imm16") << 5 | num(rd);
  }

  public static int movz(int rd, int imm16, int shift) {
    return moveWide(2, rd, imm16, shift);
  }

  public static int movn(int rd, int imm16, int shift) {
    return moveWide(0, rd, imm16, shift);
  }

  public static int movk(int rd, int imm16, int shift) {
    return moveWide(3, rd, imm16, shift);
  }

  // ---- bitfield -----------------------------------------------------------------------------

  private static int bitfield(int opc, int rd, int rn, int immr, int imms) {
    int sf = sf(rd, rn);
    int bits = sf == 1 ? 6 : 5;
    return 0x13000000 | sf << 31 | opc << 29 | sf << 22 | field(immr, bits, "immr") << 16
        | field(imms, bits, "imms") << 10 | num(rn) << 5 | num(rd);
  }

  public static int sbfm(int rd, int rn, int immr, int imms) {
    return bitfield(0, rd, rn, immr, imms);
  }

  public static int bfm(int rd, int rn, int immr, int imms) {
    return bitfield(1, rd, rn, immr, imms);
  }

  public static int ubfm(int rd, int rn, int immr, int imms) {
    return bitfield(2, rd, rn, immr, imms);
  }

  private static int width(int r) {
    return is32(r) ? 32 : 64;
  }

  /** LSL Rd, Rn, #shift = UBFM Rd, Rn, #(-shift mod size), #(size-1-shift). */
  public static int lsl(int rd, int rn, int shift) {
    int size = width(rd);
    field(shift, size == 64 ? 6 : 5, "shift");
    return ubfm(rd, rn, (size - shift) % size, size - 1 - shift);
  }

  /** LSR Rd, Rn, #shift = UBFM Rd, Rn, #shift, #(size-1). */
  public static int lsr(int rd, int rn, int shift) {
    return ubfm(rd, rn, shift, width(rd) - 1);
  }

  /** ASR Rd, Rn, #shift = SBFM Rd, Rn, #shift, #(size-1). */
  public static int asr(int rd, int rn, int shift) {
    return sbfm(rd, rn, shift, width(rd) - 1);
  }

  /** UBFX Rd, Rn, #lsb, #width = UBFM Rd, Rn, #lsb, #(lsb+width-1). */
  public static int ubfx(int rd, int rn, int lsb, int width) {
    return ubfm(rd, rn, lsb, lsb + width - 1);
  }

  public static int sbfx(int rd, int rn, int lsb, int width) {
    return sbfm(rd, rn, lsb, lsb + width - 1);
  }

  // ---- conditional select -------------------------------------------------------------------

  private static int condSelect(int op, int op2, int rd, int rn, int rm, Cond cond) {
    return 0x1A800000 | sf(rd, rn, rm) << 31 | op << 30 | num(rm) << 16 | cond.code() << 12 | op2 << 10
        | num(rn) << 5 | num(rd);
  }

  public static int csel(int rd, int rn, int rm, Cond cond) {
    return condSelect(0, 0, rd, rn, rm, cond);
  }

  public static int csinc(int rd, int rn, int rm, Cond cond) {
    return condSelect(0, 1, rd, rn, rm, cond);
  }

  public static int csinv(int rd, int rn, int rm, Cond cond) {
    return condSelect(1, 0, rd, rn, rm, cond);
  }

  public static int csneg(int rd, int rn, int rm, Cond cond) {
    return condSelect(1, 1, rd, rn, rm, cond);
  }

  /** CSET Rd, cond = CSINC Rd, ZR, ZR, invert(cond). */
  public static int cset(int rd, Cond cond) {
    int zr = is32(rd) ? WZR : XZR;
    return csinc(rd, zr, zr, cond.invert());
  }

  // ---- PC-relative --------------------------------------------------------------------------

  /** ADR Xd, pc+offset. */
  public static int adr(int rd, long offset) {
    sf(rd, x(0));
    int imm = signedField(offset, 21, "ADR offset");
    return 0x10000000 | (imm & 3) << 29 | (imm >>> 2) << 5 | num(rd);
  }

  /** ADRP Xd, page(pc)+pageOffset*4096: {@code pageOffset} counts 4 KiB pages. */
  public static int adrp(int rd, long pageOffset) {
    sf(rd, x(0));
    int imm = signedField(pageOffset, 21, "ADRP page offset");
    return 0x90000000 | (imm & 3) << 29 | (imm >>> 2) << 5 | num(rd);
  }

  public static int b(long offset) {
    return 0x14000000 | branchOffset(offset, 26, "B");
  }

  public static int bl(long offset) {
    return 0x94000000 | branchOffset(offset, 26, "BL");
  }

  public static int bcond(Cond cond, long offset) {
    return 0x54000000 | branchOffset(offset, 19, "B.cond") << 5 | cond.code();
  }

  public static int cbz(int rt, long offset) {
    return 0x34000000 | sf(rt) << 31 | branchOffset(offset, 19, "CBZ") << 5 | num(rt);
  }

  public static int cbnz(int rt, long offset) {
    return 0x35000000 | sf(rt) << 31 | branchOffset(offset, 19, "CBNZ") << 5 | num(rt);
  }

  private static int testBranch(int base, int rt, int bit, long offset) {
    field(bit, is32(rt) ? 5 : 6, "bit number");
    return base | (bit >> 5) << 31 | (bit & 31) << 19 | branchOffset(offset, 14, "TBZ/TBNZ") << 5 | num(rt);
  }

  public static int tbz(int rt, int bit, long offset) {
    return testBranch(0x36000000, rt, bit, offset);
  }

  public static int tbnz(int rt, int bit, long offset) {
    return testBranch(0x37000000, rt, bit, offset);
  }

  public static int br(int rn) {
    return 0xD61F0000 | num(x(rn)) << 5;
  }

  public static int blr(int rn) {
    return 0xD63F0000 | num(x(rn)) << 5;
  }

  /** RET X30. */
  public static int ret() {
    return ret(LR);
  }

  public static int ret(int rn) {
    return 0xD65F0000 | num(x(rn)) << 5;
  }

  public static int eret() {
    return 0xD69F03E0;
  }

  // ---- exception generation and system ------------------------------------------------------

  public static int svc(int imm16) {
    return 0xD4000001 | field(imm16, 16, "SVC immediate") << 5;
  }

  public static int hvc(int imm16) {
    return 0xD4000002 | field(imm16, 16, "HVC immediate") << 5;
  }

  public static int brk(int imm16) {
    return 0xD4200000 | field(imm16, 16, "BRK immediate") << 5;
  }

  /** HINT #imm (0..127); NOP is HINT #0. */
  public static int hint(int imm) {
    return 0xD503201F | field(imm, 7, "hint") << 5;
  }

  public static int nop() {
    return 0xD503201F;
  }

  public static int yield() {
    return hint(1);
  }

  public static int wfe() {
    return hint(2);
  }

  public static int wfi() {
    return hint(3);
  }

  /** ISB (option SY). */
  public static int isb() {
    return 0xD5033FDF;
  }

  public static int dsb(Barrier option) {
    return 0xD503309F | option.crm() << 8;
  }

  public static int dmb(Barrier option) {
    return 0xD50330BF | option.crm() << 8;
  }

  /** MRS Xt, sysreg. */
  public static int mrs(int rt, SysReg reg) {
    return 0xD5300000 | reg.key() << 5 | num(x(rt));
  }

  /** MSR sysreg, Xt. */
  public static int msr(SysReg reg, int rt) {
    return 0xD5100000 | reg.key() << 5 | num(x(rt));
  }

  /** MSR DAIFSet, #mask (mask bits: D=8, A=4, I=2, F=1). */
  public static int msrDaifSet(int mask) {
    return 0xD50340DF | field(mask, 4, "DAIF mask") << 8;
  }

  /** MSR DAIFClr, #mask. */
  public static int msrDaifClr(int mask) {
    return 0xD50340FF | field(mask, 4, "DAIF mask") << 8;
  }

  /** MSR SPSel, #sel (0: SP_EL0, 1: SP_ELx). */
  public static int msrSpSel(int sel) {
    return 0xD50040BF | field(sel, 1, "SPSel") << 8;
  }

  /** SYS #op1, Cn, Cm, #op2, Xt (the cache-maintenance space). */
  public static int sys(int op1, int crn, int crm, int op2, int rt) {
    return 0xD5080000 | field(op1, 3, "op1") << 16 | field(crn, 4, "CRn") << 12 | field(crm, 4, "CRm") << 8
        | field(op2, 3, "op2") << 5 | num(x(rt));
  }

  /** DC CVAU, Xt: clean data cache line to the point of unification. */
  public static int dcCvau(int rt) {
    return sys(3, 7, 11, 1, rt);
  }

  /** DC CIVAC, Xt: clean and invalidate data cache line to the point of coherency. */
  public static int dcCivac(int rt) {
    return sys(3, 7, 14, 1, rt);
  }

  /** IC IVAU, Xt: invalidate instruction cache line to the point of unification. */
  public static int icIvau(int rt) {
    return sys(3, 7, 5, 1, rt);
  }

  /** IC IALLU: invalidate the whole local instruction cache. */
  public static int icIallu() {
    return sys(0, 7, 5, 0, XZR);
  }

  // ---- loads and stores ---------------------------------------------------------------------

  private static int sizeOf(int rt) {
    return is32(rt) ? 2 : 3;
  }

  private static int unsignedOffset(int size, int opc, int rt, int rn, long offset) {
    long scale = 1L << size;
    if (offset % scale != 0) {
      throw new IllegalArgumentException("offset " + offset + " is not a multiple of " + scale);
    }
    return 0x39000000 | size << 30 | opc << 22 | field(offset / scale, 12, "scaled offset") << 10
        | num(x(rn)) << 5 | num(rt);
  }

  private static int indexed(int size, int opc, int idx, int rt, int rn, long offset) {
    return 0x38000000 | size << 30 | opc << 22 | signedField(offset, 9, "offset") << 12 | idx << 10
        | num(x(rn)) << 5 | num(rt);
  }

  private static int registerOffset(int size, int opc, int rt, int rn, int rm, Extend extend, boolean shifted) {
    int s = shifted ? 1 : 0;
    if (extend == Extend.UXTW || extend == Extend.SXTW) {
      if (!is32(rm)) {
        throw new IllegalArgumentException(extend + " needs a W index register");
      }
    } else if (is32(rm)) {
      throw new IllegalArgumentException(extend + " needs an X index register");
    }
    return 0x38200800 | size << 30 | opc << 22 | num(rm) << 16 | extend.option() << 13 | s << 12
        | num(x(rn)) << 5 | num(rt);
  }

  /** LDR Rt, [Xn|SP, #offset] (unsigned scaled offset). */
  public static int ldr(int rt, int rn, long offset) {
    return unsignedOffset(sizeOf(rt), 1, rt, rn, offset);
  }

  public static int str(int rt, int rn, long offset) {
    return unsignedOffset(sizeOf(rt), 0, rt, rn, offset);
  }

  public static int ldrb(int wt, int rn, long offset) {
    return unsignedOffset(0, 1, w(num(wt)), rn, offset);
  }

  public static int strb(int wt, int rn, long offset) {
    return unsignedOffset(0, 0, w(num(wt)), rn, offset);
  }

  public static int ldrh(int wt, int rn, long offset) {
    return unsignedOffset(1, 1, w(num(wt)), rn, offset);
  }

  public static int strh(int wt, int rn, long offset) {
    return unsignedOffset(1, 0, w(num(wt)), rn, offset);
  }

  /** LDRSW Xt, [Xn|SP, #offset]. */
  public static int ldrsw(int xt, int rn, long offset) {
    return unsignedOffset(2, 2, xt, rn, offset);
  }

  /** LDUR Rt, [Xn|SP, #simm9]. */
  public static int ldur(int rt, int rn, long offset) {
    return indexed(sizeOf(rt), 1, 0, rt, rn, offset);
  }

  public static int stur(int rt, int rn, long offset) {
    return indexed(sizeOf(rt), 0, 0, rt, rn, offset);
  }

  /** LDR Rt, [Xn|SP, #simm9]! (pre-index). */
  public static int ldrPre(int rt, int rn, long offset) {
    return indexed(sizeOf(rt), 1, 3, rt, rn, offset);
  }

  public static int strPre(int rt, int rn, long offset) {
    return indexed(sizeOf(rt), 0, 3, rt, rn, offset);
  }

  /** LDR Rt, [Xn|SP], #simm9 (post-index). */
  public static int ldrPost(int rt, int rn, long offset) {
    return indexed(sizeOf(rt), 1, 1, rt, rn, offset);
  }

  public static int strPost(int rt, int rn, long offset) {
    return indexed(sizeOf(rt), 0, 1, rt, rn, offset);
  }

  /** LDR Rt, [Xn|SP, Rm{, extend {#amount}}]: {@code shifted} scales the index by the access size. */
  public static int ldr(int rt, int rn, int rm, Extend extend, boolean shifted) {
    return registerOffset(sizeOf(rt), 1, rt, rn, rm, extend, shifted);
  }

  public static int str(int rt, int rn, int rm, Extend extend, boolean shifted) {
    return registerOffset(sizeOf(rt), 0, rt, rn, rm, extend, shifted);
  }

  /** LDR Rt, label (literal; offset from this instruction). */
  public static int ldrLiteral(int rt, long offset) {
    return (is32(rt) ? 0x18000000 : 0x58000000) | branchOffset(offset, 19, "LDR literal") << 5 | num(rt);
  }

  // ---- exclusives, acquire/release, LSE atomics ----------------------------------------------

  private static int exclusive(int bits, int rs, int rt, int rn) {
    return bits | (is32(rt) ? 2 : 3) << 30 | num(rs) << 16 | num(x(rn)) << 5 | num(rt);
  }

  /** LDXR Rt, [Xn|SP]: load and arm the exclusive monitor. */
  public static int ldxr(int rt, int rn) {
    return exclusive(0x085F7C00, 31, rt, rn);
  }

  /** LDAXR Rt, [Xn|SP]. */
  public static int ldaxr(int rt, int rn) {
    return exclusive(0x085FFC00, 31, rt, rn);
  }

  /** STXR Ws, Rt, [Xn|SP]: Ws = 0 when the store happened, 1 when the monitor was lost. */
  public static int stxr(int ws, int rt, int rn) {
    return exclusive(0x08007C00, w(num(ws)), rt, rn);
  }

  /** STLXR Ws, Rt, [Xn|SP]. */
  public static int stlxr(int ws, int rt, int rn) {
    return exclusive(0x0800FC00, w(num(ws)), rt, rn);
  }

  /** LDAR Rt, [Xn|SP] (load-acquire). */
  public static int ldar(int rt, int rn) {
    return exclusive(0x08DFFC00, 31, rt, rn);
  }

  /** STLR Rt, [Xn|SP] (store-release). */
  public static int stlr(int rt, int rn) {
    return exclusive(0x089FFC00, 31, rt, rn);
  }

  /** CAS Rs, Rt, [Xn|SP]: if [Xn] == Rs then [Xn] = Rt; Rs = old value. */
  public static int cas(int rs, int rt, int rn) {
    sf(rs, rt);
    return exclusive(0x08A07C00, rs, rt, rn);
  }

  /** CASAL Rs, Rt, [Xn|SP] (acquire and release). */
  public static int casal(int rs, int rt, int rn) {
    sf(rs, rt);
    return exclusive(0x08E0FC00, rs, rt, rn);
  }

  private static int atomic(int o3opc, boolean acquireRelease, int rs, int rt, int rn) {
    sf(rs, rt);
    return 0x38200000 | (is32(rt) ? 2 : 3) << 30 | (acquireRelease ? 3 << 22 : 0) | num(rs) << 16 | o3opc << 12
        | num(x(rn)) << 5 | num(rt);
  }

  /** LDADD Rs, Rt, [Xn|SP]: Rt = [Xn]; [Xn] += Rs, atomically. */
  public static int ldadd(int rs, int rt, int rn) {
    return atomic(0b0000, false, rs, rt, rn);
  }

  public static int ldaddal(int rs, int rt, int rn) {
    return atomic(0b0000, true, rs, rt, rn);
  }

  /** LDCLR: [Xn] &= ~Rs. */
  public static int ldclral(int rs, int rt, int rn) {
    return atomic(0b0001, true, rs, rt, rn);
  }

  /** LDEOR: [Xn] ^= Rs. */
  public static int ldeoral(int rs, int rt, int rn) {
    return atomic(0b0010, true, rs, rt, rn);
  }

  /** LDSET: [Xn] |= Rs. */
  public static int ldsetal(int rs, int rt, int rn) {
    return atomic(0b0011, true, rs, rt, rn);
  }

  /** SWP Rs, Rt, [Xn|SP]: Rt = [Xn]; [Xn] = Rs, atomically. */
  public static int swp(int rs, int rt, int rn) {
    return atomic(0b1000, false, rs, rt, rn);
  }

  public static int swpal(int rs, int rt, int rn) {
    return atomic(0b1000, true, rs, rt, rn);
  }

  /** CLREX: clear the local exclusive monitor. */
  public static int clrex() {
    return 0xD5033F5F;
  }

  private static int pair(int l, int mode, int rt, int rt2, int rn, long offset) {
    int sf = sf(rt, rt2);
    long scale = sf == 1 ? 8 : 4;
    if (offset % scale != 0) {
      throw new IllegalArgumentException("pair offset " + offset + " is not a multiple of " + scale);
    }
    return 0x28000000 | (sf << 1) << 30 | mode << 23 | l << 22 | signedField(offset / scale, 7, "scaled pair offset") << 15
        | num(rt2) << 10 | num(x(rn)) << 5 | num(rt);
  }

  /** LDP Rt, Rt2, [Xn|SP, #offset]. */
  public static int ldp(int rt, int rt2, int rn, long offset) {
    return pair(1, 2, rt, rt2, rn, offset);
  }

  public static int stp(int rt, int rt2, int rn, long offset) {
    return pair(0, 2, rt, rt2, rn, offset);
  }

  /** LDP Rt, Rt2, [Xn|SP, #offset]! */
  public static int ldpPre(int rt, int rt2, int rn, long offset) {
    return pair(1, 3, rt, rt2, rn, offset);
  }

  public static int stpPre(int rt, int rt2, int rn, long offset) {
    return pair(0, 3, rt, rt2, rn, offset);
  }

  /** LDP Rt, Rt2, [Xn|SP], #offset */
  public static int ldpPost(int rt, int rt2, int rn, long offset) {
    return pair(1, 1, rt, rt2, rn, offset);
  }

  public static int stpPost(int rt, int rt2, int rn, long offset) {
    return pair(0, 1, rt, rt2, rn, offset);
  }
}
