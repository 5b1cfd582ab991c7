package dev.tracepoke.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WholeFileTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFinishedWriteReplacesTheFileAndLeavesNoTemporary() throws IOException {
    Path f = dir.resolve("kallsyms");
    Files.writeString(f, "old");
    WholeFile.writeString(f, "new\n", StandardCharsets.UTF_8);
    assertEquals("new\n", Files.readString(f));
    assertEquals(List.of("kallsyms"), names());
  }

  @Test
  void aWriteThatFailsHalfWayLeavesTheOldFileAndNoTemporary() throws IOException {
    Path f = dir.resolve("kcore");
    Files.write(f, new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> WholeFile.write(f, out -> {
      out.write(new byte[100_000]);
      throw new IOException("No space left on device");
    }));
    assertEquals("writing " + f + ": No space left on device", e.getMessage());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    assertEquals(List.of("kcore"), names());
  }

  @Test
  void aNewFileThatFailsDoesNotAppearAtAll() {
    Path f = dir.resolve("trace.ini");
    assertThrows(IOException.class, () -> WholeFile.write(f, out -> {
      out.write("[trace_buffers]\n".getBytes(StandardCharsets.ISO_8859_1));
      throw new IOException("Input/output error");
    }));
    assertFalse(Files.exists(f));
    assertFalse(Files.exists(WholeFile.temporary(f)));
  }
}
