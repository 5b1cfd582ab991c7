package dev.tracepoke.sim.machine;

/** A word that took the UNDEFINED exception: which core, where, which word, when. */
public record UndefinedInstruction(int cpu, long pc, int word, long time) {}
