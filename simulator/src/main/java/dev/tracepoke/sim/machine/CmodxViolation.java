package dev.tracepoke.sim.machine;

/**
 * A core executed a patched word while it was unsettled for it (it could fetch more than one
 * value) and the old or the new word is outside the CMODX set: CONSTRAINED UNPREDICTABLE.
 */
public record CmodxViolation(int cpu, long pc, int oldWord, int newWord, long time) {}
