package dev.tracepoke.coresight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FrameFormatterTest {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  /** One delivered run, for assertions. */
  record Run(int id, String hex, long frameOffset, long index) {}

  static final class Collect implements FrameDeformatter.Sink {
    final List<Run> runs = new ArrayList<>();
    final TreeMap<Integer, ByteArrayOutputStream> perId = new TreeMap<>();
    final List<Long> resets = new ArrayList<>();

    @Override
    public void data(int traceId, byte[] buf, int off, int len, long frameOffset, long index) {
      runs.add(new Run(traceId, HEX.formatHex(buf, off, off + len), frameOffset, index));
      perId.computeIfAbsent(traceId, k -> new ByteArrayOutputStream()).write(buf, off, len);
    }

    @Override
    public void reset(long offset) {
      resets.add(offset);
    }
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  @Test
  void singleSourceThenNullPadding() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    f.write(0x10, bytes(0xA1, 0xB2, 0xC3));
    f.pad(0);
    // ID 0x10 (0x21), A1 in the odd slot, B2 on an even slot (bit 0 = 0), C3, then ID 0 and zeros
    assertEquals("21 a1 b2 c3 01 00 00 00 00 00 00 00 00 00 00 00", hex(out.toByteArray()));
  }

  @Test
  void evenDataKeepsBitZeroInAuxByte() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    f.write(0x10, bytes(0x11, 0x23, 0x45, 0x67, 0x89));
    f.pad(0);
    // even slots 2 and 4 hold 0x22/0x66 with bit 0 in aux bits 1 and 2; slot 6 is the null ID
    assertEquals("21 11 22 45 66 89 01 00 00 00 00 00 00 00 00 06", hex(out.toByteArray()));
    Collect c = deformat(out.toByteArray(), EnumSet.noneOf(FrameDeformatter.Option.class));
    assertEquals(List.of(new Run(0x10, "11 23 45 67 89", 0, 0)), c.runs);
  }

  @Test
  void idChangeAtEvenSlotUsesPreviousIdFlag() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    f.write(0x10, bytes(0x11, 0x22));
    f.write(0x12, bytes(0x33, 0x44));
    f.pad(0);
    // slot 2: ID 0x12 with aux bit 1 set, so byte 3 (0x22) still belongs to 0x10; 0x33 -> 0x32 + aux
    // bit 2; byte 6: null ID with aux bit 3 clear
    assertEquals("21 11 25 22 32 44 01 00 00 00 00 00 00 00 00 06", hex(out.toByteArray()));
    Collect c = deformat(out.toByteArray(), EnumSet.noneOf(FrameDeformatter.Option.class));
    assertEquals(List.of(new Run(0x10, "11 22", 0, 0), new Run(0x12, "33 44", 0, 2)), c.runs);
  }

  @Test
  void idChangeAfterOddSlotNeedsNoFlag() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    f.write(0x10, bytes(0x11, 0x22, 0x33));
    f.write(0x12, bytes(0x44));
    f.pad(0);
    assertEquals("21 11 22 33 25 44 01 00 00 00 00 00 00 00 00 00", hex(out.toByteArray()));
    Collect c = deformat(out.toByteArray(), EnumSet.noneOf(FrameDeformatter.Option.class));
    assertEquals(List.of(new Run(0x10, "11 22 33", 0, 0), new Run(0x12, "44", 0, 4)), c.runs);
  }

  @Test
  void idInByte14TakesEffectInNextFrame() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    byte[] d = new byte[13];
    for (int i = 0; i < d.length; i++) {
      d[i] = (byte) (2 * i + 2);
    }
    f.write(0x10, d);
    f.write(0x12, bytes(0x77));
    f.pad(1);
    assertEquals(
        "21 02 04 06 08 0a 0c 0e 10 12 14 16 18 1a 25 00"
            + " 01 77 00 00 00 00 00 00 00 00 00 00 00 00 00 01"
            + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        hex(out.toByteArray()));
    Collect c = deformat(out.toByteArray(), EnumSet.noneOf(FrameDeformatter.Option.class));
    assertEquals(
        List.of(new Run(0x10, hex(d), 0, 0), new Run(0x12, "77", 16, 16)), c.runs);
    FrameDeformatter.Stats s = statsOf(out.toByteArray());
    assertEquals(new FrameDeformatter.Stats(3, 14, 28, 0, 0, 0, 0, 0), s);
  }

  @Test
  void writingResumesAfterPaddingWithAnIdByte() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    f.write(0x10, bytes(0x01));
    f.pad(0);
    f.write(0x10, bytes(0x02));
    f.pad(0);
    assertEquals(
        "21 01 01 00 00 00 00 00 00 00 00 00 00 00 00 00"
            + " 21 02 01 00 00 00 00 00 00 00 00 00 00 00 00 00",
        hex(out.toByteArray()));
    assertEquals(2, f.framesWritten());
    assertEquals(32, f.bytesWritten());
  }

  @Test
  void rejectsIdsOutsideSourceRange() {
    FrameFormatter f = new FrameFormatter(new ByteArrayOutputStream());
    assertThrows(IllegalArgumentException.class, () -> f.write(0, bytes(1)));
    assertThrows(IllegalArgumentException.class, () -> f.write(0x70, bytes(1)));
  }

  @Test
  void randomMultiSourceRoundTripMemoryAligned() {
    for (long seed = 1; seed <= 300; seed++) {
      roundTrip(seed, 0, 0, EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC), true);
    }
  }

  @Test
  void randomRoundTripWithFsyncsAndHsyncs() {
    for (long seed = 1; seed <= 200; seed++) {
      roundTrip(seed, 1 + (int) (seed % 4), 0,
          EnumSet.of(FrameDeformatter.Option.FSYNCS), false);
      roundTrip(seed, 1 + (int) (seed % 3), 1 + (int) (seed % 5),
          EnumSet.of(FrameDeformatter.Option.FSYNCS, FrameDeformatter.Option.HSYNCS), false);
    }
  }

  /**
   * Random chunks from up to six sources, occasional padding (and, memory-aligned, reset barriers);
   * the formatted bytes are pushed back in random slices; each source must come back unchanged.
   */
  private static void roundTrip(long seed, int fsync, int hsync,
      Set<FrameDeformatter.Option> opts, boolean barriers) {
    Random r = new Random(seed);
    int[] ids = {0x10, 0x12, 0x14, 0x01, 0x6F, 0x3A};
    int nSources = 1 + r.nextInt(ids.length);
    TreeMap<Integer, ByteArrayOutputStream> expected = new TreeMap<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out, fsync, hsync);
    int resets = 0;
    int chunks = r.nextInt(200);
    for (int c = 0; c < chunks; c++) {
      int id = ids[r.nextInt(nSources)];
      byte[] data = new byte[r.nextInt(r.nextBoolean() ? 3 : 40)];
      r.nextBytes(data);
      f.write(id, data);
      if (data.length > 0) {
        expected.computeIfAbsent(id, k -> new ByteArrayOutputStream()).writeBytes(data);
      }
      int p = r.nextInt(40);
      if (p == 0) {
        f.pad(r.nextInt(3));
      } else if (p == 1 && barriers) {
        f.resetBarrier();
        resets++;
      }
    }
    f.pad(1);
    byte[] formatted = out.toByteArray();
    assertEquals(formatted.length, f.bytesWritten(), "seed " + seed);
    Collect sink = new Collect();
    FrameDeformatter d = new FrameDeformatter(opts, sink, "seed" + seed);
    for (int i = 0; i < formatted.length; ) {
      int n = Math.min(formatted.length - i, r.nextInt(37));
      d.push(formatted, i, n);
      i += n;
    }
    d.finish();
    assertEquals(expected.keySet(), sink.perId.keySet(), "seed " + seed);
    for (var e : expected.entrySet()) {
      assertArrayEquals(e.getValue().toByteArray(), sink.perId.get(e.getKey()).toByteArray(),
          "seed " + seed + " id " + e.getKey());
    }
    assertEquals(resets, sink.resets.size(), "seed " + seed);
    assertEquals(f.framesWritten(), d.stats().frames(), "seed " + seed);
    assertEquals(0, d.stats().unknownIdBytes(), "seed " + seed);
  }

  @Test
  void tpiuStreamExactBytesAndLeadingGarbage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(0xFF, 0xFF, 0x12)); // garbage before the first FSYNC
    FrameFormatter f = new FrameFormatter(out, 1, 1);
    f.write(0x10, bytes(0x11, 0x22, 0x33));
    f.pad(0);
    assertEquals("ff ff 12 ff ff ff 7f 21 11 22 33 01 00 00 00 ff 7f 00 00 00 00 00 00 00 00",
        hex(out.toByteArray()));
    Collect c = new Collect();
    FrameDeformatter d = new FrameDeformatter(
        EnumSet.of(FrameDeformatter.Option.FSYNCS, FrameDeformatter.Option.HSYNCS), c, "tpiu");
    d.push(out.toByteArray(), 0, out.size());
    d.finish();
    assertEquals(List.of(new Run(0x10, "11 22 33", 7, 7)), c.runs);
    assertEquals(new FrameDeformatter.Stats(1, 3, 10, 0, 0, 6, 3, 0), d.stats());
  }

  @Test
  void fourFsyncFrameResetsCurrentId() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    f.write(0x10, bytes(0x11));
    f.resetBarrier();
    byte[] b = out.toByteArray();
    assertEquals("21 11 01 00 00 00 00 00 00 00 00 00 00 00 00 00"
        + " ff ff ff 7f ff ff ff 7f ff ff ff 7f ff ff ff 7f", hex(b));
    // after the barrier a frame of data without an ID byte belongs to no known source
    byte[] all = new byte[48];
    System.arraycopy(b, 0, all, 0, 32);
    all[33] = 0x55;
    Collect c = new Collect();
    FrameDeformatter d = new FrameDeformatter(
        EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC), c, "barrier");
    d.push(all, 0, all.length);
    d.finish();
    assertEquals(List.of(new Run(0x10, "11", 0, 0)), c.runs);
    assertEquals(List.of(16L), c.resets);
    assertEquals(15, d.stats().unknownIdBytes());
    assertEquals(1, d.stats().resets());
  }

  /**
   * A DSTREAM capture is stored in 512-byte blocks whose last 8 bytes are the probe's footer: with
   * DSTREAM_FOOTERS they are dropped wherever they cut a frame, offsets count trace bytes only (as
   * trc_pkt_lister -dstream_format's Idx), and messages name the byte in the file.
   */
  @Test
  void dstreamFootersAreDroppedFromEveryBlock() {
    // FSYNC, then frames of ID 0x10 carrying the even bytes 0, 2, 4.. (aux bits all 0); the
    // footer cuts the 32nd frame
    java.io.ByteArrayOutputStream trace = new java.io.ByteArrayOutputStream();
    trace.writeBytes(bytes(0xFF, 0xFF, 0xFF, 0x7F));
    int value = 0;
    for (int f = 0; f < 40; f++) {
      byte[] frame = new byte[16];
      frame[0] = 0x21;
      for (int i = 1; i < 15; i++) {
        frame[i] = (byte) (2 * value++);
      }
      trace.writeBytes(frame);
    }
    byte[] t = trace.toByteArray(); // 4 + 640 bytes
    byte[] file = new byte[t.length + 16];
    int at = 0;
    for (int i = 0; i < t.length; i++) {
      if (at % 512 == 504) {
        for (int k = 0; k < 8; k++) {
          file[at++] = (byte) (0xA0 + k); // footer bytes, not trace
        }
      }
      file[at++] = t[i];
    }
    Collect c = new Collect();
    FrameDeformatter d = new FrameDeformatter(
        EnumSet.of(FrameDeformatter.Option.FSYNCS, FrameDeformatter.Option.DSTREAM_FOOTERS), c, "d.bin");
    d.push(file, 0, at);
    d.finish();
    byte[] got = c.perId.get(0x10).toByteArray();
    assertEquals(40 * 14, got.length);
    for (int i = 0; i < got.length; i++) {
      assertEquals((byte) (2 * i), got[i], "byte " + i);
    }
    assertEquals(8, d.footerBytes());
    assertEquals(t.length, d.offset());
    assertEquals(0, d.trailingBytes());
    // the frame the footer cut starts at trace byte 4 + 31 * 16 = 500 = file byte 500; the next at
    // trace byte 516 = file byte 524
    assertEquals(500, c.runs.get(31).frameOffset());
    assertEquals(516, c.runs.get(32).frameOffset());
    assertEquals(524, d.inputOffset(516));
    assertEquals(503, d.inputOffset(503));
    assertEquals(512, d.inputOffset(504));
  }

  @Test
  void errorsCarryOffsets() {
    FrameDeformatter d = new FrameDeformatter(
        EnumSet.noneOf(FrameDeformatter.Option.class), new Collect(), "buf.bin");
    d.push(new byte[20], 0, 20);
    FrameFormatException e = assertThrows(FrameFormatException.class, d::finish);
    assertEquals(20, e.offset());
    assertEquals("buf.bin at byte offset 20: input ends inside a frame (4 bytes of a 16-byte frame);"
        + " expected a whole number of frames", e.getMessage());

    byte[] twoFsyncs = new byte[32];
    for (int i = 16; i < 24; i += 4) {
      twoFsyncs[i] = twoFsyncs[i + 1] = twoFsyncs[i + 2] = (byte) 0xFF;
      twoFsyncs[i + 3] = 0x7F;
    }
    FrameDeformatter r = new FrameDeformatter(
        EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC), new Collect(), "r.bin");
    e = assertThrows(FrameFormatException.class, () -> r.push(twoFsyncs, 0, 32));
    assertEquals(16, e.offset());

    // FSYNC in the middle of a frame (TPIU mode): dropped, the frame goes on after it
    byte[] mid = bytes(0xFF, 0xFF, 0xFF, 0x7F, 0x21, 0x11, 0x02, 0x03, 0xFF, 0xFF, 0xFF, 0x7F,
        0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x00);
    Collect tc = new Collect();
    FrameDeformatter t = new FrameDeformatter(EnumSet.of(FrameDeformatter.Option.FSYNCS), tc, "t.bin");
    t.push(mid, 0, mid.length);
    t.finish();
    assertEquals("11 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e", hex(tc.perId.get(0x10).toByteArray()));
    assertEquals(1, t.midFrameSyncs());
    assertEquals(8, t.stats().syncBytes());

    // a TPIU capture may stop inside a frame: the cut frame is dropped and counted
    Collect cut = new Collect();
    FrameDeformatter tcut = new FrameDeformatter(EnumSet.of(FrameDeformatter.Option.FSYNCS), cut, "c.bin");
    tcut.push(mid, 0, 10);
    tcut.finish();
    assertEquals(6, tcut.trailingBytes());
    assertEquals(List.of(), cut.runs);

    // HSYNC when the stream is declared without them
    byte[] h = bytes(0xFF, 0xFF, 0xFF, 0x7F, 0x21, 0x11, 0xFF, 0x7F);
    FrameDeformatter th = new FrameDeformatter(
        EnumSet.of(FrameDeformatter.Option.FSYNCS), new Collect(), "h.bin");
    e = assertThrows(FrameFormatException.class, () -> th.push(h, 0, h.length));
    assertEquals(6, e.offset());

    // reserved ID with STRICT_IDS
    byte[] res = new byte[16];
    res[0] = (byte) (0x70 << 1 | 1);
    FrameDeformatter s = new FrameDeformatter(
        EnumSet.of(FrameDeformatter.Option.STRICT_IDS), new Collect(), "s.bin");
    e = assertThrows(FrameFormatException.class, () -> s.push(res, 0, 16));
    assertEquals(0, e.offset());
    FrameDeformatter lenient = new FrameDeformatter(
        EnumSet.noneOf(FrameDeformatter.Option.class), new Collect(), "l.bin");
    lenient.push(res, 0, 16);
    assertEquals(14, lenient.stats().reservedIdBytes());
  }

  static Collect deformat(byte[] b, Set<FrameDeformatter.Option> opts) {
    Collect c = new Collect();
    FrameDeformatter d = new FrameDeformatter(opts, c, "test");
    d.push(b, 0, b.length);
    d.finish();
    return c;
  }

  private static FrameDeformatter.Stats statsOf(byte[] b) {
    FrameDeformatter d = new FrameDeformatter(
        EnumSet.noneOf(FrameDeformatter.Option.class), new Collect(), "test");
    d.push(b, 0, b.length);
    d.finish();
    return d.stats();
  }
}
