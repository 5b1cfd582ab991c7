package dev.tracepoke.decode.flow;

import static dev.tracepoke.decode.flow.FlowElements.AMBIGUITY;
import static dev.tracepoke.decode.flow.FlowElements.EQUAL;
import static dev.tracepoke.decode.flow.FlowElements.ERROR;
import static dev.tracepoke.decode.flow.FlowElements.RANGE;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * The element queue of a flow decoder: elements go straight to the sink while no fork is open and
 * nothing is held before them; otherwise each walker holds its own (in {@link FlowElements}'
 * encoding) until the fork is decided, and they leave with the flag the decision gives them.
 */
final class Delivery {
  private final int cpu;
  private final FlowSink sink;
  private final Segment segment;
  private Forks forks;

  /** Error messages of held elements. */
  final List<String> messages = new ArrayList<>();
  /** Candidate words of held ambiguities. */
  final IntArrayList candidatePool = new IntArrayList();

  Delivery(int cpu, FlowSink sink, Segment segment) {
    this.cpu = cpu;
    this.sink = sink;
    this.segment = segment;
  }

  void wire(Forks forks) {
    this.forks = forks;
  }

  /**
   * TRCCONFIGR.CCI: a cycle count belongs to the range before it (OpenCSD), so the latest range
   * and what follows it are held until the count or the next range comes.
   */
  private boolean cycleCounting;
  /** Elements held behind a range awaiting its count before they are sent anyway. */
  private static final int MAX_CYCLE_HOLD = 256;

  void cycleCounting(boolean on) {
    cycleCounting = on;
  }

  /**
   * A cycle count ({@code -1}: unknown) for the latest range of every live walker since the last
   * count; dropped when there is none.
   */
  void cycles(Walker w, long count) {
    int last = lastRange(w.out);
    if (last >= 0) {
      countRange(w.out, last, count);
    }
    for (int s = 0; s < w.shadowCount; s++) {
      Shadow h = w.shadows[s];
      if (last < h.from) {
        // the shadow's latest range is its own: counted in a copy (copies of it share the old)
        int own = lastRange(h.out);
        if (own >= 0 && count >= 0 && (h.out.get(own, 4) >>> 16) == 0) {
          h.out = h.out.share();
          countRange(h.out, own, count);
        }
      }
    }
    if (!forks.group) {
      flushUnflagged(w);
    }
  }

  private static int lastRange(History h) {
    for (int k = h.count - 1; k >= 0; k--) {
      if (FlowElements.kind(h.get(k, 0)) == RANGE) {
        return k;
      }
    }
    return -1;
  }

  private static void countRange(History h, int k, long count) {
    if (count >= 0 && (h.get(k, 4) >>> 16) == 0) {
      h.or(k, 4, (count + 1) << 16);
    }
  }

  void error(Walker w, long offset, long index, String message) {
    messages.add(message);
    put(w, ERROR, index, 0, messages.size() - 1, 0, offset, FlowSink.NO_TIME, FlowSink.NO_TIME);
  }

  void reportDropped(Walker w) {
    if (w.droppedAtoms > 0) {
      error(w, w.droppedOffset, w.droppedIndex, String.format(
          "%d atom(s) dropped: no address or context known yet", w.droppedAtoms));
      w.droppedAtoms = 0;
    }
  }

  /** Whether {@code w}'s next range can go straight to the sink ({@link #sendRange}). */
  boolean direct(Walker w) {
    return !forks.group && w.out.count == 0 && !cycleCounting;
  }

  /**
   * A range straight to the sink, where {@link #direct} holds; {@code to} is the segment's end,
   * passed in so that a walk's loop reads it once, not again after every sink call.
   */
  void sendRange(long start, long end, int n, int lastKind, boolean taken, long from, long to,
      long offset) {
    sink.range(cpu, start, end, n, lastKind, taken, from, to, FlowSink.FLAG_NONE, offset);
  }

  void range(Walker w, long start, long end, int n, int lastKind, boolean taken, long offset) {
    if (direct(w)) {
      // the hot case of put, kept small enough to be inlined into the walk
      sendRange(start, end, n, lastKind, taken, w.walkFrom, segment.to, offset);
    } else {
      if (cycleCounting && !forks.group && w.out.count > 0) {
        flushUnflagged(w); // no count came for the range held: it goes without
      }
      w.add(RANGE, start, end, n, lastKind | (taken ? 1 << 8 : 0), offset, w.walkFrom, segment.to);
    }
  }

  /**
   * A range through sites the walk itself decided: flagged resolved when it goes out at once (in
   * a fork it takes the flag the fork's outcome gives).
   */
  void decidedRange(Walker w, long start, long end, int n, int lastKind, boolean taken,
      long offset) {
    if (!forks.group && w.out.count == 0) {
      sink.range(cpu, start, end, n, lastKind, taken, w.walkFrom, segment.to,
          FlowSink.FLAG_RESOLVED, offset);
    } else {
      range(w, start, end, n, lastKind, taken, offset);
    }
  }

  /** Delivers the single walker's elements when no fork is open. */
  void flushSingle() {
    if (!forks.group && (!cycleCounting || forks.walkers[0].out.count > MAX_CYCLE_HOLD)) {
      flushUnflagged(forks.walkers[0]);
    }
  }

  /** End of the trace (or of a fork's certainty): everything single goes out. */
  void flushEnd() {
    if (!forks.group) {
      flushUnflagged(forks.walkers[0]);
    }
  }

  void flushUnflagged(Walker w) {
    deliver(w, FlowSink.FLAG_NONE, Integer.MAX_VALUE, w.out.count, 0, FlowSink.REASON_UNDECIDABLE,
        false);
    messages.clear();
    candidatePool.clear();
  }

  /**
   * Adds an element to {@code w}'s history, or sends it to the sink at once while no fork is open
   * and nothing is held before it (it would be delivered unflagged at the segment's end anyway).
   */
  void put(Walker w, long head, long a, long b, long c, long d, long offset, long from, long to) {
    if (cycleCounting && !forks.group && w.out.count > 0 && FlowElements.kind(head) == FlowElements.GAP) {
      flushUnflagged(w); // a count after a break in the flow is not the held range's
    }
    if (!forks.group && w.out.count == 0) {
      // nothing is in doubt: a decision made by the walk itself is resolved
      deliverOne(head, a, b, c, d, offset, from, to, FlowSink.FLAG_NONE, true, 0,
          FlowSink.REASON_UNDECIDABLE);
    } else {
      w.add(head, a, b, c, d, offset, from, to);
    }
  }

  /**
   * Sends {@code w}'s elements to the sink, then forgets them: those before {@code certain}, and
   * from {@code certainAgain} on, are what every surviving history ran (ranges with {@code flag},
   * decisions resolved at {@code at}); in between ranges are flagged ambiguous and decisions
   * unresolved for {@code reason}. A decision's range follows it, so decisions just before {@code
   * certain} go with the uncertain part. A fork decision a bound parted the histories on ({@link
   * FlowElements#GAVE_UP}) is gave_up; when walks were folded ({@code relaxed}), so is every
   * unresolved element but a fork decision only walks in identical states parted on ({@link
   * FlowElements#SPLIT} alone: undecidable).
   */
  void deliver(Walker w, int flag, int certain, int certainAgain, long at, int reason,
      boolean relaxed) {
    History out = w.out;
    int c = Math.min(certain, out.count);
    while (c > 0 && FlowElements.kind(out.get(c - 1, 0)) == AMBIGUITY) {
      c--;
    }
    int folded = relaxed ? FlowSink.REASON_GAVE_UP : reason;
    for (int k = 0; k < out.count; k++) {
      long[] x = out.chunks[k >>> History.SHIFT];
      int i = (k & (History.CHUNK - 1)) * FlowElements.STRIDE;
      long head = x[i];
      boolean sure = k < c || k >= certainAgain;
      int why = folded;
      if (Walker.forkDecision(head)) {
        int f = FlowElements.flags(head);
        sure &= (f & FlowElements.SPLIT) == 0; // no fork the histories part on is resolved
        why = (f & FlowElements.GAVE_UP) != 0 ? FlowSink.REASON_GAVE_UP
            : (f & FlowElements.SPLIT) != 0 ? reason : folded;
      }
      deliverOne(head, x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7],
          sure ? flag : FlowSink.FLAG_AMBIGUOUS, sure, at, why);
    }
    out.clear();
  }

  /** Every walk was contradicted: only {@code w}'s decisions go, unresolved for {@code reason}. */
  void deliverDecisions(Walker w, long at, int reason) {
    History out = w.out;
    for (int k = 0; k < out.count; k++) {
      long[] x = out.chunks[k >>> History.SHIFT];
      int i = (k & (History.CHUNK - 1)) * FlowElements.STRIDE;
      long head = x[i];
      if (FlowElements.kind(head) == AMBIGUITY) {
        deliverOne(head, x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7],
            FlowSink.FLAG_AMBIGUOUS, false, at, reason);
      }
    }
    out.clear();
  }

  private void deliverOne(long head, long a, long b, long c, long d, long offset, long from,
      long to, int flag, boolean resolved, long at, int reason) {
    switch (FlowElements.kind(head)) {
      case RANGE -> FlowElements.sendRange(sink, cpu, a, b, c, d, from, to, flag, offset);
      case FlowElements.EXCEPTION -> sink.exception(cpu, (int) a, b, from, to, offset);
      case FlowElements.ERET -> sink.exceptionReturn(cpu, from, to, offset);
      case FlowElements.CONTEXT -> sink.context(cpu, (int) (a & 0xFF), (a & (1 << 8)) != 0,
          (a & (1 << 9)) != 0, b, (int) c, offset);
      case FlowElements.GAP -> FlowElements.sendGap(sink, cpu, a, b, c, d, offset);
      case ERROR -> sink.error(cpu, offset, a, messages.get((int) c));
      case FlowElements.TRANS -> sink.transaction(cpu, (int) a, offset);
      case AMBIGUITY -> {
        int flags = FlowElements.flags(head);
        boolean equal = (flags & EQUAL) != 0;
        boolean decided = (flags & FlowElements.DECIDED) != 0;
        // resolved when met, whatever becomes of the history around it (an armed probe's BRK:
        // every surviving walk meets the same Exception packet at the same address)
        boolean met = (flags & FlowElements.RESOLVED) != 0;
        boolean ok = (resolved || met) && !equal;
        sink.ambiguity(cpu, a, FlowElements.candidates(candidatePool, (int) c, (int) d), ok,
            ok ? (int) b : 0, from, to, equal || decided || met ? offset : at,
            ok ? FlowSink.REASON_NONE : equal ? FlowSink.REASON_UNDECIDABLE : reason);
      }
      default -> throw new IllegalStateException("element kind " + FlowElements.kind(head));
    }
  }
}
