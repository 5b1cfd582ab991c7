package dev.tracepoke.sim.asm;

/** Index-register extensions of the register-offset load/store forms, with their option field. */
public enum Extend {
  UXTW(0b010),
  /** LSL (UXTX): a 64-bit index. */
  LSL(0b011),
  SXTW(0b110),
  SXTX(0b111);

  private final int option;

  Extend(int option) {
    this.option = option;
  }

  public int option() {
    return option;
  }
}
