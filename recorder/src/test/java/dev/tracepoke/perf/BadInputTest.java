package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files: each case gives one documented exception (file, byte offset, expectation) and
 * every whole record before the damage.
 */
class BadInputTest {
  @TempDir Path dir;

  /** What reading a damaged file gave: records before the damage and the exception (or none). */
  record Outcome(List<FileRecord> records, PerfDataException error, List<String> warnings) {}

  static Outcome read(Path f) throws IOException {
    List<FileRecord> got = new ArrayList<>();
    PerfDataReader r;
    try {
      r = PerfDataReader.open(f);
    } catch (PerfDataException e) {
      return new Outcome(got, e, List.of());
    }
    try (r) {
      RecordCursor c = r.fileOrder();
      try {
        for (FileRecord x = c.next(); x != null; x = c.next()) {
          got.add(x);
        }
      } catch (PerfDataException e) {
        // the cursor keeps failing the same way
        PerfDataException again = assertThrows(PerfDataException.class, c::next);
        assertEquals(e, again);
        return new Outcome(got, e, r.warnings());
      }
      return new Outcome(got, null, r.warnings());
    }
  }

  /** A case: mutate the good file's bytes, then expect n records and an exception at offset with message. */
  record Case(String name, UnaryOperator<byte[]> mutate, int records, long offset, String expected) {}

  private byte[] good;
  private List<FileRecord> goodRecords;
  private long dataEnd;

  private void loadGood() throws IOException {
    Path f = dir.resolve("good.data");
    goodRecords = SampleRecording.write(f);
    good = Files.readAllBytes(f);
    try (PerfDataReader r = PerfDataReader.open(f)) {
      dataEnd = r.dataEnd();
    }
  }

  private DynamicTest test(Case c) {
    return DynamicTest.dynamicTest(c.name(), () -> {
      Path f = dir.resolve("bad-" + c.name().replaceAll("[^A-Za-z0-9]", "_") + ".data");
      Files.write(f, c.mutate().apply(good.clone()));
      Outcome o = read(f);
      assertNotNull(o.error(), "expected an error, got " + o.records().size() + " records");
      assertEquals(f, o.error().file());
      assertEquals(c.expected(), o.error().expected());
      assertEquals(c.offset(), o.error().offset());
      assertEquals(f + ": at byte " + c.offset() + ": " + c.expected(), o.error().getMessage());
      assertEquals(goodRecords.subList(0, c.records()), o.records());
      // perf's order delivers the same records before it throws the same exception
      try (PerfDataReader r = c.offset() >= goodRecords.get(0).offset() ? PerfDataReader.open(f) : null) {
        if (r != null) {
          RecordCursor t = r.timeOrder();
          int n = 0;
          try {
            while (t.next() != null) {
              n++;
            }
          } catch (PerfDataException e) {
            assertEquals(c.expected(), e.expected());
          }
          assertEquals(c.records(), n);
        }
      }
    });
  }

  private static UnaryOperator<byte[]> cut(long at) {
    return b -> Arrays.copyOf(b, (int) at);
  }

  private static UnaryOperator<byte[]> putShort(long at, int v) {
    return b -> {
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, (short) v);
      return b;
    };
  }

  private static UnaryOperator<byte[]> putLong(long at, long v) {
    return b -> {
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong((int) at, v);
      return b;
    };
  }

  private static final String CUT = "the end of the file (recording cut short)";

  @TestFactory
  Stream<DynamicTest> truncationAtEveryRecordBoundaryAndInsideEveryRecord() throws IOException {
    loadGood();
    String claimed = "the file ends here but the header says the data section runs to byte " + dataEnd
        + " (recording cut short)";
    List<Case> cases = new ArrayList<>();
    for (int i = 1; i < goodRecords.size(); i++) {
      long at = goodRecords.get(i).offset();
      cases.add(new Case("cut at boundary before record " + i, cut(at), i, at, claimed));
    }
    for (int i = 0; i < goodRecords.size(); i++) {
      FileRecord r = goodRecords.get(i);
      String name = "PERF_RECORD_" + RecordCatalogue.name(r.record().type());
      cases.add(new Case("cut 4 bytes into record " + i, cut(r.offset() + 4), i, r.offset(),
          "expected an 8-byte record header, only 4 bytes remain before " + CUT));
      if (r.size() == 8) {
        continue; // 4 bytes in is already inside it
      }
      long mid = r.offset() + r.size() / 2 + 4;
      cases.add(new Case("cut inside record " + i, cut(mid), i, r.offset(),
          name + " of " + r.size() + " bytes runs past " + CUT + " at byte " + mid
              + " (" + (mid - r.offset()) + " bytes left)"));
      if (r.record() instanceof PerfRecord.Auxtrace a) {
        // less than a 16-byte frame of the data is there (more: aCutInsideAuxtraceData...)
        long in = a.dataPosition() + 12;
        cases.add(new Case("cut inside AUXTRACE data of record " + i, cut(in), i, r.offset() + 8,
            "AUXTRACE data of " + a.size() + " bytes at byte " + a.dataPosition() + " runs past " + CUT
                + " at byte " + in));
      }
    }
    return cases.stream().map(this::test);
  }

  /**
   * A recording cut inside an AUXTRACE record's data gives that record back with the whole 16-byte
   * frames of its data that the file holds, then the error naming the cut: the trace before the
   * cut is decoded like any other.
   */
  @TestFactory
  Stream<DynamicTest> aCutInsideAuxtraceDataKeepsItsWholeFrames() throws IOException {
    loadGood();
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < goodRecords.size(); i++) {
      FileRecord r = goodRecords.get(i);
      if (!(r.record() instanceof PerfRecord.Auxtrace a)) {
        continue;
      }
      int k = i;
      tests.add(DynamicTest.dynamicTest("cut 40 bytes into the AUXTRACE data of record " + i, () -> {
        long in = a.dataPosition() + 40;
        Path f = dir.resolve("cut-aux-" + k + ".data");
        Files.write(f, cut(in).apply(good.clone()));
        Outcome o = read(f);
        List<FileRecord> expected = new ArrayList<>(goodRecords.subList(0, k));
        expected.add(new FileRecord(r.offset(), r.size(), r.time(), r.cpu(), new PerfRecord.Auxtrace(32,
            a.offset(), a.reference(), a.idx(), a.tid(), a.cpu(), a.dataPosition())));
        assertEquals(expected, o.records());
        assertEquals(r.offset() + 8, o.error().offset());
        assertEquals("AUXTRACE data of " + a.size() + " bytes at byte " + a.dataPosition() + " runs past "
            + CUT + " at byte " + in + ": its first 32 bytes are read", o.error().expected());
        try (PerfDataReader reader = PerfDataReader.open(f);
            java.nio.channels.ReadableByteChannel ch =
                reader.payload((PerfRecord.Auxtrace) o.records().get(k).record())) {
          ByteBuffer got = ByteBuffer.allocate(64);
          while (ch.read(got) > 0) {
            // the channel ends after the data that was kept
          }
          got.flip();
          assertEquals(ByteBuffer.wrap(good, (int) a.dataPosition(), 32), got);
        }
      }));
    }
    assertEquals(false, tests.isEmpty(), "the sample recording has AUXTRACE records");
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> damagedHeadersAndRecords() throws IOException {
    loadGood();
    long first = goodRecords.get(0).offset();
    FileRecord comm = goodRecords.get(2);
    FileRecord poke = goodRecords.get(7);
    FileRecord aux = goodRecords.get(13);
    FileRecord info = goodRecords.get(0);
    List<Case> cases = List.of(
        new Case("bad magic", putLong(0, 0x4154414446524550L), 0, 0,
            "expected magic PERFILE2, found 0x4154414446524550"),
        new Case("byte-swapped magic", putLong(0, Long.reverseBytes(PerfFileHeader.MAGIC)), 0, 0,
            "magic is byte-swapped PERFILE2: big-endian perf.data is not supported"),
        new Case("empty file", cut(0), 0, 0,
            "expected a perf.data header starting with magic PERFILE2, but the file has 0 bytes"),
        new Case("cut inside the file header", cut(60), 0, 0,
            "expected the 104-byte file header (104 bytes at 0), but the file ends at byte 60"),
        new Case("pipe mode", putLong(8, 16), 0, 8, "pipe-mode perf.data (header size 16) is not supported"),
        new Case("header size 99", putLong(8, 99), 0, 8, "header size 99, expected 104 (or 72)"),
        new Case("attr entry size 40", putLong(16, 40), 0, 16,
            "attr entry size 40, expected 80..4112 (attr + ids section)"),
        new Case("attrs past the end", putLong(32, 1L << 40), 0, 32,
            "attrs section of 1099511627776 bytes is not a multiple of the 144-byte attr entry"),
        new Case("attr size disagrees with header", putShort(first - 288 + 4, 120), 0, first - 288 + 4,
            "attr 0 size 120, expected 128 (header attr_size 144 - 16)"),
        // issue 16: the bound check overflowed and the message cited the bogus value as the offset
        new Case("huge attrs offset", putLong(24, Long.MAX_VALUE - 100), 0, 24,
            "attrs section [" + (Long.MAX_VALUE - 100) + ", +288) runs past the end of the file at byte " + good.length),
        new Case("data offset past the end", putLong(40, 1L << 40), 0, 40,
            "data section offset 1099511627776 (size " + (dataEnd - first) + ") is outside the file ("
                + good.length + " bytes) or inside the header"),
        new Case("record size 0", putShort(comm.offset() + 6, 0), 2, comm.offset(),
            "record size 0 is smaller than the 8-byte header"),
        new Case("record size 4", putShort(comm.offset() + 6, 4), 2, comm.offset(),
            "record size 4 is smaller than the 8-byte header"),
        new Case("oversized record size", putShort(comm.offset() + 6, 0xfff8), 2, comm.offset(),
            "PERF_RECORD_COMM of 65528 bytes runs past the end of the data section at byte " + dataEnd
                + " (" + (dataEnd - comm.offset()) + " bytes left)"),
        new Case("record too small for its trailer", putShort(comm.offset() + 6, 16), 2, comm.offset(),
            "PERF_RECORD_COMM of 16 bytes is too small for its 32-byte sample_id trailer"),
        new Case("oversized AUXTRACE size", putLong(aux.offset() + 8, 1L << 33), 13, aux.offset() + 8,
            "AUXTRACE data of 8589934592 bytes at byte " + (aux.offset() + 48)
                + " runs past the end of the data section at byte " + dataEnd),
        new Case("TEXT_POKE lengths past the record", putShort(poke.offset() + 16, 200), 7, poke.offset() + 16,
            "TEXT_POKE old len 200 + new len 4 bytes, but only 12 bytes remain before the trailer"),
        new Case("CS_ETM header version 3", putLong(info.offset() + 16, 3), 0, info.offset() + 16,
            "CS_ETM header version 3 is not supported (0, 1 and 2 are)"),
        new Case("ETMv3 block", putLong(info.offset() + 16 + 24, EtmV4Params.MAGIC_ETMV3), 0,
            info.offset() + 16 + 24, "CS_ETM block for cpu 0 is ETMv3/PTM; only ETMv4 and ETE are supported"),
        new Case("COMM name without NUL", b -> {
              Arrays.fill(b, (int) comm.offset() + 16, (int) comm.offset() + 32, (byte) 'x');
              return b;
            }, 2, comm.offset() + 16, "COMM comm: expected a NUL-terminated string"),
        new Case("data size one byte short", putLong(48, dataEnd - first - 1), 15, dataEnd - 8,
            "expected an 8-byte record header, only 7 bytes remain before the end of the data section"));
    return cases.stream().map(this::test);
  }

  @Test
  void cutShortRecordingWarnsAndKeepsWholeRecords() throws IOException {
    loadGood();
    Path f = dir.resolve("short.data");
    long at = goodRecords.get(5).offset();
    Files.write(f, Arrays.copyOf(good, (int) at));
    Outcome o = read(f);
    assertEquals(5, o.records().size());
    assertEquals(List.of(f + ": at byte 48: recording cut short: the header says data runs to byte " + dataEnd
            + " but the file ends at byte " + at,
        f + ": at byte 48: feature sections not read: they follow the data section, which the file does not hold whole"),
        o.warnings());
    assertTrue(o.error().getMessage().endsWith("(recording cut short)"));
  }

  @Test
  void cutRightAfterTheDataSectionLosesOnlyTheFeatures() throws IOException {
    loadGood();
    Path f = dir.resolve("nofeat.data");
    Files.write(f, Arrays.copyOf(good, (int) dataEnd));
    Outcome o = read(f);
    assertEquals(null, o.error());
    assertEquals(goodRecords, o.records());
    assertEquals(List.of("features not read: " + f + ": at byte " + dataEnd + ": expected the feature table of 8"
        + " entries (128 bytes at " + dataEnd + "), but the file ends at byte " + dataEnd), o.warnings());
  }

  @Test
  void unfinishedHeaderDataSizeZeroReadsToTheEnd() throws IOException {
    loadGood();
    Path f = dir.resolve("zero.data");
    byte[] b = Arrays.copyOf(good, (int) dataEnd);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(48, 0);
    Files.write(f, b);
    Outcome o = read(f);
    assertEquals(null, o.error());
    assertEquals(goodRecords, o.records());
    assertEquals(f + ": at byte 48: data size field is 0: the recording was not finished; reading to the end of the file",
        o.warnings().get(0));
  }

  @Test
  void damagedFeatureIsAWarningNotAFailure() throws IOException {
    loadGood();
    Path f = dir.resolve("feat.data");
    byte[] b = good.clone();
    // first feature (HOSTNAME) body: string length far past the body
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long hostBody = bb.getLong((int) dataEnd);
    bb.putInt((int) hostBody, 100000);
    Files.write(f, b);
    try (PerfDataReader r = PerfDataReader.open(f)) {
      assertEquals(List.of("feature HOSTNAME ignored: " + f + ": at byte " + (hostBody + 4)
          + ": HOSTNAME: string length 100000 runs past the body"), r.warnings());
      assertTrue(r.features().hostname().isEmpty());
      assertEquals("aarch64", r.features().arch().orElseThrow());
      assertEquals(goodRecords, r.readAll());
    }
  }
}
