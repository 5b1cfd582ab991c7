package dev.tracepoke.sim.machine;

/**
 * Opcode classes of the predecoded form. A decoded slot is an int (class in bits 0-7, then three
 * 6-bit register indexes rd, rn, rm and a 6-bit extra field) plus two longs of operands; see
 * {@link Decoder}. Register indexes 0-30 are X0-X30, {@link #ZR} reads as zero, {@link #SPI} is the
 * current stack pointer and {@link #SINK} swallows writes to the zero register.
 */
final class Op {
  private Op() {}

  static final int ZR = 31;
  static final int SPI = 32;
  static final int SINK = 33;
  static final int NREGS = 34;

  static final int UNDECODED = 0;
  static final int UNDEF = 1;
  /** A patch site or a written text word: the fetch is resolved per core (CMODX model). */
  static final int WATCHED = 2;

  static final int ADDI = 3; // rd = rn + a (SUB folded in as a negative a)
  static final int ADDI_W = 4;
  static final int ADDSI = 5;
  static final int ADDSI_W = 6;
  static final int SUBSI = 7;
  static final int SUBSI_W = 8;
  static final int ADDR = 9; // extra: shift type; a: amount
  static final int ADDR_W = 10;
  static final int SUBR = 11;
  static final int SUBR_W = 12;
  static final int ADDSR = 13;
  static final int ADDSR_W = 14;
  static final int SUBSR = 15;
  static final int SUBSR_W = 16;
  static final int ANDI = 17; // a: bitmask
  static final int ORRI = 18;
  static final int ORRI_W = 19;
  static final int EORI = 20;
  static final int EORI_W = 21;
  static final int ANDSI = 22;
  static final int ANDSI_W = 23;
  static final int ANDR = 24; // extra: shift type | invert << 2; a: amount
  static final int ANDR_W = 25;
  static final int ORRR = 26;
  static final int ORRR_W = 27;
  static final int EORR = 28;
  static final int EORR_W = 29;
  static final int ANDSR = 30;
  static final int ANDSR_W = 31;
  static final int MOVC = 32; // rd = a (MOVZ, MOVN, ADR, ADRP)
  static final int MOVK = 33; // rd = rd & ~b | a
  static final int MOVK_W = 34;
  static final int UBFM = 35; // a: wmask, b: tmask, rm: R, extra: S
  static final int UBFM_W = 36;
  static final int SBFM = 37;
  static final int SBFM_W = 38;
  static final int BFM = 39;
  static final int BFM_W = 40;
  static final int MADD = 41; // extra: Ra
  static final int MADD_W = 42;
  static final int MSUB = 43;
  static final int MSUB_W = 44;
  static final int DP2 = 45; // extra: opcode
  static final int DP2_W = 46;
  static final int CSEL = 47; // extra: cond | variant << 4
  static final int CSEL_W = 48;

  static final int LD_OFF = 49; // addr = rn + a; extra: size | kind << 2
  static final int LD_PRE = 50;
  static final int LD_POST = 51;
  static final int LD_REG = 52; // a: shift, b: extend option
  static final int ST_OFF = 53;
  static final int ST_PRE = 54;
  static final int ST_POST = 55;
  static final int ST_REG = 56;
  static final int LD_LIT = 57; // a: absolute address
  static final int LDP = 58; // rm: Rt2; a: offset; extra: size | mode << 2 (0 offset, 1 pre, 2 post)
  static final int STP = 59;

  static final int B = 60; // a: target
  static final int BL = 61;
  static final int BCOND = 62; // extra: cond
  static final int CBZ = 63; // extra: 1 for W
  static final int CBNZ = 64;
  static final int TBZ = 65; // extra: bit
  static final int TBNZ = 66;
  static final int BR = 67;
  static final int BLR = 68;
  static final int RET = 69;
  static final int ERET = 70;
  static final int SVC = 71; // a: imm16
  static final int BRK = 72;
  static final int NOP = 73;
  static final int WFI = 74;
  static final int ISB = 75;
  static final int DSB = 76; // a: CRm
  static final int DMB = 77;
  static final int MRS = 78; // a: SysReg ordinal
  static final int MSR = 79;
  static final int MSR_IMM = 80; // extra: 0 DAIFSet, 1 DAIFClr, 2 SPSel; a: imm
  static final int DC_CVAU = 81;
  static final int DC_OTHER = 82;
  static final int IC_IVAU = 83;
  static final int IC_IALLU = 84;
  static final int ADDSUBX = 85; // extra: option | sub << 3 | setFlags << 4 | w << 5; a: shift
  static final int LDXR = 87; // extra: size
  static final int STXR = 88; // rm: status register (write index); extra: size
  static final int ATOMIC = 89; // rm: Rs; extra: size | (0 add, 1 clr, 2 eor, 3 set, 4 swp) << 2
  static final int CAS = 90; // rm: Rs (read); extra: Rs (write index); a: size
  static final int CLREX = 91;
  static final int CCMP = 86; // extra: cond | sub << 4 | w << 5; a: imm5; b: nzcv | register << 4

  // load kinds (extra >> 2)
  static final int LD_ZERO = 0;
  static final int LD_SIGN64 = 2;
  static final int LD_SIGN32 = 3;
  static final int ST_PLAIN = 0;
}
