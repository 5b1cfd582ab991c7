package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.input.CoreTrace;
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

  /**
   * The snapshot in memory; the test is skipped (with a printed reason) where it does not open,
   * which is the input layer's business (a dump file the snapshot names is missing).
   */
  static TraceInput openOrSkip(Path snapshot) throws IOException {
    try {
      return SnapshotInput.open(snapshot).inMemory();
    } catch (IOException | RuntimeException e) {
      System.out.println(snapshot + " skipped, it does not open: " + e.getMessage());
      org.junit.jupiter.api.Assumptions.abort(snapshot + " does not open: " + e.getMessage());
      throw e;
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
      // one core selected: stitched on the calling thread straight into the sink, no merge
      int[] cpu = {in.cores().get(0).cpu()};
      FlowBuffer alone = decodeCpus(in, f, cpu, 1, Stretches.STRETCH);
      String what = golden.getFileName() + " " + f + " cpu " + cpu[0] + " alone in 512-byte stretches";
      assertSame(alone, decodeCpus(in, f, cpu, 2, 512), what);
      assertStitched(what, 1);
    }
  }

  /** A stream is cut by default only where a processor is left beyond its decoder and the consumer. */
  @org.junit.jupiter.api.Test
  void streamsAreCutByDefaultOnlyOnMoreThanTwoProcessors() {
    assertEquals(false, Decoding.cutsPay(2, 2));
    assertEquals(false, Decoding.cutsPay(8, 2));
    assertEquals(false, Decoding.cutsPay(1, 8));
    assertEquals(true, Decoding.cutsPay(2, 3));
    assertEquals(true, Decoding.cutsPay(8, 8));
  }

  /** A stretch size of 0 decodes each stream whole, on any number of threads. */
  @ParameterizedTest
  @MethodSource("snapshots")
  void noStretchSizeMeansNoCut(Path snapshot) throws IOException {
    TraceInput in = SnapshotInput.open(snapshot).inMemory();
    FlowBuffer one = decode(in, CoreDecoderFactory.WINDOWS, 1, Stretches.STRETCH);
    assertSame(one, decode(in, CoreDecoderFactory.WINDOWS, 4, 0), snapshot.getFileName() + " with no stretch size");
    assertEquals(0, stats[0], snapshot.getFileName() + ": stretches cut");
  }

  /** Stretches cut and decoded again by the last {@link #decode} with more than one thread. */
  long[] stats;

  FlowBuffer decode(TraceInput in, CoreDecoderFactory f, int threads, int stretch)
      throws IOException {
    return decodeCpus(in, f, null, threads, stretch);
  }

  /** {@link #decode} of the cores in {@code cpus} (null: all). */
  FlowBuffer decodeCpus(TraceInput in, CoreDecoderFactory f, int[] cpus, int threads,
      int stretch) throws IOException {
    FlowBuffer b = new FlowBuffer();
    stats = Decoding.streamCounting(in, f, cpus, threads, stretch, b, Long.MIN_VALUE,
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
    TraceInput in = openOrSkip(snapshot);
    for (CoreDecoderFactory f : new CoreDecoderFactory[] {CoreDecoderFactory.STATIC,
        CoreDecoderFactory.WINDOWS}) {
      FlowBuffer one = decode(in, f, 1, Stretches.STRETCH);
      for (int stretch : new int[] {2048, 16 << 10, Stretches.STRETCH}) {
        for (int threads : new int[] {2, 3}) {
          String what = snapshot.getFileName() + " in " + stretch + "-byte stretches on "
              + threads + " threads";
          assertSame(one, decode(in, f, threads, stretch), what);
          if (snapshot.getFileName().toString().equals("bugfix-exact-match") && stretch > Stretches.OVERLAP) {
            // only the last boundary may be decoded again: a last stretch shorter than the
            // overlap has no segment end a span past the cut where the states could meet
            assertTrue(stats[1] <= 1, what + ": " + stats[1] + " boundaries decoded again");
            assertTrue(stats[0] > in.cores().size(), what + ": no stretch boundary");
          }
        }
      }
      if (snapshot.getFileName().toString().equals("bugfix-exact-match")) {
        // its one busy core alone: stitched on the calling thread straight into the sink
        int[] cpu = {1};
        FlowBuffer alone = decodeCpus(in, f, cpu, 1, Stretches.STRETCH);
        String what = "bugfix-exact-match cpu 1 alone in 16 KiB stretches on 2 threads";
        FlowBuffer many = decodeCpus(in, f, cpu, 2, 16 << 10);
        assertSame(alone, many, what);
        assertTrue(stats[0] > 1 && stats[1] <= 1, what + ": " + stats[0] + " stretches, "
            + stats[1] + " decoded again");
        long[] e = many.encoded(1);
        int ranges = 0;
        for (int i = 0; i < e.length; i += FlowElements.STRIDE) {
          ranges += FlowElements.kind(e[i]) == FlowElements.RANGE ? 1 : 0;
        }
        assertEquals(1740344, ranges, what + ": ranges (OpenCSD's count)");
      }
    }
  }

  /**
   * A stream that restarts (a new AUX fragment) and breaks (a damaged frame ID) part-way decodes in
   * stretches exactly as on one thread: every decoder entering the stretch after the event applies it.
   */
  @org.junit.jupiter.api.Test
  void restartsAndBreaksInAStreamDecodeLikeOneThread() throws IOException {
    Path snapshot = SNAPSHOTS.resolve("bugfix-exact-match");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(snapshot), snapshot + " not found");
    TraceInput in = SnapshotInput.open(snapshot).inMemory();
    List<CoreTrace> cores = new java.util.ArrayList<>();
    for (CoreTrace c : in.cores()) {
      java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
      c.bytes().pushTo(held::write);
      byte[] all = held.toByteArray();
      int restart = all.length / 3;
      int broken = 2 * all.length / 3;
      cores.add(new CoreTrace(c.cpu(), c.config(), sink -> {
        for (int at = 0; at < all.length; ) {
          int end = Math.min(all.length, at + 5000);
          if (at < restart && restart <= end) {
            end = restart;
          } else if (at < broken && broken <= end) {
            end = broken;
          }
          sink.accept(all, at, end - at);
          if (end == restart) {
            sink.restart();
          } else if (end == broken) {
            sink.broken("test: stream broken at " + broken);
          }
          at = end;
        }
      }));
    }
    TraceInput events = in.withCores(cores);
    FlowBuffer one = decode(events, CoreDecoderFactory.WINDOWS, 1, Stretches.STRETCH);
    assertTrue(one.extras().toString().contains("test: stream broken at "), "the break is reported");
    for (int stretch : new int[] {2048, 16 << 10}) {
      assertSame(one, decode(events, CoreDecoderFactory.WINDOWS, 2, stretch),
          "restart and break in " + stretch + "-byte stretches");
    }
  }
}
