package dev.tracepoke.sim.asm;

/** Shift types of the shifted-register forms, in encoding order (field value = ordinal). */
public enum Shift {
  LSL,
  LSR,
  ASR,
  ROR
}
