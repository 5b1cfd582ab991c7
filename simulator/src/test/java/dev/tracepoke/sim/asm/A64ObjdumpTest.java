package dev.tracepoke.sim.asm;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every encoder form, disassembled by GNU objdump (an oracle we did not write): its mnemonic and
 * operand text must equal what the listing says the word is. Skips where objdump is absent.
 */
class A64ObjdumpTest {
  private static final String OBJDUMP = "aarch64-linux-gnu-objdump";

  private final List<Integer> words = new ArrayList<>();
  private final List<String> expected = new ArrayList<>();

  private long pc() {
    return 4L * words.size();
  }

  /** The absolute address {@code off} bytes from the word about to be added. */
  private String rel(long off) {
    return "0x" + Long.toHexString(pc() + off);
  }

  private void c(int word, String text) {
    words.add(word);
    expected.add(text);
  }

  private void listing() {
    // add/sub immediate
    c(add(x(0), x(1), 5), "add x0, x1, #0x5");
    c(add(x(2), x(3), 4096), "add x2, x3, #0x1, lsl #12");
    c(add(SP, SP, 16), "add sp, sp, #0x10");
    c(movSp(x(0), SP), "mov x0, sp");
    c(movSp(WSP, w(3)), "mov wsp, w3");
    c(sub(x(0), x(1), 8), "sub x0, x1, #0x8");
    c(sub(SP, SP, 0xfff000), "sub sp, sp, #0xfff, lsl #12");
    c(adds(x(0), x(1), 1), "adds x0, x1, #0x1");
    c(subs(w(3), w(4), 0xfff), "subs w3, w4, #0xfff");
    c(cmp(x(1), 2), "cmp x1, #0x2");
    c(cmn(w(2), 3), "cmn w2, #0x3");
    c(cmp(SP, 0), "cmp sp, #0x0");
    // add/sub shifted register
    c(addReg(x(0), x(1), x(2)), "add x0, x1, x2");
    c(add(x(0), x(1), x(2), Shift.LSL, 3), "add x0, x1, x2, lsl #3");
    c(sub(w(5), w(6), w(7), Shift.ASR, 31), "sub w5, w6, w7, asr #31");
    c(subs(x(0), x(1), x(2), Shift.LSR, 63), "subs x0, x1, x2, lsr #63");
    c(adds(w(0), w(1), w(2), Shift.LSL, 0), "adds w0, w1, w2");
    c(cmpReg(x(3), x(4), Shift.LSL, 0), "cmp x3, x4");
    c(cmnReg(x(3), x(4), Shift.LSL, 2), "cmn x3, x4, lsl #2");
    c(subReg(x(0), XZR, x(1)), "neg x0, x1");
    // add/sub extended register, conditional compare
    c(add(x(0), SP, x(1), RegExtend.UXTX, 0), "add x0, sp, x1");
    c(add(x(0), x(1), w(2), RegExtend.UXTW, 0), "add x0, x1, w2, uxtw");
    c(sub(x(0), x(1), w(2), RegExtend.SXTW, 2), "sub x0, x1, w2, sxtw #2");
    c(adds(w(0), w(1), w(2), RegExtend.UXTB, 0), "adds w0, w1, w2, uxtb");
    c(subs(x(3), x(4), w(5), RegExtend.SXTH, 4), "subs x3, x4, w5, sxth #4");
    c(cmp(x(0), w(1), RegExtend.UXTW, 0), "cmp x0, w1, uxtw");
    c(add(SP, SP, x(3), RegExtend.SXTX, 3), "add sp, sp, x3, sxtx #3");
    c(ccmp(x(0), 5, 4, Cond.NE), "ccmp x0, #0x5, #0x4, ne");
    c(ccmn(w(1), 31, 0xf, Cond.LT), "ccmn w1, #0x1f, #0xf, lt");
    c(ccmpReg(x(2), x(3), 0, Cond.EQ), "ccmp x2, x3, #0x0, eq");
    c(ccmnReg(w(4), w(5), 2, Cond.HS), "ccmn w4, w5, #0x2, cs");
    // multiply, divide, variable shifts
    c(madd(x(0), x(1), x(2), x(3)), "madd x0, x1, x2, x3");
    c(mul(x(0), x(1), x(2)), "mul x0, x1, x2");
    c(msub(w(0), w(1), w(2), w(3)), "msub w0, w1, w2, w3");
    c(udiv(x(0), x(1), x(2)), "udiv x0, x1, x2");
    c(sdiv(w(0), w(1), w(2)), "sdiv w0, w1, w2");
    c(lslv(x(0), x(1), x(2)), "lsl x0, x1, x2");
    c(lsrv(w(0), w(1), w(2)), "lsr w0, w1, w2");
    c(asrv(x(0), x(1), x(2)), "asr x0, x1, x2");
    c(rorv(x(0), x(1), x(2)), "ror x0, x1, x2");
    // logical immediate
    c(and(x(0), x(1), 0xff), "and x0, x1, #0xff");
    c(orr(w(0), w(1), 0x80000001L), "orr w0, w1, #0x80000001");
    c(eor(x(0), x(1), 0x5555555555555555L), "eor x0, x1, #0x5555555555555555");
    c(ands(x(0), x(1), 0xf0), "ands x0, x1, #0xf0");
    c(tst(w(1), 1), "tst w1, #0x1");
    c(and(SP, x(1), 0xfffffffffffffff0L), "and sp, x1, #0xfffffffffffffff0");
    c(eor(w(2), w(3), 0xfffffffeL), "eor w2, w3, #0xfffffffe");
    c(orr(x(4), x(5), 0x00ff00ff00ff00ffL), "orr x4, x5, #0xff00ff00ff00ff");
    // logical shifted register
    c(and(x(0), x(1), x(2), Shift.LSL, 0), "and x0, x1, x2");
    c(bic(x(0), x(1), x(2), Shift.LSL, 4), "bic x0, x1, x2, lsl #4");
    c(orr(w(0), w(1), w(2), Shift.ROR, 3), "orr w0, w1, w2, ror #3");
    c(orn(x(0), x(1), x(2), Shift.LSL, 0), "orn x0, x1, x2");
    c(eor(x(0), x(1), x(2), Shift.ASR, 1), "eor x0, x1, x2, asr #1");
    c(eon(w(0), w(1), w(2), Shift.LSR, 31), "eon w0, w1, w2, lsr #31");
    c(ands(x(0), x(1), x(2), Shift.LSL, 0), "ands x0, x1, x2");
    c(bics(x(0), x(1), x(2), Shift.LSL, 0), "bics x0, x1, x2");
    c(mov(x(0), x(1)), "mov x0, x1");
    c(mov(w(7), w(8)), "mov w7, w8");
    c(tstReg(x(0), x(1), Shift.LSL, 0), "tst x0, x1");
    c(orn(x(0), XZR, x(1), Shift.LSL, 0), "mvn x0, x1");
    // move wide
    c(movz(x(0), 0x1234, 0), "mov x0, #0x1234");
    c(movz(x(0), 0x1234, 16), "mov x0, #0x12340000");
    c(movz(x(0), 0, 16), "movz x0, #0x0, lsl #16");
    c(movk(x(0), 0xbeef, 48), "movk x0, #0xbeef, lsl #48");
    c(movk(w(1), 5, 0), "movk w1, #0x5");
    c(movn(x(0), 0, 0), "mov x0, #0xffffffffffffffff");
    c(movn(w(0), 1, 0), "mov w0, #0xfffffffe");
    c(movn(x(3), 0x1234, 32), "mov x3, #0xffffedcbffffffff");
    // bitfield
    c(lsl(x(0), x(1), 3), "lsl x0, x1, #3");
    c(lsl(x(0), x(1), 0), "lsr x0, x1, #0");
    c(lsl(x(0), x(1), 63), "lsl x0, x1, #63");
    c(lsl(w(0), w(1), 31), "lsl w0, w1, #31");
    c(lsr(x(0), x(1), 63), "lsr x0, x1, #63");
    c(lsr(w(0), w(1), 0), "lsr w0, w1, #0");
    c(asr(x(0), x(1), 63), "asr x0, x1, #63");
    c(asr(w(0), w(1), 0), "asr w0, w1, #0");
    c(ubfx(x(0), x(1), 4, 8), "ubfx x0, x1, #4, #8");
    c(sbfx(w(0), w(1), 3, 5), "sbfx w0, w1, #3, #5");
    c(bfm(x(0), x(1), 8, 15), "bfxil x0, x1, #8, #8");
    c(sbfm(x(0), x(1), 0, 31), "sxtw x0, w1");
    c(ubfm(w(0), w(1), 0, 7), "uxtb w0, w1");
    // conditional select
    c(csel(x(0), x(1), x(2), Cond.EQ), "csel x0, x1, x2, eq");
    c(csinc(w(0), w(1), w(2), Cond.NE), "csinc w0, w1, w2, ne");
    c(csinv(x(0), x(1), x(2), Cond.LT), "csinv x0, x1, x2, lt");
    c(csneg(x(0), x(1), x(2), Cond.GE), "csneg x0, x1, x2, ge");
    c(cset(x(0), Cond.HI), "cset x0, hi");
    c(cset(w(9), Cond.LO), "cset w9, cc");
    // PC-relative
    c(adr(x(0), 64), "adr x0, " + rel(64));
    c(adr(x(1), -4), "adr x1, " + rel(-4));
    c(adrp(x(2), 2), "adrp x2, 0x2000");
    c(b(16), "b " + rel(16));
    c(b(-8), "b " + rel(-8));
    c(bl(0x1000), "bl " + rel(0x1000));
    c(bcond(Cond.NE, 8), "b.ne " + rel(8));
    c(bcond(Cond.LE, -12), "b.le " + rel(-12));
    c(bcond(Cond.HS, 4), "b.cs " + rel(4));
    c(cbz(x(0), 20), "cbz x0, " + rel(20));
    c(cbnz(w(1), -20), "cbnz w1, " + rel(-20));
    c(tbz(x(2), 63, 8), "tbz x2, #63, " + rel(8));
    c(tbnz(w(3), 3, 12), "tbnz w3, #3, " + rel(12));
    c(br(x(1)), "br x1");
    c(blr(x(2)), "blr x2");
    c(ret(), "ret");
    c(ret(x(1)), "ret x1");
    c(eret(), "eret");
    // exception generation, hints, barriers
    c(svc(0), "svc #0x0");
    c(brk(0x3e8), "brk #0x3e8");
    c(hvc(1), "hvc #0x1");
    c(nop(), "nop");
    c(A64.yield(), "yield");
    c(wfe(), "wfe");
    c(wfi(), "wfi");
    c(isb(), "isb");
    c(dsb(Barrier.ISH), "dsb ish");
    c(dsb(Barrier.SY), "dsb sy");
    c(dsb(Barrier.ISHST), "dsb ishst");
    c(dmb(Barrier.ISHLD), "dmb ishld");
    // system registers
    c(mrs(x(0), SysReg.NZCV), "mrs x0, nzcv");
    c(msr(SysReg.NZCV, x(1)), "msr nzcv, x1");
    c(msr(SysReg.DAIF, x(1)), "msr daif, x1");
    c(mrs(x(2), SysReg.VBAR_EL1), "mrs x2, vbar_el1");
    c(msr(SysReg.VBAR_EL1, x(2)), "msr vbar_el1, x2");
    c(msr(SysReg.ELR_EL1, x(3)), "msr elr_el1, x3");
    c(mrs(x(4), SysReg.SPSR_EL1), "mrs x4, spsr_el1");
    c(mrs(x(5), SysReg.ESR_EL1), "mrs x5, esr_el1");
    c(msr(SysReg.SP_EL0, x(6)), "msr sp_el0, x6");
    c(mrs(x(7), SysReg.SP_EL1), "mrs x7, sp_el1");
    c(mrs(x(8), SysReg.CURRENT_EL), "mrs x8, currentel");
    c(mrs(x(0), SysReg.SPSEL), "mrs x0, spsel");
    c(mrs(x(9), SysReg.MPIDR_EL1), "mrs x9, mpidr_el1");
    c(mrs(x(10), SysReg.ICC_IAR1_EL1), "mrs x10, icc_iar1_el1");
    c(msr(SysReg.ICC_EOIR1_EL1, x(11)), "msr icc_eoir1_el1, x11");
    c(msr(SysReg.ICC_SGI1R_EL1, x(12)), "msr icc_sgi1r_el1, x12");
    c(msr(SysReg.HOSTCALL, x(13)), "msr s3_7_c15_c0_0, x13");
    c(mrs(x(14), SysReg.TPIDR_EL1), "mrs x14, tpidr_el1");
    c(mrs(x(15), SysReg.CNTVCT_EL0), "mrs x15, cntvct_el0");
    c(mrs(x(16), SysReg.CTR_EL0), "mrs x16, ctr_el0");
    c(msrDaifSet(2), "msr daifset, #0x2");
    c(msrDaifClr(0xf), "msr daifclr, #0xf");
    c(msrSpSel(1), "msr spsel, #0x1");
    // cache maintenance
    c(dcCvau(x(0)), "dc cvau, x0");
    c(icIvau(x(1)), "ic ivau, x1");
    c(icIallu(), "ic iallu");
    c(dcCivac(x(2)), "dc civac, x2");
    // loads and stores
    c(ldr(x(0), x(1), 8), "ldr x0, [x1, #8]");
    c(ldr(x(0), x(1), 0), "ldr x0, [x1]");
    c(str(w(2), SP, 16380), "str w2, [sp, #16380]");
    c(ldr(x(3), SP, 32760), "ldr x3, [sp, #32760]");
    c(ldrb(w(3), x(4), 4095), "ldrb w3, [x4, #4095]");
    c(strb(w(3), x(4), 1), "strb w3, [x4, #1]");
    c(strh(w(5), x(6), 2), "strh w5, [x6, #2]");
    c(ldrh(w(5), x(6), 8190), "ldrh w5, [x6, #8190]");
    c(ldrsw(x(7), x(8), 4), "ldrsw x7, [x8, #4]");
    c(ldur(x(0), x(1), -8), "ldur x0, [x1, #-8]");
    c(stur(w(0), x(1), 255), "stur w0, [x1, #255]");
    c(ldrPre(x(0), x(1), 16), "ldr x0, [x1, #16]!");
    c(strPre(x(0), SP, -16), "str x0, [sp, #-16]!");
    c(ldrPost(w(2), x(3), 4), "ldr w2, [x3], #4");
    c(strPost(x(4), x(5), -256), "str x4, [x5], #-256");
    c(ldr(x(0), x(1), x(2), Extend.LSL, false), "ldr x0, [x1, x2]");
    c(ldr(x(0), x(1), x(2), Extend.LSL, true), "ldr x0, [x1, x2, lsl #3]");
    c(str(w(0), x(1), w(2), Extend.UXTW, true), "str w0, [x1, w2, uxtw #2]");
    c(ldr(x(0), x(1), w(2), Extend.SXTW, false), "ldr x0, [x1, w2, sxtw]");
    c(ldr(w(0), x(1), x(2), Extend.SXTX, false), "ldr w0, [x1, x2, sxtx]");
    c(ldrLiteral(x(0), 32), "ldr x0, " + rel(32));
    c(ldrLiteral(w(1), -16), "ldr w1, " + rel(-16));
    c(ldxr(x(0), x(1)), "ldxr x0, [x1]");
    c(ldaxr(w(2), SP), "ldaxr w2, [sp]");
    c(stxr(w(3), x(0), x(1)), "stxr w3, x0, [x1]");
    c(stlxr(w(4), w(5), x(6)), "stlxr w4, w5, [x6]");
    c(ldar(x(7), x(8)), "ldar x7, [x8]");
    c(stlr(w(9), x(10)), "stlr w9, [x10]");
    c(cas(x(1), x(2), x(3)), "cas x1, x2, [x3]");
    c(casal(w(1), w(2), x(3)), "casal w1, w2, [x3]");
    c(ldadd(x(1), x(2), x(3)), "ldadd x1, x2, [x3]");
    c(ldaddal(w(4), w(5), SP), "ldaddal w4, w5, [sp]");
    c(ldclral(x(1), x(2), x(3)), "ldclral x1, x2, [x3]");
    c(ldeoral(x(1), x(2), x(3)), "ldeoral x1, x2, [x3]");
    c(ldsetal(x(1), x(2), x(3)), "ldsetal x1, x2, [x3]");
    c(swp(x(1), x(2), x(3)), "swp x1, x2, [x3]");
    c(swpal(w(1), w(2), x(3)), "swpal w1, w2, [x3]");
    c(clrex(), "clrex");
    c(ldp(x(29), x(30), SP, 16), "ldp x29, x30, [sp, #16]");
    c(stpPre(x(29), x(30), SP, -32), "stp x29, x30, [sp, #-32]!");
    c(ldpPost(x(29), x(30), SP, 32), "ldp x29, x30, [sp], #32");
    c(stp(w(0), w(1), x(2), 0), "stp w0, w1, [x2]");
    c(ldp(w(0), w(1), x(2), -256), "ldp w0, w1, [x2, #-256]");
    c(ldpPre(x(0), x(1), x(2), 504), "ldp x0, x1, [x2, #504]!");
    c(stpPost(w(3), w(4), x(5), 8), "stp w3, w4, [x5], #8");
  }

  /** Labels and fix-ups: a small loop assembled at the end of the listing. */
  private void labelled() {
    long base = pc();
    Assembler a = new Assembler(base);
    Assembler.Label top = a.newLabel("top");
    Assembler.Label out = a.newLabel("out");
    Assembler.Label data = a.newLabel("data");
    a.bind(top);
    a.emit(subs(x(0), x(0), 1));
    a.bcond(Cond.EQ, out);
    a.cbnz(x(1), top);
    a.tbz(w(2), 4, out);
    a.bl(top);
    a.adr(x(3), data);
    a.ldrLiteral(x(4), data);
    a.b(top);
    a.bind(out);
    a.emit(ret());
    a.bind(data);
    String[] text = {
      "subs x0, x0, #0x1",
      "b.eq " + hex(base + 32),
      "cbnz x1, " + hex(base),
      "tbz w2, #4, " + hex(base + 32),
      "bl " + hex(base),
      "adr x3, " + hex(base + 36),
      "ldr x4, " + hex(base + 36),
      "b " + hex(base),
      "ret",
    };
    int[] w = a.words();
    assertEquals(text.length, w.length);
    for (int i = 0; i < w.length; i++) {
      c(w[i], text[i]);
    }
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  @Test
  void objdumpAgreesWithEveryForm(@TempDir Path dir) throws IOException, InterruptedException {
    assumeTrue(onPath(OBJDUMP), () -> {
      System.out.println("A64ObjdumpTest skipped: " + OBJDUMP + " is not on PATH");
      return OBJDUMP + " absent";
    });
    listing();
    labelled();
    byte[] bytes = new byte[4 * words.size()];
    for (int i = 0; i < words.size(); i++) {
      int v = words.get(i);
      bytes[4 * i] = (byte) v;
      bytes[4 * i + 1] = (byte) (v >>> 8);
      bytes[4 * i + 2] = (byte) (v >>> 16);
      bytes[4 * i + 3] = (byte) (v >>> 24);
    }
    Path bin = dir.resolve("listing.bin");
    Files.write(bin, bytes);
    Process p = new ProcessBuilder(OBJDUMP, "-D", "-b", "binary", "-m", "aarch64", bin.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);

    List<String> got = new ArrayList<>();
    for (String line : out.split("\n")) {
      // "  1c:\td503201f \tnop" ; drop the address, the word and any trailing "//" comment
      String[] parts = line.split("\t", 3);
      if (parts.length < 3 || !parts[0].trim().endsWith(":")) {
        continue;
      }
      String insn = parts[2].replaceAll("\\s*//.*$", "").trim().replaceAll("\\s+", " ");
      got.add(parts[1].trim() + " " + insn);
    }
    List<String> want = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      want.add(String.format("%08x %s", words.get(i), expected.get(i)));
    }
    assertEquals(String.join("\n", want), String.join("\n", got));
  }

  private static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, exe))) {
        return true;
      }
    }
    return false;
  }
}
