package dev.tracepoke.truth;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A complete truth directory written by {@link TruthWriter}: its header, and a {@link TruthCursor}
 * per core to stream the events.
 */
public final class TruthReader {
  private final Path dir;
  private final int cores;
  private final Map<String, String> metadata;

  private TruthReader(Path dir, int cores, Map<String, String> metadata) {
    this.dir = dir;
    this.cores = cores;
    this.metadata = metadata;
  }

  /**
   * Reads {@code truthDir/truth.properties}.
   *
   * @throws TruthFormatException if the header is missing (an unfinished set) or of another format
   */
  public static TruthReader open(Path truthDir) throws IOException {
    Path header = truthDir.resolve(TruthLayout.HEADER);
    Properties p = new Properties();
    if (Files.isDirectory(header)) {
      throw new TruthFormatException(header, 0, "expected a file, found a directory", null);
    }
    try (Reader r = Files.newBufferedReader(header, StandardCharsets.ISO_8859_1)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new TruthFormatException(header, 0,
          "missing; expected a truth set completed by TruthWriter.close()", e);
    } catch (IllegalArgumentException e) {
      // Properties rejects a bad \\u escape without saying where: find it ourselves
      Malformed m = malformedEscape(header);
      throw new TruthFormatException(header, m.offset(),
          "expected a \\u escape of four hex digits, found " + m.found(), e);
    }
    if (!TruthLayout.FORMAT.equals(p.getProperty("format"))
        || !Integer.toString(TruthLayout.VERSION).equals(p.getProperty("version"))) {
      throw new TruthFormatException(header, 0, "expected format=" + TruthLayout.FORMAT
          + " version=" + TruthLayout.VERSION, null);
    }
    int cores;
    try {
      cores = Integer.parseInt(p.getProperty("cores", ""));
    } catch (NumberFormatException e) {
      throw new TruthFormatException(header, 0, "expected cores=<positive number>", e);
    }
    if (cores <= 0) {
      throw new TruthFormatException(header, 0, "expected cores=<positive number>", null);
    }
    Map<String, String> meta = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      meta.put(k, p.getProperty(k));
    }
    return new TruthReader(truthDir, cores, Collections.unmodifiableMap(meta));
  }

  /** Where the first malformed {@code \\u} escape is and what it reads, or offset 0 if none is seen. */
  private record Malformed(long offset, String found) {}

  /**
   * Scans a properties file the way {@link Properties#load} splits it (comment lines, escaped
   * characters, line continuations) for the first {@code \\u} not followed by four hex digits.
   */
  private static Malformed malformedEscape(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      long pos = 0;
      boolean lineStart = true;
      boolean comment = false;
      boolean continuation = false;
      int prev = -1;
      for (int c; (c = in.read()) >= 0; prev = c) {
        long at = pos++;
        if (c == '\n' && prev == '\r') {
          continue;
        }
        if (c == '\n' || c == '\r') {
          lineStart = true;
          comment = false;
          continuation = false;
          continue;
        }
        if (lineStart) {
          if (c == ' ' || c == '\t' || c == '\f') {
            continue;
          }
          lineStart = false;
          comment = !continuation && (c == '#' || c == '!');
        }
        if (comment || c != '\\') {
          continue;
        }
        int n = in.read();
        pos++;
        if (n == 'u') {
          StringBuilder found = new StringBuilder("\"\\u");
          for (int k = 0; k < 4; k++) {
            int h = in.read();
            pos++;
            if (h < 0) {
              return new Malformed(at, found.append("\" at the end of the file").toString());
            }
            found.append(h >= 0x20 && h < 0x7F ? Character.toString(h) : String.format("\\x%02X", h));
            if (Character.digit(h, 16) < 0) {
              return new Malformed(at, found.append('"').toString());
            }
          }
        } else if (n == '\n' || n == '\r') {
          // a continued line: its leading blanks are skipped and it is never a comment
          lineStart = true;
          continuation = true;
          c = n;
        } else if (n < 0) {
          break;
        } else {
          c = n;
        }
      }
    }
    return new Malformed(0, "no malformed escape where this reader looked");
  }

  public int cores() {
    return cores;
  }

  /** All header entries, including format, version, cores and compression. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Opens the event stream of core {@code core}; close it when done. */
  public TruthCursor cursor(int core) throws IOException {
    if (core < 0 || core >= cores) {
      throw new IndexOutOfBoundsException("core " + core + " of " + cores);
    }
    return new TruthCursor(TruthLayout.coreFile(dir, core), core);
  }

  /** Instructions of one core (sum of all run counts). */
  public long countInstructions(int core) throws IOException {
    long n = 0;
    try (TruthCursor c = cursor(core)) {
      for (int k; (k = c.next()) != TruthEvent.END; ) {
        if (k == TruthEvent.RUN) {
          n += c.count();
        }
      }
    }
    return n;
  }

  /** Instructions of all cores. */
  public long countInstructions() throws IOException {
    long n = 0;
    for (int i = 0; i < cores; i++) {
      n += countInstructions(i);
    }
    return n;
  }
}
