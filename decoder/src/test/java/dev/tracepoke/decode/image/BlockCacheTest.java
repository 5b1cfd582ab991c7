package dev.tracepoke.decode.image;

import static dev.tracepoke.decode.image.ImageTimelineTest.le;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.decode.a64.A64;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockCacheTest {
  static final long F = 0xffff800008000000L;
  static final int ADD = 0x8b000000;
  static final int NOP = 0xd503201f;
  static final int CBZ = 0xb4000080; // cbz x0, .+16
  static final int RET = 0xd65f03c0;
  static final int RETAA = 0xd65f0bff;
  static final int B_FWD = 0x14000005; // b .+20

  /** add; nop (patch site); add; cbz x0,.+16; add; ret; retaa; add; ret. */
  static MemoryImage code() {
    int[] words = {ADD, NOP, ADD, CBZ, ADD, RET, RETAA, ADD, RET};
    byte[] b = new byte[words.length * 4];
    for (int i = 0; i < words.length; i++) {
      System.arraycopy(le(words[i]), 0, b, i * 4, 4);
    }
    return MemoryImage.of(List.of(new MemoryImage.Segment(F, b)));
  }

  static ImageTimeline patched() {
    return ImageTimeline.of(
        code(), List.of(new TextPoke(100, F + 4, le(NOP), le(B_FWD), PokeKind.LANDED)));
  }

  @Test
  void blockRunsToTheFirstWaypoint() {
    BlockCache c = new BlockCache(ImageTimeline.of(code()), true, false);
    int s = c.lookup(F, 0);
    assertEquals(F, c.start(s));
    assertEquals(4, c.count(s));
    assertEquals(A64.COND, c.endClass(s));
    assertEquals(F + 0xc, c.lastPc(s));
    assertEquals(F + 0x10, c.nextPc(s));
    assertEquals(F + 0x1c, c.target(s));
    assertFalse(c.touchesPoke(s));
    assertEquals(1, c.misses());
    assertEquals(0, c.hits());
    assertEquals(s, c.lookup(F, 0));
    assertEquals(1, c.hits());
    int r = c.lookup(F + 0x10, 0);
    assertEquals(2, c.count(r));
    assertEquals(A64.RETURN, c.endClass(r));
    assertEquals(-1L, c.target(r));
    assertEquals(2, c.size());
  }

  @Test
  void aPokeInvalidatesOnlyTheBlocksItOverlaps() {
    BlockCache c = new BlockCache(patched(), true, false);
    int before = c.lookup(F, 0);
    int tail = c.lookup(F + 0x10, 0);
    assertTrue(c.touchesPoke(before));
    assertFalse(c.touchesPoke(tail));
    assertEquals(0, c.validFrom(before));
    assertEquals(1, c.validTo(before));
    assertEquals(2, c.misses());

    int after = c.lookup(F, 1); // version 1: the NOP at F+4 is now b .+20
    assertNotEquals(before, after);
    assertEquals(3, c.misses());
    assertEquals(1, c.invalidations());
    assertEquals(2, c.count(after));
    assertEquals(A64.DIRECT | A64.F_CMODX_SAFE, c.endClass(after));
    assertEquals(F + 0x18, c.target(after));
    assertEquals(1, c.validFrom(after));
    assertEquals(2, c.validTo(after));

    assertEquals(tail, c.lookup(F + 0x10, 1)); // untouched by the poke: survives
    assertEquals(before, c.lookup(F, 0)); // both versions of the site stay cached
    assertEquals(after, c.lookup(F, 1));
    assertEquals(3, c.hits());
    assertEquals(3, c.misses());
    assertEquals(1, c.invalidations());
    assertEquals(3, c.size());
  }

  @Test
  void pauthReturnIsAWaypointOnlyWhenTheArchitectureHasIt() {
    BlockCache v83 = new BlockCache(ImageTimeline.of(code()), true, false);
    int s = v83.lookup(F + 0x18, 0);
    assertEquals(1, v83.count(s));
    assertEquals(A64.RETURN | A64.F_PAUTH, v83.endClass(s));
    BlockCache v80 = new BlockCache(ImageTimeline.of(code()), false, false);
    int t = v80.lookup(F + 0x18, 0);
    assertEquals(3, v80.count(t)); // runs past RETAA to the RET
    assertEquals(F + 0x20, v80.lastPc(t));
    assertEquals(A64.RETURN, v80.endClass(t));
  }

  @Test
  void walkOffTheImageAndLongRunsEndExplicitly() {
    BlockCache c = new BlockCache(ImageTimeline.of(code()), true, false, 2, 100);
    int limit = c.lookup(F, 0);
    assertEquals(BlockCache.END_LIMIT, c.endClass(limit));
    assertEquals(2, c.count(limit));
    assertEquals(F + 8, c.nextPc(limit));

    byte[] two = new byte[8];
    System.arraycopy(le(ADD), 0, two, 0, 4);
    System.arraycopy(le(ADD), 0, two, 4, 4);
    BlockCache d =
        new BlockCache(
            ImageTimeline.of(MemoryImage.of(List.of(new MemoryImage.Segment(F, two)))), true, false);
    int off = d.lookup(F, 0);
    assertEquals(BlockCache.END_NOT_MAPPED, d.endClass(off));
    assertEquals(2, d.count(off));
    assertEquals(F + 8, d.nextPc(off));
    int nothing = d.lookup(F + 0x100, 0);
    assertEquals(0, d.count(nothing));
    assertEquals(F + 0x100, d.nextPc(nothing));
  }

  @Test
  void fullCacheEmptiesItselfBeforeTheNextMiss() {
    BlockCache c = new BlockCache(ImageTimeline.of(code()), true, false, 4096, 2);
    c.lookup(F, 0);
    c.lookup(F + 0x10, 0);
    assertEquals(2, c.size());
    c.lookup(F + 0x18, 0);
    assertEquals(1, c.size());
    assertEquals(1, c.clears());
    c.lookup(F + 0x18, 0);
    assertEquals(1, c.hits());
    assertEquals(3, c.misses());
  }
}
