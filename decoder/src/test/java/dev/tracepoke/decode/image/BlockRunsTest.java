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
    assertEquals(F, runs.start(r));
    assertEquals(3L << 32 | 1 << 8 | A64.COND, runs.word(r));
    assertEquals(F + 0x40, runs.start(r + 2));
    assertEquals(1L << 32 | 1 << 9 | A64.DIRECT, runs.word(r + 2));
    assertEquals(1, runs.replays());
  }

  @Test
  void codesIgnoreBitsBeyondTheCount() {
    assertEquals(BlockRuns.code(0b1, 1), BlockRuns.code(0b11, 1));
    assertEquals(1L << 32 | 1, BlockRuns.code(0b1, 1));
    assertEquals(24L << 32 | 0xFFFFFF, BlockRuns.code(-1, 24));
  }

  @Test
  void aFullPoolEmptiesTheTableSoMemoryStaysBounded() {
    BlockRuns runs = new BlockRuns();
    long[] ranges = new long[2 * BlockRuns.MAX_ATOMS];
    long code = BlockRuns.code(0, BlockRuns.MAX_ATOMS);
    // the pool holds 2^18 longs: 5461 runs of 24 ranges, the 5462nd empties it
    for (int i = 0; i < 5461; i++) {
      runs.add(F + 4L * i, code, ranges, F, 0);
    }
    assertNotEquals(-1, runs.find(F + 4L * 5460, code), "the newest run is there before");
    runs.add(F + 4L * 5461, code, ranges, F, 0);
    for (int i = 0; i < 5461; i++) {
      assertEquals(-1, runs.find(F + 4L * i, code));
    }
    assertNotEquals(-1, runs.find(F + 4L * 5461, code));
  }

  @Test
  void runsStartSmallAndGrowToABound() {
    BlockRuns runs = new BlockRuns();
    assertEquals((4 << 10) + (16 << 10), runs.footprint(), "160 KiB for a cache that walks little");
    long[] ranges = new long[2 * BlockRuns.MAX_ATOMS];
    long code = BlockRuns.code(0, 4);
    for (int i = 0; i < 5_000; i++) {
      runs.add(F + 4L * i, code, ranges, F, 0);
    }
    assertEquals((4 << 12) + (16 << 12), runs.footprint(), "grown for 5,000 runs of 4 atoms (8 longs each)");
    assertNotEquals(-1, runs.find(F + 4L * 4_999, code));
    for (int i = 0; i < 1_000_000; i++) {
      runs.add(F + 4L * i, code, ranges, F, 0);
    }
    assertEquals((4 << 14) + (16 << 14), runs.footprint(), "2.5 MiB at most");
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
