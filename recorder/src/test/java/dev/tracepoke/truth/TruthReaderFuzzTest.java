package dev.tracepoke.truth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the ground-truth reader: the input is {@code truth.properties}, the
 * separator {@code %%%%\n}, then {@code core-0.truth}. Any such set is read event by event or
 * rejected with a {@link TruthFormatException} naming the file.
 */
class TruthReaderFuzzTest {
  /** tmpfs where there is one: the fuzz loop writes a file per execution. */
  private static final Path SHM = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
  static final byte[] SEPARATOR = "%%%%\n".getBytes(StandardCharsets.ISO_8859_1);
  /** Events read per input at most: a compressed stream may legitimately expand a lot. */
  static final int MAX_EVENTS = 100_000;

  private static Path dir;

  @BeforeAll
  static void scratch() throws IOException {
    dir = Files.createTempDirectory(SHM, "truth-fuzz");
  }

  @FuzzTest(maxDuration = "15m")
  void truth(byte[] data) throws IOException {
    int cut = indexOf(data, SEPARATOR);
    Files.write(dir.resolve(TruthLayout.HEADER), cut < 0 ? data : Arrays.copyOfRange(data, 0, cut));
    Files.write(TruthLayout.coreFile(dir, 0),
        cut < 0 ? new byte[0] : Arrays.copyOfRange(data, cut + SEPARATOR.length, data.length));
    try {
      TruthReader r = TruthReader.open(dir);
      try (TruthCursor c = r.cursor(0)) {
        for (int i = 0; i < MAX_EVENTS && c.next() != TruthEvent.END; i++) {
          assertTrue(c.offset() >= 0);
        }
      }
    } catch (TruthFormatException e) {
      assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    }
  }

  static int indexOf(byte[] data, byte[] what) {
    for (int i = 0; i + what.length <= data.length; i++) {
      if (Arrays.equals(data, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    return -1;
  }
}
