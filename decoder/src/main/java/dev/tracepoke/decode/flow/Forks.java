package dev.tracepoke.decode.flow;

import java.util.IdentityHashMap;

/**
 * The walkers of one core and their fork, merge and decide rules: at an ambiguous site the walker
 * is copied once per candidate word; after each packet contradicted copies are dropped, copies in
 * the same state (pc, call stack, what they wait for) merged, and a single survivor decides the
 * fork. Its elements leave resolved as far as every history folded into it agrees (each fork's
 * own outcome is kept: a fork all survivors took the same way is resolved even if a later one
 * merged); from the first fork where they part, ranges leave flagged and decisions unresolved
 * ({@code undecidable}). A bound hit (walkers, words assumed per walk, held elements) gives the
 * undecided forks up ({@code gave_up}).
 */
final class Forks {
  final Walker[] walkers;
  /**
   * Past this many walkers after a packet, or {@link FlowDecoder#MAX_HELD_TOTAL} held elements,
   * walks that differ only in stack entries below their current frames are folded (the forks
   * they ran differently given up) rather than the whole group: a bound, so only at the bounds.
   * Half of {@link #walkers}: one packet's atoms may fork every walk at a site before the next
   * merge. It was a quarter until forked walks shared their history; then nosync-kick runs
   * folded 65 to 68 walks that differed in older calls, and a later return needed what the fold
   * forgot. (Before that it was 16 walkers and 16384 elements, when walks kept calls from
   * handlers left by ERET and from BLRs to their own return address.)
   */
  private final int foldWalkers;
  /** Shadows the live walks may carry together ({@link Shadow}): four per walker slot. */
  private final int maxShadows;
  int live = 1;
  /** Walkers were forked and are not decided yet. */
  boolean group;
  /** A walker popped a return stack entry that a given-up fork made unknown. */
  boolean returnUnknown;

  private final Delivery delivery;
  private final Segment segment;
  private Walk walk;

  Forks(int maxWalkers, Delivery delivery, Segment segment) {
    walkers = new Walker[maxWalkers];
    walkers[0] = new Walker();
    foldWalkers = Math.max(2, maxWalkers / 2);
    maxShadows = 4 * maxWalkers;
    this.delivery = delivery;
    this.segment = segment;
  }

  void wire(Walk walk) {
    this.walk = walk;
  }

  /**
   * Splits walker {@code k} at the site the walk stopped at: it and its new copies each assume one
   * candidate word. False when that would pass the bound: the ambiguity is then given up and the
   * decode resumes at the next address packet.
   */
  boolean fork(int k, long offset, long index) {
    Walker w = walkers[k];
    if (!group) {
      delivery.flushUnflagged(w); // what came before the fork is certain: deliver it unflagged
    }
    int[] forkWords = walk.forkWords;
    int forkCount = walk.forkCount;
    long forkPc = walk.forkPc;
    int pool = delivery.candidatePool.size();
    for (int i = 0; i < forkCount; i++) {
      delivery.candidatePool.add(forkWords[i]);
    }
    if (live + forkCount - 1 > walkers.length || w.overrides == Walker.MAX_OVERRIDES) {
      // the alternatives go: no other history has this fork, it is given up however it ends
      w.add(FlowElements.AMBIGUITY | (long) (FlowElements.SPLIT | FlowElements.GAVE_UP) << 8,
          forkPc, forkWords[0] & 0xFFFFFFFFL, pool, forkCount, 0, w.walkFrom, segment.to);
      giveUp(w, offset, FlowSink.REASON_GAVE_UP); // w carries the flagged history
      delivery.put(w, FlowElements.GAP, FlowSink.GAP_ERROR, forkPc, 0, 0, offset,
          FlowSink.NO_TIME, FlowSink.NO_TIME);
      w.overrides = 0;
      w.needAddress = true;
      w.resyncing = true;
      w.dropped = false;
      w.forgetReturns();
      return false;
    }
    group = true;
    for (int i = 1; i < forkCount; i++) {
      Walker x = w.copy();
      x.overridePc[x.overrides] = forkPc;
      x.overrideWord[x.overrides] = forkWords[i];
      x.overrides++;
      decision(x, forkPc, forkWords[i], pool, forkCount);
      walkers[live++] = x;
    }
    w.overridePc[w.overrides] = forkPc;
    w.overrideWord[w.overrides] = forkWords[0];
    w.overrides++;
    decision(w, forkPc, forkWords[0], pool, forkCount);
    return true;
  }

  private void decision(Walker w, long pc, int word, int pool, int count) {
    w.add(FlowElements.AMBIGUITY, pc, word & 0xFFFFFFFFL, pool, count, 0, w.walkFrom, segment.to);
  }

  /** After each atom or packet: drop contradicted walkers, merge equal ones, decide. */
  void afterPacket(long offset, long index) {
    if (!group) {
      return;
    }
    // a return that went elsewhere than its call site (or a walk elsewhere than the address a
    // sync point restates) drops the walk, unless every walk did
    boolean anyKept = false;
    boolean anyMissed = false;
    for (int k = 0; k < live; k++) {
      Walker w = walkers[k];
      if (!w.dropped) {
        anyMissed |= w.missedReturn;
        anyKept |= !w.missedReturn;
      }
    }
    if (anyMissed) {
      for (int k = 0; k < live; k++) {
        Walker w = walkers[k];
        if (w.missedReturn && anyKept) {
          w.dropped = true;
        }
        w.missedReturn = false;
      }
    }
    if (returnUnknown) {
      // a walk cannot go on without the forgotten entry: give the fork up, resume at an address
      returnUnknown = false;
      Walker w = walkers[0];
      for (int k = 0; k < live; k++) {
        if (!walkers[k].dropped) {
          w = walkers[k];
          break;
        }
      }
      w.dropped = false;
      giveUp(w, offset, FlowSink.REASON_GAVE_UP);
      w.forgetReturns();
      delivery.put(w, FlowElements.GAP, FlowSink.GAP_ERROR, 0, 0, 0, offset, FlowSink.NO_TIME,
          FlowSink.NO_TIME);
      w.needAddress = true;
      w.resyncing = true;
      return;
    }
    int n = 0;
    Walker fallback = null;
    for (int k = 0; k < live; k++) {
      Walker w = walkers[k];
      if (w.dropped) {
        if (fallback == null) {
          fallback = w;
        }
      } else {
        walkers[n++] = w;
      }
    }
    live = n;
    if (live == 0) {
      allContradicted(fallback, offset, index);
      return;
    }
    if (shadowsAround()) {
      rejoinShadows();
    }
    mergePairs(false);
    long held = held();
    if (live > 1 && (live > foldWalkers || held > FlowDecoder.MAX_HELD_TOTAL)) {
      // at a bound: walks that differ only in older return-stack entries wait as shadows of one
      // (nothing is given up); only at the bounds, as a shadow takes a copy of its host's
      // history at every merge its host makes without it
      shadowPairs();
      held = held();
    }
    if (live > 1 && (live > foldWalkers || held > FlowDecoder.MAX_HELD_TOTAL)) {
      // still at a bound: walks that differ only in stack entries below their current frames
      // (they stay in lockstep until a return pops one) are folded, keeping the entries they
      // share
      mergePairs(true);
      held = held();
    }
    if (live == 1 && walkers[0].shadowCount == 0) {
      Walker w = walkers[0];
      delivery.deliver(w, FlowSink.FLAG_RESOLVED, w.certain, w.certainAgain, offset,
          FlowSink.REASON_UNDECIDABLE, w.relaxed);
      w.certain = Integer.MAX_VALUE;
      w.relaxed = false;
      group = false;
      return;
    }
    int most = 0;
    for (int k = 0; k < live; k++) {
      if (walkers[k].out.count > walkers[most].out.count) {
        most = k;
      }
    }
    if (held > FlowDecoder.MAX_HELD_TOTAL) {
      // too long undecided: keep memory bounded, give up and resume at the next address
      Walker w = walkers[most];
      giveUp(w, offset, FlowSink.REASON_GAVE_UP);
      w.forgetReturns();
      delivery.put(w, FlowElements.GAP, FlowSink.GAP_ERROR, 0, 0, 0, offset, FlowSink.NO_TIME,
          FlowSink.NO_TIME);
      w.needAddress = true;
      w.resyncing = true;
      return;
    }
  }

  private boolean shadowsAround() {
    for (int k = 0; k < live; k++) {
      if (walkers[k].shadowCount > 0) {
        return true;
      }
    }
    return false;
  }

  /** Every candidate walk contradicts the trace: the image timeline cannot explain it. */
  private void allContradicted(Walker w, long offset, long index) {
    // the site executions stay unresolved; none of the walks' ranges can be claimed
    delivery.deliverDecisions(w, offset, FlowSink.REASON_GAVE_UP);
    group = false;
    while (w.shadowCount > 0) {
      w.wake(w.shadowCount - 1); // contradicted with it
    }
    w.dropped = false;
    w.certain = Integer.MAX_VALUE;
    w.relaxed = false;
    w.forgetReturns();
    w.overrides = 0;
    w.needAddress = true;
    w.resyncing = true;
    walkers[0] = w;
    live = 1;
    delivery.error(w, offset, index, "every candidate word of the ambiguous site executions"
        + " contradicts the trace here");
    delivery.put(w, FlowElements.GAP, FlowSink.GAP_ERROR, 0, 0, 0, offset, FlowSink.NO_TIME,
        FlowSink.NO_TIME);
  }

  /**
   * Ends an undecided fork as unresolved for {@code reason}, keeping {@code w}'s walk: what every
   * live walk shares with it is resolved, the rest flagged.
   */
  void giveUp(Walker w, long offset, int reason) {
    int certain = w.certain;
    boolean gaveUp = reason == FlowSink.REASON_GAVE_UP;
    boolean relaxed = w.relaxed;
    for (int k = 0; k < live; k++) {
      Walker o = walkers[k];
      if (o == w || !o.dropped) {
        while (o.shadowCount > 0) {
          Walker x = o.wake(o.shadowCount - 1); // a shadow is a live walk too
          relaxed |= x.relaxed;
          int d = w.divergence(x);
          w.markSplit(x, d, gaveUp);
          certain = Math.min(Math.min(certain, x.certain), d);
        }
      }
      if (o != w && !o.dropped) {
        relaxed |= o.relaxed;
        int d = w.divergence(o);
        w.markSplit(o, d, gaveUp); // the live walks still part on these forks
        certain = Math.min(Math.min(certain, o.certain), d);
      }
    }
    while (w.shadowCount > 0) {
      Walker x = w.wake(w.shadowCount - 1); // w may not be among the live walkers
      relaxed |= x.relaxed;
      int d = w.divergence(x);
      w.markSplit(x, d, gaveUp);
      certain = Math.min(Math.min(certain, x.certain), d);
    }
    if (!group) {
      certain = 0;
    }
    delivery.deliver(w, FlowSink.FLAG_RESOLVED, certain, w.out.count, offset, reason, relaxed);
    w.certain = Integer.MAX_VALUE;
    w.relaxed = false;
    walkers[0] = w;
    live = 1;
    group = false;
  }

  /**
   * Ends an undecided fork: its walks are reported as unresolved before the flow breaks (the
   * trace ends, overflows or cannot be read: nothing after it can tell the walks apart).
   */
  void breakFlow(long offset) {
    if (group) {
      giveUp(walkers[0], offset, FlowSink.REASON_UNDECIDABLE);
    }
  }

  /** The trace contradicts {@code w}: a forked walker is dropped, a single one reports an error. */
  void contradiction(Walker w, long offset, long index, String format, Object... args) {
    if (group) {
      w.dropped = true;
    } else {
      delivery.error(w, offset, index, String.format(format, args));
    }
  }

  /**
   * Makes one walk of every two in the same state ({@code fold}: the same but for the stack
   * entries below their frames, which keeps the entries they share and gives up the forks the two
   * ran differently).
   */
  private void mergePairs(boolean fold) {
    for (int i = 0; i < live; i++) {
      for (int j = i + 1; j < live; j++) {
        Walker a = walkers[i];
        Walker b = walkers[j];
        if (fold ? a.shadowCount == 0 && b.shadowCount == 0 && a.sameButStacks(b)
            : a.sameState(b)) {
          merge(a, b, fold);
          walkers[j] = walkers[--live];
          j--;
        }
      }
    }
  }

  /** Walk {@code b} is one with {@code a} from here on: {@code a} keeps both histories' marks. */
  private static void merge(Walker a, Walker b, boolean fold) {
    int d = a.divergence(b);
    if (a.shadowCount > 0 || b.shadowCount > 0) {
      a.takeShadows(b, d);
    }
    if (fold) {
      a.keepCommonStacks(b);
    }
    a.markSplit(b, d, fold);
    a.certain = Math.min(Math.min(a.certain, b.certain), d);
    a.certainAgain = a.out.count; // from here on the two walks are one
    a.walkFrom = Math.min(a.walkFrom, b.walkFrom);
    a.relaxed |= fold || b.relaxed;
    a.mergedShadows();
  }

  /**
   * Makes one walk of every two that differ only in return-stack entries below the newest ones
   * they share: the other waits as its shadow (nothing is given up, and one history is held for
   * both until a return tells them apart). Not past {@link #maxShadows}.
   */
  private void shadowPairs() {
    int shadows = 0;
    for (int k = 0; k < live; k++) {
      shadows += walkers[k].shadowCount;
    }
    for (int i = 0; i < live; i++) {
      for (int j = i + 1; j < live; j++) {
        Walker a = walkers[i];
        Walker b = walkers[j];
        if (shadows < maxShadows && a.sameButStacks(b) && a.sameCalls(b)) {
          a.shadow(b);
          shadows++;
          walkers[j] = walkers[--live];
          j--;
        }
      }
    }
  }

  /** Shadows whose stacks are their hosts' again merge with them. */
  private void rejoinShadows() {
    for (int k = 0; k < live; k++) {
      Walker a = walkers[k];
      for (int i = a.shadowCount - 1; i >= 0; i--) {
        if (i < a.shadowCount && a.rejoined(i)) {
          merge(a, a.wake(i), false);
        }
      }
    }
  }

  /**
   * Walk {@code w} is about to pop its return stack: its shadows that do not share the entry wake
   * as walkers of their own, in the state before the pop (each pops its own entry then); the
   * others share one entry fewer.
   */
  void beforePop(Walker w) {
    for (int i = w.shadowCount - 1; i >= 0; i--) {
      Shadow h = w.shadows[i];
      if (h.above > 0) {
        h.above--;
      } else if (live < walkers.length) {
        walkers[live++] = w.wake(i);
      } else {
        returnUnknown = true; // no room for the walk: the fork is given up
        return;
      }
    }
  }

  /**
   * Elements the live walks and their shadows hold: what histories share since a fork is counted
   * once (when the plain sum passes the bound, where sharing decides).
   */
  private long held() {
    long held = 0;
    for (int k = 0; k < live; k++) {
      held += walkers[k].out.count + walkers[k].heldByShadows();
    }
    if (held <= FlowDecoder.MAX_HELD_TOTAL) {
      return held;
    }
    held = 0;
    for (int k = 0; k < live; k++) {
      Walker w = walkers[k];
      held += History.distinct(w.out, seen);
      for (int i = 0; i < w.shadowCount; i++) {
        held += History.distinct(w.shadows[i].out, seen);
      }
    }
    seen.clear();
    return held;
  }

  private final IdentityHashMap<long[], Boolean> seen = new IdentityHashMap<>();
}
