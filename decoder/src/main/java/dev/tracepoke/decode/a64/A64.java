package dev.tracepoke.decode.a64;

/**
 * Classifies A64 instruction words for the trace decoder: which words end a walk (waypoints), where
 * a direct branch goes, and which words generate exceptions.
 *
 * <p>The hot path works on primitives: {@link #classify(int)} returns a packed int whose low four
 * bits are the kind ({@link #KIND_MASK}) and whose higher bits are flags ({@code F_*}). {@link
 * #decode(long, int)} wraps the same facts in an {@link Insn} record for use at the API edge.
 *
 * <p>Coverage: the whole A64 "branches, exception generating and system instructions" group as far
 * as it concerns control flow (B, BL, B.cond, BC.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET and
 * their pointer-authenticating forms, ISB, SVC, HVC, SMC, BRK, HLT, DCPS1-3, the hint space and
 * WFET/WFIT) plus UDF (permanently undefined, bits[31:16] = 0). Every other word, allocated or not,
 * is {@link #OTHER}. The FEAT_PAuth_LR returns (RETAASPPC and relatives, 2023) are not recognised,
 * like the GNU binutils 2.40 disassembler this classifier is tested against.
 */
public final class A64 {
  private A64() {}

  /** Not a branch, not exception generating (includes DSB/DMB, WFI/WFE, hints, DRPS, TCANCEL). */
  public static final int OTHER = 0;
  /** B, BL: unconditional, PC-relative. */
  public static final int DIRECT = 1;
  /** B.cond, BC.cond, CBZ, CBNZ, TBZ, TBNZ: conditional, PC-relative. */
  public static final int COND = 2;
  /** BR, BLR and BRAA/BRAB/BRAAZ/BRABZ/BLRAA/BLRAB/BLRAAZ/BLRABZ. */
  public static final int INDIRECT = 3;
  /** RET, RETAA, RETAB. */
  public static final int RETURN = 4;
  /** ERET, ERETAA, ERETAB. */
  public static final int ERET = 5;
  /** ISB (any option). */
  public static final int ISB = 6;

  public static final int SVC = 7;
  public static final int HVC = 8;
  public static final int SMC = 9;
  public static final int BRK = 10;
  public static final int HLT = 11;
  /** UDF #imm16: the permanently undefined space 0x0000xxxx. */
  public static final int UDF = 12;
  /** DCPS1, DCPS2, DCPS3. */
  public static final int DCPS = 13;

  public static final int KIND_MASK = 0xF;

  /** The branch writes the link register (BL, BLR, BLRAA, ...). */
  public static final int F_LINK = 1 << 4;
  /**
   * Pointer-authenticating branch (FEAT_PAuth, Armv8.3): OpenCSD treats these as waypoints only when
   * the core's architecture is v8.3 or later; otherwise they are ordinary instructions.
   */
  public static final int F_PAUTH = 1 << 5;
  /**
   * In the architectural list of instructions that may be concurrently modified and executed (B,
   * BL, BRK, HVC, ISB, NOP, SMC, SVC): patching one of these into another needs no stop-machine.
   */
  public static final int F_CMODX_SAFE = 1 << 6;
  /** WFI, WFE, WFIT, WFET: a waypoint only with ETMv4.3+ and TRCIDR2.WFXMODE. */
  public static final int F_WFX = 1 << 7;
  /** In the HINT space (CRn=0010), NOP included. */
  public static final int F_HINT = 1 << 8;
  /** NOP exactly (HINT #0). */
  public static final int F_NOP = 1 << 9;
  /**
   * TSTART (FEAT_TME): OpenCSD 1.3.3 makes it a waypoint (instruction type TSTART) on cores of
   * architecture "AA64"; otherwise an ordinary instruction.
   */
  public static final int F_TSTART = 1 << 10;

  private static final int CMODX_B = DIRECT | F_CMODX_SAFE;
  private static final int CMODX_BL = DIRECT | F_LINK | F_CMODX_SAFE;

  /** Kind and flags of {@code word}; see the class comment for the packing. */
  public static int classify(int word) {
    // Everything outside op0 = x101 except UDF is plain code: one mask test on the common path.
    if ((word & 0x1C000000) != 0x14000000) {
      return (word >>> 16) == 0 ? UDF : OTHER;
    }
    if ((word & 0x7C000000) == 0x14000000) {
      return word < 0 ? CMODX_BL : CMODX_B;
    }
    if ((word & 0x7C000000) == 0x34000000) {
      return COND; // CBZ, CBNZ (bit 25 = 0), TBZ, TBNZ (bit 25 = 1)
    }
    switch (word >>> 24) {
      case 0x54:
        return COND; // bit 4 selects B.cond (0) or BC.cond (1); both allocated
      case 0xD4:
        return exceptionGenerating(word);
      case 0xD5:
        return system(word);
      case 0xD6:
      case 0xD7:
        return branchRegister(word);
      default:
        return OTHER;
    }
  }

  private static int exceptionGenerating(int word) {
    if ((word & 0x1C) != 0) {
      return OTHER; // op2 != 0 is unallocated
    }
    int opc = (word >>> 21) & 7;
    int ll = word & 3;
    switch (opc) {
      case 0:
        return ll == 1 ? SVC | F_CMODX_SAFE
            : ll == 2 ? HVC | F_CMODX_SAFE
            : ll == 3 ? SMC | F_CMODX_SAFE
            : OTHER;
      case 1:
        return ll == 0 ? BRK | F_CMODX_SAFE : OTHER;
      case 2:
        return ll == 0 ? HLT : OTHER;
      case 5:
        return ll != 0 ? DCPS : OTHER;
      default:
        return OTHER; // opc 3 = TCANCEL (transactional memory), the rest unallocated
    }
  }

  private static int system(int word) {
    if ((word & 0xFFFFF01F) == 0xD503201F) {
      int op = (word >>> 5) & 0x7F; // CRm:op2
      if (op == 0) {
        return OTHER | F_HINT | F_NOP | F_CMODX_SAFE;
      }
      return (op == 2 || op == 3) ? OTHER | F_HINT | F_WFX : OTHER | F_HINT;
    }
    if ((word & 0xFFFFF0FF) == 0xD50330DF) {
      return ISB | F_CMODX_SAFE;
    }
    if ((word & 0xFFFFFFC0) == 0xD5031000) {
      return OTHER | F_WFX; // WFET (op2 = 0), WFIT (op2 = 1)
    }
    if ((word & 0xFFFFFFE0) == 0xD5233060) {
      return OTHER | F_TSTART; // TSTART Xt
    }
    return OTHER;
  }

  private static int branchRegister(int word) {
    if (((word >>> 16) & 0x1F) != 0x1F) {
      return OTHER; // op2 != 11111 is unallocated
    }
    int opc = (word >>> 21) & 0xF;
    int op3 = (word >>> 10) & 0x3F;
    int rn = (word >>> 5) & 0x1F;
    int op4 = word & 0x1F;
    boolean plain = op3 == 0 && op4 == 0;
    boolean keyed = (op3 & 0x3E) == 2; // op3 = 00001x: key A (0) or B (1)
    switch (opc) {
      case 0:
        return plain ? INDIRECT : keyed && op4 == 0x1F ? INDIRECT | F_PAUTH : OTHER;
      case 1:
        return plain
            ? INDIRECT | F_LINK
            : keyed && op4 == 0x1F ? INDIRECT | F_LINK | F_PAUTH : OTHER;
      case 2:
        return plain ? RETURN : keyed && rn == 0x1F && op4 == 0x1F ? RETURN | F_PAUTH : OTHER;
      case 4:
        if (rn != 0x1F) {
          return OTHER;
        }
        return plain ? ERET : keyed && op4 == 0x1F ? ERET | F_PAUTH : OTHER;
      case 8:
        return keyed ? INDIRECT | F_PAUTH : OTHER; // BRAA/BRAB Xn, Xm
      case 9:
        return keyed ? INDIRECT | F_LINK | F_PAUTH : OTHER; // BLRAA/BLRAB Xn, Xm
      default:
        return OTHER; // opc 5 with these fields is DRPS (debug state only), the rest unallocated
    }
  }

  /** The kind field of a {@link #classify} result. */
  public static int kind(int cls) {
    return cls & KIND_MASK;
  }

  /** True when the kind is DIRECT or COND, i.e. {@link #directTarget} applies. */
  public static boolean hasDirectTarget(int cls) {
    int k = cls & KIND_MASK;
    return k == DIRECT || k == COND;
  }

  /** True for SVC, HVC, SMC, BRK, HLT, UDF and DCPS. */
  public static boolean isExceptionGenerating(int cls) {
    return (cls & KIND_MASK) >= SVC;
  }

  /**
   * Whether the ETMv4 walk stops at this instruction and consumes an atom (a P0 element), following
   * OpenCSD: direct, conditional, indirect, return, ERET and ISB are; PAuth forms only for
   * architecture v8.3 and later; WFI/WFE/WFIT/WFET only when the trace unit reports them.
   */
  public static boolean isWaypoint(int cls, boolean pauthBranches, boolean wfxWaypoints) {
    int k = cls & KIND_MASK;
    if (k >= DIRECT && k <= ISB) {
      return pauthBranches || (cls & F_PAUTH) == 0;
    }
    return wfxWaypoints && (cls & F_WFX) != 0;
  }

  /** As {@link #isWaypoint(int, boolean, boolean)}; TSTART too when {@code tstartWaypoints}. */
  public static boolean isWaypoint(int cls, boolean pauthBranches, boolean wfxWaypoints,
      boolean tstartWaypoints) {
    return isWaypoint(cls, pauthBranches, wfxWaypoints)
        || (tstartWaypoints && (cls & F_TSTART) != 0);
  }

  /**
   * Target of the PC-relative branch {@code word} at {@code pc}.
   *
   * @throws IllegalArgumentException if {@code word} is not B, BL, B.cond, BC.cond, CB(N)Z or
   *     TB(N)Z
   */
  public static long directTarget(int word, long pc) {
    if ((word & 0x7C000000) == 0x14000000) {
      return pc + (((long) (word << 6)) >> 4); // imm26 * 4
    }
    if ((word & 0x7E000000) == 0x34000000 || (word & 0xFF000000) == 0x54000000) {
      return pc + (((long) (word << 8)) >> 13 << 2); // imm19 * 4 at [23:5]
    }
    if ((word & 0x7E000000) == 0x36000000) {
      return pc + (((long) (word << 13)) >> 18 << 2); // imm14 * 4 at [18:5]
    }
    throw new IllegalArgumentException(
        String.format("0x%08x is not a PC-relative branch", word));
  }

  /** The facts about {@code word} at {@code pc} as a record (API edge; allocates). */
  public static Insn decode(long pc, int word) {
    int cls = classify(word);
    long target = hasDirectTarget(cls) ? directTarget(word, pc) : Insn.NO_TARGET;
    return new Insn(pc, word, InsnKind.of(cls), cls & ~KIND_MASK, target);
  }
}
