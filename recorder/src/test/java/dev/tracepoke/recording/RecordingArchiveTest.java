package dev.tracepoke.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

class RecordingArchiveTest {
  @TempDir Path tmp;

  @Test
  void packUnpackGivesTheSameRecording() throws IOException {
    Path dir = tmp.resolve("rec");
    List<FileRecord> written = RecordingTest.writeDirectory(dir);
    Path archive = tmp.resolve(RecordingArchive.FILE_NAME);
    RecordingArchive.pack(dir, archive);
    Path back = tmp.resolve("back");
    RecordingArchive.unpack(archive, back);

    RecordingArchive.Contents original = RecordingArchive.read(dir);
    assertEquals(List.of("data", "kcore_dir/kallsyms", "kcore_dir/kcore", "kcore_dir/modules", "truth/README"),
        List.copyOf(original.files().keySet()));
    assertNull(original.firstDifference(RecordingArchive.read(back)));
    assertNull(original.firstDifference(RecordingArchive.contents(archive)));
    try (Recording r = Recording.open(back); PerfDataReader data = PerfDataReader.open(back.resolve("data"))) {
      assertEquals(written, data.readAll());
      assertEquals(new String(original.files().get("kcore_dir/kallsyms"), StandardCharsets.US_ASCII),
          Files.readString(back.resolve("kcore_dir/kallsyms")));
    }
  }

  @Test
  void sameContentsSameBytesWhateverTheFileTimes() throws IOException {
    Path a = tmp.resolve("a");
    RecordingTest.writeDirectory(a);
    byte[] first = RecordingArchive.pack(a);
    Files.setLastModifiedTime(a.resolve("data"), FileTime.fromMillis(123_456_789_000L));
    Files.setLastModifiedTime(a.resolve("kcore_dir"), FileTime.fromMillis(42_000L));
    assertArrayEquals(first, RecordingArchive.pack(a));

    // Entries: directories and files sorted by name, time 0, ids 0, no owner names, fixed modes.
    List<String> listing = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(first)))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        listing.add(String.format("%s %o %d %d %d '%s' '%s' %d", e.getName(), e.getMode(), e.getModTime().getTime(),
            e.getLongUserId(), e.getLongGroupId(), e.getUserName(), e.getGroupName(), e.getSize()));
      }
    }
    long dataSize = Files.size(a.resolve("data"));
    long kallsyms = Files.size(a.resolve("kcore_dir/kallsyms"));
    long kcore = Files.size(a.resolve("kcore_dir/kcore"));
    assertEquals(List.of(
        "data 100644 0 0 0 '' '' " + dataSize,
        "kcore_dir/ 40755 0 0 0 '' '' 0",
        "kcore_dir/kallsyms 100644 0 0 0 '' '' " + kallsyms,
        "kcore_dir/kcore 100644 0 0 0 '' '' " + kcore,
        "kcore_dir/modules 100644 0 0 0 '' '' 0",
        "truth/ 40755 0 0 0 '' '' 0",
        "truth/README 100644 0 0 0 '' '' 16"), listing);
  }

  @Test
  void firstDifferenceNamesFileAndByte() {
    RecordingArchive.Contents expected = contents("data", new byte[] {1, 2, 3}, "truth/cpu0", new byte[] {9});
    assertNull(expected.firstDifference(contents("data", new byte[] {1, 2, 3}, "truth/cpu0", new byte[] {9})));
    assertEquals("data: byte 1 is 0x07, expected 0x02",
        expected.firstDifference(contents("data", new byte[] {1, 7, 3}, "truth/cpu0", new byte[] {9})));
    assertEquals("data: 2 bytes, expected 3 (equal up to byte 2)",
        expected.firstDifference(contents("data", new byte[] {1, 2}, "truth/cpu0", new byte[] {9})));
    assertEquals("truth/cpu0: missing (expected 1 bytes)",
        expected.firstDifference(contents("data", new byte[] {1, 2, 3}, "x", new byte[0])));
    assertEquals("a: not expected (0 bytes)",
        expected.firstDifference(contents("a", new byte[0], "data", new byte[] {1, 2, 3})));
    assertEquals(4, expected.size());
  }

  @Test
  void entriesOutsideTheDirectoryAreRefused() throws IOException {
    Path archive = tmp.resolve("evil.tar.xz");
    Files.write(archive, tarXz("ok", "../escape"));
    IOException e = assertThrows(IOException.class, () -> RecordingArchive.unpack(archive, tmp.resolve("out")));
    assertEquals(archive + ": tar entry 1 at uncompressed byte 1024: entry name '../escape' is not a plain relative path",
        e.getMessage());
    assertTrue(Files.isRegularFile(tmp.resolve("out/ok")));
    assertTrue(Files.notExists(tmp.resolve("escape")));
  }

  @Test
  void notAnArchiveAndTruncatedArchiveSayWhere() throws IOException {
    Path text = tmp.resolve("plain.tar.xz");
    Files.writeString(text, "not xz at all");
    IOException e = assertThrows(IOException.class, () -> RecordingArchive.contents(text));
    assertTrue(e.getMessage().startsWith(text + ": byte 0: expected an xz stream: "), e.getMessage());

    Path dir = tmp.resolve("rec");
    RecordingTest.writeDirectory(dir);
    byte[] whole = RecordingArchive.pack(dir);
    Path cut = tmp.resolve("cut.tar.xz");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    IOException t = assertThrows(IOException.class, () -> RecordingArchive.contents(cut));
    // LZMA2 decodes whole chunks: a small archive cut in half cannot give even the first header
    assertEquals(cut + ": tar entry 0 at uncompressed byte 0: unreadable tar header: the archive ends early",
        t.getMessage());
  }

  private static RecordingArchive.Contents contents(String n1, byte[] b1, String n2, byte[] b2) {
    TreeMap<String, byte[]> m = new TreeMap<>();
    m.put(n1, b1);
    m.put(n2, b2);
    return new RecordingArchive.Contents(m);
  }

  /** A tar.xz with one-byte files of these names, written without our checks. */
  private static byte[] tarXz(String... names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(bytes, new LZMA2Options());
        TarArchiveOutputStream tar = new TarArchiveOutputStream(xz)) {
      for (String n : names) {
        TarArchiveEntry e = new TarArchiveEntry(n, true);
        e.setSize(1);
        tar.putArchiveEntry(e);
        tar.write('x');
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
