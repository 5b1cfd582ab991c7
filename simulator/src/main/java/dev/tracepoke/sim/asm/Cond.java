package dev.tracepoke.sim.asm;

/** A64 condition codes with their 4-bit encoding (= ordinal). */
public enum Cond {
  EQ,
  NE,
  HS,
  LO,
  MI,
  PL,
  VS,
  VC,
  HI,
  LS,
  GE,
  LT,
  GT,
  LE,
  AL,
  NV;

  public int code() {
    return ordinal();
  }

  /** The opposite condition (AL and NV invert to each other, as the encoding does). */
  public Cond invert() {
    return values()[ordinal() ^ 1];
  }

  public static Cond of(int code) {
    return values()[code & 15];
  }
}
