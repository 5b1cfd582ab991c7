package dev.tracepoke.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoldenCaseTest {
  @TempDir Path tmp;

  @Test
  void casesAreTheDirectoriesWithAScenarioSortedByName() throws IOException {
    for (String n : List.of("b--x", "a--y", "no-scenario")) {
      Files.createDirectories(tmp.resolve(n));
    }
    Files.writeString(tmp.resolve("b--x/scenario.json"), "{}");
    Files.writeString(tmp.resolve("a--y/scenario.json"), "{}");
    Files.writeString(tmp.resolve("README"), "not a case");
    assertEquals(List.of("a--y", "b--x"), GoldenCase.list(tmp).stream().map(GoldenCase::name).toList());
  }

  @Test
  void firstDifferenceNamesFileLineAndBothTexts() {
    assertNull(GoldenCase.firstDifference("decode.txt", "a\nb\n", "a\nb\n"));
    assertEquals("decode.txt line 2: expected 'b', got 'c'", GoldenCase.firstDifference("decode.txt", "a\nb\n", "a\nc\n"));
    assertEquals("costs.txt line 3: expected 'c', got the end of the output",
        GoldenCase.firstDifference("costs.txt", "a\nb\nc\n", "a\nb\n"));
    assertEquals("diff.json line 2: expected the end of the file, got 'x'",
        GoldenCase.firstDifference("diff.json", "a", "a\nx"));
    assertEquals("costs.txt: differs only in the newline at its end", GoldenCase.firstDifference("costs.txt", "a\n", "a"));
    assertEquals("costs.txt line 1: expected 'a', got the end of the output", GoldenCase.firstDifference("costs.txt", "a\n", ""));
  }

  @Test
  void compareAndWriteIfChanged() throws IOException {
    GoldenCase c = new GoldenCase(tmp);
    assertEquals("costs.txt: missing", c.compare("costs.txt", "x\n"));
    assertTrue(c.writeIfChanged("costs.txt", "x\n"));
    assertFalse(c.writeIfChanged("costs.txt", "x\n"));
    assertNull(c.compare("costs.txt", "x\n"));
    assertEquals("costs.txt line 1: expected 'x', got 'y'", c.compare("costs.txt", "y\n"));
    Files.writeString(tmp.resolve("decode.args"), " --ranges  --cpu 1\n");
    assertEquals(List.of("--ranges", "--cpu", "1"), c.decodeArgs());
  }
}
