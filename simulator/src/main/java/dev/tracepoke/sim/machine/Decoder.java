package dev.tracepoke.sim.machine;

import dev.tracepoke.sim.asm.LogicalImmediate;
import dev.tracepoke.sim.asm.SysReg;

/**
 * Decodes one A64 word at a known address into the predecoded form ({@link Op}): an int of class
 * and register indexes plus two operand longs. PC-relative operands are resolved to absolute
 * addresses here, which is why a slot belongs to one address. Anything outside the implemented
 * subset decodes to {@link Op#UNDEF}.
 */
final class Decoder {
  private Decoder() {}

  private static final SysReg[] SYSREGS = SysReg.values();

  static int pack(int op, int rd, int rn, int rm, int extra) {
    return op | rd << 8 | rn << 14 | rm << 20 | extra << 26;
  }

  static int op(int d) {
    return d & 0xff;
  }

  static int rd(int d) {
    return (d >>> 8) & 63;
  }

  static int rn(int d) {
    return (d >>> 14) & 63;
  }

  static int rm(int d) {
    return (d >>> 20) & 63;
  }

  static int extra(int d) {
    return d >>> 26;
  }

  /** Register 31 as the zero register, for a destination. */
  private static int zw(int r) {
    return r == 31 ? Op.SINK : r;
  }

  /** Register 31 as the stack pointer (source or destination). */
  private static int sp(int r) {
    return r == 31 ? Op.SPI : r;
  }

  private static long sext(long v, int bits) {
    return (v << (64 - bits)) >> (64 - bits);
  }

  /** Decodes {@code w} at {@code pc} into slot {@code i} of the three arrays. */
  static void decode(int w, long pc, int[] ops, long[] as, long[] bs, int i) {
    as[i] = 0;
    bs[i] = 0;
    ops[i] = decode(w, pc, as, bs, i);
  }

  private static int decode(int w, long pc, long[] as, long[] bs, int i) {
    int rd = w & 31;
    int rn = (w >>> 5) & 31;
    int rm = (w >>> 16) & 31;
    boolean sf = w < 0;

    // ---- data processing, immediate
    if ((w & 0x1F000000) == 0x10000000) { // ADR, ADRP
      long imm = sext(((long) ((w >>> 5) & 0x7FFFF) << 2) | ((w >>> 29) & 3), 21);
      as[i] = sf ? (pc & ~0xFFFL) + (imm << 12) : pc + imm;
      return pack(Op.MOVC, zw(rd), 0, 0, 0);
    }
    if ((w & 0x1F800000) == 0x11000000) { // ADD/SUB immediate
      long imm = (w >>> 10) & 0xFFF;
      if ((w & (1 << 22)) != 0) {
        imm <<= 12;
      }
      boolean sub = (w & (1 << 30)) != 0;
      boolean s = (w & (1 << 29)) != 0;
      if (!s) {
        as[i] = sub ? -imm : imm;
        return pack(sf ? Op.ADDI : Op.ADDI_W, sp(rd), sp(rn), 0, 0);
      }
      as[i] = imm;
      int op = sub ? (sf ? Op.SUBSI : Op.SUBSI_W) : (sf ? Op.ADDSI : Op.ADDSI_W);
      return pack(op, zw(rd), sp(rn), 0, 0);
    }
    if ((w & 0x1F800000) == 0x12000000) { // logical immediate
      int n = (w >>> 22) & 1;
      long mask;
      try {
        mask = LogicalImmediate.decode(n, (w >>> 16) & 63, (w >>> 10) & 63, sf ? 64 : 32);
      } catch (IllegalArgumentException reserved) {
        return Op.UNDEF;
      }
      as[i] = mask;
      return switch ((w >>> 29) & 3) {
        case 0 -> pack(Op.ANDI, sp(rd), rn, 0, 0);
        case 1 -> pack(sf ? Op.ORRI : Op.ORRI_W, sp(rd), rn, 0, 0);
        case 2 -> pack(sf ? Op.EORI : Op.EORI_W, sp(rd), rn, 0, 0);
        default -> pack(sf ? Op.ANDSI : Op.ANDSI_W, zw(rd), rn, 0, 0);
      };
    }
    if ((w & 0x1F800000) == 0x12800000) { // move wide
      int opc = (w >>> 29) & 3;
      int hw = (w >>> 21) & 3;
      if (opc == 1 || (!sf && hw > 1)) {
        return Op.UNDEF;
      }
      long imm = ((long) ((w >>> 5) & 0xFFFF)) << (16 * hw);
      if (opc == 3) {
        as[i] = imm;
        bs[i] = 0xFFFFL << (16 * hw);
        return pack(sf ? Op.MOVK : Op.MOVK_W, zw(rd), rd, 0, 0);
      }
      long v = opc == 0 ? ~imm : imm;
      as[i] = sf ? v : v & 0xFFFFFFFFL;
      return pack(Op.MOVC, zw(rd), 0, 0, 0);
    }
    if ((w & 0x1F800000) == 0x13000000) { // bitfield
      int opc = (w >>> 29) & 3;
      int n = (w >>> 22) & 1;
      int immr = (w >>> 16) & 63;
      int imms = (w >>> 10) & 63;
      if (opc == 3 || n != (sf ? 1 : 0) || (!sf && (immr > 31 || imms > 31))) {
        return Op.UNDEF;
      }
      int size = sf ? 64 : 32;
      int levels = size - 1;
      int s = imms & levels;
      int r = immr & levels;
      long welem = ones(s + 1);
      long wmask = rotr(welem, r, size);
      long tmask = ones(((s - r) & levels) + 1);
      as[i] = wmask;
      bs[i] = tmask;
      int op = switch (opc) {
        case 0 -> sf ? Op.SBFM : Op.SBFM_W;
        case 1 -> sf ? Op.BFM : Op.BFM_W;
        default -> sf ? Op.UBFM : Op.UBFM_W;
      };
      return pack(op, zw(rd), rn, r, s);
    }

    // ---- branches, exception generation, system
    if ((w & 0x7C000000) == 0x14000000) {
      as[i] = pc + (sext(w & 0x3FFFFFF, 26) << 2);
      return pack(sf ? Op.BL : Op.B, 0, 0, 0, 0);
    }
    if ((w & 0xFF000010) == 0x54000000) {
      as[i] = pc + (sext((w >>> 5) & 0x7FFFF, 19) << 2);
      return pack(Op.BCOND, 0, 0, 0, w & 15);
    }
    if ((w & 0x7E000000) == 0x34000000) {
      as[i] = pc + (sext((w >>> 5) & 0x7FFFF, 19) << 2);
      boolean nz = (w & (1 << 24)) != 0;
      return pack(nz ? Op.CBNZ : Op.CBZ, 0, rd, 0, sf ? 0 : 1);
    }
    if ((w & 0x7E000000) == 0x36000000) {
      as[i] = pc + (sext((w >>> 5) & 0x3FFF, 14) << 2);
      int bit = ((w >>> 31) << 5) | ((w >>> 19) & 31);
      boolean nz = (w & (1 << 24)) != 0;
      return pack(nz ? Op.TBNZ : Op.TBZ, 0, rd, 0, bit);
    }
    if ((w & 0xFFE0001F) == 0xD4000001) {
      as[i] = (w >>> 5) & 0xFFFF;
      return Op.SVC;
    }
    if ((w & 0xFFE0001F) == 0xD4200000) {
      as[i] = (w >>> 5) & 0xFFFF;
      return Op.BRK;
    }
    switch (w & 0xFFFFFC1F) {
      case 0xD61F0000:
        return pack(Op.BR, 0, rn, 0, 0);
      case 0xD63F0000:
        return pack(Op.BLR, 0, rn, 0, 0);
      case 0xD65F0000:
        return pack(Op.RET, 0, rn, 0, 0);
      default:
        break;
    }
    if (w == 0xD69F03E0) {
      return Op.ERET;
    }
    if ((w & 0xFFC00000) == 0xD5000000) {
      return decodeSystem(w, as, i);
    }

    // ---- loads and stores
    if ((w & 0x3F000000) == 0x18000000) { // load literal
      as[i] = pc + (sext((w >>> 5) & 0x7FFFF, 19) << 2);
      return switch (w >>> 30) {
        case 0 -> pack(Op.LD_LIT, zw(rd), 0, 0, 2);
        case 1 -> pack(Op.LD_LIT, zw(rd), 0, 0, 3);
        case 2 -> pack(Op.LD_LIT, zw(rd), 0, 0, 2 | Op.LD_SIGN64 << 2);
        default -> Op.NOP; // PRFM literal: a hint
      };
    }
    if ((w & 0x3F000000) == 0x08000000) { // exclusives, acquire/release, compare-and-swap
      return decodeExclusive(w, rd, rn, rm, as, i);
    }
    if ((w & 0x3F200C00) == 0x38200000) { // LSE atomic memory operations
      int o3opc = (w >>> 12) & 15;
      int kind = switch (o3opc) {
        case 0, 1, 2, 3 -> o3opc;
        case 8 -> 4;
        default -> -1;
      };
      if (kind < 0) {
        return Op.UNDEF;
      }
      return pack(Op.ATOMIC, zw(rd), sp(rn), rm, (w >>> 30) | kind << 2);
    }
    if ((w & 0x3F000000) == 0x39000000) { // unsigned offset
      int size = w >>> 30;
      int kind = loadStoreKind(size, (w >>> 22) & 3);
      if (kind < 0) {
        return kind == -2 ? Op.NOP : Op.UNDEF;
      }
      as[i] = (long) ((w >>> 10) & 0xFFF) << size;
      boolean load = kind != 4;
      return pack(load ? Op.LD_OFF : Op.ST_OFF, load ? zw(rd) : rd, sp(rn), 0, size | (kind & 3) << 2);
    }
    if ((w & 0x3F200000) == 0x38000000) { // unscaled, post-index, pre-index
      int size = w >>> 30;
      int kind = loadStoreKind(size, (w >>> 22) & 3);
      int idx = (w >>> 10) & 3;
      if (kind == -2 && idx == 0) {
        return Op.NOP; // PRFUM
      }
      if (kind < 0 || idx == 2) {
        return Op.UNDEF; // LDTR/STTR (unprivileged) are not modelled
      }
      as[i] = sext((w >>> 12) & 0x1FF, 9);
      boolean load = kind != 4;
      int op = switch (idx) {
        case 0 -> load ? Op.LD_OFF : Op.ST_OFF;
        case 1 -> load ? Op.LD_POST : Op.ST_POST;
        default -> load ? Op.LD_PRE : Op.ST_PRE;
      };
      return pack(op, load ? zw(rd) : rd, sp(rn), 0, size | (kind & 3) << 2);
    }
    if ((w & 0x3F200C00) == 0x38200800) { // register offset
      int size = w >>> 30;
      int kind = loadStoreKind(size, (w >>> 22) & 3);
      int option = (w >>> 13) & 7;
      if (kind == -2) {
        return Op.NOP;
      }
      if (kind < 0 || (option & 2) == 0) {
        return Op.UNDEF;
      }
      as[i] = ((w >>> 12) & 1) != 0 ? size : 0;
      bs[i] = option;
      boolean load = kind != 4;
      return pack(load ? Op.LD_REG : Op.ST_REG, load ? zw(rd) : rd, sp(rn), rm, size | (kind & 3) << 2);
    }
    if ((w & 0x3E000000) == 0x28000000) { // load/store pair
      int opc = w >>> 30;
      int mode = (w >>> 23) & 3;
      boolean load = (w & (1 << 22)) != 0;
      if (opc == 1 || opc == 3) {
        return Op.UNDEF;
      }
      int size = opc == 2 ? 3 : 2;
      int rt2 = (w >>> 10) & 31;
      as[i] = sext((w >>> 15) & 0x7F, 7) << size;
      int m = switch (mode) {
        case 0, 2 -> 0; // STNP/LDNP behave as the offset form here
        case 3 -> 1;
        default -> 2;
      };
      return pack(load ? Op.LDP : Op.STP, load ? zw(rd) : rd, sp(rn), load ? zw(rt2) : rt2, size | m << 2);
    }

    // ---- data processing, register
    if ((w & 0x1F000000) == 0x0A000000) { // logical shifted register
      int imm6 = (w >>> 10) & 63;
      if (!sf && imm6 > 31) {
        return Op.UNDEF;
      }
      as[i] = imm6;
      int extra = ((w >>> 22) & 3) | ((w >>> 21) & 1) << 2;
      int op = switch ((w >>> 29) & 3) {
        case 0 -> sf ? Op.ANDR : Op.ANDR_W;
        case 1 -> sf ? Op.ORRR : Op.ORRR_W;
        case 2 -> sf ? Op.EORR : Op.EORR_W;
        default -> sf ? Op.ANDSR : Op.ANDSR_W;
      };
      return pack(op, zw(rd), rn, rm, extra);
    }
    if ((w & 0x1F200000) == 0x0B000000) { // add/sub shifted register
      int shift = (w >>> 22) & 3;
      int imm6 = (w >>> 10) & 63;
      if (shift == 3 || (!sf && imm6 > 31)) {
        return Op.UNDEF;
      }
      as[i] = imm6;
      boolean sub = (w & (1 << 30)) != 0;
      boolean s = (w & (1 << 29)) != 0;
      int op;
      if (sub) {
        op = s ? (sf ? Op.SUBSR : Op.SUBSR_W) : (sf ? Op.SUBR : Op.SUBR_W);
      } else {
        op = s ? (sf ? Op.ADDSR : Op.ADDSR_W) : (sf ? Op.ADDR : Op.ADDR_W);
      }
      return pack(op, zw(rd), rn, rm, shift);
    }
    if ((w & 0x1FE00000) == 0x0B200000) { // add/sub extended register
      int imm3 = (w >>> 10) & 7;
      if (imm3 > 4) {
        return Op.UNDEF;
      }
      as[i] = imm3;
      boolean sub = (w & (1 << 30)) != 0;
      boolean s = (w & (1 << 29)) != 0;
      int extra = ((w >>> 13) & 7) | (sub ? 8 : 0) | (s ? 16 : 0) | (sf ? 0 : 32);
      return pack(Op.ADDSUBX, s ? zw(rd) : sp(rd), sp(rn), rm, extra);
    }
    if ((w & 0x3FE00410) == 0x3A400000) { // CCMP, CCMN (register and immediate)
      boolean imm = (w & (1 << 11)) != 0;
      boolean sub = (w & (1 << 30)) != 0;
      as[i] = imm ? (w >>> 16) & 31 : 0;
      bs[i] = (w & 15) | (imm ? 0 : 16);
      return pack(Op.CCMP, 0, rn, imm ? 0 : rm, ((w >>> 12) & 15) | (sub ? 16 : 0) | (sf ? 0 : 32));
    }
    if ((w & 0x7FE00000) == 0x1B000000) { // MADD, MSUB
      int ra = (w >>> 10) & 31;
      boolean sub = (w & (1 << 15)) != 0;
      int op = sub ? (sf ? Op.MSUB : Op.MSUB_W) : (sf ? Op.MADD : Op.MADD_W);
      return pack(op, zw(rd), rn, rm, ra);
    }
    if ((w & 0x7FE00000) == 0x1AC00000) { // data processing, 2 source
      int opcode = (w >>> 10) & 63;
      if (opcode != 2 && opcode != 3 && (opcode < 8 || opcode > 11)) {
        return Op.UNDEF;
      }
      return pack(sf ? Op.DP2 : Op.DP2_W, zw(rd), rn, rm, opcode);
    }
    if ((w & 0x3FE00800) == 0x1A800000) { // conditional select
      int variant = ((w >>> 30) & 1) << 1 | ((w >>> 10) & 1);
      int cond = (w >>> 12) & 15;
      return pack(sf ? Op.CSEL : Op.CSEL_W, zw(rd), rn, rm, cond | variant << 4);
    }
    return Op.UNDEF;
  }

  private static int decodeExclusive(int w, int rt, int rn, int rs, long[] as, int i) {
    int size = w >>> 30;
    boolean o2 = (w & (1 << 23)) != 0;
    boolean l = (w & (1 << 22)) != 0;
    boolean o1 = (w & (1 << 21)) != 0;
    int rt2 = (w >>> 10) & 31;
    if (size < 2 || rt2 != 31) {
      return Op.UNDEF; // byte/halfword forms and pairs are not modelled
    }
    if (!o2 && !o1) {
      if (l) {
        return rs == 31 ? pack(Op.LDXR, zw(rt), sp(rn), 0, size) : Op.UNDEF;
      }
      return pack(Op.STXR, rt, sp(rn), zw(rs), size);
    }
    if (o2 && !o1) {
      if (rs != 31) {
        return Op.UNDEF;
      }
      as[i] = 0;
      return l ? pack(Op.LD_OFF, zw(rt), sp(rn), 0, size) : pack(Op.ST_OFF, rt, sp(rn), 0, size);
    }
    if (o2) {
      as[i] = size;
      return pack(Op.CAS, rt, sp(rn), rs, zw(rs));
    }
    return Op.UNDEF;
  }

  /** 0-3: load (zero-extend, -, sign to 64, sign to 32), 4: store, -1: undefined, -2: prefetch. */
  private static int loadStoreKind(int size, int opc) {
    if (opc == 0) {
      return 4;
    }
    if (opc == 1) {
      return Op.LD_ZERO;
    }
    return switch (size) {
      case 0, 1 -> opc == 2 ? Op.LD_SIGN64 : Op.LD_SIGN32;
      case 2 -> opc == 2 ? Op.LD_SIGN64 : -1;
      default -> opc == 2 ? -2 : -1;
    };
  }

  private static int decodeSystem(int w, long[] as, int i) {
    boolean l = (w & (1 << 21)) != 0;
    int op0 = (w >>> 19) & 3;
    int op1 = (w >>> 16) & 7;
    int crn = (w >>> 12) & 15;
    int crm = (w >>> 8) & 15;
    int op2 = (w >>> 5) & 7;
    int rt = w & 31;
    if (op0 == 0) {
      if (l || rt != 31) {
        return Op.UNDEF;
      }
      if (crn == 2 && op1 == 3) { // hints
        int hint = crm << 3 | op2;
        return hint == 3 ? Op.WFI : Op.NOP;
      }
      if (crn == 3 && op1 == 3) {
        switch (op2) {
          case 2:
            return Op.CLREX;
          case 4:
            as[i] = crm;
            return Op.DSB;
          case 5:
            as[i] = crm;
            return Op.DMB;
          case 6:
            return Op.ISB;
          default:
            return Op.UNDEF;
        }
      }
      if (crn == 4) {
        as[i] = crm;
        if (op1 == 3 && op2 == 6) {
          return pack(Op.MSR_IMM, 0, 0, 0, 0);
        }
        if (op1 == 3 && op2 == 7) {
          return pack(Op.MSR_IMM, 0, 0, 0, 1);
        }
        if (op1 == 0 && op2 == 5 && crm <= 1) {
          return pack(Op.MSR_IMM, 0, 0, 0, 2);
        }
      }
      return Op.UNDEF;
    }
    if (op0 == 1) {
      if (l) {
        return Op.UNDEF;
      }
      if (op1 == 3 && crn == 7 && crm == 11 && op2 == 1) {
        return pack(Op.DC_CVAU, 0, rt, 0, 0);
      }
      if (op1 == 3 && crn == 7 && crm == 5 && op2 == 1) {
        return pack(Op.IC_IVAU, 0, rt, 0, 0);
      }
      if (op1 == 0 && crn == 7 && (crm == 5 || crm == 1) && op2 == 0 && rt == 31) {
        return Op.IC_IALLU; // IC IALLU and IC IALLUIS
      }
      if (op1 == 3 && crn == 7 && (crm == 10 || crm == 14) && op2 == 1) {
        return pack(Op.DC_OTHER, 0, rt, 0, 0); // DC CVAC, DC CIVAC
      }
      return Op.UNDEF;
    }
    SysReg reg = SysReg.ofKey((w >>> 5) & 0x7FFF);
    if (reg == null) {
      return Op.UNDEF;
    }
    as[i] = reg.ordinal();
    return l ? pack(Op.MRS, zw(rt), 0, 0, 0) : pack(Op.MSR, 0, rt, 0, 0);
  }

  static long ones(int n) {
    return n >= 64 ? -1L : (1L << n) - 1;
  }

  static long rotr(long v, int r, int size) {
    if (r == 0) {
      return v;
    }
    if (size == 64) {
      return Long.rotateRight(v, r);
    }
    long m = ones(size);
    v &= m;
    return ((v >>> r) | (v << (size - r))) & m;
  }

  /** The sysreg for an MRS/MSR slot operand. */
  static SysReg sysreg(long operand) {
    return SYSREGS[(int) operand];
  }
}
