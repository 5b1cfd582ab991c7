package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the perf.data reader: header, attrs and ids, feature sections,
 * records (COMPRESSED ones expanded), both record orders and the AUXTRACE payloads. Whatever the
 * bytes, the reader either reads them or throws a {@link PerfDataException} naming the file and a
 * byte offset inside it; records it returns lie inside the file.
 */
class PerfDataReaderFuzzTest {
  /** tmpfs where there is one: the fuzz loop writes a file per execution. */
  private static final Path SHM = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
  private static Path file;

  @BeforeAll
  static void scratch() throws IOException {
    file = Files.createTempDirectory(SHM, "perf-fuzz").resolve("perf.data");
  }

  @FuzzTest(maxDuration = "15m")
  void perfData(byte[] data) throws IOException {
    Files.write(file, data);
    try (PerfDataReader r = PerfDataReader.open(file)) {
      r.features();
      long records = 0;
      RecordCursor c = r.fileOrder();
      for (FileRecord rec = c.next(); rec != null; rec = c.next()) {
        assertTrue(rec.offset() >= r.dataStart() && rec.offset() < data.length, "record at " + rec.offset());
        records++;
      }
      long sorted = 0;
      RecordCursor t = r.timeOrder();
      for (FileRecord rec = t.next(); rec != null; rec = t.next()) {
        sorted++;
      }
      assertEquals(records, sorted, "both orders hold the same records");
      for (AuxtraceQueue q : r.auxtraceQueues()) {
        try (InputStream in = r.queueStream(q)) {
          assertEquals(q.size(), in.transferTo(OutputStream.nullOutputStream()));
        }
      }
    } catch (PerfDataException e) {
      assertTrue(e.getMessage().startsWith(file + ": at byte "), e.getMessage());
      assertTrue(e.offset() >= 0 && e.offset() <= data.length, e.getMessage());
    }
  }
}
