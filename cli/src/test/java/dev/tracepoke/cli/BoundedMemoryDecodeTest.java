package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.FlowCounts;
import dev.tracepoke.decode.input.SnapshotInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding at scale keeps memory bounded: the real 1 MiB buffer of OpenCSD's bugfix-exact-match
 * snapshot written {@value #COPIES} times over (64 MiB) decodes in a child JVM with {@code
 * -Xmx128m} in every output format, and prints exactly the lines the copies add up to.
 *
 * <p>The copies join mid-packet; the ETMv4 stream must resynchronise at each copy's first A-sync,
 * so that every further copy adds the same elements. That is checked in process on 1, 2 and 3
 * copies (per element kind), which makes the line count of N copies {@code L(1) + (N-1)(L(2) -
 * L(1))}, with L(1) and L(2) taken from the same command.
 */
class BoundedMemoryDecodeTest {
  static final Path SNAPSHOT =
      Path.of("/work/shared/conformance/opencsd-snapshots/bugfix-exact-match");
  static final int COPIES = 64;

  @TempDir static Path tmp;

  @BeforeAll
  static void snapshotPresent() {
    boolean present = Files.isRegularFile(SNAPSHOT.resolve("cstrace.bin"));
    if (!present) {
      System.out.println("BoundedMemoryDecodeTest skipped: " + SNAPSHOT + " not found");
    }
    assumeTrue(present);
  }

  /** The snapshot with its trace buffer written {@code copies} times over. */
  static Path copies(int copies) throws IOException {
    byte[] buffer = Files.readAllBytes(SNAPSHOT.resolve("cstrace.bin"));
    return SnapshotCopies.withBuffer(SNAPSHOT, tmp.resolve("x" + copies), out -> {
      for (int i = 0; i < copies; i++) {
        out.write(buffer);
      }
    });
  }


  private static long[] counts(int copies) throws IOException {
    FlowCounts c = new FlowCounts();
    Decoding.stream(SnapshotInput.open(copies(copies)), CoreDecoderFactory.WINDOWS, null, 2, c,
        Long.MIN_VALUE, Long.MAX_VALUE);
    return new long[] {c.ranges(), c.instructions(), c.exceptions(), c.exceptionReturns(),
        c.contexts(), c.gaps(), c.ambiguities(), c.errors()};
  }

  /** Runs {@code tracepoke decode ARGS DIR} in a JVM with -Xmx128m; returns its stdout lines. */
  private static long childLines(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "dev.tracepoke.cli.Tracepoke", "decode"));
    cmd.addAll(List.of(args));
    cmd.add(dir.toString());
    Path err = tmp.resolve("stderr-" + String.join("", args) + dir.getFileName());
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    long lines = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = p.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
      }
    }
    int rc = p.waitFor();
    String stderr = Files.readString(err);
    assertEquals(0, rc, "exit status of " + cmd + "; stderr: " + stderr);
    assertTrue(!stderr.contains("OutOfMemoryError") && !stderr.contains("\tat "), stderr);
    return lines;
  }

  @ParameterizedTest
  @ValueSource(strings = {"--format=jsonl", "--ranges", "--format=text"})
  void sixtyFourMebibytesDecodeInABoundedHeap(String format) throws Exception {
    long[] one = counts(1);
    long[] two = counts(2);
    long[] three = counts(3);
    for (int k = 0; k < one.length; k++) {
      // each further copy adds the same elements: the stream resyncs at the copy's A-sync
      assertEquals(two[k] - one[k], three[k] - two[k], "element kind " + k);
    }
    // ...and after the resync a copy decodes as the first did: nothing lost beyond the join
    assertEquals(one[1], two[1] - one[1], "instructions of a further copy");

    Path big = copies(COPIES);
    assertTrue(Files.size(big.resolve("cstrace.bin")) >= 64L << 20);
    long l1 = childLines(copies(1), format);
    long l2 = childLines(copies(2), format);
    long expected = l1 + (COPIES - 1) * (l2 - l1);
    assertEquals(expected, childLines(big, format), format + " lines of " + COPIES + " copies");
  }
}
