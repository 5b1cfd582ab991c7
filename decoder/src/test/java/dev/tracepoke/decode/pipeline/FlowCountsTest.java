package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Counting a block of encoded elements in one loop gives what counting them one by one gives. */
class FlowCountsTest {

  /** {@link FlowCounts#elements} over each core's whole buffer, against one call per element. */
  private static void assertBlockCountsLikeOneByOne(FlowBuffer b, String what) {
    for (int cpu : b.cpus()) {
      FlowCounts one = new FlowCounts();
      for (int i = 0; i < b.size(cpu); i++) {
        b.replay(cpu, i, one);
      }
      long[] e = b.encoded(cpu);
      FlowCounts block = new FlowCounts();
      block.elements(e, 0, e.length, cpu, null, null);
      String w = what + " cpu " + cpu;
      assertEquals(one.ranges(), block.ranges(), w + ": ranges");
      assertEquals(one.instructions(), block.instructions(), w + ": instructions");
      assertEquals(one.exceptions(), block.exceptions(), w + ": exceptions");
      assertEquals(one.exceptionReturns(), block.exceptionReturns(), w + ": exception returns");
      assertEquals(one.contexts(), block.contexts(), w + ": contexts");
      assertEquals(one.gaps(), block.gaps(), w + ": gaps");
      assertEquals(one.ambiguities(), block.ambiguities(), w + ": ambiguities");
      assertEquals(one.errors(), block.errors(), w + ": errors");
      assertEquals(b.size(cpu), e.length / FlowElements.STRIDE, w + ": elements");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.tracepoke.decode.pipeline.StretchesTest#goldenCases")
  void goldenRecordings(Path golden, @org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    Path rec = tmp.resolve("rec");
    dev.tracepoke.recording.RecordingArchive.unpack(
        golden.resolve(dev.tracepoke.recording.RecordingArchive.FILE_NAME), rec);
    TraceInput in = RecordingInput.open(rec, null).inMemory();
    FlowBuffer b = new FlowBuffer();
    Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, 1, b, Long.MIN_VALUE, Long.MAX_VALUE);
    assertBlockCountsLikeOneByOne(b, golden.getFileName().toString());
  }

  @Test
  void bugfixExactMatchCountsWhatOpenCsdCounts() throws IOException {
    Path snapshot = StretchesTest.SNAPSHOTS.resolve("bugfix-exact-match");
    Assumptions.assumeTrue(Files.isDirectory(snapshot), snapshot + " not found");
    TraceInput in = SnapshotInput.open(snapshot).inMemory();
    FlowBuffer b = new FlowBuffer();
    Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, 1, b, Long.MIN_VALUE, Long.MAX_VALUE);
    assertBlockCountsLikeOneByOne(b, "bugfix-exact-match");
    // the streamed decode into a counter (the consumer drains chunks through elements)
    FlowCounts streamed = new FlowCounts();
    Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, 1, streamed, Long.MIN_VALUE, Long.MAX_VALUE);
    assertEquals(1740344, streamed.ranges());
    assertEquals(7581461, streamed.instructions());
    assertEquals(34, streamed.exceptions());
  }
}
