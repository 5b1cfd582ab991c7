package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.flow.FlowSink;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A stretch's elements held in chunks give back exactly the elements written, in any pieces, over
 * many chunks: ranges whose time interval changes or not, ranges with cycle counts or gaps, and
 * every other kind with its message or candidates.
 */
class FlowBlocksTest {
  static final long F = 0xffff800008000000L;

  /** {@code n} elements of core 3, the same for the same seed; errors' packet indexes + {@code indexBase}. */
  static void write(FlowSink s, int n, long seed, long indexBase) {
    Random r = new Random(seed);
    long from = FlowSink.NO_TIME;
    long to = 1000;
    for (int i = 0; i < n; i++) {
      if (r.nextInt(7) == 0) {
        from = to;
        to += 1 + r.nextInt(100);
      }
      long start = F + 4L * r.nextInt(1 << 16);
      int count = 1 + r.nextInt(40);
      switch (r.nextInt(40)) {
        case 0 -> s.range(3, start, start + 4L * count + 4, count, 1, true, from, to, 0, i); // not contiguous
        case 1 -> s.rangeWithCycles(3, start, start + 4L * count, count, 2, false, from, to, 0, i, 77);
        case 2 -> s.error(3, i, i / 3 + indexBase, "message " + i);
        case 3 -> s.ambiguity(3, start, new int[] {i, i + 1, i + 2}, i % 2 == 0, i % 2 == 0 ? i : 0, from, to, i,
            i % 2 == 0 ? FlowSink.REASON_NONE : FlowSink.REASON_UNDECIDABLE);
        case 4 -> s.exception(3, 2, start, from, to, i);
        case 5 -> s.context(3, 1, true, true, 0x1234, 0, i);
        case 6 -> s.gap(3, FlowSink.GAP_OVERFLOW, start, i);
        default -> s.range(3, start, start + 4L * count, count, r.nextInt(5), r.nextBoolean(), from, to,
            r.nextInt(3), i);
      }
    }
  }

  /** Elements {@code [from, to)} of {@link #write}'s sequence for {@code seed}. */
  static void write(FlowSink s, int to, long seed, long indexBase, int from) {
    FlowBuffer all = new FlowBuffer();
    write(all, to, seed, indexBase);
    for (int i = from; i < to; i++) {
      all.replay(3, i, s);
    }
  }

  @Test
  void elementsComeBackAsWrittenInAnyPieces() {
    int n = 100_000; // 25 chunks
    FlowBuffer expected = new FlowBuffer();
    write(expected, n, 42, 5);
    FlowBlocks blocks = new FlowBlocks(new ChunkPool(4));
    write(blocks, n, 42, 0);
    assertEquals(n, blocks.count());
    FlowBuffer got = new FlowBuffer();
    long[] cuts = {0, 1, 255, 256, 257, 1000, 54_321, 54_322, 99_999, n};
    for (int k = 0; k + 1 < cuts.length; k++) {
      blocks.emit(cuts[k], cuts[k + 1], 5, 3, got);
    }
    assertArrayEquals(expected.encoded(3), got.encoded(3));
  }

  @Test
  void anEmitMayStartInsideTheElementsBetweenMarks() {
    FlowBuffer expected = new FlowBuffer();
    write(expected, 3000, 7, 0);
    FlowBlocks blocks = new FlowBlocks();
    write(blocks, 3000, 7, 0);
    FlowBuffer got = new FlowBuffer();
    blocks.emit(1234, 2999, 0, 3, got);
    FlowBuffer slice = new FlowBuffer();
    for (int i = 1234; i < 2999; i++) {
      expected.replay(3, i, slice);
    }
    assertArrayEquals(slice.encoded(3), got.encoded(3));
  }

  /**
   * Elements going out live from the decoding thread ({@link FlowBlocks#goLive}) reach a core's
   * queue exactly once and in order, with those before a cut left out and error indexes moved;
   * chunks go live only while the queue takes them without waiting (room for the chunk and the
   * producer's own), the rest is held and goes at the stitch.
   */
  @Test
  void liveElementsGoOutOnceInOrderAndNeverWaitOnTheQueue() throws Exception {
    int n = 100_000; // 25 chunks
    int cut = 1234;
    long indexBase = 5;
    FlowBuffer expected = new FlowBuffer();
    write(expected, n, 11, indexBase);
    FlowBuffer tail = new FlowBuffer();
    for (int i = cut; i < n; i++) {
      expected.replay(3, i, tail);
    }
    long[] liveBeforeStitch = new long[2];
    java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
    ChunkPool pool = new ChunkPool(64);
    CoreStream stream = new CoreStream(3, new java.util.concurrent.Semaphore(1), pool, sink -> {
      FlowBlocks blocks = new FlowBlocks(pool);
      write(blocks, 2 * ElementChunk.ELEMENTS + 100, 11, 0, 0);
      blocks.skipTo(cut);
      // the elements of full chunks from the cut go out at once, on this thread
      blocks.goLive(indexBase, 3, (CoreStream.Producer) sink); // a core stream decodes into its producer
      liveBeforeStitch[0] = blocks.cutIn();
      write(blocks, n, 11, 0, 2 * ElementChunk.ELEMENTS + 100);
      liveBeforeStitch[1] = blocks.cutIn();
      written.countDown();
      blocks.endLive();
      blocks.emitTo(blocks.count(), indexBase, 3, sink);
    });
    stream.start();
    written.await(); // nothing is taken off the queue until every element is written
    FlowBuffer got = new FlowBuffer();
    stream.drain(0, got);
    assertEquals(2 * ElementChunk.ELEMENTS, liveBeforeStitch[0], "whole chunks out at goLive");
    // the queue (4 chunks) took the producer's own chunk with the cut chunk's elements and chunk
    // 1 at goLive, then chunks 2 and 3 live; from chunk 4 on it was full and the decoder held them
    assertEquals(4 * ElementChunk.ELEMENTS, liveBeforeStitch[1], "chunks out live");
    assertArrayEquals(tail.encoded(3), got.encoded(3));
  }

  /**
   * A stretch that goes live while its core's queue is full sends nothing then and does not wait:
   * the thread calling goLive holds the lock the stretch's decoding thread needs for its next chunk,
   * and the consumer may be waiting for another core's stretch that needs that thread. Its held
   * elements go out at the stitch, in order, after what the queue held.
   */
  @Test
  void goingLiveOnAFullQueueWaitsForNothing() throws Exception {
    // fills the queue, 10 more held by the producer
    assertEquals(0, goLiveBehind(CoreStream.QUEUE * ElementChunk.ELEMENTS + 10,
        2 * ElementChunk.ELEMENTS + 100), "nothing went out at goLive");
  }

  /**
   * Going live with more held chunks than the queue has room for sends the oldest that fit at
   * once (here one: two slots taken, one kept for the producer's own chunk) and holds the rest.
   */
  @Test
  void goingLiveSendsTheOldestChunksThatFit() throws Exception {
    assertEquals(ElementChunk.ELEMENTS, goLiveBehind(2 * ElementChunk.ELEMENTS + 10,
        3 * ElementChunk.ELEMENTS + 100), "one chunk went out at goLive");
  }

  /**
   * A core's stream writes {@code before} elements to its queue (nobody takes them yet), then a
   * stretch holding {@code held} elements goes live and is stitched. Checks that goLive returned
   * without waiting on the queue and that every element arrives in order; returns the stretch's
   * elements that went out at goLive.
   */
  private static long goLiveBehind(int before, int held) throws Exception {
    ChunkPool pool = new ChunkPool(64);
    java.util.concurrent.CountDownLatch live = new java.util.concurrent.CountDownLatch(1);
    long[] cutInAtGoLive = {-1};
    CoreStream stream = new CoreStream(3, new java.util.concurrent.Semaphore(1), pool, sink -> {
      write(sink, before, 5, 0);
      FlowBlocks blocks = new FlowBlocks(pool);
      write(blocks, held, 11, 0);
      blocks.goLive(0, 3, (CoreStream.Producer) sink);
      cutInAtGoLive[0] = blocks.cutIn();
      live.countDown();
      blocks.endLive();
      blocks.emitTo(blocks.count(), 0, 3, sink); // waits for the consumer: nothing is held now
    });
    stream.start();
    assertEquals(true, live.await(30, java.util.concurrent.TimeUnit.SECONDS),
        "goLive returned without waiting on the queue");
    FlowBuffer expected = new FlowBuffer();
    write(expected, before, 5, 0);
    write(expected, held, 11, 0);
    FlowBuffer got = new FlowBuffer();
    stream.drain(0, got);
    assertArrayEquals(expected.encoded(3), got.encoded(3));
    return cutInAtGoLive[0];
  }
}
