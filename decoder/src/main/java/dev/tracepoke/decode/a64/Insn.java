package dev.tracepoke.decode.a64;

/**
 * One classified instruction at the API edge.
 *
 * @param pc address of the instruction
 * @param word the 32-bit encoding
 * @param kind what {@link A64#classify} says it is
 * @param flags the {@code A64.F_*} bits
 * @param target the branch target for DIRECT and COND kinds, else {@link #NO_TARGET}
 */
public record Insn(long pc, int word, InsnKind kind, int flags, long target) {
  /** Marks "no direct target"; no A64 instruction can have it as a target (it is unaligned). */
  public static final long NO_TARGET = -1L;

  public boolean link() {
    return (flags & A64.F_LINK) != 0;
  }

  public boolean pauth() {
    return (flags & A64.F_PAUTH) != 0;
  }

  public boolean cmodxSafe() {
    return (flags & A64.F_CMODX_SAFE) != 0;
  }

  public boolean wfx() {
    return (flags & A64.F_WFX) != 0;
  }

  public boolean hint() {
    return (flags & A64.F_HINT) != 0;
  }

  public boolean nop() {
    return (flags & A64.F_NOP) != 0;
  }

  public boolean hasTarget() {
    return target != NO_TARGET;
  }
}
