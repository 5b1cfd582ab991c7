package dev.tracepoke.sim.workload;

/** The kinds of live-patched words a kernel has, and the two words each flips between. */
public enum PatchKind {
  /** A jump label: NOP (key off) ⇄ B to an out-of-line block that branches back. */
  STATIC_KEY,
  /** An ftrace call site after {@code mov x9, x30} at function entry: NOP ⇄ BL ftrace_caller. */
  FTRACE,
  /** A kprobe: the original instruction ⇄ BRK #0x4; the handler runs the original out of line. */
  KPROBE
}
