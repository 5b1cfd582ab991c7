package dev.tracepoke.decode.flow;

import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * The elements a walker holds, in {@link FlowElements}' encoding, in chunks of {@link #CHUNK}.
 * A fork's copies share the chunks written before it (a fork group's walks part at the group's
 * first fork, but walks forked later share everything before their own fork), and a chunk is
 * copied only when a walk writes into one it shares: memory grows where histories differ.
 */
final class History {
  static final int SHIFT = 6;
  static final int CHUNK = 1 << SHIFT;
  private static final int STRIDE = FlowElements.STRIDE;

  long[][] chunks = new long[4][];
  int count;
  /** Chunks below this index may be shared with copies: copied before they are written. */
  private int ownedFrom;

  private int used() {
    return (count + CHUNK - 1) >>> SHIFT;
  }

  /** A copy that shares every chunk with this history (both copy a chunk before writing it). */
  History share() {
    History h = new History();
    int used = used();
    h.chunks = new long[Math.max(4, used)][];
    System.arraycopy(chunks, 0, h.chunks, 0, used); // not the chunks past them: this one's to reuse
    h.count = count;
    h.ownedFrom = used;
    ownedFrom = used;
    return h;
  }

  /** Forgets the elements (they were delivered). */
  void clear() {
    if (ownedFrom > 0) {
      chunks = new long[4][]; // others may still hold the old chunks
      ownedFrom = 0;
    }
    count = 0;
  }

  private void own(int c) {
    for (int j = c; j < ownedFrom; j++) {
      chunks[j] = chunks[j].clone();
    }
    ownedFrom = c;
  }

  void add(long type, long a, long b, long c, long d, long e, long timeFrom, long timeTo) {
    int k = count >>> SHIFT;
    int i = (count & (CHUNK - 1)) * STRIDE;
    if (k < ownedFrom) {
      own(k);
    } else if (i == 0) {
      if (k == chunks.length) {
        chunks = Arrays.copyOf(chunks, k * 2);
      }
      if (chunks[k] == null) {
        chunks[k] = new long[CHUNK * STRIDE];
      }
    }
    long[] x = chunks[k];
    x[i] = type;
    x[i + 1] = a;
    x[i + 2] = b;
    x[i + 3] = c;
    x[i + 4] = d;
    x[i + 5] = e;
    x[i + 6] = timeFrom;
    x[i + 7] = timeTo;
    count++;
  }

  /** Field {@code f} of element {@code k}. */
  long get(int k, int f) {
    return chunks[k >>> SHIFT][(k & (CHUNK - 1)) * STRIDE + f];
  }

  /** Sets {@code bits} in field {@code f} of element {@code k} (its chunk is this walk's after). */
  void or(int k, int f, long bits) {
    int c = k >>> SHIFT;
    if (c < ownedFrom) {
      own(c);
    }
    chunks[c][(k & (CHUNK - 1)) * STRIDE + f] |= bits;
  }

  /** Appends elements {@code from} to {@code to} of {@code o}. */
  void append(History o, int from, int to) {
    for (int k = from; k < to; k++) {
      long[] x = o.chunks[k >>> SHIFT];
      int i = (k & (CHUNK - 1)) * STRIDE;
      add(x[i], x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7]);
    }
  }

  /**
   * The index of the first element where this history and {@code o} differ, or the shorter
   * one's length if neither does before it ends.
   */
  int divergence(History o) {
    int n = Math.min(count, o.count);
    for (int c = 0; c << SHIFT < n; c++) {
      long[] a = chunks[c];
      long[] b = o.chunks[c];
      int end = Math.min(CHUNK, n - (c << SHIFT)) * STRIDE;
      if (a == b) {
        continue; // shared since a fork: equal as far as both hold it
      }
      int m = Arrays.mismatch(a, 0, end, b, 0, end);
      if (m >= 0) {
        return (c << SHIFT) + m / STRIDE;
      }
    }
    return n;
  }

  /** Adds the elements of chunks not seen yet to {@code seen}'s total: memory held, shared once. */
  static long distinct(History h, IdentityHashMap<long[], Boolean> seen) {
    long n = 0;
    int used = h.used();
    for (int c = 0; c < used; c++) {
      if (seen.put(h.chunks[c], Boolean.TRUE) == null) {
        n += Math.min(CHUNK, h.count - (c << SHIFT));
      }
    }
    return n;
  }
}
