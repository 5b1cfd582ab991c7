package dev.tracepoke.sim.machine;

/**
 * What a core reports as it retires instructions. The ETMv4 trace unit and the ground-truth writer
 * are observers. Called on the simulator's hot path, so every argument is a primitive and an
 * implementation must not allocate per call.
 *
 * <p>Order of calls for one core is program order. Times are the core's clock in nanoseconds of
 * perf time at the moment the instruction retires (exceptions: the moment the exception is taken).
 */
public interface CoreObserver {

  /** A direct unconditional branch: B, BL. */
  int BRANCH_DIRECT = 0;
  /** A conditional branch: B.cond, BC.cond, CBZ, CBNZ, TBZ, TBNZ. */
  int BRANCH_CONDITIONAL = 1;
  /** An indirect branch: BR, BLR, RET and their pointer-authentication forms. */
  int BRANCH_INDIRECT = 2;
  /** ISB: a waypoint without a change of flow. */
  int ISB = 3;

  int EXCEPTION_SVC = 0;
  int EXCEPTION_BRK = 1;
  int EXCEPTION_UNDEF = 2;
  int EXCEPTION_IRQ = 3;

  /**
   * Instructions at {@code startPc, startPc + 4, ...} ({@code count} of them) retired in sequence.
   * A run ends at (and includes) a waypoint or an ERET, or ends before an exception is taken, or at
   * the end of a scheduling slice; runs are therefore never empty and never span a change of flow.
   */
  void instructions(long startPc, int count, long time);

  /**
   * A waypoint (see ETMv4 P0 elements for ARM-AA64) retired at {@code pc}. {@code taken} is false
   * only for a conditional branch that fell through; {@code nextPc} is the address executed next.
   * {@code link} is true for BL and BLR.
   */
  void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time);

  /**
   * An exception was taken. {@code preferredReturn} is the architectural preferred return address
   * (SVC: the next instruction; BRK and UNDEF: the instruction itself; IRQ: the first instruction
   * not executed); {@code vector} is the address of the first handler instruction.
   */
  void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time);

  /** ERET at {@code pc} returned to {@code target} at exception level {@code toEl}. */
  void exceptionReturn(long pc, long target, int toEl, long time);

  /**
   * The core executed a patch-site word at {@code pc}: the word it actually fetched and whether
   * that was the newest written value. Reported before the run that contains the instruction.
   */
  void patchSiteExecuted(long pc, int word, boolean newest, long time);
}
