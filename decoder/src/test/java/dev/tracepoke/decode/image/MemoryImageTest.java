package dev.tracepoke.decode.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryImageTest {
  private static final long TEXT = 0xffff800008000000L;

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void readsLittleEndianWordsFromSegmentsGivenInAnyOrder() {
    MemoryImage img =
        MemoryImage.of(
            List.of(
                new MemoryImage.Segment(TEXT + 0x1000, bytes(0xc0, 0x03, 0x5f, 0xd6)),
                new MemoryImage.Segment(TEXT, bytes(0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x8b))));
    assertEquals(2, img.segmentCount());
    assertEquals(TEXT, img.segments().get(0).vaddr());
    assertEquals(0xd503201fL, img.read32(TEXT));
    assertEquals(0x8b000000L, img.read32(TEXT + 4));
    assertEquals(0xd65f03c0L, img.read32(TEXT + 0x1000));
    assertEquals(0xd65f03c0L, img.read32(TEXT + 0x1000)); // through the last-segment shortcut
    assertEquals(0xd503201fL, img.read32(TEXT)); // and back through the search
    assertEquals(0xd503201f, img.word(TEXT));
    assertEquals(0x03, img.readByte(TEXT + 2));
  }

  @Test
  void unmappedAndPartlyMappedWordsAreReported() {
    MemoryImage img =
        MemoryImage.of(List.of(new MemoryImage.Segment(TEXT, bytes(1, 2, 3, 4, 5, 6))));
    assertEquals(MemoryImage.NOT_MAPPED, img.read32(TEXT - 4));
    assertEquals(MemoryImage.NOT_MAPPED, img.read32(TEXT + 4)); // bytes 4,5 mapped, 6,7 not
    assertEquals(-1, img.readByte(TEXT + 6));
    assertTrue(img.isMapped(TEXT + 5));
    assertFalse(img.isMapped(TEXT + 6));
    assertFalse(img.isWordMapped(TEXT + 4));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> img.word(TEXT + 0x10));
    assertEquals("no image bytes at 0xffff800008000010", e.getMessage());
  }

  @Test
  void wordStraddlingAdjacentSegmentsIsReadAcrossThem() {
    MemoryImage img =
        MemoryImage.of(
            List.of(
                new MemoryImage.Segment(TEXT, bytes(0x11, 0x22)),
                new MemoryImage.Segment(TEXT + 2, bytes(0x33, 0x44))));
    assertEquals(0x44332211L, img.read32(TEXT));
  }

  @Test
  void segmentAtTheTopOfTheAddressSpace() {
    MemoryImage img =
        MemoryImage.of(List.of(new MemoryImage.Segment(-8L, bytes(1, 0, 0, 0, 2, 0, 0, 0))));
    assertEquals(1L, img.read32(-8L));
    assertEquals(2L, img.read32(-4L));
    assertEquals(MemoryImage.NOT_MAPPED, img.read32(0L));
  }

  @Test
  void overlappingSegmentsAreRejectedNamingBoth() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MemoryImage.of(
                    List.of(
                        new MemoryImage.Segment(TEXT, new byte[16]),
                        new MemoryImage.Segment(TEXT + 8, new byte[16]))));
    assertEquals(
        "segment [0xffff800008000008, 0xffff800008000017] overlaps segment"
            + " [0xffff800008000000, 0xffff80000800000f]",
        e.getMessage());
  }
}
