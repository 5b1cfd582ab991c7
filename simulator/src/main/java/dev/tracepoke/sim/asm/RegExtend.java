package dev.tracepoke.sim.asm;

/** Extensions of the ADD/SUB extended-register forms, in encoding order (option = ordinal). */
public enum RegExtend {
  UXTB,
  UXTH,
  UXTW,
  UXTX,
  SXTB,
  SXTH,
  SXTW,
  SXTX
}
