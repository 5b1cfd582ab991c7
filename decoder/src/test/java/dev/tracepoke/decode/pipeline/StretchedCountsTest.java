package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code bench decode}'s {@code wall:} line counts, on several threads, exactly what a decode on
 * one thread outputs: every stream cut into stretches whose decoders keep only counts at the places
 * they may be stitched ({@link CountedElements}), over every snapshot and golden recording, with
 * stretches small enough that some are decoded again.
 */
class StretchedCountsTest {

  /** One timed run; its counts and {stretches cut, decoded again}. */
  private static DecodeBench.Result wallOnce(TraceInput in, int threads, int stretch) throws IOException {
    DecodeBench.Result r = DecodeBench.wallUntilSteady(in, threads, stretch, 0, 0, 1, 0);
    assertEquals(1, r.runs().size());
    return r;
  }

  private static long[] oneThread(TraceInput in) throws IOException {
    FlowCounts c = new FlowCounts();
    Decoding.streamCounting(in, CoreDecoderFactory.WINDOWS, null, 1, 0, c, Long.MIN_VALUE,
        Long.MAX_VALUE);
    return c.snapshot();
  }

  private static void assertCountsLikeOneThread(TraceInput in, String name) throws IOException {
    long[] one = oneThread(in);
    assertArrayEquals(one, wallOnce(in, 1, Stretches.STRETCH).runs().get(0).counts().snapshot(),
        name + " on one thread");
    long cutAnywhere = 0;
    for (int stretch : new int[] {512, 2048, 16 << 10}) {
      for (int threads : new int[] {2, 3}) {
        DecodeBench.Result r = wallOnce(in, threads, stretch);
        assertArrayEquals(one, r.runs().get(0).counts().snapshot(),
            name + " in " + stretch + "-byte stretches on " + threads + " threads");
        cutAnywhere += r.stretches()[0] - in.cores().size();
      }
    }
    long longest = in.cores().stream().mapToLong(c -> c.bytes().length()).max().orElse(0);
    if (longest > 4096) {
      // a stream two 2048-byte stretches long has an A-sync to cut at in every recording here
      assertTrue(cutAnywhere > 0, name + ": no stream was cut (longest " + longest + " bytes)");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.tracepoke.decode.pipeline.StretchesTest#snapshots")
  void snapshotsCountedInStretchesCountAsOnOneThread(Path snapshot) throws IOException {
    TraceInput in = StretchesTest.openOrSkip(snapshot);
    assertCountsLikeOneThread(in, snapshot.getFileName().toString());
    if (snapshot.getFileName().toString().equals("bugfix-exact-match")) {
      // 512 KiB stretches: the one busy stream is cut once, and the two decoders meet
      DecodeBench.Result r = wallOnce(in, 2, Stretches.STRETCH);
      FlowCounts c = r.runs().get(0).counts();
      assertArrayEquals(new long[] {in.cores().size() + 1, 0}, r.stretches(), "stretches, decoded again");
      assertEquals(1740344, c.ranges(), "ranges (OpenCSD's count)");
      assertEquals(7581461, c.instructions(), "instructions (OpenCSD's count)");
      assertEquals(34, c.exceptions());
      assertEquals(2, c.errors());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.tracepoke.decode.pipeline.StretchesTest#goldenCases")
  void goldenRecordingsCountedInStretchesCountAsOnOneThread(Path golden,
      @org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    Path rec = tmp.resolve("rec");
    dev.tracepoke.recording.RecordingArchive.unpack(
        golden.resolve(dev.tracepoke.recording.RecordingArchive.FILE_NAME), rec);
    assertCountsLikeOneThread(RecordingInput.open(rec, null).inMemory(), golden.getFileName().toString());
  }
}
