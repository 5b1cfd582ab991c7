package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.Zstd;
import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.Raw;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PERF_RECORD_COMPRESSED: one zstd stream across records, records split between them. */
class CompressedTest {
  @TempDir Path dir;

  /** The data-section bytes and records of a plain file with {@code n} COMMs. */
  private List<FileRecord> plain(Path f, int n) throws IOException {
    try (PerfDataWriter w = SampleRecording.builder(f).open()) {
      for (int i = 0; i < n; i++) {
        w.write(new Comm(0, i, i, "thread-" + i, SampleRecording.sid(i % 2, 1000 + i, 201)));
      }
    }
    try (PerfDataReader r = PerfDataReader.open(f)) {
      return r.readAll();
    }
  }

  /** A zstd skippable frame that pads {@code len} compressed bytes to a multiple of 8. */
  private static byte[] padTo8(byte[] chunk) {
    int extra = (8 - chunk.length % 8) % 8;
    ByteBuffer b = ByteBuffer.allocate(chunk.length + 8 + extra).order(ByteOrder.LITTLE_ENDIAN);
    b.put(chunk).putInt(0x184D2A50).putInt(extra);
    return b.array();
  }

  @Test
  void recordsSplitAcrossTwoCompressedRecordsComeBackInOrder() throws IOException {
    Path f = dir.resolve("plain.data");
    List<FileRecord> want = plain(f, 40);
    byte[] all = Files.readAllBytes(f);
    long start = want.get(0).offset();
    FileRecord last = want.get(want.size() - 1);
    byte[] data = Arrays.copyOfRange(all, (int) start, (int) (last.offset() + last.size()));
    // two zstd frames whose boundary falls 3 bytes into a record, one per COMPRESSED record
    int k = (int) (want.get(20).offset() - start) + 3;
    byte[] first = padTo8(Zstd.compress(Arrays.copyOf(data, k), 3));
    byte[] second = padTo8(Zstd.compress(Arrays.copyOfRange(data, k, data.length), 3));

    Path c = dir.resolve("z.data");
    long off1;
    long off2;
    try (PerfDataWriter w = SampleRecording.builder(c).open()) {
      off1 = w.write(new Raw(PerfRecord.COMPRESSED, 0, first));
      w.write(new PerfRecord.FinishedRound());
      off2 = w.write(new Raw(PerfRecord.COMPRESSED, 0, second));
    }
    try (PerfDataReader r = PerfDataReader.open(c)) {
      List<FileRecord> got = r.readAll();
      List<PerfRecord> records = new ArrayList<>();
      int fromFirst = 0;
      for (FileRecord x : got) {
        if (!(x.record() instanceof PerfRecord.FinishedRound)) {
          records.add(x.record());
          if (x.offset() == off1) {
            fromFirst++;
          } else {
            assertEquals(off2, x.offset());
          }
        }
      }
      assertEquals(want.stream().map(FileRecord::record).toList(), records);
      // record 20 starts in the first COMPRESSED record and ends in the second
      assertEquals(20, fromFirst);
      assertEquals(41, got.size());
    }
  }

  @Test
  void aStreamThatStopsInsideARecordIsDamage() throws IOException {
    Path f = dir.resolve("plain2.data");
    List<FileRecord> want = plain(f, 3);
    byte[] all = Files.readAllBytes(f);
    long start = want.get(0).offset();
    byte[] data = Arrays.copyOfRange(all, (int) start, (int) (want.get(2).offset() + 20));
    Path c = dir.resolve("z2.data");
    long off;
    try (PerfDataWriter w = SampleRecording.builder(c).open()) {
      off = w.write(new Raw(PerfRecord.COMPRESSED, 0, padTo8(Zstd.compress(data, 3))));
    }
    try (PerfDataReader r = PerfDataReader.open(c)) {
      RecordCursor cur = r.fileOrder();
      assertEquals(want.get(0).record(), cur.next().record());
      assertEquals(want.get(1).record(), cur.next().record());
      PerfDataException e = assertThrows(PerfDataException.class, cur::next);
      assertEquals(off, e.offset());
      assertEquals("PERF_RECORD_COMPRESSED: the decompressed data ends 20 bytes into a record", e.expected());
    }
  }

  @Test
  void garbageIsNotZstd() throws IOException {
    Path c = dir.resolve("bad.data");
    long off;
    try (PerfDataWriter w = SampleRecording.builder(c).open()) {
      off = w.write(new Raw(PerfRecord.COMPRESSED, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    }
    try (PerfDataReader r = PerfDataReader.open(c)) {
      PerfDataException e = assertThrows(PerfDataException.class, r::readAll);
      assertEquals(off, e.offset());
      assertEquals(true, e.expected().startsWith("PERF_RECORD_COMPRESSED: zstd data does not decompress ("), e.expected());
    }
  }
}
