package dev.tracepoke.decode.image;

import java.util.Arrays;

/**
 * The blocks one atom packet walks, remembered by where the walk started and the packet's atoms,
 * on an image without writes: the walk's next visit with the same atoms replays the ranges
 * without looking up a block per atom or branching on each atom's outcome (what makes a walk
 * slow: one dependent lookup and one unpredictable branch per atom). Only runs in which every
 * atom ended its block at a conditional or direct branch are kept, but for the last, which may
 * also end at a taken indirect branch or return (the walk then waits for its target), so a run is
 * the image's answer alone, the same for every walk that starts there.
 *
 * <p>A range is one long: its start as an offset from the run's start, its instructions and end
 * kind. A replay's cost is mostly the cache misses of reading its run (the table and pool outgrow
 * a core's L2 on a kernel's code): with two longs a range the whole decode of bugfix-exact-match
 * took 19 % longer. Runs whose ranges do not pack are not kept (user code far from the
 * libraries it calls, say).
 *
 * <p>Direct-mapped: a new run evicts the one at its position. The ranges live in a pool that
 * grows with the runs kept, from 64 KiB to 1 MiB (a core may hold 64 process caches, most of them
 * small), and is emptied, with the table, when full at its largest, so memory stays bounded. Not
 * thread-safe (one per {@link BlockCache}); decoders of one stream on several threads share what
 * they keep through a {@link SharedRuns} ({@link #share}).
 */
public final class BlockRuns {
  /**
   * Set in a run's end pc ({@link #endPc}; instructions are 4-aligned) when its last atom was
   * taken on an indirect branch or a return: the end pc is that branch's, and the walk waits
   * there for the target.
   */
  public static final long WAITS = 1;

  /** Longest run kept (atoms of one packet: format 6 holds up to 24). */
  public static final int MAX_ATOMS = 24;

  private static final int MIN_TABLE_BITS = 10;
  private static final int MAX_TABLE_BITS = 14;
  /** Pool longs per table position (runs of about 4 ranges fill both alike). */
  private static final int POOL_PER_POSITION = 8;
  /** Longest range a run keeps (instructions: 22 bits of a packed range). */
  private static final int MAX_RANGE = (1 << 22) - 1;
  private int tableBits = MIN_TABLE_BITS;
  // per position, 4 longs read together: start pc, atoms code (0: empty), end pc, pool index << 32
  // | the slot of the run's last block (a hint for the walk's next lookup)
  private long[] table = new long[4 << MIN_TABLE_BITS];
  // per range, 1 long: (start - the run's pc) / 4 << 32 | instructions << 10 | link << 9 |
  // taken << 8 | last kind
  private long[] pool = new long[POOL_PER_POSITION << MIN_TABLE_BITS];
  private int used;
  private long replays;
  private long copies;
  private SharedRuns shared;
  /**
   * A run as {@link SharedRuns} holds it: start pc, atoms code, end pc, then its packed ranges
   * from this index on.
   */
  static final int RANGES = 3;
  /** A run being kept, as published, where none is. */
  private final long[] scratch = new long[RANGES + MAX_ATOMS];

  /**
   * The description of a range that {@link #add} takes, the low half of a {@link #packed} range:
   * instructions, end kind and outcome.
   */
  public static long word(int instructions, int lastKind, boolean taken, boolean link) {
    return (long) instructions << 10 | (taken ? 1 << 8 : 0) | (link ? 1 << 9 : 0) | lastKind;
  }

  /** The code of {@code count} atoms with outcomes {@code bits} (bit i: atom i taken); never 0. */
  public static long code(int bits, int count) {
    return (long) count << 32 | (bits & ((1L << count) - 1));
  }

  private int position(long pc, long code) {
    long h = (pc ^ code * 0x9E3779B97F4A7C15L) * 0xC2B2AE3D27D4EB4FL;
    return (int) (h >>> (64 - tableBits));
  }

  /**
   * Learns from and publishes to {@code shared} (null: keeps to itself): a run not kept here but
   * published there is copied in by {@link #find}, and every run {@link #add} keeps is published.
   */
  public void share(SharedRuns shared) {
    this.shared = shared;
  }

  /** The table index of the run from {@code pc} with atoms {@code code}, or -1. */
  public int find(long pc, long code) {
    int e = position(pc, code) << 2;
    if (table[e] == pc && table[e + 1] == code) {
      replays++;
      return e;
    }
    return shared == null ? -1 : copy(pc, code);
  }

  /** A run another decoder published, kept here too; its index, or -1 if none was. */
  private int copy(long pc, long code) {
    long[] r = shared.get(pc, code);
    if (r == null) {
      return -1;
    }
    // its last block's slot is another cache's: no hint (-1)
    int e = keep(pc, code, r, r[2], -1);
    replays++;
    copies++;
    return e;
  }

  /** Where the walk goes on after run {@code e}. */
  public long endPc(int e) {
    return table[e + 2];
  }

  /** The slot of run {@code e}'s last block. */
  public int lastSlot(int e) {
    return (int) table[e + 3];
  }

  /** Pool index of run {@code e}'s first range (the next are at the next indexes). */
  public int first(int e) {
    return (int) (table[e + 3] >>> 32);
  }

  /** Start pc of run {@code e}'s range at pool index {@code r}. */
  public long start(int e, int r) {
    return table[e] + ((pool[r] >> 32) << 2);
  }

  /** The range at pool index {@code r}: {@link #instructions}, and bits 0-9 as {@link #word}'s. */
  public long packed(int r) {
    return pool[r];
  }

  /** The instructions of a {@link #packed} range. */
  public static int instructions(long packed) {
    return (int) packed >>> 10;
  }

  /**
   * Keeps a run: {@code ranges[2i]} and {@code ranges[2i+1]} are the start and {@link #word} of
   * the range atom i ended, for each of the code's atoms.
   */
  public void add(long pc, long code, long[] ranges, long endPc, int lastSlot) {
    int n = (int) (code >>> 32);
    for (int i = 0; i < n; i++) {
      long delta = ranges[2 * i] - pc;
      if ((delta & 3) != 0 || (delta >> 2) != (int) (delta >> 2)
          || (ranges[2 * i + 1] >>> 10) > MAX_RANGE) {
        return; // a range too far from the start (4-byte units in an int) or too long to pack
      }
    }
    long[] packed = shared == null ? scratch : new long[RANGES + n];
    for (int i = 0; i < n; i++) {
      packed[RANGES + i] = ((ranges[2 * i] - pc) >> 2) << 32 | ranges[2 * i + 1];
    }
    keep(pc, code, packed, endPc, lastSlot);
    if (shared != null) {
      packed[0] = pc;
      packed[1] = code;
      packed[2] = endPc;
      shared.put(packed);
    }
  }

  /** Keeps a run whose packed ranges are {@code packed[RANGES..]}; its table index. */
  private int keep(long pc, long code, long[] packed, long endPc, int lastSlot) {
    int n = (int) (code >>> 32);
    if (used + n > pool.length) {
      if (tableBits < MAX_TABLE_BITS) {
        grow();
      } else {
        Arrays.fill(table, 0);
        used = 0;
      }
    }
    int e = position(pc, code) << 2;
    System.arraycopy(packed, RANGES, pool, used, n);
    table[e] = pc;
    table[e + 1] = code;
    table[e + 2] = endPc;
    table[e + 3] = (long) used << 32 | (lastSlot & 0xFFFFFFFFL);
    used += n;
    return e;
  }

  /** Four times the table and the pool (up to the bound); the runs kept move to their new positions. */
  private void grow() {
    long[] old = table;
    tableBits = Math.min(MAX_TABLE_BITS, tableBits + 2);
    table = new long[4 << tableBits];
    pool = Arrays.copyOf(pool, POOL_PER_POSITION << tableBits);
    for (int e = 0; e < old.length; e += 4) {
      if (old[e + 1] != 0) {
        System.arraycopy(old, e, table, position(old[e], old[e + 1]) << 2, 4);
      }
    }
  }

  /** Longs held (table and pool), for tests of the bound. */
  long footprint() {
    return table.length + pool.length;
  }

  /** Runs replayed so far (copies included). */
  public long replays() {
    return replays;
  }

  /** Runs copied from {@link #share}'s store so far. */
  public long copies() {
    return copies;
  }

  /** Forgets every run. */
  public void clear() {
    Arrays.fill(table, 0);
    used = 0;
  }
}
