package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.diff.FlowBuffer;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.flow.FlowDecoder;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.WriterCses;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decodes every core of a {@link TraceInput}: per core, bytes → {@link PacketReader} → the core
 * decoder → a {@link FlowBuffer}. Cores are independent (each has its own stream, block cache
 * and decoder; the image timeline is shared and immutable), so they run in parallel.
 */
public final class Decoding {
  private Decoding() {}

  /** What decoding one core produced, with its byte and packet counts. */
  public record CoreResult(int cpu, FlowBuffer flow, long bytes, long packets, long nanos) {}

  /**
   * @param cpus the cores to decode (null: all)
   * @param threads worker threads (1: decode in the calling thread)
   */
  public static List<CoreResult> run(TraceInput input, CoreDecoderFactory factory, int[] cpus, int threads)
      throws IOException {
    ImageTimeline timeline = timeline(input, factory);
    List<CoreTrace> selected = new ArrayList<>();
    for (CoreTrace c : input.cores()) {
      if (cpus == null || contains(cpus, c.cpu())) {
        selected.add(c);
      }
    }
    if (threads <= 1 || selected.size() <= 1) {
      List<CoreResult> out = new ArrayList<>();
      for (CoreTrace c : selected) {
        out.add(decodeCore(c, timeline, input, factory));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, selected.size()), r -> {
      Thread t = new Thread(r, "tracepoke-decode");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<CoreResult>> futures = new ArrayList<>();
      for (CoreTrace c : selected) {
        futures.add(pool.submit(() -> decodeCore(c, timeline, input, factory)));
      }
      List<CoreResult> out = new ArrayList<>();
      for (Future<CoreResult> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("decode interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(c);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The image over time that a decode with {@code factory} walks. For {@link
   * CoreDecoderFactory#WINDOWS} with flagless text-poke records whose writer is known, the writers'
   * traces are decoded first (with the records' conservative windows) to log the CSEs they passed:
   * each such record's maintenance was complete by the writer's first CSE after it ({@link
   * WriterCses}), which closes its window far earlier than the next record would.
   */
  public static ImageTimeline timeline(TraceInput input, CoreDecoderFactory factory) throws IOException {
    ImageTimeline plain = ImageTimeline.of(input.image(), input.pokes(), WriterCses.NONE, input.sites());
    int[] writers = plain.landedWriters();
    if (factory != CoreDecoderFactory.WINDOWS || writers.length == 0) {
      return plain;
    }
    Map<Integer, long[]> logs = new HashMap<>();
    for (CoreTrace core : input.cores()) {
      if (!contains(writers, core.cpu())) {
        continue;
      }
      LongArrayList log = new LongArrayList();
      PacketSink decoder = factory.create(core, plain, input, NOTHING);
      if (!(decoder instanceof FlowDecoder flow)) {
        return plain;
      }
      flow.logCses(log);
      push(core, decoder);
      long[] pairs = log.toLongArray();
      for (int i = 1; i < pairs.length; i += 2) {
        if (pairs[i] == FlowSink.NO_TIME) {
          pairs[i] = Long.MAX_VALUE; // no timestamp after it: no bound
        }
      }
      logs.put(core.cpu(), pairs);
    }
    return ImageTimeline.of(input.image(), input.pokes(), WriterCses.of(logs), input.sites());
  }

  /** Decodes one core in the calling thread. */
  public static CoreResult decodeCore(CoreTrace core, ImageTimeline timeline, TraceInput input,
      CoreDecoderFactory factory) throws IOException {
    long t0 = System.nanoTime();
    FlowBuffer flow = new FlowBuffer();
    long[] counts = decodeCore(core, timeline, input, factory, flow);
    return new CoreResult(core.cpu(), flow, counts[0], counts[1], System.nanoTime() - t0);
  }

  /**
   * Decodes one core in the calling thread into {@code sink}.
   *
   * @return {bytes read, packets}
   */
  public static long[] decodeCore(CoreTrace core, ImageTimeline timeline, TraceInput input,
      CoreDecoderFactory factory, FlowSink sink) throws IOException {
    return push(core, factory.create(core, timeline, input, sink));
  }

  private static long[] push(CoreTrace core, PacketSink decoder) throws IOException {
    PacketReader reader = new PacketReader(core.config(), decoder);
    long[] bytes = new long[1];
    core.bytes().pushTo((buf, off, len) -> {
      bytes[0] += len;
      reader.push(buf, off, len);
    });
    reader.finish();
    return new long[] {bytes[0], reader.packets()};
  }

  /** Where the writers' first pass puts its elements: nowhere (only its CSE log is wanted). */
  private static final FlowSink NOTHING = new FlowSink.Ignoring();

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  /**
   * Replays every core's elements into {@code sink} merged by time (each core's own order kept;
   * an element without a time sorts with the element before it on its core), keeping only those
   * whose time interval meets {@code [from, to]}. An element without a time (context, gap, error)
   * is kept when the next timed element of its core is kept (or, after a core's last timed element,
   * when that one was).
   */
  public static void replayByTime(List<CoreResult> cores, FlowSink sink, long from, long to) {
    int n = cores.size();
    int[] next = new int[n];
    long[] last = new long[n];
    java.util.Arrays.fill(last, Long.MIN_VALUE);
    boolean all = from == Long.MIN_VALUE && to == Long.MAX_VALUE;
    boolean[] lastKept = new boolean[n];
    int[] lookahead = new int[n];
    boolean[] lookaheadKept = new boolean[n];
    java.util.Arrays.fill(lookahead, -1);
    while (true) {
      int best = -1;
      long bestKey = 0;
      for (int c = 0; c < n; c++) {
        CoreResult r = cores.get(c);
        if (next[c] >= r.flow().size(r.cpu())) {
          continue;
        }
        long t = r.flow().time(r.cpu(), next[c]);
        long key = t == FlowSink.NO_TIME ? last[c] : Math.max(t, last[c]);
        if (best < 0 || key < bestKey) {
          best = c;
          bestKey = key;
        }
      }
      if (best < 0) {
        return;
      }
      CoreResult r = cores.get(best);
      int cpu = r.cpu();
      int i = next[best];
      last[best] = bestKey;
      boolean keep;
      if (all) {
        keep = true;
      } else if (r.flow().timed(cpu, i)) {
        keep = meets(r.flow().time(cpu, i), r.flow().timeTo(cpu, i), from, to);
        lastKept[best] = keep;
      } else {
        // an untimed element goes with the next timed one on its core (found once per stretch)
        if (lookahead[best] < i) {
          int j = i + 1;
          int size = r.flow().size(cpu);
          while (j < size && !r.flow().timed(cpu, j)) {
            j++;
          }
          lookahead[best] = j;
          lookaheadKept[best] = j < size
              ? meets(r.flow().time(cpu, j), r.flow().timeTo(cpu, j), from, to)
              : lastKept[best];
        }
        keep = lookaheadKept[best];
      }
      if (keep) {
        r.flow().replay(cpu, i, sink);
      }
      next[best]++;
    }
  }

  /** Whether {@code [t0, t1]} (either end may be unknown) meets {@code [from, to]}. */
  private static boolean meets(long t0, long t1, long from, long to) {
    return (t0 == FlowSink.NO_TIME || t0 <= to) && (t1 == FlowSink.NO_TIME || t1 >= from);
  }
}
