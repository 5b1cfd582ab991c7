package dev.tracepoke.snapshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the OpenCSD snapshot reader: the input is the snapshot's files one
 * after another, separated by {@code %%%%\n}, in the order of {@link #FILES}. Reading the
 * snapshot, its memory dumps and the registers of its trace sources either works or throws a
 * {@link SnapshotFormatException} that names a file of the snapshot.
 */
class SnapshotReaderFuzzTest {
  /** tmpfs where there is one: the fuzz loop writes a file per execution. */
  private static final Path SHM = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
  static final List<String> FILES =
      List.of("snapshot.ini", "cpu_0.ini", "etm_0.ini", "trace.ini", "dump.bin", "trace.bin");
  static final byte[] SEPARATOR = "%%%%\n".getBytes(StandardCharsets.ISO_8859_1);

  private static Path dir;

  @BeforeAll
  static void scratch() throws IOException {
    dir = Files.createTempDirectory(SHM, "snapshot-fuzz");
  }

  @FuzzTest(maxDuration = "15m")
  void snapshot(byte[] data) throws IOException {
    List<byte[]> parts = split(data);
    for (int i = 0; i < FILES.size(); i++) {
      Files.write(dir.resolve(FILES.get(i)), i < parts.size() ? parts.get(i) : new byte[0]);
    }
    try {
      Snapshot s = SnapshotReader.read(dir);
      for (Device.Core c : s.cores()) {
        for (MemoryDump d : c.dumps()) {
          byte[] b = d.read(dir);
          assertTrue(b.length == d.length() && b.length <= data.length, "dump of " + b.length + " bytes");
        }
      }
      for (TraceBuffer b : s.buffers()) {
        for (Device.TraceSource t : s.sourcesIn(b)) {
          s.etm4Registers(t);
          s.coreOf(t);
        }
      }
    } catch (SnapshotFormatException e) {
      assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    }
  }

  static List<byte[]> split(byte[] data) {
    List<byte[]> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i + SEPARATOR.length <= data.length; i++) {
      if (Arrays.equals(data, i, i + SEPARATOR.length, SEPARATOR, 0, SEPARATOR.length)) {
        parts.add(Arrays.copyOfRange(data, start, i));
        start = i + SEPARATOR.length;
        i = start - 1;
      }
    }
    parts.add(Arrays.copyOfRange(data, start, data.length));
    return parts;
  }
}
