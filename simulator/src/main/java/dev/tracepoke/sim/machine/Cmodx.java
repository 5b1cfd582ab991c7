package dev.tracepoke.sim.machine;

/**
 * The A64 concurrent-modification-and-execution exempt set: B, BL, BRK, HVC, ISB, NOP, SMC, SVC.
 * A word may be replaced while other cores execute it only if the old and the new word are both
 * in this set.
 */
public final class Cmodx {
  private Cmodx() {}

  public static boolean isExempt(int w) {
    return (w & 0x7C000000) == 0x14000000 // B, BL
        || (w & 0xFFE0001F) == 0xD4200000 // BRK
        || (w & 0xFFE0001C) == 0xD4000000 && (w & 3) != 0 // SVC, HVC, SMC
        || (w & 0xFFFFF0FF) == 0xD50330DF // ISB (any option)
        || w == 0xD503201F; // NOP
  }
}
