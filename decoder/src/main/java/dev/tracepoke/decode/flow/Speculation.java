package dev.tracepoke.decode.flow;

import java.util.Arrays;

/**
 * ETMv4/ETE speculation resolution (trace units with TRCIDR8.MAXSPEC &gt; 0): packets wait here, in
 * the flow decoder's packet encoding, until the P0 elements among them are committed; Cancel
 * removes the newest P0 elements, Mispredict flips the newest atom. Committed packets go on to
 * the decoder in trace order. The rules are OpenCSD 1.3.3's P0 stack:
 *
 * <ul>
 *   <li>P0 elements: each atom, an exception (counted in the speculation depth once its address
 *       packet arrived), an ETE source address, a Q element (counted once it has its address), an
 *       ETE transaction start when TRCIDR0.COMMTRANS is 0. Everything else rides along.
 *   <li>A commit releases packets oldest first until that many P0 elements went (an atom packet
 *       may be split); an exception or Q takes its context and address packets with it. Whatever
 *       is held beyond the depth MAXSPEC is committed at once.
 *   <li>A cancel drops the newest P0 elements and the packets between them, except timestamps
 *       and cycle counts (and events/markers), which stay in place.
 *   <li>A mispredict flips the newest held atom, dropping address packets held after it. As in
 *       OpenCSD, a cancel or mispredict packet's own atoms are added first.
 *   <li>An overflow or discard drops what is held except timestamps and cycle counts.
 *   <li>At the end of the trace timestamps and cycle counts before the first uncommitted P0
 *       element go out; the rest is dropped (the trace unit never resolved it).
 * </ul>
 *
 * Where OpenCSD 1.3.3 departs from the architecture it is not followed: cycle-count packets with
 * a commit field commit (1.3.3 ignores the field; fixed in later OpenCSD), and the speculation
 * depth a Trace Info reports counts elements traced before it, which commits and cancels reach
 * first.
 */
final class Speculation {
  /** What the flow decoder does with a released packet. */
  interface Release {
    void release(int type, long offset, long index, long a, long b, long c, long d, long e);
  }

  static final int STRIDE = 8;
  // packet types that matter here (the flow decoder's P_* values)
  private final int atomsType;
  private final int exceptionType;
  private final int addressType;
  private final int contextType;
  private final int sourceType;
  private final int qType;
  private final int transStartType;
  private final int timestampType;
  private final int cycleCountType;
  private final int transCommitType;
  private final int transFailType;

  private final Release out;
  private final int maxSpec;
  private final boolean transStartP0;

  private long[] held = new long[STRIDE * 64];
  /** Index (in entries) of the oldest held packet. */
  private int first;
  private int count;
  /** Uncommitted P0 elements, as OpenCSD counts them. */
  private int depth;
  /** P0 elements traced before the Trace Info that synchronised the decode (its SPEC section). */
  private int unseen;
  /** An exception or Q without address waits: the next address packet makes it count. */
  private boolean pendingAddress;

  Speculation(Release out, int maxSpec, boolean transStartP0, int atomsType, int exceptionType,
      int addressType, int contextType, int sourceType, int qType, int transStartType,
      int timestampType, int cycleCountType, int transCommitType, int transFailType) {
    this.out = out;
    this.maxSpec = maxSpec;
    this.transStartP0 = transStartP0;
    this.atomsType = atomsType;
    this.exceptionType = exceptionType;
    this.addressType = addressType;
    this.contextType = contextType;
    this.sourceType = sourceType;
    this.qType = qType;
    this.transStartType = transStartType;
    this.timestampType = timestampType;
    this.cycleCountType = cycleCountType;
    this.transCommitType = transCommitType;
    this.transFailType = transFailType;
  }

  /** Nothing held: a packet can go straight on when it is not itself speculative. */
  boolean empty() {
    return count == 0;
  }

  /** A Trace Info synchronised the decode: {@code specDepth} elements before it are unresolved. */
  void synced(int specDepth) {
    clear();
    unseen = specDepth;
  }

  void clear() {
    first = 0;
    count = 0;
    depth = 0;
    unseen = 0;
    pendingAddress = false;
  }

  /**
   * Holds a packet. {@code qWithoutAddress} marks a Q packet that waits for its address like an
   * exception.
   */
  void push(int type, long offset, long index, long a, long b, long c, long d, long e,
      boolean qWithoutAddress) {
    if (first + count == held.length / STRIDE) {
      compact();
    }
    int i = (first + count) * STRIDE;
    held[i] = type;
    held[i + 1] = offset;
    held[i + 2] = index;
    held[i + 3] = a;
    held[i + 4] = b;
    held[i + 5] = c;
    held[i + 6] = d;
    held[i + 7] = e;
    count++;
    if (type == atomsType) {
      depth += (int) b;
    } else if (type == exceptionType || (type == qType && qWithoutAddress)) {
      pendingAddress = true;
    } else if (type == sourceType || type == qType || (type == transStartType && transStartP0)) {
      depth++;
    } else if (type == addressType && pendingAddress) {
      depth++;
      pendingAddress = false;
    }
    autoCommit();
  }

  private void compact() {
    if (first > 0) {
      System.arraycopy(held, first * STRIDE, held, 0, count * STRIDE);
      first = 0;
    }
    if (count == held.length / STRIDE) {
      held = Arrays.copyOf(held, held.length * 2);
    }
  }

  private void autoCommit() {
    if (depth > maxSpec) {
      commit(depth - maxSpec);
    }
  }

  /** Whether the packet at entry {@code k} is a P0 element (atoms: one per atom). */
  private boolean p0(int type) {
    return type == atomsType || type == exceptionType || type == sourceType || type == qType
        || (type == transStartType && transStartP0);
  }

  /** Commits the {@code n} oldest uncommitted P0 elements: their packets go on, in order. */
  void commit(int n) {
    int fromUnseen = Math.min(n, unseen);
    unseen -= fromUnseen;
    n -= fromUnseen;
    while (n > 0 && count > 0) {
      int i = first * STRIDE;
      int type = (int) held[i];
      if (type == atomsType) {
        int atoms = (int) held[i + 4];
        long bits = held[i + 3];
        int m = Math.min(n, atoms);
        releaseAt(i, bits & ((1L << m) - 1), m);
        n -= m;
        depth -= m;
        if (m < atoms) {
          held[i + 3] = bits >>> m;
          held[i + 4] = atoms - m;
          return;
        }
        drop();
        continue;
      }
      boolean isP0 = p0(type);
      releaseAt(i, held[i + 4], -1);
      drop();
      if (isP0) {
        n--;
        depth--;
        if (type == exceptionType || type == qType) {
          takeAddress();
        }
      }
    }
  }

  /** After an exception or Q: its context and address packets go with it. */
  private void takeAddress() {
    while (count > 0) {
      int i = first * STRIDE;
      int type = (int) held[i];
      if (type != contextType && type != addressType) {
        return;
      }
      releaseAt(i, held[i + 4], -1);
      drop();
      if (type == addressType) {
        return;
      }
    }
  }

  private void releaseAt(int i, long b, int atoms) {
    out.release((int) held[i], held[i + 1], held[i + 2], held[i + 3],
        atoms >= 0 ? atoms : b, held[i + 5], held[i + 6], held[i + 7]);
  }

  private void drop() {
    first++;
    count--;
    if (count == 0) {
      first = 0;
    }
  }

  /** Timestamps and cycle counts survive a cancel, a discard and the end of the trace. */
  private boolean keeper(int type) {
    return type == timestampType || type == cycleCountType;
  }

  /**
   * Cancels the {@code n} newest uncommitted P0 elements. False when fewer are held (an error in
   * the trace): what is held is cancelled.
   */
  boolean cancel(int n) {
    int write = first + count; // keepers are moved up to the end, newest last
    int keep = 0;
    int k = first + count - 1;
    while (n > 0 && k >= first) {
      int i = k * STRIDE;
      int type = (int) held[i];
      if (type == atomsType) {
        int atoms = (int) held[i + 4];
        int m = Math.min(n, atoms);
        n -= m;
        depth -= m;
        if (m < atoms) {
          held[i + 4] = atoms - m;
          held[i + 3] &= (1L << (atoms - m)) - 1;
          break;
        }
      } else if (p0(type)) {
        n--;
        if (type != exceptionType || !pendingAddress) {
          depth--;
        }
        if (type == exceptionType || type == qType) {
          pendingAddress = false;
        }
      } else if (keeper(type)) {
        // kept in place: copied to the tail area, restored below
        if (write * STRIDE + STRIDE > held.length) {
          held = Arrays.copyOf(held, held.length * 2);
        }
        System.arraycopy(held, i, held, write * STRIDE, STRIDE);
        write++;
        keep++;
      }
      k--;
    }
    // entries (k, first + count) are gone; the keepers (stored newest first) go back in order
    int end = k + 1;
    for (int j = 0; j < keep; j++) {
      System.arraycopy(held, (first + count + keep - 1 - j) * STRIDE, held, (end + j) * STRIDE,
          STRIDE);
    }
    count = end + keep - first;
    if (n > 0) {
      int fromUnseen = Math.min(n, unseen);
      unseen -= fromUnseen;
      n -= fromUnseen;
    }
    return n == 0;
  }

  /**
   * Flips the newest held atom; address packets held after it are dropped. False when no atom is
   * held.
   */
  boolean mispredict() {
    for (int k = first + count - 1; k >= first; k--) {
      int i = k * STRIDE;
      int type = (int) held[i];
      if (type == atomsType) {
        int atoms = (int) held[i + 4];
        held[i + 3] ^= 1L << (atoms - 1);
        return true;
      }
      if (type == addressType) {
        System.arraycopy(held, i + STRIDE, held, i, (first + count - 1 - k) * STRIDE);
        count--;
      }
    }
    return unseen > 0;
  }

  /** Overflow or discard: only timestamps and cycle counts go on; the rest is dropped. */
  void discard() {
    for (int k = first; k < first + count; k++) {
      int i = k * STRIDE;
      if (keeper((int) held[i])) {
        releaseAt(i, held[i + 4], -1);
      }
    }
    clear();
  }

  /**
   * End of the trace: timestamps and cycle counts before the first uncommitted P0 element go on
   * (and, when nothing is speculative, transaction commits and failures); addresses and contexts
   * are dropped, and everything from that P0 element on.
   */
  void end() {
    boolean settled = depth == 0;
    for (int k = first; k < first + count; k++) {
      int i = k * STRIDE;
      int type = (int) held[i];
      if (p0(type)) {
        break;
      }
      if (keeper(type) || (settled && (type == transCommitType || type == transFailType))) {
        releaseAt(i, held[i + 4], -1);
      }
    }
    clear();
  }

  /** Uncommitted P0 elements dropped if the trace ended now (for reports). */
  int depth() {
    return depth;
  }
}
