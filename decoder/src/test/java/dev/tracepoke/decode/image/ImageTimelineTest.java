package dev.tracepoke.decode.image;

import static dev.tracepoke.decode.image.WordPolicy.NAIVE;
import static dev.tracepoke.decode.image.WordPolicy.NEW;
import static dev.tracepoke.decode.image.WordPolicy.OLD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.unimi.dsi.fastutil.ints.IntList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageTimelineTest {
  static final long TEXT = 0xffff800008000000L;
  static final long SITE = TEXT + 0x10;
  static final long SITE2 = TEXT + 0x20;
  static final int NOP = 0xd503201f;
  static final int B = 0x14000004; // b .+16
  static final int BL = 0x94000008; // bl .+32
  static final int ADD = 0x8b000000;

  static byte[] le(int w) {
    return new byte[] {(byte) w, (byte) (w >>> 8), (byte) (w >>> 16), (byte) (w >>> 24)};
  }

  /** 16 words of ADD with NOPs at SITE and SITE2. */
  static MemoryImage base() {
    byte[] code = new byte[64];
    for (int i = 0; i < 16; i++) {
      System.arraycopy(le(ADD), 0, code, i * 4, 4);
    }
    System.arraycopy(le(NOP), 0, code, 0x10, 4);
    System.arraycopy(le(NOP), 0, code, 0x20, 4);
    return MemoryImage.of(List.of(new MemoryImage.Segment(TEXT, code)));
  }

  static TextPoke poke(long t, long addr, int oldW, int newW, PokeKind kind) {
    return new TextPoke(t, addr, le(oldW), le(newW), kind);
  }

  private static long u(int w) {
    return w & 0xFFFFFFFFL;
  }

  @Test
  void flaglessRecordOnA64StaysOpenUntilACoresFirstCseAfterTheWritersMaintenance() {
    TextPoke rec = new TextPoke(100, SITE, le(NOP), le(B), PokeKind.LANDED, 3);
    // the writer's own trace: a CSE somewhere in [90, 130] (it may precede the record), then one
    // in [140, 150], which certainly follows it and so bounds the record's maintenance
    WriterCses writer = WriterCses.of(3, 90, 130, 140, 150);
    assertEquals(150, writer.maintenanceBound(3, 100));
    assertEquals(130, writer.maintenanceBound(3, 80));
    assertEquals(Long.MAX_VALUE, writer.maintenanceBound(3, 140));
    assertEquals(Long.MAX_VALUE, writer.maintenanceBound(2, 100));
    ImageTimeline tl = ImageTimeline.of(base(), List.of(rec), writer);
    assertArrayEquals(new int[] {3}, tl.landedWriters());
    CseTimes a = CseTimes.of(120, 160, 300);
    CseTimes b = CseTimes.of(40, 500);
    PokeWindow w = tl.windows().get(0);
    assertEquals(PokeWindow.Style.LANDED, w.style());
    assertEquals(100, w.start());
    assertEquals(100, w.post());
    assertEquals(3, w.writer());
    for (WordPolicy p : WordPolicy.values()) {
      assertEquals(u(NOP), tl.wordAt(SITE, 99, p, a), p.name());
      assertEquals(u(B), tl.wordAt(SITE, 160, p, a), p.name());
      assertEquals(u(ADD), tl.wordAt(TEXT, 120, p, a), p.name()); // not a site
    }
    assertEquals(u(B), tl.wordAt(SITE, 100, NAIVE, a));
    assertEquals(u(B), tl.wordAt(SITE, 100, NEW, a));
    assertEquals(u(NOP), tl.wordAt(SITE, 100, OLD, a));
    assertEquals(u(NOP), tl.wordAt(SITE, 159, OLD, a)); // the CSE at 120 came before the maintenance
    assertEquals(u(NOP), tl.wordAt(SITE, 499, OLD, b));
    assertEquals(u(B), tl.wordAt(SITE, 500, OLD, b));
    assertEquals(u(NOP), tl.wordAt(SITE, 1_000_000, OLD, CseTimes.NONE));

    assertEquals(IntList.of(NOP), tl.candidates(SITE, 0, 99, a));
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 50, 120, a));
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 120, 159, a));
    assertEquals(IntList.of(B), tl.candidates(SITE, 160, 200, a));
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 150, 200, b));
    assertEquals(IntList.of(ADD), tl.candidates(TEXT, 0, 1000, a));
    assertEquals(IntList.of(), tl.candidates(TEXT + 0x40, 0, 1000, a));
    assertThrows(IllegalArgumentException.class, () -> tl.candidates(SITE, 10, 9, a));

    // without the writer's trace nothing bounds the maintenance of the last record: never closed
    ImageTimeline alone = ImageTimeline.of(base(), List.of(rec));
    assertEquals(u(NOP), alone.wordAt(SITE, 1_000_000, OLD, a));
    assertEquals(IntList.of(NOP, B), alone.candidates(SITE, 160, 200, a));
    // with a later record, that record bounds it (text pokes are serialised)
    ImageTimeline twice = ImageTimeline.of(base(), List.of(rec, poke(400, SITE2, NOP, BL, PokeKind.LANDED)));
    assertEquals(u(NOP), twice.wordAt(SITE, 400, OLD, CseTimes.of(300, 450)));
    assertEquals(u(B), twice.wordAt(SITE, 450, OLD, CseTimes.of(300, 450)));
  }

  @Test
  void preAndPostBracketAWindowThatEndsAtTheCoresFirstCseAfterPost() {
    ImageTimeline tl =
        ImageTimeline.of(
            base(),
            List.of(
                poke(200, SITE, NOP, B, PokeKind.POST), // given out of order on purpose
                poke(100, SITE, NOP, B, PokeKind.PRE)));
    CseTimes cse = CseTimes.of(150, 250);
    assertEquals(1, tl.windows().size());
    PokeWindow w = tl.windows().get(0);
    assertEquals(PokeWindow.Style.PAIRED, w.style());
    assertEquals(100, w.start());
    assertEquals(200, w.post());
    assertEquals(100, w.switchTime());
    assertEquals(250, w.closeFor(cse)); // the CSE at 150 is before POST: it does not close
    assertEquals(u(NOP), tl.wordAt(SITE, 99, OLD, cse));
    assertEquals(u(NOP), tl.wordAt(SITE, 99, NEW, cse));
    assertEquals(u(B), tl.wordAt(SITE, 100, NEW, cse));
    assertEquals(u(B), tl.wordAt(SITE, 100, NAIVE, cse));
    assertEquals(u(NOP), tl.wordAt(SITE, 249, OLD, cse));
    assertEquals(u(B), tl.wordAt(SITE, 250, OLD, cse));
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 160, 240, cse));
    assertEquals(IntList.of(B), tl.candidates(SITE, 250, 900, cse));
    assertTrue(tl.mismatches().isEmpty());
  }

  @Test
  void prePostPairingMatchesAddressAndBytes() {
    ImageTimeline tl =
        ImageTimeline.of(
            base(),
            List.of(
                poke(100, SITE, NOP, B, PokeKind.PRE),
                poke(110, SITE2, NOP, BL, PokeKind.PRE),
                poke(120, SITE2, NOP, BL, PokeKind.POST),
                poke(130, SITE, NOP, BL, PokeKind.POST), // other bytes than the PRE at SITE
                poke(140, SITE, NOP, B, PokeKind.POST)));
    List<PokeWindow> ws = tl.windows();
    assertEquals(3, ws.size());
    assertEquals(List.of(0, 1, 2), ws.stream().map(PokeWindow::index).toList());
    assertEquals(PokeWindow.Style.PAIRED, ws.get(0).style());
    assertEquals(SITE, ws.get(0).address());
    assertEquals(140, ws.get(0).post());
    assertEquals(PokeWindow.Style.PAIRED, ws.get(1).style());
    assertEquals(SITE2, ws.get(1).address());
    assertEquals(110, ws.get(1).start());
    assertEquals(120, ws.get(1).post());
    assertEquals(PokeWindow.Style.POST_ONLY, ws.get(2).style());
    assertEquals(100, ws.get(2).start()); // previous record touching SITE
    assertEquals(130, ws.get(2).post());
    assertEquals(130, ws.get(2).switchTime());
    // window 2 says NOP -> BL at SITE, but window 0 had written B there
    assertEquals(
        List.of(
            new ImageMismatch(2, SITE, 0x1f, 0x04),
            new ImageMismatch(2, SITE + 1, 0x20, 0x00),
            new ImageMismatch(2, SITE + 2, 0x03, 0x00),
            new ImageMismatch(2, SITE + 3, 0xd5, 0x14)),
        tl.mismatches());
  }

  @Test
  void unpairedPreStaysOpenForever() {
    ImageTimeline tl = ImageTimeline.of(base(), List.of(poke(100, SITE, NOP, B, PokeKind.PRE)));
    PokeWindow w = tl.windows().get(0);
    assertEquals(PokeWindow.Style.PRE_ONLY, w.style());
    assertEquals(Long.MAX_VALUE, w.post());
    CseTimes cse = CseTimes.of(150, 250);
    assertEquals(Long.MAX_VALUE, w.closeFor(cse));
    assertEquals(u(NOP), tl.wordAt(SITE, 1_000_000, OLD, cse));
    assertEquals(u(B), tl.wordAt(SITE, 100, NEW, cse));
    assertEquals(u(B), tl.wordAt(SITE, 100, NAIVE, cse));
    assertEquals(IntList.of(NOP), tl.candidates(SITE, 0, 99, cse));
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 5000, 6000, cse));
  }

  @Test
  void unpairedPostWithoutEarlierRecordMayHaveLandedAnyTimeBefore() {
    ImageTimeline tl = ImageTimeline.of(base(), List.of(poke(300, SITE, NOP, B, PokeKind.POST)));
    PokeWindow w = tl.windows().get(0);
    assertEquals(PokeWindow.Style.POST_ONLY, w.style());
    assertEquals(Long.MIN_VALUE, w.start());
    CseTimes cse = CseTimes.of(100, 400);
    assertEquals(400, w.closeFor(cse));
    assertEquals(u(B), tl.wordAt(SITE, -5, NEW, cse));
    assertEquals(u(NOP), tl.wordAt(SITE, 399, OLD, cse));
    assertEquals(u(B), tl.wordAt(SITE, 400, OLD, cse));
    assertEquals(u(NOP), tl.wordAt(SITE, 299, NAIVE, cse));
    assertEquals(u(B), tl.wordAt(SITE, 300, NAIVE, cse));
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 0, 10, cse));
  }

  @Test
  void versionsApplyWindowsInSwitchTimeOrder() {
    ImageTimeline tl =
        ImageTimeline.of(
            base(),
            List.of(
                poke(100, SITE, NOP, B, PokeKind.LANDED),
                poke(200, SITE2, NOP, BL, PokeKind.LANDED),
                poke(300, SITE, B, NOP, PokeKind.LANDED)));
    assertEquals(4, tl.versionCount());
    assertEquals(0, tl.versionAt(99));
    assertEquals(1, tl.versionAt(100));
    assertEquals(2, tl.versionAt(250));
    assertEquals(3, tl.versionAt(Long.MAX_VALUE));
    assertEquals(u(NOP), tl.read32(SITE, 0));
    assertEquals(u(B), tl.read32(SITE, 1));
    assertEquals(u(B), tl.read32(SITE, 2));
    assertEquals(u(NOP), tl.read32(SITE, 3));
    assertEquals(u(NOP), tl.read32(SITE2, 1));
    assertEquals(u(BL), tl.read32(SITE2, 2));
    assertEquals(u(ADD), tl.read32(TEXT, 3));
    assertTrue(tl.isPokeSite(SITE));
    assertFalse(tl.isPokeSite(TEXT));
    // [TEXT, SITE+4) holds SITE: same bytes in versions [1, 3) as in version 2
    assertEquals(1L << 32 | 3, tl.validity(TEXT, SITE + 4, 2));
    assertEquals(0L << 32 | 1, tl.validity(TEXT, SITE + 4, 0));
    assertEquals(3L << 32 | 4, tl.validity(TEXT, SITE + 4, 3));
    assertEquals(0L << 32 | 4, tl.validity(TEXT, SITE, 2)); // stops short of the site
    assertEquals(2L << 32 | 4, tl.validity(SITE + 4, TEXT + 0x40, 2)); // holds SITE2 only
    assertFalse(tl.overlapsPokes(TEXT, SITE));
    assertTrue(tl.overlapsPokes(SITE + 3, SITE + 4));
    // candidates over several windows for a core without CSEs
    assertEquals(IntList.of(NOP, B), tl.candidates(SITE, 0, 250, CseTimes.NONE));
  }

  @Test
  void recordOldBytesWinOverABaseImageCopiedAfterThePoke() {
    MemoryImage later = MemoryImage.of(List.of(new MemoryImage.Segment(SITE, le(B))));
    ImageTimeline tl = ImageTimeline.of(later, List.of(poke(100, SITE, NOP, B, PokeKind.LANDED)));
    assertEquals(u(NOP), tl.read32(SITE, 0));
    assertEquals(u(B), tl.read32(SITE, 1));
    assertEquals(
        List.of(
            new ImageMismatch(0, SITE, 0x1f, 0x04),
            new ImageMismatch(0, SITE + 1, 0x20, 0x00),
            new ImageMismatch(0, SITE + 2, 0x03, 0x00),
            new ImageMismatch(0, SITE + 3, 0xd5, 0x14)),
        tl.mismatches());
  }

  @Test
  void subWordPokeChangesOnlyItsBytes() {
    byte[] oldB = {(byte) 0x04};
    byte[] newB = {(byte) 0x08};
    ImageTimeline tl =
        ImageTimeline.of(
            MemoryImage.of(List.of(new MemoryImage.Segment(SITE, le(B)))),
            List.of(new TextPoke(10, SITE, oldB, newB, PokeKind.LANDED)));
    assertEquals(0x14000008L, tl.read32(SITE, 1));
    assertEquals(0x14000004L, tl.read32(SITE, 0));
  }

  @Test
  void pokeKindFromPerfMiscBits() {
    assertEquals(PokeKind.LANDED, PokeKind.fromMisc(0x0001));
    assertEquals(PokeKind.PRE, PokeKind.fromMisc(0x2001));
    assertEquals(PokeKind.POST, PokeKind.fromMisc(0x4001));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PokeKind.fromMisc(0x6001));
    assertEquals("text-poke misc 0x6001 has both PRE (bit 13) and POST (bit 14)", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new TextPoke(0, SITE, new byte[4], new byte[2], PokeKind.LANDED));
  }
}
