package dev.tracepoke.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.elf.Elf;
import dev.tracepoke.elf.ElfImage;
import dev.tracepoke.elf.ElfWriter;
import dev.tracepoke.elf.Segment;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataWriter;
import dev.tracepoke.perf.SampleRecording;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class RecordingTest {
  @TempDir Path tmp;

  /** nop; nop; b .-8 at the kernel text start. */
  static final byte[] TEXT = {0x1f, 0x20, 0x03, (byte) 0xd5, 0x1f, 0x20, 0x03, (byte) 0xd5,
      (byte) 0xfe, (byte) 0xff, (byte) 0xff, 0x17};

  /** Writes the sample records as a perf directory with kcore, kallsyms and truth/. */
  public static List<FileRecord> writeDirectory(Path dir) throws IOException {
    try (RecordingWriter w = RecordingWriter.create(dir, SampleRecording::configure)) {
      w.kcore(ElfWriter.core().load(".text", SampleRecording.KERNEL_TEXT, TEXT, Elf.PF_R | Elf.PF_X));
      w.kallsyms(Kallsyms.of(List.of(
          new Kallsyms.Symbol(SampleRecording.KERNEL_TEXT, 'T', "_text", null),
          new Kallsyms.Symbol(SampleRecording.KERNEL_TEXT, 'T', "kloop", null))));
      Files.writeString(w.truthDir().resolve("README"), "truth goes here\n");
      return SampleRecording.write(w.data());
    }
  }

  @Test
  void directoryLayoutRoundTrips() throws IOException {
    Path dir = tmp.resolve("rec");
    List<FileRecord> written = writeDirectory(dir);
    assertTrue(Files.isRegularFile(dir.resolve("data")));
    assertFalse(Files.exists(dir.resolve("data.tmp")));
    try (Recording r = Recording.open(dir)) {
      assertTrue(r.isDirectory());
      assertEquals(written, r.data().readAll());
      assertEquals(-1, r.data().features().dirFormat());
      assertEquals(dir.resolve("kcore_dir/kcore"), r.imageFile().orElseThrow());
      assertEquals(dir.resolve("kcore_dir/kallsyms"), r.kallsymsFile().orElseThrow());
      // perf uses kcore_dir only with a modules list beside kallsyms (empty: no modules)
      assertEquals(0, Files.size(dir.resolve("kcore_dir/modules")));
      assertEquals(dir.resolve("truth"), r.truthDir().orElseThrow());
      ElfImage img = r.image().orElseThrow();
      assertEquals(Elf.ET_CORE, img.type());
      Segment s = img.segmentAt(SampleRecording.KERNEL_TEXT + 4).orElseThrow();
      byte[] b = new byte[4];
      img.read(s, SampleRecording.KERNEL_TEXT + 8, b, 0, 4);
      assertArrayEquals(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, 0x17}, b);
      assertEquals("kloop", r.kallsyms().orElseThrow().lookup(SampleRecording.KERNEL_TEXT + 8).orElseThrow().name());
    }
  }

  @Test
  void plainPerfDataWithASeparateImage() throws IOException {
    Path data = tmp.resolve("perf.data");
    List<FileRecord> written = SampleRecording.write(data);
    Path elf = tmp.resolve("vmlinux");
    ElfWriter.executable(SampleRecording.KERNEL_TEXT).load(".text", SampleRecording.KERNEL_TEXT, TEXT,
        Elf.PF_R | Elf.PF_X).write(elf);
    try (Recording r = Recording.open(data, elf)) {
      assertFalse(r.isDirectory());
      assertEquals(written, r.data().readAll());
      assertEquals(elf, r.imageFile().orElseThrow());
      assertEquals(Elf.ET_EXEC, r.image().orElseThrow().type());
      assertTrue(r.kallsymsFile().isEmpty());
      assertTrue(r.truthDir().isEmpty());
      assertTrue(r.kallsyms().isEmpty());
    }
    try (Recording r = Recording.open(data)) {
      assertTrue(r.image().isEmpty());
    }
  }

  @Test
  void missingPiecesAreNamed() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Recording.open(empty));
    assertEquals(empty.resolve("data") + ": not a perf directory: expected its perf.data file here", e.getMessage());
    NoSuchFileException e2 = assertThrows(NoSuchFileException.class, () -> Recording.open(tmp.resolve("nope")));
    assertEquals(tmp.resolve("nope") + ": no such recording", e2.getMessage());
    Files.writeString(empty.resolve("x"), "x");
    FileAlreadyExistsException e3 = assertThrows(FileAlreadyExistsException.class,
        () -> RecordingWriter.create(empty, b -> {}));
    assertEquals(empty + ": recording directory is not empty", e3.getMessage());
  }

  @Test
  void aCrashedWriterLeavesNoDataFile() throws IOException {
    Path dir = tmp.resolve("crashed");
    RecordingWriter w = RecordingWriter.create(dir, SampleRecording::configure);
    SampleRecording.write(w.data());
    // never closed: the process "died" here
    assertFalse(Files.exists(dir.resolve("data")));
    assertTrue(Files.exists(dir.resolve("data.tmp")));
    assertThrows(NoSuchFileException.class, () -> Recording.open(dir));
    w.data().abort();
    assertFalse(Files.exists(dir.resolve("data.tmp")));
  }

  @Test
  void anAbortedRunPublishesNothingEvenWhenClosed() throws IOException {
    Path dir = tmp.resolve("aborted");
    try (RecordingWriter w = RecordingWriter.create(dir, SampleRecording::configure)) {
      SampleRecording.write(w.data());
      w.abort(); // what Simulation does when the run fails; try-with-resources still closes
    }
    assertFalse(Files.exists(dir.resolve("data")));
    assertFalse(Files.exists(dir.resolve("data.tmp")));
  }
}
