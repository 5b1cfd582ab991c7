package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One stream decoded in stretches on several threads gives exactly the elements of a decode on
 * one thread: every OpenCSD snapshot and every recording of the golden corpus (patch windows,
 * forks, timestamps around CSEs), with stretches small enough to put many boundaries in each.
 */
class StretchesTest {
  static final Path SNAPSHOTS = Path.of("/work/shared/conformance/opencsd-snapshots");

  static Stream<Path> snapshots() throws IOException {
    if (!Files.isDirectory(SNAPSHOTS)) {
      System.out.println("StretchesTest: " + SNAPSHOTS + " not found, no snapshots to check");
      return Stream.empty();
    }
    try (Stream<Path> dirs = Files.list(SNAPSHOTS)) {
      List<Path> l = dirs.filter(SnapshotInput::isSnapshot).sorted().toList();
      return l.stream();
    }
  }

  /** The golden corpus's cases: testdata/golden above the working directory. */
  static Stream<Path> goldenCases() throws IOException {
    Path corpus = null;
    for (Path d = Path.of("").toAbsolutePath(); d != null && corpus == null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("testdata/golden"))) {
        corpus = d.resolve("testdata/golden");
      }
    }
    if (corpus == null) {
      System.out.println("StretchesTest: no testdata/golden above " + Path.of("").toAbsolutePath());
      return Stream.empty();
    }
    return dev.tracepoke.recording.GoldenCase.list(corpus).stream()
        .map(dev.tracepoke.recording.GoldenCase::dir);
  }

  @ParameterizedTest
  @MethodSource("goldenCases")
  void goldenRecordingsInStretchesDecodeLikeOneThread(Path golden, @org.junit.jupiter.api.io.TempDir Path tmp)
      throws IOException {
    Path rec = tmp.resolve("rec");
    dev.tracepoke.recording.RecordingArchive.unpack(
        golden.resolve(dev.tracepoke.recording.RecordingArchive.FILE_NAME), rec);
    TraceInput in = RecordingInput.open(rec, null).inMemory();
    for (CoreDecoderFactory f : new CoreDecoderFactory[] {CoreDecoderFactory.WINDOWS,
        CoreDecoderFactory.NAIVE}) {
      FlowBuffer one = decode(in, f, 1, Stretches.STRETCH);
      for (int stretch : new int[] {512, 4096}) {
        String what = golden.getFileName() + " " + f + " in " + stretch + "-byte stretches";
        assertSame(one, decode(in, f, 2, stretch), what);
        assertStitched(what, in.cores().size());
      }
    }
  }

  /** Stretches cut and decoded again by the last {@link #decode} with more than one thread. */
  long[] stats;

  FlowBuffer decode(TraceInput in, CoreDecoderFactory f, int threads, int stretch)
      throws IOException {
    FlowBuffer b = new FlowBuffer();
    stats = Decoding.streamCounting(in, f, null, threads, stretch, b, Long.MIN_VALUE,
        Long.MAX_VALUE);
    return b;
  }

  /** Stretches were cut, and most were stitched where the states met (not decoded again). */
  void assertStitched(String what, int cores) {
    long cuts = stats[0] - cores; // every core's stream has one stretch more than cuts
    assertTrue(cuts > 0, what + ": no stretch boundary");
    assertTrue(stats[1] * 2 <= cuts, what + ": " + stats[1] + " of " + cuts
        + " boundaries decoded again");
  }

  static void assertSame(FlowBuffer one, FlowBuffer many, String what) {
    assertArrayEquals(one.cpus(), many.cpus(), what);
    for (int cpu : one.cpus()) {
      long[] a = one.encoded(cpu);
      long[] b = many.encoded(cpu);
      int n = Math.min(a.length, b.length);
      for (int i = 0; i < n; i += FlowElements.STRIDE) {
        if (!Arrays.equals(a, i, i + FlowElements.STRIDE, b, i, i + FlowElements.STRIDE)) {
          fail(what + ": cpu " + cpu + " element " + i / FlowElements.STRIDE + ": one thread "
              + Arrays.toString(Arrays.copyOfRange(a, i, i + FlowElements.STRIDE)) + ", stretches "
              + Arrays.toString(Arrays.copyOfRange(b, i, i + FlowElements.STRIDE)));
        }
      }
      assertEquals(a.length / FlowElements.STRIDE, b.length / FlowElements.STRIDE,
          what + ": cpu " + cpu + " elements");
    }
    assertEquals(one.extras(), many.extras(), what + ": messages and candidates");
  }

  @ParameterizedTest
  @MethodSource("snapshots")
  void stretchesDecodeLikeOneThread(Path snapshot) throws IOException {
    TraceInput in;
    try {
      in = SnapshotInput.open(snapshot).inMemory();
    } catch (IOException | RuntimeException e) {
      // the input layer's business (a dump file the snapshot names is missing): nothing to stretch
      System.out.println("StretchesTest: " + snapshot + " skipped, it does not open: " + e.getMessage());
      org.junit.jupiter.api.Assumptions.abort(snapshot + " does not open: " + e.getMessage());
      return;
    }
    for (CoreDecoderFactory f : new CoreDecoderFactory[] {CoreDecoderFactory.STATIC,
        CoreDecoderFactory.WINDOWS}) {
      FlowBuffer one = decode(in, f, 1, Stretches.STRETCH);
      for (int stretch : new int[] {2048, 16 << 10, Stretches.STRETCH}) {
        for (int threads : new int[] {2, 3}) {
          String what = snapshot.getFileName() + " in " + stretch + "-byte stretches on "
              + threads + " threads";
          assertSame(one, decode(in, f, threads, stretch), what);
          if (snapshot.getFileName().toString().equals("bugfix-exact-match") && stretch > Stretches.OVERLAP) {
            assertEquals(0, stats[1], what + ": boundaries decoded again");
            assertTrue(stats[0] > in.cores().size(), what + ": no stretch boundary");
          }
        }
      }
    }
  }
}
