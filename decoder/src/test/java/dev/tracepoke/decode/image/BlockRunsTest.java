package dev.tracepoke.decode.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tracepoke.decode.a64.A64;
import org.junit.jupiter.api.Test;

class BlockRunsTest {
  static final long F = 0xffff800008000000L;

  @Test
  void aRunIsFoundByItsStartAndAtomsAndGivesBackItsRanges() {
    BlockRuns runs = new BlockRuns();
    long code = BlockRuns.code(0b01, 2);
    long[] ranges = {F, BlockRuns.word(3, A64.COND, true, false),
        F + 0x40, BlockRuns.word(1, A64.DIRECT, false, true)};
    runs.add(F, code, ranges, F + 0x44, 7);
    assertEquals(-1, runs.find(F + 4, code));
    assertEquals(-1, runs.find(F, BlockRuns.code(0b01, 3)), "same bits, another count");
    assertEquals(-1, runs.find(F, BlockRuns.code(0b11, 2)));
    int e = runs.find(F, code);
    assertNotEquals(-1, e);
    assertEquals(F + 0x44, runs.endPc(e));
    assertEquals(7, runs.lastSlot(e));
    int r = runs.first(e);
    assertEquals(F, runs.start(e, r));
    assertEquals(3, BlockRuns.instructions(runs.packed(r)));
    assertEquals(1 << 8 | A64.COND, runs.packed(r) & 0x3FF);
    assertEquals(F + 0x40, runs.start(e, r + 1));
    assertEquals(1, BlockRuns.instructions(runs.packed(r + 1)));
    assertEquals(1 << 9 | A64.DIRECT, runs.packed(r + 1) & 0x3FF);
    assertEquals(1, runs.replays());
  }

  @Test
  void codesIgnoreBitsBeyondTheCount() {
    assertEquals(BlockRuns.code(0b1, 1), BlockRuns.code(0b11, 1));
    assertEquals(1L << 32 | 1, BlockRuns.code(0b1, 1));
    assertEquals(24L << 32 | 0xFFFFFF, BlockRuns.code(-1, 24));
  }

  /** {@code ranges}, made the ranges of a run from {@code pc} that all start there. */
  static long[] from(long pc, long[] ranges) {
    for (int i = 0; i < ranges.length; i += 2) {
      ranges[i] = pc;
    }
    return ranges;
  }

  /**
   * A run one decoder keeps is copied by another that shares the store, whole (its waiting end
   * too) but for its last block's slot, which was the other cache's; one that does not share
   * finds nothing.
   */
  @Test
  void aRunKeptByOneIsCopiedByAnotherSharingTheStore() {
    SharedRuns store = new SharedRuns();
    BlockRuns keeper = new BlockRuns();
    BlockRuns other = new BlockRuns();
    BlockRuns alone = new BlockRuns();
    keeper.share(store);
    other.share(store);
    long code = BlockRuns.code(0b01, 2);
    long[] ranges = {F, BlockRuns.word(3, A64.COND, true, false),
        F + 0x40, BlockRuns.word(1, A64.DIRECT, false, true)};
    keeper.add(F, code, ranges, F + 0x44 | BlockRuns.WAITS, 7);
    assertEquals(-1, alone.find(F, code));
    assertEquals(-1, other.find(F, BlockRuns.code(0b11, 2)), "another run is not there");
    int e = other.find(F, code);
    assertNotEquals(-1, e);
    assertEquals(F + 0x44 | BlockRuns.WAITS, other.endPc(e));
    assertEquals(-1, other.lastSlot(e));
    int r = other.first(e);
    assertEquals(F, other.start(e, r));
    assertEquals(3, BlockRuns.instructions(other.packed(r)));
    assertEquals(1 << 8 | A64.COND, other.packed(r) & 0x3FF);
    assertEquals(F + 0x40, other.start(e, r + 1));
    assertEquals(1 << 9 | A64.DIRECT, other.packed(r + 1) & 0x3FF);
    assertEquals(e, other.find(F, code), "kept now");
    assertEquals(1, other.copies());
    assertEquals(2, other.replays());
    assertEquals(0, keeper.copies());
  }

  @Test
  void aFullPoolEmptiesTheTableSoMemoryStaysBounded() {
    BlockRuns runs = new BlockRuns();
    long[] ranges = new long[2 * BlockRuns.MAX_ATOMS];
    long code = BlockRuns.code(0, BlockRuns.MAX_ATOMS);
    // the pool holds 2^17 longs, a long a range: 5461 runs of 24 ranges, the 5462nd empties it
    for (int i = 0; i < 5461; i++) {
      runs.add(F + 4L * i, code, from(F + 4L * i, ranges), F, 0);
    }
    assertNotEquals(-1, runs.find(F + 4L * 5460, code), "the newest run is there before");
    runs.add(F + 4L * 5461, code, from(F + 4L * 5461, ranges), F, 0);
    for (int i = 0; i < 5461; i++) {
      assertEquals(-1, runs.find(F + 4L * i, code));
    }
    assertNotEquals(-1, runs.find(F + 4L * 5461, code));
  }

  @Test
  void runsStartSmallAndGrowToABound() {
    BlockRuns runs = new BlockRuns();
    assertEquals((4 << 10) + (8 << 10), runs.footprint(), "96 KiB for a cache that walks little");
    long[] ranges = new long[2 * BlockRuns.MAX_ATOMS];
    long code = BlockRuns.code(0, 4);
    for (int i = 0; i < 5_000; i++) {
      runs.add(F + 4L * i, code, from(F + 4L * i, ranges), F, 0);
    }
    assertEquals((4 << 12) + (8 << 12), runs.footprint(), "grown for 5,000 runs of 4 atoms (4 longs each)");
    assertNotEquals(-1, runs.find(F + 4L * 4_999, code));
    for (int i = 0; i < 1_000_000; i++) {
      runs.add(F + 4L * i, code, from(F + 4L * i, ranges), F, 0);
    }
    assertEquals((4 << 14) + (8 << 14), runs.footprint(), "1.5 MiB at most");
  }

  /**
   * A run keeps its end (with {@link BlockRuns#WAITS}), last block and ranges exactly, a range
   * before its start too; one whose range is too far from its start to pack is not kept.
   */
  @Test
  void rangesComeBackExactlyAndRunsThatDoNotPackAreNotKept() {
    BlockRuns runs = new BlockRuns();
    long code = BlockRuns.code(0b1, 1);
    long[] one = {F - 0x1000, BlockRuns.word(5, A64.RETURN, true, false)};
    runs.add(F, code, one, (F - 0x1000 + 16) | BlockRuns.WAITS, 0x7FFFFFFF);
    int e = runs.find(F, code);
    assertEquals((F - 0xff0) | BlockRuns.WAITS, runs.endPc(e));
    assertEquals(0x7FFFFFFF, runs.lastSlot(e));
    assertEquals(F - 0x1000, runs.start(e, runs.first(e)));
    assertEquals(5, BlockRuns.instructions(runs.packed(runs.first(e))));
    assertEquals(1 << 8 | A64.RETURN, runs.packed(runs.first(e)) & 0x3FF);
    long user = 0x0000_aaaa_0000_1000L;
    runs.add(user, code, new long[] {0x0000_ffff_8000_0000L, 0}, user + 4, 1);
    assertEquals(-1, runs.find(user, code), "a range 85 TB away");
    runs.add(user, code, new long[] {user, BlockRuns.word(1 << 22, A64.COND, true, false)}, user + 4, 1);
    assertEquals(-1, runs.find(user, code), "a range of 2^22 instructions");
    runs.add(user, code, new long[] {user, BlockRuns.word((1 << 22) - 1, A64.COND, true, false)},
        0x0000_ffff_8000_0000L, 1);
    int u = runs.find(user, code);
    assertEquals((1 << 22) - 1, BlockRuns.instructions(runs.packed(runs.first(u))));
    assertEquals(0x0000_ffff_8000_0000L, runs.endPc(u), "an end far away is kept whole");
  }

  @Test
  void anImageWithWritesKeepsNoRuns() {
    assertNull(new BlockCache(BlockCacheTest.patched(), true, false).runs());
    BlockCache fixed = new BlockCache(ImageTimeline.of(BlockCacheTest.code()), true, false);
    BlockRuns runs = fixed.runs();
    runs.add(F, BlockRuns.code(1, 1), new long[] {F, 0}, F, 0);
    fixed.clear();
    assertEquals(-1, runs.find(F, BlockRuns.code(1, 1)));
  }
}
