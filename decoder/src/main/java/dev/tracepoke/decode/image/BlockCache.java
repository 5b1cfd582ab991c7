package dev.tracepoke.decode.image;

import dev.tracepoke.decode.a64.A64;
import java.util.Arrays;

/**
 * Decoded basic blocks of an {@link ImageTimeline}: from a start pc, the instructions up to and
 * including the first waypoint (the point where the trace must say what happened).
 *
 * <p>Each block remembers the image versions over which its bytes stay the same ({@link
 * ImageTimeline#validity}), so a write invalidates only the blocks it overlaps; a pc may hold
 * several blocks for different version ranges (the old and the new word of a site, walked in
 * lockstep). Blocks live in parallel primitive arrays indexed by a slot number; {@link
 * #lookup} allocates nothing on a hit. One cache per decoding thread (not thread-safe).
 */
public final class BlockCache {
  /** {@link #endClass}: the walk reached a word that is not in the image; nextPc is that word. */
  public static final int END_NOT_MAPPED = -1;
  /** {@link #endClass}: the walk stopped after {@code maxInstructions}; continue at nextPc. */
  public static final int END_LIMIT = -2;
  /** {@link #trapPc}: the block holds no exception-generating instruction (never an A64 pc: odd). */
  public static final long NO_TRAP = -1L;

  private final ImageTimeline image;
  private final boolean pauthBranches;
  private final boolean wfxWaypoints;
  private final boolean tstartWaypoints;
  private final int maxInstructions;
  private final int maxBlocks;
  /** False for an image without writes: one block per pc, valid in the only version. */
  private final boolean versioned;

  // pc -> slot + 1 of the newest block there (0: empty), open addressing; the key is the slot's
  // start, checked in the hot entry a walk reads next anyway, so the table costs 4 bytes a position.
  private int[] head = new int[8192];
  private int headMask = 8191;
  private int headUsed;
  // What a walk reads of a block sits together, 32 bytes a slot: start, target, trap pc, and
  // count (high int) with end class (low int); the last pc is start + 4 * count - 4 however the
  // walk ended. Parallel arrays cost a cache line per field read (profiled on real trace).
  private static final int STRIDE = 4;
  private static final int F_START = 0;
  private static final int F_TARGET = 1;
  private static final int F_TRAP = 2;
  private static final int F_COUNT_END = 3;
  private long[] hot = new long[256 * STRIDE];
  private int[] validFrom = new int[256];
  private int[] validTo = new int[256];
  private int[] chain = new int[256];
  private boolean[] touchesPoke = new boolean[256];
  // On an image without writes: the block that followed each block's waypoint, not taken (2 * slot)
  // and taken (2 * slot + 1), as slot + 1 (0: none yet), so a walk goes from block to block
  // without hashing its pc. A hint only: it is used when that block starts at the pc asked for.
  private int[] after = new int[256 * 2];
  /** The image has table sites open for all time (blocks over them are walked word by word). */
  private final boolean hasOpen;
  private int size;
  private BlockRuns runs;

  private long hits;
  private long misses;
  private long invalidations;
  private long clears;

  /**
   * @param image the code
   * @param pauthBranches whether PAuth branches are waypoints (architecture v8.3 and later)
   * @param wfxWaypoints whether WFI/WFE/WFIT/WFET are waypoints (ETMv4.3+ with WFXMODE)
   * @param maxInstructions longest block; a longer straight run is split ({@link #END_LIMIT})
   * @param maxBlocks when this many blocks are held, the next miss empties the cache first
   */
  public BlockCache(
      ImageTimeline image,
      boolean pauthBranches,
      boolean wfxWaypoints,
      int maxInstructions,
      int maxBlocks) {
    this(image, pauthBranches, wfxWaypoints, false, maxInstructions, maxBlocks);
  }

  /**
   * @param tstartWaypoints whether TSTART is a waypoint (OpenCSD: architecture "AA64", v8.4 on)
   */
  public BlockCache(
      ImageTimeline image,
      boolean pauthBranches,
      boolean wfxWaypoints,
      boolean tstartWaypoints,
      int maxInstructions,
      int maxBlocks) {
    if (maxInstructions < 1 || maxBlocks < 1) {
      throw new IllegalArgumentException(
          "maxInstructions and maxBlocks must be >= 1, got " + maxInstructions + ", " + maxBlocks);
    }
    this.image = image;
    this.pauthBranches = pauthBranches;
    this.wfxWaypoints = wfxWaypoints;
    this.tstartWaypoints = tstartWaypoints;
    this.maxInstructions = maxInstructions;
    this.maxBlocks = maxBlocks;
    this.versioned = image.versionCount() > 1;
    this.hasOpen = image.hasOpenSites();
  }

  /** A cache with blocks of at most 4096 instructions and at most 2^20 blocks. */
  public BlockCache(ImageTimeline image, boolean pauthBranches, boolean wfxWaypoints) {
    this(image, pauthBranches, wfxWaypoints, false, 4096, 1 << 20);
  }

  /** As {@link #BlockCache(ImageTimeline, boolean, boolean)}, TSTART a waypoint or not. */
  public BlockCache(ImageTimeline image, boolean pauthBranches, boolean wfxWaypoints,
      boolean tstartWaypoints) {
    this(image, pauthBranches, wfxWaypoints, tstartWaypoints, 4096, 1 << 20);
  }

  /** Whether the walk stops at an instruction of class {@code cls} (an {@link A64#classify} result). */
  public boolean isWaypoint(int cls) {
    return A64.isWaypoint(cls, pauthBranches, wfxWaypoints, tstartWaypoints);
  }

  /** The slot of the block starting at {@code pc} in image {@code version}, decoding it on a miss. */
  public int lookup(long pc, int version) {
    int pos = position(pc);
    int first = head[pos] - 1;
    if (first >= 0 && !versioned) {
      hits++; // the common case on a static image: no version check, one array touched
      return first;
    }
    for (int s = first; s >= 0; s = chain[s]) {
      if (validFrom[s] <= version && version < validTo[s]) {
        hits++;
        return s;
      }
    }
    misses++;
    if (first >= 0) {
      invalidations++; // blocks exist at pc, but a write between their versions and this one changed them
    }
    if (size >= maxBlocks) {
      clear();
      clears++;
      first = -1;
      pos = position(pc);
    }
    return fill(pc, version, first, pos);
  }

  /**
   * The slot of the block starting at {@code pc} in image {@code version}, where the walk reached
   * {@code pc} from the waypoint of block {@code from} ({@code -1}: from elsewhere) going {@code
   * taken}: on an image without writes the block that followed last time, if it starts at {@code
   * pc}, else {@link #lookup}.
   */
  public int next(int from, boolean taken, long pc, int version) {
    if (from < 0 || versioned) {
      return lookup(pc, version);
    }
    int k = 2 * from + (taken ? 1 : 0);
    int s = after[k] - 1;
    if (s >= 0 && hot[s * STRIDE + F_START] == pc) {
      hits++;
      return s;
    }
    s = lookup(pc, version);
    if (k < after.length) {
      after[k] = s + 1;
    }
    return s;
  }

  private static int hash(long pc) {
    long h = pc * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** Position of {@code pc}'s slot in {@link #head}, or of the empty position where it would go. */
  private int position(long pc) {
    int[] t = head;
    long[] e = hot;
    int mask = headMask;
    int i = hash(pc) & mask;
    for (int v; (v = t[i]) != 0 && e[(v - 1) * STRIDE + F_START] != pc; ) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private void rehash() {
    int[] old = head;
    head = new int[old.length * GROWTH];
    headMask = head.length - 1;
    for (int v : old) {
      if (v != 0) {
        head[position(hot[(v - 1) * STRIDE + F_START])] = v;
      }
    }
  }

  private int fill(long pc, int version, int next, int pos) {
    int s = size;
    if (s == chain.length) {
      grow();
    }
    int n = 0;
    long at = pc;
    int end;
    long trapAt = NO_TRAP;
    long tgt = -1L;
    while (true) {
      long w = image.read32(at, version);
      if (w == MemoryImage.NOT_MAPPED) {
        end = END_NOT_MAPPED;
        break;
      }
      int cls = A64.classify((int) w);
      n++;
      if (trapAt == NO_TRAP && traps(cls)) {
        trapAt = at;
      }
      if (A64.isWaypoint(cls, pauthBranches, wfxWaypoints, tstartWaypoints)) {
        end = cls;
        tgt = A64.hasDirectTarget(cls) ? A64.directTarget((int) w, at) : -1L;
        break;
      }
      if (n == maxInstructions) {
        end = END_LIMIT;
        break;
      }
      at += 4;
    }
    int b = s * STRIDE;
    hot[b + F_START] = pc;
    hot[b + F_TARGET] = tgt;
    hot[b + F_TRAP] = trapAt;
    hot[b + F_COUNT_END] = (long) n << 32 | (end & 0xFFFFFFFFL);
    // Bytes the block depends on: every word read, the unmapped one included.
    long validity = image.validity(pc, at + 4, version);
    validFrom[s] = (int) (validity >>> 32);
    validTo[s] = (int) validity;
    touchesPoke[s] = validFrom[s] != 0 || validTo[s] != image.versionCount()
        || (hasOpen && image.touchesOpenSite(pc, at + 4));
    chain[s] = next;
    head[pos] = s + 1;
    size++;
    if (next < 0 && ++headUsed * 2 > headMask) {
      rehash();
    }
    return s;
  }

  /**
   * How much the slots and the table grow at a time: a kernel's trace fills tens of thousands of
   * blocks from 256, and doubling copied and rehashed often enough to show in a decode's profile.
   */
  private static final int GROWTH = 4;

  private void grow() {
    int n = chain.length * GROWTH;
    hot = Arrays.copyOf(hot, n * STRIDE);
    validFrom = Arrays.copyOf(validFrom, n);
    validTo = Arrays.copyOf(validTo, n);
    chain = Arrays.copyOf(chain, n);
    touchesPoke = Arrays.copyOf(touchesPoke, n);
    after = Arrays.copyOf(after, 2 * n);
  }

  /** The code this cache decodes. */
  public ImageTimeline image() {
    return image;
  }

  /** Whether PAuth branches end blocks. */
  public boolean pauthBranches() {
    return pauthBranches;
  }

  /** Whether WFI/WFE/WFIT/WFET end blocks. */
  public boolean wfxWaypoints() {
    return wfxWaypoints;
  }

  /**
   * The runs of atoms over this cache's blocks ({@link BlockRuns}), made on first use; null on an
   * image with writes, where a run would have to be checked block by block.
   */
  public BlockRuns runs() {
    if (runs == null && !versioned) {
      runs = new BlockRuns();
    }
    return runs;
  }

  /** Drops every block (slots handed out before become invalid). */
  public void clear() {
    if (runs != null) {
      runs.clear();
    }
    Arrays.fill(head, 0);
    Arrays.fill(after, 0);
    headUsed = 0;
    size = 0;
  }

  /** First instruction of the block. */
  public long start(int slot) {
    return hot[slot * STRIDE + F_START];
  }

  /** Instructions in the block, the waypoint included (0: the start itself is not mapped). */
  public int count(int slot) {
    return (int) (hot[slot * STRIDE + F_COUNT_END] >>> 32);
  }

  /**
   * The {@link A64#classify} result of the waypoint ending the block, or {@link #END_NOT_MAPPED},
   * {@link #END_LIMIT}.
   */
  public int endClass(int slot) {
    return (int) hot[slot * STRIDE + F_COUNT_END];
  }

  /** Address of the last instruction in the block (start - 4 for an empty block). */
  public long lastPc(int slot) {
    return nextPc(slot) - 4;
  }

  /** Where execution continues when the waypoint is not taken (or the unmapped word / split point). */
  public long nextPc(int slot) {
    int b = slot * STRIDE;
    return hot[b + F_START] + 4L * (int) (hot[b + F_COUNT_END] >>> 32);
  }

  /**
   * The first instruction of the block that always takes an exception when it executes (SVC, HVC,
   * SMC, BRK, UDF, DCPS; not HLT, which may halt instead), or {@link #NO_TRAP}. An atom cannot walk
   * past such an instruction: the trace would show an Exception packet there.
   */
  public long trapPc(int slot) {
    return hot[slot * STRIDE + F_TRAP];
  }

  /** True for the instructions {@link #trapPc} reports. */
  public static boolean traps(int cls) {
    int k = cls & A64.KIND_MASK;
    return A64.isExceptionGenerating(cls) && k != A64.HLT;
  }

  /** Target of a DIRECT or COND waypoint, else -1. */
  public long target(int slot) {
    return hot[slot * STRIDE + F_TARGET];
  }

  /** True when some text-poke write overlaps the block's bytes (its content is version-dependent). */
  public boolean touchesPoke(int slot) {
    return touchesPoke[slot];
  }

  /** First image version in which the block is the same. */
  public int validFrom(int slot) {
    return validFrom[slot];
  }

  /** First image version after {@link #validFrom} in which it differs (exclusive). */
  public int validTo(int slot) {
    return validTo[slot];
  }

  /** Blocks held. */
  public int size() {
    return size;
  }

  public long hits() {
    return hits;
  }

  public long misses() {
    return misses;
  }

  /** Misses at a pc that had blocks, none valid in the asked version. */
  public long invalidations() {
    return invalidations;
  }

  /** Times the cache was emptied because it held {@code maxBlocks} blocks. */
  public long clears() {
    return clears;
  }
}
