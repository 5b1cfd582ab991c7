package dev.tracepoke.kallsyms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the kallsyms reader and its lookups: any file is read or rejected
 * with a {@link KallsymsFormatException} naming the file, line and a byte offset inside it.
 */
class KallsymsFuzzTest {
  /** tmpfs where there is one: the fuzz loop writes a file per execution. */
  private static final Path SHM = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
  private static Path file;

  @BeforeAll
  static void scratch() throws IOException {
    file = Files.createTempDirectory(SHM, "kallsyms-fuzz").resolve("kallsyms");
  }

  @FuzzTest(maxDuration = "15m")
  void kallsyms(byte[] data) throws IOException {
    Files.write(file, data);
    try {
      Kallsyms k = Kallsyms.read(file);
      for (int i = 0; i < k.size(); i++) {
        k.lookup(k.address(i) + 3);
        assertTrue(k.indexOf(k.name(i)) >= 0, k.name(i));
      }
    } catch (KallsymsFormatException e) {
      assertTrue(e.getMessage().startsWith(file + " line "), e.getMessage());
      assertTrue(e.offset() >= 0 && e.offset() <= data.length, e.getMessage());
    }
  }
}
