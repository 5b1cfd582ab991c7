package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Extend;
import dev.tracepoke.sim.asm.RegExtend;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import org.junit.jupiter.api.Test;

/** Exact register, flag and memory results of each implemented instruction, edge cases included. */
class SemanticsTest {
  private static final int NF = 8;
  private static final int ZF = 4;
  private static final int CF = 2;
  private static final int VF = 1;

  private final Rig rig = new Rig();

  private Core run(long x1, long x2, int... words) {
    return rig.run(c -> {
      c.setX(1, x1);
      c.setX(2, x2);
    }, words);
  }

  @Test
  void stopsAfterTheHostCall() {
    Core c = rig.run(movz(x(1), 40, 0), add(x(0), x(1), 2));
    assertEquals(42, c.x(0));
    assertEquals(Rig.TEXT + 12, c.pc());
    assertEquals(3, c.instructions());
    assertEquals(3, c.cycles());
  }

  @Test
  void addSubImmediate() {
    assertEquals(0x1005, run(5, 0, add(x(0), x(1), 0x1000)).x(0) - 0);
    assertEquals(0x1000, run(0, 0, add(x(0), x(1), 4096)).x(0));
    assertEquals(-3L, run(5, 0, sub(x(0), x(1), 8)).x(0));
    // 32-bit forms wrap and zero-extend
    assertEquals(0, run(-1L, 0, add(w(0), w(1), 1)).x(0));
    assertEquals(0x80000000L, run(0x1_7FFFFFFFL, 0, add(w(0), w(1), 1)).x(0));
    assertEquals(0xFFFFFFFFL, run(0, 0, sub(w(0), w(1), 1)).x(0));
    // SP as source and destination
    Core c = rig.run(sub(SP, SP, 32), movSp(x(3), SP));
    assertEquals(Rig.STACK + Rig.STACK_SIZE - 32, c.x(3));
    assertEquals(Rig.STACK + Rig.STACK_SIZE - 32, c.sp());
  }

  @Test
  void addsSubsFlags64() {
    Core c = run(0x7FFFFFFFFFFFFFFFL, 0, adds(x(0), x(1), 1));
    assertEquals(0x8000000000000000L, c.x(0));
    assertEquals(NF | VF, c.nzcv());
    c = run(-1L, 0, adds(x(0), x(1), 1));
    assertEquals(0, c.x(0));
    assertEquals(ZF | CF, c.nzcv());
    c = run(0x8000000000000000L, 0x8000000000000000L, adds(x(0), x(1), x(2), Shift.LSL, 0));
    assertEquals(0, c.x(0));
    assertEquals(ZF | CF | VF, c.nzcv());
    c = run(0, 0, subs(x(0), x(1), 1));
    assertEquals(-1L, c.x(0));
    assertEquals(NF, c.nzcv());
    c = run(5, 5, subs(x(0), x(1), x(2), Shift.LSL, 0));
    assertEquals(0, c.x(0));
    assertEquals(ZF | CF, c.nzcv());
    c = run(0x8000000000000000L, 0, subs(x(0), x(1), 1));
    assertEquals(0x7FFFFFFFFFFFFFFFL, c.x(0));
    assertEquals(CF | VF, c.nzcv());
    c = run(-1L, 0, cmn(x(1), 1));
    assertEquals(ZF | CF, c.nzcv());
    c = run(3, 7, cmpReg(x(1), x(2), Shift.LSL, 0));
    assertEquals(NF, c.nzcv());
    // shifted operand: 1 - (1 << 63)
    c = run(1, 1, subs(x(0), x(1), x(2), Shift.LSL, 63));
    assertEquals(0x8000000000000001L, c.x(0));
    assertEquals(NF | VF, c.nzcv());
  }

  @Test
  void addsSubsFlags32() {
    Core c = run(0xFFFFFFFFL, 0, adds(w(0), w(1), 1));
    assertEquals(0, c.x(0));
    assertEquals(ZF | CF, c.nzcv());
    c = run(0xFFFFFFFF7FFFFFFFL, 0, adds(w(0), w(1), 1));
    assertEquals(0x80000000L, c.x(0));
    assertEquals(NF | VF, c.nzcv());
    c = run(0x80000000L, 0, cmp(w(1), 0));
    assertEquals(NF | CF, c.nzcv());
    c = run(0x80000000L, 0, subs(w(0), w(1), 1));
    assertEquals(0x7FFFFFFFL, c.x(0));
    assertEquals(CF | VF, c.nzcv());
    c = run(0x1_00000000L, 0, subs(w(0), w(1), 1)); // upper half ignored: 0 - 1
    assertEquals(0xFFFFFFFFL, c.x(0));
    assertEquals(NF, c.nzcv());
  }

  @Test
  void addSubShiftedRegister() {
    assertEquals(1 + (3L << 4), run(1, 3, add(x(0), x(1), x(2), Shift.LSL, 4)).x(0));
    assertEquals(1 - (-8L >> 2), run(1, -8, sub(x(0), x(1), x(2), Shift.ASR, 2)).x(0));
    assertEquals(1 + (-8L >>> 60), run(1, -8, add(x(0), x(1), x(2), Shift.LSR, 60)).x(0));
    assertEquals(0xFFFFFFFFL, run(0, 1, sub(w(0), w(1), w(2), Shift.LSL, 0)).x(0));
    assertEquals(0x80000000L + 5, run(5, 1, add(w(0), w(1), w(2), Shift.LSL, 31)).x(0));
    assertEquals(-5L, run(5, 0, subReg(x(0), XZR, x(1))).x(0));
  }

  @Test
  void addSubExtendedRegister() {
    assertEquals(5 + 0x80000000L, run(5, 0xFFFFFFFF80000000L, add(x(0), x(1), w(2), RegExtend.UXTW, 0)).x(0));
    assertEquals(5 + (1L << 33), run(5, 0x80000000L, sub(x(0), x(1), w(2), RegExtend.SXTW, 2)).x(0));
    assertEquals(7 + 0xFF, run(7, 0x1FF, add(x(0), x(1), w(2), RegExtend.UXTB, 0)).x(0));
    assertEquals(7 - 2, run(7, 0xFFFE, add(x(0), x(1), w(2), RegExtend.SXTH, 0)).x(0));
    Core c = run(0xFFFFFFFFL, 0x101, adds(w(0), w(1), w(2), RegExtend.UXTB, 0));
    assertEquals(0L, c.x(0));
    assertEquals(ZF | CF, c.nzcv());
    c = run(0, 0x8000, subs(x(0), x(1), w(2), RegExtend.SXTH, 4));
    assertEquals(1L << 19, c.x(0));
    assertEquals(0, c.nzcv());
    c = run(0x1_00000000L, 0xFFFFFFFF00000000L, cmp(x(1), w(2), RegExtend.UXTW, 0));
    assertEquals(CF, c.nzcv());
    c = rig.run(cc -> cc.setX(1, 16), add(x(0), SP, x(1), RegExtend.UXTX, 0), add(SP, SP, x(1), RegExtend.SXTX, 1));
    assertEquals(Rig.STACK + Rig.STACK_SIZE + 16, c.x(0));
    assertEquals(Rig.STACK + Rig.STACK_SIZE + 32, c.sp());
  }

  @Test
  void conditionalCompare() {
    int cmp12 = cmpReg(x(1), x(2), Shift.LSL, 0); // 1 - 2: N
    Core c = run(1, 2, cmp12, ccmp(x(1), 1, CF, Cond.LT)); // holds: flags of 1 - 1
    assertEquals(ZF | CF, c.nzcv());
    c = run(1, 2, cmp12, ccmp(x(1), 1, VF | CF, Cond.GE)); // fails: the immediate flags
    assertEquals(VF | CF, c.nzcv());
    c = run(0xFFFFFFFFL, 2, cmp(x(1), 0), ccmn(w(1), 1, 0, Cond.NE)); // 0xFFFFFFFF + 1 in 32 bits
    assertEquals(ZF | CF, c.nzcv());
    c = run(5, 7, cmp(x(1), 5), ccmpReg(x(1), x(2), ZF, Cond.EQ)); // 5 - 7
    assertEquals(NF, c.nzcv());
    c = run(0x7FFFFFFFFFFFFFFFL, 1, cmp(x(1), 0), ccmnReg(x(1), x(2), 0, Cond.NE));
    assertEquals(NF | VF, c.nzcv());
  }

  @Test
  void logical() {
    assertEquals(0x34L, run(0x1234, 0, and(x(0), x(1), 0xff)).x(0));
    assertEquals(0xFFFFFFFF00000001L | 0x1234, run(0xFFFFFFFF00001234L, 0, orr(x(0), x(1), 1)).x(0));
    assertEquals(0x1235L, run(0xFFFFFFFF00001234L, 0, orr(w(0), w(1), 1)).x(0)); // W zero-extends
    assertEquals(0xAAAAAAAAAAAAAAAAL, run(-1L, 0, eor(x(0), x(1), 0x5555555555555555L)).x(0));
    assertEquals(0x7FFFFFFEL, run(0xFFFFFFFFL, 0, eor(w(0), w(1), 0x80000001L)).x(0));
    Core c = run(0xF0, 0, ands(x(0), x(1), 0xf));
    assertEquals(0, c.x(0));
    assertEquals(ZF, c.nzcv());
    c = run(0x80000000L, 0, tst(w(1), 0x80000000L));
    assertEquals(NF, c.nzcv());
    c = run(0x8000000000000000L, 0, tst(x(1), 0x8000000000000000L));
    assertEquals(NF, c.nzcv());
    // AND immediate may write SP
    assertEquals(0x1230L, rig.run(cc -> cc.setX(1, 0x123F), and(SP, x(1), 0xFFFFFFFFFFFFFFF0L)).sp());
    // register forms, inverted forms, every shift including ROR
    assertEquals(0x0F00L, run(0x0FF0, 0xFF00, and(x(0), x(1), x(2), Shift.LSL, 0)).x(0));
    assertEquals(0x00F0L, run(0x0FF0, 0xFF00, bic(x(0), x(1), x(2), Shift.LSL, 0)).x(0));
    assertEquals(0x8000000000000001L, run(1, 3, orr(x(0), XZR, x(2), Shift.ROR, 1)).x(0));
    assertEquals(0x80000001L, run(1, 3, orr(w(0), WZR, w(2), Shift.ROR, 1)).x(0));
    assertEquals(~0xFFL, run(0, 0xFF, orn(x(0), x(1), x(2), Shift.LSL, 0)).x(0));
    assertEquals(0xFFL ^ (0xF0L >>> 4), run(0xFF, 0xF0, eor(x(0), x(1), x(2), Shift.LSR, 4)).x(0));
    assertEquals(0xFFFFFF00L, run(0xFF, 0, eon(w(0), w(1), w(2), Shift.LSL, 0)).x(0));
    c = run(-1L, 0x8000000000000000L, ands(x(0), x(1), x(2), Shift.LSL, 0));
    assertEquals(NF, c.nzcv());
    c = run(0xFF, 0xFF, bics(x(0), x(1), x(2), Shift.LSL, 0));
    assertEquals(ZF, c.nzcv());
    assertEquals(0x12L, run(0, 0x12, mov(x(0), x(2))).x(0));
    assertEquals(0x9L, run(0, 0xFFFFFFFF00000009L, mov(w(0), w(2))).x(0));
  }

  @Test
  void moveWide() {
    Core c = rig.run(movz(x(0), 0xDEF0, 0), movk(x(0), 0x9ABC, 16), movk(x(0), 0x5678, 32), movk(x(0), 0x1234, 48));
    assertEquals(0x123456789ABCDEF0L, c.x(0));
    assertEquals(0x12340000L, rig.run(movz(x(0), 0x1234, 16)).x(0));
    assertEquals(0xFFFF0000FFFFFFFFL, rig.run(movn(x(0), 0xFFFF, 32)).x(0));
    assertEquals(0xFFFFFFFEL, rig.run(movn(w(0), 1, 0)).x(0));
    assertEquals(0xFFFF0005L, rig.run(cc -> cc.setX(0, -1L), movk(w(0), 5, 0)).x(0));
    assertEquals(0L, rig.run(cc -> cc.setX(0, 7), movz(x(0), 0, 48)).x(0));
  }

  @Test
  void shiftsAndBitfields() {
    long v = 0x8000000000000003L;
    assertEquals(v, run(v, 0, lsl(x(0), x(1), 0)).x(0));
    assertEquals(0x8000000000000000L, run(v, 0, lsl(x(0), x(1), 63)).x(0));
    assertEquals(0x0000000000000006L, run(v, 0, lsl(x(0), x(1), 1)).x(0));
    assertEquals(v, run(v, 0, lsr(x(0), x(1), 0)).x(0));
    assertEquals(1L, run(v, 0, lsr(x(0), x(1), 63)).x(0));
    assertEquals(v, run(v, 0, asr(x(0), x(1), 0)).x(0));
    assertEquals(-1L, run(v, 0, asr(x(0), x(1), 63)).x(0));
    assertEquals(0L, run(0x7FFFFFFFFFFFFFFFL, 0, asr(x(0), x(1), 63)).x(0));
    assertEquals(0xC000000000000001L, run(v, 0, asr(x(0), x(1), 1)).x(0));
    // 32-bit forms operate on the low word and zero-extend
    assertEquals(0x80000000L, run(0xFFFFFFFF00000001L, 0, lsl(w(0), w(1), 31)).x(0));
    assertEquals(0x00000001L, run(0xFFFFFFFF00000001L, 0, lsl(w(0), w(1), 0)).x(0));
    assertEquals(0x80000000L, run(0xFFFFFFFF80000000L, 0, lsr(w(0), w(1), 0)).x(0));
    assertEquals(1L, run(0xFFFFFFFF80000000L, 0, lsr(w(0), w(1), 31)).x(0));
    assertEquals(0xFFFFFFFFL, run(0x80000000L, 0, asr(w(0), w(1), 31)).x(0));
    assertEquals(0xC0000000L, run(0x80000000L, 0, asr(w(0), w(1), 1)).x(0));
    // variable shifts take the amount modulo the width
    assertEquals(0x8000000000000000L, run(1, 63, lslv(x(0), x(1), x(2))).x(0));
    assertEquals(1L, run(1, 64, lslv(x(0), x(1), x(2))).x(0));
    assertEquals(0xFFFFFFFFL, run(0x80000000L, 63, asrv(w(0), w(1), w(2))).x(0));
    assertEquals(0x8000000000000000L, run(1, 1, rorv(x(0), x(1), x(2))).x(0));
    // extracts and inserts
    assertEquals(0xBCL, run(0xABCD, 0, ubfx(x(0), x(1), 4, 8)).x(0));
    assertEquals(0xFFFFFFFFFFFFFFFCL, run(0x08, 0, sbfx(x(0), x(1), 1, 3)).x(0));
    assertEquals(0xFFFFFFFCL, run(0x08, 0, sbfx(w(0), w(1), 1, 3)).x(0));
    assertEquals(0xFFFFFFFF80000000L, run(0x80000000L, 0, sbfm(x(0), x(1), 0, 31)).x(0)); // SXTW
    assertEquals(0xFFL, run(0x12FF, 0, ubfm(w(0), w(1), 0, 7)).x(0)); // UXTB
    assertEquals(0x11223344556677CCL, rig.run(cc -> {
      cc.setX(0, 0x1122334455667788L);
      cc.setX(1, 0xCC00);
    }, bfm(x(0), x(1), 8, 15)).x(0)); // BFXIL x0, x1, #8, #8
    assertEquals(0x1122334455AB7788L, rig.run(cc -> {
      cc.setX(0, 0x1122334455667788L);
      cc.setX(1, 0xAB);
    }, bfm(x(0), x(1), 48, 7)).x(0)); // BFI x0, x1, #16, #8
  }

  @Test
  void multiplyDivide() {
    assertEquals(3 + 4 * 5, rig.run(cc -> {
      cc.setX(1, 4);
      cc.setX(2, 5);
      cc.setX(3, 3);
    }, madd(x(0), x(1), x(2), x(3))).x(0));
    assertEquals(3 - 4 * 5, rig.run(cc -> {
      cc.setX(1, 4);
      cc.setX(2, 5);
      cc.setX(3, 3);
    }, msub(x(0), x(1), x(2), x(3))).x(0));
    assertEquals(0xFFFFFFFEL, run(0xFFFFFFFFL, 2, mul(w(0), w(1), w(2))).x(0));
    assertEquals(0x7FFFFFFFFFFFFFFFL, run(-1L, 2, udiv(x(0), x(1), x(2))).x(0));
    assertEquals(-3L, run(-7, 2, sdiv(x(0), x(1), x(2))).x(0));
    assertEquals(0L, run(7, 0, udiv(x(0), x(1), x(2))).x(0));
    assertEquals(Long.MIN_VALUE, run(Long.MIN_VALUE, -1, sdiv(x(0), x(1), x(2))).x(0));
    assertEquals(0x80000000L, run(0x80000000L, 0xFFFFFFFFL, sdiv(w(0), w(1), w(2))).x(0));
  }

  @Test
  void conditionalSelect() {
    int[] cmp12 = {cmpReg(x(1), x(2), Shift.LSL, 0)};
    assertEquals(1L, run(1, 2, cmp12[0], csel(x(0), x(1), x(2), Cond.LT)).x(0));
    assertEquals(2L, run(1, 2, cmp12[0], csel(x(0), x(1), x(2), Cond.GT)).x(0));
    assertEquals(3L, run(1, 2, cmp12[0], csinc(x(0), x(1), x(2), Cond.EQ)).x(0));
    assertEquals(1L, run(1, 2, cmp12[0], csinc(x(0), x(1), x(2), Cond.NE)).x(0));
    assertEquals(~2L, run(1, 2, cmp12[0], csinv(x(0), x(1), x(2), Cond.HS)).x(0));
    assertEquals(-2L, run(1, 2, cmp12[0], csneg(x(0), x(1), x(2), Cond.HI)).x(0));
    assertEquals(0xFFFFFFFEL, run(1, 2, cmp12[0], csneg(w(0), w(1), w(2), Cond.HI)).x(0));
    assertEquals(1L, run(1, 2, cmp12[0], cset(x(0), Cond.LO)).x(0));
    assertEquals(0L, run(1, 2, cmp12[0], cset(x(0), Cond.HS)).x(0));
    assertEquals(1L, run(-1, 2, cmp12[0], cset(x(0), Cond.LE)).x(0));
    assertEquals(1L, run(-1, 2, cmp12[0], cset(x(0), Cond.HI)).x(0)); // unsigned: 0xFFFF... > 2
    assertEquals(0xFFFFFFFFL, run(0xFFFFFFFF, 0, csinc(w(0), w(1), w(2), Cond.AL)).x(0));
  }

  @Test
  void loadsAndStoresEveryAddressingMode() {
    long d = Rig.DATA;
    Memory mem = rig.m.memory();
    Core c = rig.run(cc -> {
      cc.setX(1, d);
      cc.setX(2, 0x1122334455667788L);
      cc.setX(3, 3);
      cc.setX(4, -2);
    },
        str(x(2), x(1), 8), // [d+8] = x2
        ldr(w(5), x(1), 8), // zero-extended low word
        ldrb(w(6), x(1), 15), // top byte (little endian)
        ldrsw(x(7), x(1), 12), // 0x11223344 sign-extended (positive)
        strPre(x(2), x(1), 16), // x1 = d+16, [d+16] = x2
        ldrPost(x(8), x(1), -16), // x8 = [d+16], x1 = d
        str(x(3), x(1), x(3), Extend.LSL, true), // [d + 3*8] = 3
        ldr(x(9), x(1), x(3), Extend.LSL, true),
        str(w(4), x(1), w(3), Extend.UXTW, true), // [d + 12] = 0xFFFFFFFE (low word of -2)
        ldr(w(10), x(1), w(3), Extend.UXTW, true),
        nop());
    assertEquals(0x1122334455667788L, mem.read64(d + 16));
    assertEquals(0x55667788L, c.x(5));
    assertEquals(0x11L, c.x(6));
    assertEquals(0x11223344L, c.x(7));
    assertEquals(0x1122334455667788L, c.x(8));
    assertEquals(d, c.x(1) - 0);
    assertEquals(3L, c.x(9));
    assertEquals(0xFFFFFFFEL, c.x(10));
    assertEquals(0xFFFFFFFEL, mem.read32(d + 12) & 0xFFFFFFFFL);
  }

  @Test
  void signedIndexAndUnscaledAndNegativeLoads() {
    long d = Rig.DATA + 0x100;
    rig.m.memory().write64(d - 8, 0x80000000FFFFFF80L);
    Core c = rig.run(cc -> {
      cc.setX(1, d);
      cc.setX(2, -1);
    },
        ldr(x(3), x(1), w(2), Extend.SXTW, true), // d + (-1 << 3)
        ldur(w(4), x(1), -8),
        ldur(w(5), x(1), -4),
        ldrsw(x(6), x(1), 0), // zero memory at d
        stur(x(2), x(1), 1), // unaligned store
        ldur(x(7), x(1), 1),
        ldrb(w(8), x(1), 0),
        ldrh(w(9), x(1), 2));
    assertEquals(0x80000000FFFFFF80L, c.x(3));
    assertEquals(0xFFFFFF80L, c.x(4));
    assertEquals(0x80000000L, c.x(5));
    assertEquals(0L, c.x(6));
    assertEquals(-1L, c.x(7));
    assertEquals(0L, c.x(8));
    assertEquals(0xFFFFL, c.x(9));
  }

  @Test
  void pairsAndStackFrames() {
    long top = Rig.STACK + Rig.STACK_SIZE;
    Core c = rig.run(cc -> {
      cc.setX(29, 0x29);
      cc.setX(30, 0x30);
    },
        stpPre(x(29), x(30), SP, -32),
        movz(x(29), 0, 0),
        movz(x(30), 0, 0),
        ldp(x(3), x(4), SP, 0),
        stp(w(3), w(4), SP, 16),
        ldr(x(5), SP, 16),
        ldpPost(x(29), x(30), SP, 32));
    assertEquals(top, c.sp());
    assertEquals(0x29L, c.x(29));
    assertEquals(0x30L, c.x(30));
    assertEquals(0x29L, c.x(3));
    assertEquals(0x30L, c.x(4));
    assertEquals(0x0000003000000029L, c.x(5));
    assertEquals(0x29L, rig.m.memory().read64(top - 32));
  }

  @Test
  void literalsAndPcRelative() {
    Assembler a = new Assembler(Rig.TEXT);
    Assembler.Label lit = a.newLabel("lit");
    Assembler.Label page = a.newLabel("page");
    a.ldrLiteral(x(0), lit);
    a.ldrLiteral(w(1), lit);
    a.adr(x(2), lit);
    a.adrp(x(3), page);
    a.emit(Rig.STOP);
    a.align(8);
    a.bind(lit);
    a.quad(0xCAFEF00D12345678L);
    Core c = runAt(a, page, Rig.TEXT + 0x3008);
    assertEquals(0xCAFEF00D12345678L, c.x(0));
    assertEquals(0x12345678L, c.x(1));
    assertEquals(lit.address(), c.x(2));
    assertEquals(Rig.TEXT + 0x3000, c.x(3));
  }

  private Core runAt(Assembler a, Assembler.Label page, long pageAddress) {
    // bind 'page' to an address beyond the code without emitting up to it
    while (a.pc() < pageAddress) {
      a.emit(0);
    }
    a.bind(page);
    return rig.run(a);
  }

  @Test
  void branches() {
    Assembler a = new Assembler(Rig.TEXT);
    Assembler.Label fn = a.newLabel("fn");
    Assembler.Label l1 = a.newLabel("l1");
    Assembler.Label l2 = a.newLabel("l2");
    Assembler.Label l3 = a.newLabel("l3");
    Assembler.Label l4 = a.newLabel("l4");
    Assembler.Label bad = a.newLabel("bad");
    a.emit(movz(x(0), 0, 0));
    a.bl(fn); // x0 += 1
    a.emit(movz(x(1), 0, 0)).emit(movk(x(1), 1, 32)); // x1 = 1 << 32: low word zero
    a.cbnz(w(1), bad); // W form tests only the low word
    a.cbz(w(1), l1);
    a.b(bad);
    a.bind(l1);
    a.cbz(x(1), bad);
    a.tbz(x(1), 32, bad);
    a.tbnz(x(1), 32, l2);
    a.b(bad);
    a.bind(l2);
    a.emit(cmp(x(1), 1));
    a.bcond(Cond.LE, bad); // not taken
    a.bcond(Cond.GT, l3);
    a.b(bad);
    a.bind(l3);
    a.adr(x(5), fn);
    a.emit(blr(x(5))); // x0 += 1
    a.adr(x(6), l4);
    a.emit(br(x(6)));
    a.b(bad);
    a.bind(l4);
    a.emit(Rig.STOP);
    a.bind(bad);
    a.emit(movz(x(0), 0xBAD, 0)).emit(Rig.STOP);
    a.bind(fn);
    a.emit(add(x(0), x(0), 1));
    a.emit(mov(x(7), x(30)));
    a.emit(ret());
    Core c = rig.run(a);
    assertEquals(2L, c.x(0));
    assertEquals(l3.address() + 8, c.x(7)); // the BLR's return address
    assertEquals(l3.address() + 8, c.x(30));
  }

  @Test
  void systemRegisters() {
    Core c = rig.run(
        movz(x(1), 0x6000, 16), // Z and C
        msr(SysReg.NZCV, x(1)),
        mrs(x(2), SysReg.NZCV),
        mrs(x(3), SysReg.CURRENT_EL),
        movz(x(4), 0x7777, 0),
        msr(SysReg.TPIDR_EL1, x(4)),
        mrs(x(5), SysReg.TPIDR_EL1),
        mrs(x(6), SysReg.DAIF),
        msrDaifClr(0xF),
        mrs(x(7), SysReg.DAIF),
        msrDaifSet(2),
        mrs(x(8), SysReg.DAIF),
        mrs(x(9), SysReg.MPIDR_EL1),
        mrs(x(10), SysReg.SPSEL),
        mrs(x(11), SysReg.CNTFRQ_EL0),
        mrs(x(12), SysReg.CTR_EL0));
    assertEquals(0x60000000L, c.x(2));
    assertEquals(ZF | CF, c.nzcv());
    assertEquals(4L, c.x(3)); // EL1
    assertEquals(0x7777L, c.x(5));
    assertEquals(0x3C0L, c.x(6));
    assertEquals(0L, c.x(7));
    assertEquals(0x80L, c.x(8));
    assertEquals(0x80000000L, c.x(9));
    assertEquals(1L, c.x(10));
    assertEquals(1_000_000_000L, c.x(11));
    assertEquals(0x9444C004L, c.x(12));
  }

  @Test
  void hintsBarriersAndMaintenanceCostCycles() {
    MachineConfig.Costs k = MachineConfig.Costs.defaults();
    Core c = rig.run(cc -> cc.setX(1, Rig.DATA), nop(), A64yield(), dmb(dev.tracepoke.sim.asm.Barrier.ISH),
        dsb(dev.tracepoke.sim.asm.Barrier.ISH), isb(), dcCvau(x(1)), icIvau(x(1)),
        dsb(dev.tracepoke.sim.asm.Barrier.ISH));
    assertEquals(9L, c.instructions());
    assertEquals(9 + k.dmb() + k.dsb() + k.isb() + k.dcCvau() + k.icIvau() + k.dsbMaintenance(), c.cycles());
  }

  private static int A64yield() {
    return dev.tracepoke.sim.asm.A64.yield();
  }
}
