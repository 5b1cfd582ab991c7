package dev.tracepoke.decode.flow;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.List;

/**
 * The one primitive encoding of flow elements, from the decoder's held (not yet decided) elements
 * to the pipeline's queues and the diff: {@link #STRIDE} longs per element, no object per element.
 *
 * <pre>
 * [0] kind | flags &lt;&lt; 8   (RANGE: the range flag; AMBIGUITY: RESOLVED, GAVE_UP, EQUAL, DECIDED, SPLIT)
 * [1..5] payload (below; [5] is always the packet offset, for AMBIGUITY the deciding offset)
 * [6] timeFrom, [7] timeTo  ({@link FlowSink#NO_TIME} for CONTEXT, GAP, ERROR)
 *
 * RANGE      start, end, instructions, lastKind | taken &lt;&lt; 8 | (cycles + 1) &lt;&lt; 16, offset
 * EXCEPTION  number, returnAddress, -, -, offset
 * ERET       -, -, -, -, offset
 * CONTEXT    el | sf &lt;&lt; 8 | ns &lt;&lt; 9, contextId, vmid, -, offset
 * GAP        reason, address, next, instructions, offset  (next, instructions: GAP_NO_PATH)
 * ERROR      packetIndex, -, message (index into a message list), -, offset
 * AMBIGUITY  pc, resolvedWord, candidates (index into an int pool), candidate count, resolvedAt
 * TRANS      kind (FlowSink.TRANS_*), -, -, -, offset
 * </pre>
 *
 * A range's cycle count is 0 in those bits when it has none.
 *
 * Messages and candidate words live beside the longs (a {@code List<String>} and an int pool)
 * because they are rare and variable-sized.
 */
public final class FlowElements {
  private FlowElements() {}

  public static final int STRIDE = 8;

  public static final int RANGE = 1;
  public static final int EXCEPTION = 2;
  public static final int ERET = 3;
  public static final int CONTEXT = 4;
  public static final int GAP = 5;
  public static final int ERROR = 6;
  public static final int AMBIGUITY = 7;
  public static final int TRANS = 8;

  /**
   * AMBIGUITY flag: later packets decided the word (resolvedWord is valid); on a held element, the
   * word is certain whatever the fork around it decides (an armed probe's BRK).
   */
  public static final int RESOLVED = 1;
  /** AMBIGUITY flag (held elements only): the candidates all have the same effect on the flow. */
  public static final int EQUAL = 2;
  /** AMBIGUITY flag, unresolved only: a bound of the decoder was hit (else the trace cannot decide). */
  public static final int GAVE_UP = 4;
  /**
   * AMBIGUITY flag (held elements only): the walk itself decided the word (only one candidate can
   * reach the address the trace gave), resolvedAt is the deciding packet.
   */
  public static final int DECIDED = 8;
  /**
   * AMBIGUITY flag (held fork decisions only): a history merged or folded into the walk holding
   * it ran another word at this fork, or never reached it; with {@link #GAVE_UP}, a fold did.
   */
  static final int SPLIT = 16;

  public static int kind(long head) {
    return (int) (head & 0xFF);
  }

  public static int flags(long head) {
    return (int) (head >>> 8);
  }

  /** Whether an element of this kind carries a time interval (even a half-open one). */
  public static boolean timed(int kind) {
    return kind == RANGE || kind == EXCEPTION || kind == ERET || kind == AMBIGUITY;
  }

  /**
   * Calls {@code sink} with the element at {@code e[i..i+STRIDE)} of {@code cpu}, its messages and
   * candidates looked up in {@code messages} and {@code pool}.
   */
  public static void send(long[] e, int i, int cpu, List<String> messages, IntArrayList pool,
      FlowSink sink) {
    long head = e[i];
    long a = e[i + 1];
    long b = e[i + 2];
    long c = e[i + 3];
    long d = e[i + 4];
    long offset = e[i + 5];
    long from = e[i + 6];
    long to = e[i + 7];
    switch (kind(head)) {
      case RANGE -> sendRange(sink, cpu, a, b, c, d, from, to, flags(head), offset);
      case EXCEPTION -> sink.exception(cpu, (int) a, b, from, to, offset);
      case ERET -> sink.exceptionReturn(cpu, from, to, offset);
      case CONTEXT -> sink.context(cpu, (int) (a & 0xFF), (a & (1 << 8)) != 0, (a & (1 << 9)) != 0,
          b, (int) c, offset);
      case GAP -> sendGap(sink, cpu, a, b, c, d, offset);
      case ERROR -> sink.error(cpu, offset, a, messages.get((int) c));
      case TRANS -> sink.transaction(cpu, (int) a, offset);
      case AMBIGUITY -> {
        boolean resolved = (flags(head) & RESOLVED) != 0;
        sink.ambiguity(cpu, a, candidates(pool, (int) c, (int) d), resolved,
            resolved ? (int) b : 0, from, to, offset, reason(head));
      }
      default -> throw new IllegalStateException("flow element kind " + kind(head));
    }
  }

  /** The RANGE payload word {@code d}: last kind, taken, and the cycle count ({@code -1}: none). */
  public static long rangeBits(int lastKind, boolean taken, long cycles) {
    return lastKind | (taken ? 1 << 8 : 0) | (cycles + 1) << 16;
  }

  /** The cycle count in a RANGE payload word {@code d}, or -1. */
  public static long cycles(long d) {
    return (d >>> 16) - 1;
  }

  static void sendRange(FlowSink sink, int cpu, long a, long b, long c, long d, long from, long to,
      int flag, long offset) {
    if ((d >>> 16) == 0) {
      sink.range(cpu, a, b, (int) c, (int) (d & 0xFF), (d & (1 << 8)) != 0, from, to, flag, offset);
    } else {
      sink.rangeWithCycles(cpu, a, b, (int) c, (int) (d & 0xFF), (d & (1 << 8)) != 0, from, to,
          flag, offset, cycles(d));
    }
  }

  static void sendGap(FlowSink sink, int cpu, long a, long b, long c, long d, long offset) {
    if (a == FlowSink.GAP_NO_PATH) {
      sink.noPath(cpu, b, c, d, offset);
    } else {
      sink.gap(cpu, (int) a, b, offset);
    }
  }

  /** The {@link FlowSink} reason of a delivered AMBIGUITY element. */
  public static int reason(long head) {
    int f = flags(head);
    return (f & RESOLVED) != 0 ? FlowSink.REASON_NONE
        : (f & GAVE_UP) != 0 ? FlowSink.REASON_GAVE_UP : FlowSink.REASON_UNDECIDABLE;
  }

  /** The AMBIGUITY head for a delivered ambiguity. */
  public static long ambiguityHead(boolean resolved, int reason) {
    return AMBIGUITY | (long) (resolved ? RESOLVED : reason == FlowSink.REASON_GAVE_UP ? GAVE_UP : 0) << 8;
  }

  static int[] candidates(IntArrayList pool, int at, int count) {
    int[] words = new int[count];
    for (int j = 0; j < count; j++) {
      words[j] = pool.getInt(at + j);
    }
    return words;
  }

  static long contextBits(int el, boolean sf, boolean ns) {
    return el | (sf ? 1 << 8 : 0) | (ns ? 1 << 9 : 0);
  }
}
