package dev.tracepoke.decode.flow;

/**
 * A walk that differs from its host walker only in return-stack entries below the newest ones
 * they share (same pc, call stack, packets read the same way). From the point it was folded into
 * the host it does exactly what the host does until the host pops an entry the two do not share,
 * so it waits dormant: it keeps its own history up to that point and its own older entries, and
 * its history goes on with the host's. It wakes as a walker of its own before that pop ({@link
 * Walker#wake}), or rejoins the host once its own entries are gone (a Trace Info empties the
 * stack, or sixteen newer entries overwrite them). Walks that took a patch site differently and
 * met again with a stale entry left at the bottom of the trace unit's return stack would otherwise
 * each hold the same long history until that entry is popped or flushed.
 */
final class Shadow {
  /**
   * Its history up to {@link #from}; never written in place once the shadow exists, so the
   * copies a fork of the host makes share it, object and all (and are recognised by it as one walk's copies).
   */
  History out;
  /** The host's index from which this walk's history is the host's. */
  int from;
  /** The host's newest return-stack entries that are this walk's newest too. */
  int above;
  /** Its own entries, below the {@link #above} shared ones, newest at {@link #retHead}. */
  final long[] retStack = new long[16];
  int retHead;
  int retCount;
  boolean retUnknown;
  /** {@link Walker#certain} and {@link Walker#certainAgain} in its own history. */
  int certain;
  int certainAgain;
  /**
   * The same in the host's indexes (from {@link #from} on): set when the host merged with a walk
   * that carried a copy of this shadow, so this walk merged with that copy too.
   */
  int hostCertain = Integer.MAX_VALUE;
  int hostCertainAgain;
  boolean relaxed;

  Shadow copy() {
    Shadow s = new Shadow();
    s.out = out;
    s.from = from;
    s.above = above;
    System.arraycopy(retStack, 0, s.retStack, 0, 16);
    s.retHead = retHead;
    s.retCount = retCount;
    s.retUnknown = retUnknown;
    s.certain = certain;
    s.certainAgain = certainAgain;
    s.hostCertain = hostCertain;
    s.hostCertainAgain = hostCertainAgain;
    s.relaxed = relaxed;
    return s;
  }

  /** Own entries still in view below the shared ones (the stack holds sixteen). */
  int ownVisible() {
    return Math.min(retCount, 16 - above);
  }

  /** Own entry {@code k} below the shared ones (0: the newest of them). */
  long own(int k) {
    return retStack[(retHead - k) & 15];
  }

  /** Pushes an entry newer than its own ones (the oldest is overwritten past sixteen). */
  void pushOwn(long address) {
    retHead = (retHead + 1) & 15;
    retStack[retHead] = address;
    if (retCount < 16) {
      retCount++;
    }
  }

  /** Another copy of the same dormant walk, in the same place relative to an equal host. */
  boolean twin(Shadow o) {
    return out == o.out && from == o.from && above == o.above;
  }

  /**
   * Takes the host's history from {@link #from} up to {@code host}'s end into its own, and goes
   * on with the host's from {@code next} (the host is about to be marked by a merge this walk has
   * no part in, or this walk moves to another host).
   */
  void follow(Walker host, int next) {
    int own = out.count;
    History o = out.share();
    o.append(host.out, from, host.out.count);
    if (hostCertain != Integer.MAX_VALUE) {
      certain = Math.min(certain, hostCertain - from + own);
      certainAgain = hostCertainAgain - from + own;
      hostCertain = Integer.MAX_VALUE;
    }
    out = o;
    from = next;
  }
}
