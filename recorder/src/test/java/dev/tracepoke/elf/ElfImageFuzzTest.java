package dev.tracepoke.elf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the ELF reader (kcore copies and vmlinux-style images): headers,
 * PT_LOAD segments, sections, symbols and segment bytes. Any input is read or rejected with an
 * {@link ElfFormatException} that names the file and an offset inside it.
 */
class ElfImageFuzzTest {
  /** tmpfs where there is one: the fuzz loop writes a file per execution. */
  private static final Path SHM = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
  private static Path file;

  @BeforeAll
  static void scratch() throws IOException {
    file = Files.createTempDirectory(SHM, "elf-fuzz").resolve("kcore");
  }

  @FuzzTest(maxDuration = "15m")
  void elf(byte[] data) throws IOException {
    Files.write(file, data);
    try (ElfImage elf = ElfImage.open(file)) {
      for (Segment s : elf.loadSegments()) {
        assertTrue(Long.compareUnsigned(s.fileSize(), data.length) <= 0, s.toString());
        byte[] head = new byte[(int) Math.min(64, Math.max(0, Math.min(s.memSize(), Integer.MAX_VALUE)))];
        if (head.length > 0) {
          elf.read(s, s.vaddr(), head, 0, head.length);
        }
        elf.segmentAt(s.vaddr());
      }
      elf.symbols();
    } catch (ElfFormatException e) {
      assertTrue(e.getMessage().startsWith(file + " at byte offset "), e.getMessage());
      assertTrue(e.offset() >= 0 && e.offset() <= Math.max(data.length, 64), e.getMessage());
    }
  }
}
