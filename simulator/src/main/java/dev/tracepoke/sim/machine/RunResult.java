package dev.tracepoke.sim.machine;

/**
 * How a call to {@link Machine#run} ended: why, the machine time (the smallest core time, ns),
 * the instructions retired by all cores during the call, and the machine's running totals of
 * CMODX violations and UNDEFINED instructions.
 */
public record RunResult(Reason reason, long time, long instructions, long cmodxViolations, long undefined) {
  public enum Reason {
    /** Every core reached the requested time. */
    TIME,
    /** The instruction budget was used up (checked between scheduling slices). */
    INSTRUCTIONS,
    /** A host call (or the host) asked the machine to stop. */
    STOPPED
  }
}
