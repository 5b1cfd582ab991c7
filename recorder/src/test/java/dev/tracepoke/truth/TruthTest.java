package dev.tracepoke.truth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruthTest {
  @TempDir Path dir;

  /** Writes a random mix of every event kind; returns the events as long[] rows per core. */
  private static List<List<long[]>> writeMixed(Path truth, int cores, long seed) throws Exception {
    List<List<long[]>> expected = new ArrayList<>();
    try (TruthWriter w = TruthWriter.create(truth, cores,
        Map.of("scenario", "nosync-demo", "seed", Long.toString(seed), "note", "a b=c: #x"))) {
      for (int c = 0; c < cores; c++) {
        SplittableRandom r = new SplittableRandom(seed * 31 + c);
        TruthWriter.CoreWriter cw = w.core(c);
        List<long[]> rows = new ArrayList<>();
        long pc = 0xFFFF_8000_0801_0000L;
        long t = 1_000_000_000L;
        for (int i = 0; i < 3000; i++) {
          t += r.nextInt(10) == 0 ? -r.nextInt(5) : r.nextInt(1000);
          int k = r.nextInt(10);
          if (k < 5) {
            long start = r.nextBoolean() ? pc : r.nextLong();
            int count = r.nextInt(20) == 0 ? Integer.MAX_VALUE - r.nextInt(3) : 1 + r.nextInt(40);
            cw.run(start, count, t);
            rows.add(new long[] {TruthEvent.RUN, start, count, t});
            pc = start + 4L * count;
          } else if (k < 7) {
            long site = pc + 4L * r.nextInt(8);
            int word = r.nextInt();
            boolean newest = r.nextBoolean();
            cw.patchSite(site, word, newest, t);
            rows.add(new long[] {TruthEvent.PATCH_SITE, site, word, newest ? 1 : 0, t});
          } else if (k < 8) {
            long ret = pc;
            long vector = r.nextLong();
            int type = r.nextInt(300);
            int from = r.nextInt(4);
            int to = r.nextInt(16);
            cw.exception(type, ret, vector, from, to, t);
            rows.add(new long[] {TruthEvent.EXCEPTION, type, ret, vector, from, to, t});
            pc = vector;
          } else if (k < 9) {
            long at = pc - 4;
            long target = r.nextLong();
            int to = r.nextInt(4);
            cw.exceptionReturn(at, target, to, t);
            rows.add(new long[] {TruthEvent.EXCEPTION_RETURN, at, target, to, t});
            pc = target;
          } else {
            long from = t - r.nextInt(1_000_000);
            long to = from + r.nextInt(2_000_000);
            cw.untraced(from, to);
            rows.add(new long[] {TruthEvent.UNTRACED, from, to});
          }
        }
        expected.add(rows);
      }
    }
    return expected;
  }

  private static long[] row(int kind, TruthCursor c) {
    return switch (kind) {
      case TruthEvent.RUN -> new long[] {kind, c.startPc(), c.count(), c.time()};
      case TruthEvent.PATCH_SITE -> new long[] {kind, c.pc(), c.word(), c.newest() ? 1 : 0, c.time()};
      case TruthEvent.EXCEPTION -> new long[] {kind, c.type(), c.preferredReturn(), c.vector(),
          c.fromEl(), c.toEl(), c.time()};
      case TruthEvent.EXCEPTION_RETURN -> new long[] {kind, c.pc(), c.target(), c.toEl(), c.time()};
      case TruthEvent.UNTRACED -> new long[] {kind, c.fromTime(), c.toTime()};
      default -> throw new AssertionError("kind " + kind);
    };
  }

  @Test
  void mixedSeededStreamRoundTripsExactly() throws Exception {
    Path truth = dir.resolve("truth");
    List<List<long[]>> expected = writeMixed(truth, 3, 7);
    TruthReader r = TruthReader.open(truth);
    assertEquals(3, r.cores());
    assertEquals(Map.of("format", "tracepoke-truth", "version", "1", "cores", "3",
        "compression", "zstd", "scenario", "nosync-demo", "seed", "7", "note", "a b=c: #x"),
        r.metadata());
    long total = 0;
    for (int c = 0; c < 3; c++) {
      long instructions = 0;
      try (TruthCursor cur = r.cursor(c)) {
        int i = 0;
        for (int k; (k = cur.next()) != TruthEvent.END; i++) {
          long[] want = expected.get(c).get(i);
          assertArrayEquals(want, row(k, cur), "core " + c + " event " + i);
          if (k == TruthEvent.RUN) {
            instructions += cur.count();
          }
        }
        assertEquals(expected.get(c).size(), i);
        assertEquals(i, cur.events());
        assertEquals(TruthEvent.END, cur.next());
      }
      assertEquals(instructions, r.countInstructions(c));
      total += instructions;
    }
    assertEquals(total, r.countInstructions());
    // only the published files remain
    assertEquals(List.of("core-0.truth", "core-1.truth", "core-2.truth", "truth.properties"),
        Files.list(truth).map(p -> p.getFileName().toString()).sorted().toList());
    // sorted keys, no date comment: the header is reproducible
    assertEquals("compression=zstd\ncores=3\nformat=tracepoke-truth\nnote=a b\\=c\\: \\#x\n"
        + "scenario=nosync-demo\nseed=7\nversion=1\n",
        Files.readString(truth.resolve("truth.properties")));
  }

  /**
   * The size target: at most 1/8 byte per executed instruction on a loop-heavy stream. Exact bytes
   * measured with zstd-jni 1.5.7-28 (commons-compress 1.27.1) at the default level 15.
   */
  @Test
  void loopHeavyStreamStaysBelowOneByteInEightInstructions() throws Exception {
    Path truth = dir.resolve("loops");
    long n;
    try (TruthWriter w = TruthWriter.create(truth, 1, Map.of("scenario", "loops"))) {
      n = new LoopWorkload(42, w.core(0), 4_000_000, true).run();
      assertEquals(n, w.core(0).instructions());
    }
    long size = Files.size(truth.resolve("core-0.truth"));
    assertEquals(4_000_183, n);
    assertEquals(441_198, size);
    assertTrue(size * 8 <= n, size + " bytes for " + n + " instructions");
    assertEquals(n, TruthReader.open(truth).countInstructions());
  }

  @Test
  void truncatedFileNamesTheFile() throws Exception {
    Path truth = dir.resolve("cut");
    writeMixed(truth, 2, 3);
    Path core1 = truth.resolve("core-1.truth");
    byte[] all = Files.readAllBytes(core1);
    Files.write(core1, Arrays.copyOf(all, all.length / 2));
    TruthReader r = TruthReader.open(truth);
    TruthFormatException e = assertThrows(TruthFormatException.class, () -> r.countInstructions(1));
    assertEquals(core1, e.file());
    // zstd cannot decode a block whose end is missing, so nothing of this small file is readable
    assertEquals(core1 + " at event-stream offset 0: truncated or corrupt compressed data after 0"
        + " events (Truncated source)", e.getMessage());

    Files.write(core1, Arrays.copyOf(all, 5));
    e = assertThrows(TruthFormatException.class, () -> r.cursor(1));
    assertEquals(core1 + " at event-stream offset 0: expected the magic TPTRUTH\\1 and a"
        + " compressor byte (file offset 0)", e.getMessage());
    // core 0 is untouched and still reads
    assertTrue(r.countInstructions(0) > 0);
  }

  @Test
  void truncationInsideALargeStreamReportsWhereItStopped() throws Exception {
    Path truth = dir.resolve("bigcut");
    try (TruthWriter w = TruthWriter.create(truth, 1, Map.of(), 3)) {
      new LoopWorkload(5, w.core(0), 1_000_000, true).run();
    }
    Path core0 = truth.resolve("core-0.truth");
    byte[] all = Files.readAllBytes(core0);
    Files.write(core0, Arrays.copyOf(all, all.length / 2));
    TruthReader r = TruthReader.open(truth);
    TruthFormatException e = assertThrows(TruthFormatException.class, () -> r.countInstructions(0));
    assertEquals(150_477, all.length);
    // the events decoded before the cut are counted; the offset is where decompression failed
    assertEquals(core0 + " at event-stream offset 262144: truncated or corrupt compressed data"
        + " after 63316 events (Truncated source)", e.getMessage());
    assertEquals(262_144, e.offset());
  }

  @Test
  void unfinishedSetIsNotReadable() throws Exception {
    Path truth = dir.resolve("crash");
    TruthWriter w = TruthWriter.create(truth, 2, Map.of());
    w.core(0).run(0x1000, 3, 5);
    // a crash before close(): only temporary files exist
    assertEquals(List.of("core-0.truth.tmp", "core-1.truth.tmp"),
        Files.list(truth).map(p -> p.getFileName().toString()).sorted().toList());
    TruthFormatException e = assertThrows(TruthFormatException.class, () -> TruthReader.open(truth));
    assertEquals(truth.resolve("truth.properties") + " at event-stream offset 0: missing; expected"
        + " a truth set completed by TruthWriter.close()", e.getMessage());
    w.close();
    assertEquals(3, TruthReader.open(truth).countInstructions());
    // rewriting in place: the old set stops being readable until the new one is closed
    TruthWriter again = TruthWriter.create(truth, 1, Map.of());
    assertThrows(TruthFormatException.class, () -> TruthReader.open(truth));
    again.core(0).run(0x2000, 7, 9);
    again.close();
    assertEquals(7, TruthReader.open(truth).countInstructions());
  }

  @Test
  void rejectsBadArguments() throws Exception {
    try (TruthWriter w = TruthWriter.create(dir.resolve("args"), 1, Map.of())) {
      TruthWriter.CoreWriter c = w.core(0);
      assertThrows(IllegalArgumentException.class, () -> c.run(0, 0, 0));
      assertThrows(IllegalArgumentException.class, () -> c.exception(-1, 0, 0, 0, 0, 0));
      assertThrows(IllegalArgumentException.class, () -> c.untraced(5, 4));
    }
    assertThrows(IllegalArgumentException.class,
        () -> TruthWriter.create(dir.resolve("bad"), 1, Map.of("cores", "9")));
  }

  @Test
  void aDirectoryWhereAFileBelongsIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("truth.properties"));
    TruthFormatException e = org.junit.jupiter.api.Assertions.assertThrows(TruthFormatException.class,
        () -> TruthReader.open(dir));
    org.junit.jupiter.api.Assertions.assertEquals(dir.resolve("truth.properties")
        + " at event-stream offset 0: expected a file, found a directory", e.getMessage());
  }

  /**
   * A malformed unicode escape in the header (Jazzer's finding crash-ab985d1e...): a format error at
   * the escape's byte, never Properties' IllegalArgumentException; escapes in comment lines and
   * escaped backslashes are not escapes.
   */
  @Test
  void aMalformedEscapeInTheHeaderIsNamedAtItsByte() throws Exception {
    Path truth = dir.resolve("escape");
    Files.createDirectories(truth);
    Path header = truth.resolve("truth.properties");
    Files.write(header, "# \\uZZ in a comment\nname=a\\\\u\\\n  b\\u12G4\nformat=tracepoke-truth\n"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    TruthFormatException e = assertThrows(TruthFormatException.class, () -> TruthReader.open(truth));
    assertEquals(header + " at event-stream offset 34: expected a \\u escape of four hex digits, found"
        + " \"\\u12G\"", e.getMessage());
    assertEquals(34, e.offset());
    // the fuzzer's input: a \\u followed by byte 0xFF
    Files.write(header, new byte[] {0x2d, (byte) 0xea, 0x0c, 0x00, 0x74, 0x68, 0x26, 0x5c, 0x75, (byte) 0xff, 0x74, 0x00});
    e = assertThrows(TruthFormatException.class, () -> TruthReader.open(truth));
    assertEquals(header + " at event-stream offset 7: expected a \\u escape of four hex digits, found"
        + " \"\\u\\xFF\"", e.getMessage());
  }
}
