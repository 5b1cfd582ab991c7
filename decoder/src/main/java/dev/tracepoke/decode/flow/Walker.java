package dev.tracepoke.decode.flow;

import java.util.Arrays;

/**
 * One hypothesis about what a core executed: the small walk state the flow decoder advances over
 * the packets, plus the elements it produced that are not delivered yet. While no patch site is in
 * doubt the decoder has exactly one walker; at an ambiguous site it copies the walker once per
 * candidate word and advances the copies in lockstep over the same packets.
 */
final class Walker {
  static final int STRIDE = FlowElements.STRIDE; // held elements, in FlowElements' encoding
  /** Words one walk (one atom, or a walk to an exception's return address) may assume at sites. */
  static final int MAX_OVERRIDES = 16;
  /** Return addresses of the calls a walk keeps (the oldest are forgotten past it). */
  static final int MAX_CALLS = 32;
  /** {@link #expectReturn}: the walk predicts no target for the address it waits for. */
  static final long NO_EXPECTATION = 1L;
  /** {@link #callStack} entry where an exception was taken (never a return address: odd). */
  static final long EXCEPTION_FRAME = 5L;

  /** {@link #naccPc} when the walk did not stop at an unmapped word (never an A64 pc: odd). */
  static final long NO_NACC = 1L;

  long pc;
  /** The block whose waypoint the last atom ended at (-1: none) and its direction: a hint for the next lookup. */
  int lastBlock = -1;
  boolean lastTaken;
  boolean needAddress = true;
  /**
   * Where the walk last stopped at an unmapped word, while it waits for the address after that;
   * else {@link #NO_NACC}. OpenCSD walks on from there to an exception's return address.
   */
  long naccPc = NO_NACC;
  boolean needContext = true;
  int el;
  boolean sf;
  boolean ns;
  long contextId;
  int vmid;

  boolean exceptionPending;
  int exceptionType;
  int exceptionAddressInfo;
  long exceptionOffset;
  long exceptionIndex;

  long droppedAtoms;
  long droppedOffset;
  long droppedIndex;

  /**
   * Lower bound of the time of the instructions walked next: the segment start of the last P0
   * element (a range's first instructions can precede the timestamp packet before its atom).
   */
  long walkFrom = Long.MIN_VALUE;
  /** Earliest time of the latest context-synchronization event passed, in trace order. */
  long lastCse = Long.MIN_VALUE;
  /** The next address packet may move the pc (after Trace On or a periodic Trace Info). */
  boolean addressFree;
  /** Atoms up to the next address packet are part of a reported gap, not reported again. */
  boolean resyncing;

  /**
   * The program's calls, as the walk saw them (BL, BLR push the return address, RET pops it):
   * a ring of the newest {@link #MAX_CALLS}, {@code calls} deep. Kernel code returns to its call
   * site, the discipline ETMv4's own return stack assumes, so two walks with different stacks
   * are different states, and a return whose address packet is not the popped address
   * contradicts the walk (unless no walk predicted it: then the trace says otherwise, and, as in
   * the trace unit's return stack, the entry stays). An exception pushes {@link
   * #EXCEPTION_FRAME}; its ERET drops everything above it.
   */
  final long[] callStack = new long[MAX_CALLS];
  int calls;
  int callTop;
  /** Where the return the walk waits for should go, or {@link #NO_EXPECTATION}. */
  long expectReturn = NO_EXPECTATION;
  /**
   * The address packet did not go where this walk's return was expected to go, or, after a sync
   * point, restated a pc other than this walk's (lockstep only).
   */
  boolean missedReturn;

  /**
   * Elements of {@link #out} from here on are not shared by every walk folded into this one (it
   * merged with walks of another history): their ranges stay flagged, their decisions unresolved.
   */
  int certain = Integer.MAX_VALUE;
  /**
   * Elements from here on are shared again by every walk folded into this one (added after the
   * last merge); meaningful while {@link #certain} is set.
   */
  int certainAgain;
  /** The trace contradicted this walker (lockstep only). */
  boolean dropped;
  /**
   * Walks were folded into this one that differed in stack entries below the current frames (to
   * stay within the bounds): its undecided elements are given up, not undecidable, except fork
   * decisions only walks in identical states parted on ({@link FlowElements#SPLIT} alone).
   */
  boolean relaxed;

  /** The word this walker assumes at a site during its current walk (set by a fork). */
  final long[] overridePc = new long[MAX_OVERRIDES];
  final int[] overrideWord = new int[MAX_OVERRIDES];
  int overrides;

  /** Elements produced and not delivered yet (shared with the walks forked from this one). */
  History out = new History();

  /**
   * Walks that differ from this one only in older return-stack entries, dormant until it pops
   * one they do not share ({@link Shadow}). Only in a fork group.
   */
  Shadow[] shadows = NO_SHADOWS;
  int shadowCount;
  private static final Shadow[] NO_SHADOWS = new Shadow[0];

  // Return stack (TRCCONFIGR.RS) as OpenCSD keeps it: 16 entries, the oldest overwritten; a taken
  // indirect branch pops it at the next P0 element unless an address packet came first.
  final long[] retStack = new long[16];
  int retHead;
  int retCount;
  boolean popPending;
  /**
   * Below the entries pushed since, the return stack is not known (a fork was given up with the
   * entries of an unknown history): a return that pops past them has no known target.
   */
  boolean retUnknown;
  /** Instruction set of the last address: 0 = IS0 (A64, or A32 in AArch32 state), 1 = IS1 (T32). */
  int isa;
  /** Atoms in AArch32 state since the last report: that code is not decoded. */
  long aarch32Atoms;

  /** A Q element without address waits for the next address packet. */
  boolean qPending;
  int qCount;
  long qOffset;
  /** The pc is a taken indirect branch whose target is awaited (OpenCSD's address is after it). */
  boolean waitBranch;
  /**
   * What the walk's last waypoint was, for the Exception Return packet that may follow its
   * target address: {@link #WAY_ERET}, {@link #WAY_OTHER} or {@link #WAY_NONE} (none walked since
   * the last exception, Exception Return or sync).
   */
  int lastWaypoint;
  static final int WAY_NONE = 0;
  static final int WAY_ERET = 1;
  static final int WAY_OTHER = 2;

  void retPush(long address) {
    for (int i = 0; i < shadowCount; i++) {
      Shadow h = shadows[i];
      h.above = Math.min(16, h.above + 1);
    }
    retPushOwn(address);
    popPending = false;
  }

  void retFlush() {
    for (int i = 0; i < shadowCount; i++) {
      Shadow h = shadows[i]; // its entries go too: its stack is this walk's again
      h.above = 0;
      h.retCount = 0;
      h.retUnknown = false;
    }
    retCount = 0;
    popPending = false;
    retUnknown = false;
  }

  Walker copy() {
    Walker w = copyState();
    w.out = out.share();
    if (shadowCount > 0) {
      // the shadows run the site the same way: each copy has its own copies of them
      w.shadows = new Shadow[shadowCount];
      for (int i = 0; i < shadowCount; i++) {
        w.shadows[i] = shadows[i].copy();
      }
      w.shadowCount = shadowCount;
    }
    return w;
  }

  /** A walker in this one's state, with no history and no shadows. */
  private Walker copyState() {
    Walker w = new Walker();
    w.pc = pc;
    w.needAddress = needAddress;
    w.naccPc = naccPc;
    w.needContext = needContext;
    w.el = el;
    w.sf = sf;
    w.ns = ns;
    w.contextId = contextId;
    w.vmid = vmid;
    w.exceptionPending = exceptionPending;
    w.exceptionType = exceptionType;
    w.exceptionAddressInfo = exceptionAddressInfo;
    w.exceptionOffset = exceptionOffset;
    w.exceptionIndex = exceptionIndex;
    w.droppedAtoms = droppedAtoms;
    w.droppedOffset = droppedOffset;
    w.droppedIndex = droppedIndex;
    w.lastCse = lastCse;
    w.walkFrom = walkFrom;
    w.addressFree = addressFree;
    w.resyncing = resyncing;
    System.arraycopy(callStack, 0, w.callStack, 0, MAX_CALLS);
    w.calls = calls;
    w.callTop = callTop;
    w.expectReturn = expectReturn;
    w.missedReturn = missedReturn;
    w.certain = certain;
    w.certainAgain = certainAgain;
    w.dropped = dropped;
    w.relaxed = relaxed;
    System.arraycopy(overridePc, 0, w.overridePc, 0, overrides);
    System.arraycopy(overrideWord, 0, w.overrideWord, 0, overrides);
    w.overrides = overrides;
    System.arraycopy(retStack, 0, w.retStack, 0, 16);
    w.retHead = retHead;
    w.retCount = retCount;
    w.popPending = popPending;
    w.retUnknown = retUnknown;
    w.isa = isa;
    w.aarch32Atoms = aarch32Atoms;
    w.qPending = qPending;
    w.qCount = qCount;
    w.qOffset = qOffset;
    w.waitBranch = waitBranch;
    w.lastWaypoint = lastWaypoint;
    return w;
  }

  // ---------------------------------------------------------------- shadows

  /**
   * Makes {@code o} (in {@link #sameButStacks} state, with the same calls, another return stack)
   * a shadow of this walk, with its own shadows: nothing is given up, and from here on the two
   * hold one history.
   */
  void shadow(Walker o) {
    int r = 0; // newest entries the two share
    while (r < Math.min(retCount, o.retCount)
        && retStack[(retHead - r) & 15] == o.retStack[(o.retHead - r) & 15]) {
      r++;
    }
    for (int i = 0; i < o.shadowCount; i++) {
      Shadow c = o.shadows[i];
      c.follow(o, out.count);
      if (c.above > r) {
        // entries c shared with o that this walk does not hold become c's own
        for (int d = c.above - 1; d >= r; d--) {
          c.pushOwn(o.retStack[(o.retHead - d) & 15]);
        }
        c.above = r;
      }
      addShadow(c);
    }
    Shadow s = new Shadow();
    s.out = o.out; // o goes: its history is the shadow's
    s.from = out.count;
    s.above = r;
    for (int d = o.retCount - 1; d >= r; d--) {
      s.pushOwn(o.retStack[(o.retHead - d) & 15]);
    }
    s.retUnknown = o.retUnknown;
    s.certain = o.certain;
    s.certainAgain = o.certainAgain;
    s.relaxed = o.relaxed;
    walkFrom = Math.min(walkFrom, o.walkFrom);
    addShadow(s);
  }

  /**
   * {@code o} merges into this walk (the same state): its shadows become this walk's, a copy of
   * one of this walk's own merging with it as {@code o} does with this walk ({@code d}: where
   * their histories part). Call before marking this walk's history with {@code o}'s forks.
   */
  void takeShadows(Walker o, int d) {
    int mine = shadowCount;
    boolean[] merged = mine == 0 ? null : new boolean[mine];
    for (int j = 0; j < o.shadowCount; j++) {
      Shadow c = o.shadows[j];
      int twin = -1;
      for (int i = 0; i < mine; i++) {
        if (!merged[i] && shadows[i].twin(c)) {
          twin = i;
          break;
        }
      }
      if (twin >= 0) {
        Shadow s = shadows[twin];
        merged[twin] = true;
        s.hostCertain = Math.min(Math.min(s.hostCertain, c.hostCertain), d);
        s.hostCertainAgain = Integer.MAX_VALUE; // set once the merge is done
        s.relaxed |= c.relaxed;
      } else {
        c.follow(o, out.count); // o's history is not this walk's: c goes on from here
        addShadow(c);
      }
    }
    for (int i = 0; i < mine; i++) {
      if (!merged[i]) {
        // not in o: the forks this walk is marked with for o are not its own
        shadows[i].follow(this, out.count);
      }
    }
  }

  /** After a merge: shadows merged with their copies share the history again from here on. */
  void mergedShadows() {
    for (int i = 0; i < shadowCount; i++) {
      if (shadows[i].hostCertainAgain == Integer.MAX_VALUE) {
        shadows[i].hostCertainAgain = out.count;
      }
    }
  }

  private void addShadow(Shadow c) {
    if (shadowCount == shadows.length) {
      shadows = Arrays.copyOf(shadows, Math.max(4, shadowCount * 2));
    }
    shadows[shadowCount++] = c;
  }

  /** Shadow {@code i}'s stack is this walk's again (its own entries are gone): the same state. */
  boolean rejoined(int i) {
    Shadow h = shadows[i];
    int own = h.ownVisible();
    if (own != retCount - h.above || h.retUnknown != retUnknown) {
      return false;
    }
    for (int k = 0; k < own; k++) {
      if (h.own(k) != retStack[(retHead - h.above - k) & 15]) {
        return false;
      }
    }
    return true;
  }

  /** Shadow {@code i} as a walker of its own: this walk with its history and return stack. */
  Walker wake(int i) {
    Shadow h = shadows[i];
    shadows[i] = shadows[--shadowCount];
    shadows[shadowCount] = null;
    h.follow(this, out.count); // its history in full, its certainty in its own indexes
    Walker x = copyState();
    x.out = h.out; // follow made it a history of its own
    x.certain = h.certain;
    x.certainAgain = h.certainAgain;
    x.relaxed = h.relaxed;
    x.retCount = 0;
    for (int k = h.ownVisible() - 1; k >= 0; k--) {
      x.retPushOwn(h.own(k));
    }
    for (int k = h.above - 1; k >= 0; k--) {
      x.retPushOwn(retStack[(retHead - k) & 15]);
    }
    x.retUnknown = h.retUnknown;
    return x;
  }

  /** Pushes a return-stack entry, the oldest overwritten past sixteen (shadows not told). */
  private void retPushOwn(long address) {
    retHead = (retHead + 1) & 15;
    retStack[retHead] = address;
    if (retCount < 16) {
      retCount++;
    }
  }

  /** Elements the shadows hold of their own (copies sharing theirs counted each time). */
  long heldByShadows() {
    long n = 0;
    for (int i = 0; i < shadowCount; i++) {
      n += shadows[i].out.count;
    }
    return n;
  }

  static final int STATE_LONGS = 20 + 2 * MAX_OVERRIDES + 4 + 16 + 2 + MAX_CALLS;

  /**
   * Writes everything that decides this walker's future into {@code into} from {@code at}, packet
   * indexes relative to {@code index} (the pc even while an address is awaited, as {@link #sameState}: the address may fit only one).
   * Stretches stitch where two decoders' states are equal, so every field that decides later output
   * (everything {@link #sameState} compares, and more) must be written here: a field left out lets
   * a stretch be stitched onto a decoder that would have gone elsewhere.
   */
  void state(long[] into, int at, long index) {
    into[at] = pc;
    into[at + 1] = (needAddress ? 1 : 0) | (needContext ? 2 : 0) | (sf ? 4 : 0) | (ns ? 8 : 0)
        | (exceptionPending ? 16 : 0) | (addressFree ? 32 : 0) | (resyncing ? 64 : 0)
        | (certain != Integer.MAX_VALUE ? 128 : 0) | (dropped ? 256 : 0) | (missedReturn ? 512 : 0)
        | (relaxed ? 1024 : 0);
    into[at + 2] = el;
    into[at + 3] = contextId;
    into[at + 4] = vmid;
    into[at + 5] = exceptionPending ? exceptionType : 0;
    into[at + 6] = exceptionPending ? exceptionAddressInfo : 0;
    into[at + 7] = exceptionPending ? exceptionOffset : 0;
    into[at + 8] = exceptionPending ? index - exceptionIndex : 0;
    into[at + 9] = droppedAtoms;
    into[at + 10] = droppedAtoms > 0 ? droppedOffset : 0;
    into[at + 11] = droppedAtoms > 0 ? index - droppedIndex : 0;
    into[at + 12] = walkFrom;
    into[at + 13] = lastCse;
    into[at + 14] = overrides;
    // a Q element waiting for its address, and where OpenCSD's address stands while one is awaited
    into[at + 15] = (qPending ? 1 : 0) | (waitBranch ? 2 : 0) | lastWaypoint << 2;
    into[at + 16] = qPending ? qCount : 0;
    into[at + 17] = qPending ? qOffset : 0;
    into[at + 18] = naccPc; // an exception repeats the gap at this word
    for (int i = 0; i < MAX_OVERRIDES; i++) {
      into[at + 20 + 2 * i] = i < overrides ? overridePc[i] : 0;
      into[at + 21 + 2 * i] = i < overrides ? overrideWord[i] : 0;
    }
    // the return stack decides later returns: its live entries, newest first, are state too
    int r = at + 20 + 2 * MAX_OVERRIDES;
    into[r] = retCount;
    into[r + 1] = popPending ? 1 : 0;
    into[r + 2] = isa;
    into[r + 3] = aarch32Atoms;
    for (int k = 0; k < 16; k++) {
      into[r + 4 + k] = k < retCount ? retStack[(retHead - k) & 15] : 0;
    }
    // so does the program's call stack the walk keeps, newest first
    int c = r + 20;
    into[c] = calls;
    into[c + 1] = expectReturn;
    for (int k = 0, i = callTop; k < MAX_CALLS; k++) {
      i = (i + MAX_CALLS - 1) % MAX_CALLS;
      into[c + 2 + k] = k < calls ? callStack[i] : 0;
    }
  }

  /**
   * Same position and state: from here on both walkers would do exactly the same. Walks waiting
   * for an address compare where they wait (the indirect branch): the address may fit only one.
   */
  boolean sameState(Walker o) {
    return sameButStacks(o) && sameCalls(o) && retUnknown == o.retUnknown && sameReturnStack(o);
  }

  /**
   * {@link #sameState} but for the calls and return-stack entries below the current frames: both
   * walks are at the same place, read the same packets the same way, and part only where a
   * return pops an entry one of them holds and the other does not.
   */
  boolean sameButStacks(Walker o) {
    return pc == o.pc
        && needAddress == o.needAddress
        && naccPc == o.naccPc
        && expectReturn == o.expectReturn
        && needContext == o.needContext
        && el == o.el
        && sf == o.sf
        && ns == o.ns
        && contextId == o.contextId
        && vmid == o.vmid
        && exceptionPending == o.exceptionPending
        && exceptionType == o.exceptionType
        && exceptionAddressInfo == o.exceptionAddressInfo
        && droppedAtoms == o.droppedAtoms
        && lastCse == o.lastCse
        && addressFree == o.addressFree
        && resyncing == o.resyncing
        && overrides == 0
        && o.overrides == 0
        && popPending == o.popPending
        && qPending == o.qPending
        && qCount == o.qCount
        && waitBranch == o.waitBranch
        && lastWaypoint == o.lastWaypoint;
  }

  /**
   * Keeps only the newest calls and return-stack entries this walk shares with {@code o}: below
   * them the core's stacks are not known (a return popping past the calls has no expected
   * address; past the return stack, no known target).
   */
  void keepCommonStacks(Walker o) {
    int k = 0;
    for (int a = callTop, b = o.callTop; k < Math.min(calls, o.calls); k++) {
      a = (a + MAX_CALLS - 1) % MAX_CALLS;
      b = (b + MAX_CALLS - 1) % MAX_CALLS;
      if (callStack[a] != o.callStack[b]) {
        break;
      }
    }
    calls = k;
    int r = 0;
    while (r < Math.min(retCount, o.retCount)
        && retStack[(retHead - r) & 15] == o.retStack[(o.retHead - r) & 15]) {
      r++;
    }
    if (r < retCount || r < o.retCount || o.retUnknown) {
      retUnknown = true;
    }
    retCount = r;
  }

  /** The live entries of the return stacks are equal (what lies below them is never read). */
  private boolean sameReturnStack(Walker o) {
    if (retCount != o.retCount) {
      return false;
    }
    for (int i = 0; i < retCount; i++) {
      if (retStack[(retHead - i) & 15] != o.retStack[(o.retHead - i) & 15]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Forgets what this walk assumed about calls and returns: the flow broke or a fork was given up,
   * so neither its call stack nor its return stack is known to be the core's.
   */
  void forgetReturns() {
    clearCalls();
    retFlush();
    retUnknown = true;
    for (int i = 0; i < shadowCount; i++) {
      shadows[i].retUnknown = true;
    }
  }

  boolean sameCalls(Walker o) {
    if (calls != o.calls) {
      return false;
    }
    for (int i = 0, a = callTop, b = o.callTop; i < calls; i++) {
      a = (a + MAX_CALLS - 1) % MAX_CALLS;
      b = (b + MAX_CALLS - 1) % MAX_CALLS;
      if (callStack[a] != o.callStack[b]) {
        return false;
      }
    }
    return true;
  }

  void pushCall(long returnAddress) {
    callStack[callTop] = returnAddress;
    callTop = (callTop + 1) % MAX_CALLS;
    if (calls < MAX_CALLS) {
      calls++;
    }
  }

  /** The newest call's return address (without popping it), or {@link #NO_EXPECTATION}. */
  long topCall() {
    return calls == 0 ? NO_EXPECTATION : callStack[(callTop + MAX_CALLS - 1) % MAX_CALLS];
  }

  /** Pops the newest call's return address, or {@link #NO_EXPECTATION} if none is known. */
  long popCall() {
    if (calls == 0 || callStack[(callTop + MAX_CALLS - 1) % MAX_CALLS] == EXCEPTION_FRAME) {
      return NO_EXPECTATION; // a return past the handler's entry goes where nothing here says
    }
    calls--;
    callTop = (callTop + MAX_CALLS - 1) % MAX_CALLS;
    return callStack[callTop];
  }

  /** An exception was taken: the handler's calls are pushed above this frame. */
  void enterException() {
    pushCall(EXCEPTION_FRAME);
  }

  /**
   * An exception return ends the handler's calls, whether or not they returned (the system-call
   * path leaves to user space by ERET from frames that never return): they are dropped down to
   * the frame its exception entered, or all of them when that entry was not seen.
   */
  void exceptionReturn() {
    while (calls > 0) {
      calls--;
      callTop = (callTop + MAX_CALLS - 1) % MAX_CALLS;
      if (callStack[callTop] == EXCEPTION_FRAME) {
        return;
      }
    }
  }

  /** Forgets the calls (the flow broke: what comes next is not known to return into them). */
  void clearCalls() {
    calls = 0;
    expectReturn = NO_EXPECTATION;
    missedReturn = false;
  }

  /**
   * The index of the first held element where this walker's history and {@code o}'s differ (they
   * share their history up to the fork that parted them), or the number held if none does.
   */
  int divergence(Walker o) {
    return out.divergence(o.out);
  }

  /**
   * Marks this walk's fork decisions from element {@code from} on (where its history and {@code
   * o}'s part) that {@code o}, merged or folded into it, ran with another word or never reached:
   * {@link FlowElements#SPLIT}, with {@link FlowElements#GAVE_UP} when a bound folded them. A
   * fork's copies share its candidate-pool index (given out in increasing order), so the same
   * fork is found in both histories; a decision both ran alike keeps {@code o}'s marks too.
   */
  void markSplit(Walker o, int from, boolean gaveUp) {
    long split = FlowElements.SPLIT | (gaveUp ? FlowElements.GAVE_UP : 0);
    int m = from; // both histories hold their forks in the order of their pool indexes
    History h = o.out;
    for (int k = from; k < out.count; k++) {
      long head = out.get(k, 0);
      if (!forkDecision(head)) {
        continue;
      }
      long pool = out.get(k, 3);
      while (m < h.count && (!forkDecision(h.get(m, 0)) || h.get(m, 3) < pool)) {
        m++;
      }
      long mark = split;
      if (m < h.count && h.get(m, 3) == pool && h.get(m, 1) == out.get(k, 1)
          && h.get(m, 2) == out.get(k, 2)) {
        mark = FlowElements.flags(h.get(m, 0)) & (FlowElements.SPLIT | FlowElements.GAVE_UP);
      }
      if (mark != 0) {
        out.or(k, 0, mark << 8);
      }
    }
  }

  /** An ambiguity a fork added (not one the walk itself decided, met or found equal). */
  static boolean forkDecision(long head) {
    return FlowElements.kind(head) == FlowElements.AMBIGUITY
        && (FlowElements.flags(head) & (FlowElements.RESOLVED | FlowElements.EQUAL
            | FlowElements.DECIDED)) == 0;
  }

  /** The assumed word at {@code at} for the current walk, or -1 if none. */
  long override(long at) {
    for (int i = 0; i < overrides; i++) {
      if (overridePc[i] == at) {
        return overrideWord[i] & 0xFFFFFFFFL;
      }
    }
    return -1;
  }

  void add(long type, long a, long b, long c, long d, long e, long timeFrom, long timeTo) {
    out.add(type, a, b, c, d, e, timeFrom, timeTo);
  }
}
