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
  static final int MAX_OVERRIDES = 4;

  /** {@link #naccPc} when the walk did not stop at an unmapped word (never an A64 pc: odd). */
  static final long NO_NACC = 1L;

  long pc;
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

  /** Another walker with the same state was folded into this one: its history is not unique. */
  boolean merged;
  /** The trace contradicted this walker (lockstep only). */
  boolean dropped;

  /** The word this walker assumes at a site during its current walk (set by a fork). */
  final long[] overridePc = new long[MAX_OVERRIDES];
  final int[] overrideWord = new int[MAX_OVERRIDES];
  int overrides;

  long[] out = new long[STRIDE * 64];
  int outCount;

  // Return stack (TRCCONFIGR.RS) as OpenCSD keeps it: 16 entries, the oldest overwritten; a taken
  // indirect branch pops it at the next P0 element unless an address packet came first.
  final long[] retStack = new long[16];
  int retHead;
  int retCount;
  boolean popPending;
  /** Instruction set of the last address: 0 = IS0 (A64, or A32 in AArch32 state), 1 = IS1 (T32). */
  int isa;
  /** Atoms in AArch32 state since the last report: that code is not decoded. */
  long aarch32Atoms;

  void retPush(long address) {
    retHead = (retHead + 1) & 15;
    retStack[retHead] = address;
    if (retCount < 16) {
      retCount++;
    }
    popPending = false;
  }

  void retFlush() {
    retCount = 0;
    popPending = false;
  }

  Walker copy() {
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
    w.merged = merged;
    w.dropped = dropped;
    System.arraycopy(overridePc, 0, w.overridePc, 0, overrides);
    System.arraycopy(overrideWord, 0, w.overrideWord, 0, overrides);
    w.overrides = overrides;
    System.arraycopy(retStack, 0, w.retStack, 0, 16);
    w.retHead = retHead;
    w.retCount = retCount;
    w.popPending = popPending;
    w.isa = isa;
    w.aarch32Atoms = aarch32Atoms;
    w.out = Arrays.copyOf(out, Math.max(out.length, STRIDE * 64));
    w.outCount = outCount;
    return w;
  }

  /** Same position and state: from here on both walkers would do exactly the same. */
  boolean sameState(Walker o) {
    // a walk waiting for an address has no pc yet: the address will set both alike
    return (needAddress || pc == o.pc)
        && needAddress == o.needAddress
        && naccPc == o.naccPc
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
        && retCount == o.retCount
        && retHead == o.retHead
        && Arrays.equals(retStack, o.retStack);
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
    int i = outCount * STRIDE;
    if (i + STRIDE > out.length) {
      out = Arrays.copyOf(out, out.length * 2);
    }
    out[i] = type;
    out[i + 1] = a;
    out[i + 2] = b;
    out[i + 3] = c;
    out[i + 4] = d;
    out[i + 5] = e;
    out[i + 6] = timeFrom;
    out[i + 7] = timeTo;
    outCount++;
  }
}
