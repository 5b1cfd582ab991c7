package dev.tracepoke.recording;

import dev.tracepoke.storage.WholeFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * One case of the golden corpus: a directory holding {@code scenario.json}, the recording packed as
 * {@link RecordingArchive#FILE_NAME}, the arguments of its {@code decode} ({@code decode.args}) and
 * the expected outputs as text ({@code decode.txt}, {@code diff.json}, {@code costs.txt}).
 */
public record GoldenCase(Path dir) {
  public static final String SCENARIO = "scenario.json";
  public static final String DECODE_ARGS = "decode.args";
  public static final String DECODE = "decode.txt";
  public static final String DIFF = "diff.json";
  public static final String COSTS = "costs.txt";
  /** The expected outputs, in the order they are compared. */
  public static final List<String> OUTPUTS = List.of(DECODE, DIFF, COSTS);

  /** The case name: its directory name. */
  public String name() {
    return dir.getFileName().toString();
  }

  public Path scenario() {
    return dir.resolve(SCENARIO);
  }

  public Path archive() {
    return dir.resolve(RecordingArchive.FILE_NAME);
  }

  public Path file(String name) {
    return dir.resolve(name);
  }

  /** The decode arguments: whitespace-separated words of {@code decode.args}. */
  public List<String> decodeArgs() throws IOException {
    String s = Files.readString(file(DECODE_ARGS), StandardCharsets.UTF_8).strip();
    return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
  }

  /** Every case of a corpus: the subdirectories holding a scenario.json, sorted by name. */
  public static List<GoldenCase> list(Path corpus) throws IOException {
    if (!Files.isDirectory(corpus)) {
      throw new java.nio.file.NotDirectoryException(corpus + " (expected a golden corpus directory)");
    }
    List<GoldenCase> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(corpus)) {
      for (Path p : s.sorted().toList()) {
        if (Files.isRegularFile(p.resolve(SCENARIO))) {
          out.add(new GoldenCase(p));
        }
      }
    }
    return out;
  }

  /**
   * The first line where {@code actual} differs from the expected file {@code name} of this case,
   * as "NAME line N: expected '...', got '...'", or null when they are equal. A missing expected
   * file is a difference too.
   */
  public String compare(String name, String actual) throws IOException {
    Path p = file(name);
    if (!Files.isRegularFile(p)) {
      return name + ": missing";
    }
    return firstDifference(name, Files.readString(p, StandardCharsets.UTF_8), actual);
  }

  /** The first differing line of two texts, or null when they are equal. */
  public static String firstDifference(String name, String expected, String actual) {
    if (expected.equals(actual)) {
      return null;
    }
    String[] e = lines(expected);
    String[] a = lines(actual);
    int n = Math.min(e.length, a.length);
    for (int i = 0; i < n; i++) {
      if (!e[i].equals(a[i])) {
        return name + " line " + (i + 1) + ": expected '" + e[i] + "', got '" + a[i] + "'";
      }
    }
    if (e.length == a.length) {
      return name + ": differs only in the newline at its end";
    }
    // one is a prefix of the other: name the first line only one of them has
    return e.length > a.length
        ? name + " line " + (n + 1) + ": expected '" + e[n] + "', got the end of the output"
        : name + " line " + (n + 1) + ": expected the end of the file, got '" + a[n] + "'";
  }

  private static String[] lines(String text) {
    String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return t.isEmpty() && text.length() <= 1 ? new String[0] : t.split("\n", -1);
  }

  /** Writes {@code text} to file {@code name} unless it already holds it; true when written. */
  public boolean writeIfChanged(String name, String text) throws IOException {
    return writeIfChanged(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} to file {@code name} unless it already holds them; true when written. */
  public boolean writeIfChanged(String name, byte[] bytes) throws IOException {
    Path p = file(name);
    if (Files.isRegularFile(p) && Arrays.equals(Files.readAllBytes(p), bytes)) {
      return false;
    }
    WholeFile.write(p, bytes);
    return true;
  }
}
