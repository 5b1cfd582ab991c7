package dev.tracepoke.decode.flow;

/**
 * The decoder's output, protocol independent: what one core executed, as ranges of sequential
 * instructions and the events between them. This is the contract between the per-core flow decoder
 * and everything downstream (text and JSONL output, the diff against ground truth, benchmarks);
 * it mirrors the machine-readable schema in DESIGN.md.
 *
 * <p>Calls for one core arrive in that core's program order. Every call carries {@code offset}, the
 * byte offset in the core's trace stream (after deformatting) of the packet that produced it. Times are
 * perf time in nanoseconds; {@link #NO_TIME} where the trace has no timestamps yet. Arguments are
 * primitives so the decoder's hot loop never allocates; implementations that keep elements copy them.
 */
public interface FlowSink {

  long NO_TIME = Long.MIN_VALUE;

  /** Range flag: decoded without doubt. */
  int FLAG_NONE = 0;
  /** Range flag: the core may not have executed these instructions (an unresolved ambiguity). */
  int FLAG_AMBIGUOUS = 1;
  /** Range flag: decoded through an ambiguity that later packets resolved. */
  int FLAG_RESOLVED = 2;

  /** Kind of the last instruction of a range. */
  int LAST_OTHER = 0;
  int LAST_DIRECT = 1;
  int LAST_COND = 2;
  int LAST_INDIRECT = 3;
  int LAST_RETURN = 4;
  int LAST_ERET = 5;
  int LAST_ISB = 6;

  /** {@link #ambiguity} reason: resolved. */
  int REASON_NONE = 0;
  /**
   * {@link #ambiguity} reason: the trace cannot decide (the candidate walks reached identical
   * state: same pc, same packet, same call stack; or the trace broke off before a packet told
   * them apart).
   */
  int REASON_UNDECIDABLE = 1;
  /** {@link #ambiguity} reason: a bound of the decoder was hit (walkers, words assumed per walk, held elements). */
  int REASON_GAVE_UP = 2;

  /** The JSON and text name of a reason: null, "undecidable" or "gave_up". */
  static String reasonName(int reason) {
    return switch (reason) {
      case REASON_NONE -> null;
      case REASON_UNDECIDABLE -> "undecidable";
      case REASON_GAVE_UP -> "gave_up";
      default -> throw new IllegalArgumentException("ambiguity reason " + reason);
    };
  }

  /** Gap reasons. */
  int GAP_OVERFLOW = 0;
  int GAP_NACC = 1;
  int GAP_ERROR = 2;
  /**
   * Instructions ran whose path the trace does not give (an ETMv4/ETE Q element that could not be
   * followed): see {@link #noPath}.
   */
  int GAP_NO_PATH = 3;

  /**
   * Instructions {@code [start, end)} executed in sequence ({@code instructions} of them, 4 bytes
   * each). {@code lastKind} is the kind of the last one and {@code taken} whether it changed the flow.
   * The range lies in time {@code [timeFrom, timeTo]}.
   */
  void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset);

  /**
   * A range with its cycle count (TRCCONFIGR.CCI): the processor cycles from the previous counted
   * element to this range's last instruction, as OpenCSD associates a Cycle Count with the range
   * before it. Ranges without a count arrive through {@link #range}; sinks that ignore counts need
   * not override this.
   */
  default void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
      boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
    range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
  }

  /**
   * {@code instructions} instructions ran from {@code start} without their path being known (a Q
   * element, OpenCSD's {@code I_RANGE_NOPATH}; 0 = an unknown number); execution goes on at
   * {@code next}. By default a {@link #GAP_NO_PATH} gap at {@code start}.
   */
  default void noPath(int cpu, long start, long next, long instructions, long offset) {
    gap(cpu, GAP_NO_PATH, start, offset);
  }

  /** Transaction kinds (ETE, FEAT_TME), OpenCSD's {@code trace_memtrans_t} order. */
  int TRANS_TRACE_INIT = 0;
  int TRANS_START = 1;
  int TRANS_COMMIT = 2;
  int TRANS_FAIL = 3;

  /**
   * ETE transactional memory: a transaction started (its TSTART ends the range before),
   * committed, failed (what ran since its start was unwound, though its ranges were already
   * delivered), or trace began inside one ({@code TRANS_TRACE_INIT}). Ignored by default.
   */
  default void transaction(int cpu, int kind, long offset) {}

  /**
   * An exception was taken. {@code number} is the ETMv4 exception number, {@code returnAddress} the
   * preferred return address the trace reported.
   */
  void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset);

  /** An exception return (ETMv4 Exception Return packet) completed. */
  void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset);

  /** The core's context changed (exception level, security state, 64-bit state, context ID). */
  void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset);

  /**
   * The flow is broken here: trace overflow, memory the image does not hold at {@code address}
   * ({@code GAP_NACC}), or a decode error; decoding restarts at the next sync point.
   */
  void gap(int cpu, int reason, long address, long offset);

  /**
   * A patch-site execution whose word could not be known from time alone. {@code candidates} are the
   * words the core may have run; {@code resolvedWord} is valid only when {@code resolved}, and
   * {@code resolvedAt} is the offset of the packet that decided it (or of the last packet considered).
   */
  void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt);

  /**
   * {@link #ambiguity(int, long, int[], boolean, int, long, long, long)} with why an unresolved
   * execution stayed unresolved ({@link #REASON_UNDECIDABLE}, {@link #REASON_GAVE_UP}; {@link
   * #REASON_NONE} when resolved). The decoder calls this one; sinks that keep the reason
   * override it.
   */
  default void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt, int reason) {
    ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
  }

  /** A decode error at {@code offset} (packet number {@code packetIndex}); decoding resumes at the next A-sync. */
  void error(int cpu, long offset, long packetIndex, String message);

  /**
   * Core {@code cpu}'s elements {@code e[from..to)} in {@link FlowElements}' encoding ({@code
   * FlowElements.STRIDE} longs each), in order, their messages and candidate words in {@code
   * messages} and {@code pool}: by default each goes to the method of its kind. A sink that can
   * read the encoding itself may take a whole block in one loop.
   */
  default void elements(long[] e, int from, int to, int cpu,
      java.util.List<String> messages, it.unimi.dsi.fastutil.ints.IntArrayList pool) {
    for (int i = from; i < to; i += FlowElements.STRIDE) {
      FlowElements.send(e, i, cpu, messages, pool, this);
    }
  }

  /** Drops every element: a base for sinks that want only some of them. */
  class Ignoring implements FlowSink {
    @Override
    public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
        long timeFrom, long timeTo, int flag, long offset) {}

    @Override
    public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {}

    @Override
    public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {}

    @Override
    public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {}

    @Override
    public void gap(int cpu, int reason, long address, long offset) {}

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt) {}

    @Override
    public void error(int cpu, long offset, long packetIndex, String message) {}
  }
}
