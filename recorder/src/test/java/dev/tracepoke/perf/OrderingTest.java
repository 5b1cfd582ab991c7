package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.FinishedRound;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderingTest {
  @TempDir Path dir;

  /** Writes COMMs named r0.. with the given times (-2 = FINISHED_ROUND, -3 = AUXTRACE_INFO). */
  static List<Long> write(Path f, long... times) throws IOException {
    List<Long> offsets = new ArrayList<>();
    try (PerfDataWriter w = SampleRecording.builder(f).open()) {
      for (int i = 0; i < times.length; i++) {
        offsets.add(w.position());
        if (times[i] == -2) {
          w.write(new FinishedRound());
        } else if (times[i] == -3) {
          w.write(new PerfRecord.AuxtraceInfo(3, SampleRecording.csEtm()));
        } else {
          w.write(new Comm(0, 1, 1, "r" + i, SampleRecording.sid(0, times[i], 201)));
        }
      }
    }
    return offsets;
  }

  static List<Integer> order(Path f, List<Long> offsets) throws IOException {
    List<Integer> out = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(f)) {
      RecordCursor c = r.timeOrder();
      for (FileRecord x = c.next(); x != null; x = c.next()) {
        out.add(offsets.indexOf(x.offset()));
      }
    }
    return out;
  }

  @Test
  void userRecordsAtOnceKernelRecordsFlushedAtTheRoundAfterNext() throws IOException {
    Path f = dir.resolve("o.data");
    //                        0    1    2   3    4   5  6    7   8    9
    List<Long> off = write(f, 500, 300, -2, 400, -3, 0, 600, -2, 550, 450);
    // 2: first round flushes nothing (limit 0), next limit = 500.
    // 7: second round flushes 1 (300), 3 (400), 0 (500); 6 (600) waits; the rest at the end, sorted.
    assertEquals(List.of(2, 4, 5, 7, 1, 3, 0, 9, 8, 6), order(f, off));
  }

  @Test
  void equalTimesKeepFileOrder() throws IOException {
    Path f = dir.resolve("eq.data");
    List<Long> off = write(f, 7, 5, 7, 5, -2, -2);
    assertEquals(List.of(4, 5, 1, 3, 0, 2), order(f, off));
  }

  @Test
  void fileOrderIsStorageOrder() throws IOException {
    Path f = dir.resolve("f.data");
    List<Long> off = write(f, 9, 3, -2, 1);
    List<Long> seen = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(f)) {
      for (FileRecord x : r.readAll()) {
        seen.add(x.offset());
      }
    }
    assertEquals(off, seen);
  }
}
