package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.flow.ElementWindow;
import dev.tracepoke.decode.flow.FlowDecoder;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.WriterCses;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.TraceInput;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Decodes every core of a {@link TraceInput}: per core, bytes → {@link PacketReader} → the core
 * decoder → a bounded queue of element chunks → a merge by time ({@link #stream}), or → a {@link
 * FlowBuffer} holding everything ({@link #run}, for tests and small inputs). Cores are independent
 * (each has its own stream, block cache and decoder; the image timeline is shared and immutable),
 * so they run in parallel.
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
    ExecutorService pool = daemonPool(Math.min(threads, selected.size()), "tracepoke-decode");
    try {
      List<Callable<CoreResult>> work = new ArrayList<>();
      for (CoreTrace c : selected) {
        work.add(() -> decodeCore(c, timeline, input, factory));
      }
      return onThreads(work, pool, "decode");
    } finally {
      pool.shutdownNow();
    }
  }

  /** A fixed pool of {@code threads} daemon threads named {@code name}. */
  static ExecutorService daemonPool(int threads, String name) {
    return Executors.newFixedThreadPool(threads, daemon(name));
  }

  /** Makes daemon threads named {@code name} (a decode never keeps the JVM alive). */
  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Runs {@code work} on {@code pool} (null: on this thread, in order) and returns the results in
   * order; the first failure is thrown as {@link #asIOException} gives it ({@code what} names
   * the work when interrupted).
   */
  static <T> List<T> onThreads(List<Callable<T>> work, ExecutorService pool, String what)
      throws IOException {
    List<T> done = new ArrayList<>();
    try {
      if (pool == null) {
        for (Callable<T> w : work) {
          done.add(w.call());
        }
        return done;
      }
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> w : work) {
        futures.add(pool.submit(w));
      }
      for (Future<T> f : futures) {
        done.add(f.get());
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + " interrupted", e);
    } catch (ExecutionException e) {
      throw asIOException(e.getCause());
    } catch (Exception e) {
      throw asIOException(e);
    }
  }

  /**
   * A failure on another thread as the caller should see it: an I/O error as itself (unwrapped
   * from {@link UncheckedIOException}), a runtime exception or error thrown as it is, anything
   * else wrapped.
   */
  static IOException asIOException(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException(t);
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
    core.bytes().pushTo(new CoreTrace.ByteSink() {
      @Override
      public void accept(byte[] buf, int off, int len) {
        if (Thread.currentThread().isInterrupted()) {
          throw new UncheckedIOException(new InterruptedIOException("decode of cpu " + core.cpu()
              + " stopped")); // a streamed decode was cancelled: stop within one chunk
        }
        bytes[0] += len;
        reader.push(buf, off, len);
      }

      @Override
      public void broken(String what) {
        if (decoder instanceof FlowDecoder flow) {
          flow.brokenStream(reader.offset(), reader.packets(), what);
        }
        reader.reset();
      }

      @Override
      public void restart() {
        reader.reset(); // a new AUX fragment or a 4xFSYNC barrier: resynchronise
      }
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
   * Replays every core's elements into {@code sink} merged by time, keeping only those whose time
   * interval meets {@code [from, to]}: the rules of {@link TimeMerge}, over decodes held in memory.
   */
  public static void replayByTime(List<CoreResult> cores, FlowSink sink, long from, long to) {
    List<ElementWindow> windows = new ArrayList<>();
    for (CoreResult r : cores) {
      windows.add(r.flow().window(r.cpu()));
    }
    try {
      TimeMerge.run(windows, sink, from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // windows over memory do not fail
    }
  }

  /**
   * Decodes the cores of {@code input} (those in {@code cpus}; null: all) and streams their
   * elements into {@code sink} merged by time, keeping those that meet {@code [from, to]} (the
   * rules of {@link TimeMerge}). Each core decodes on its own thread into a bounded queue, at most
   * {@code threads} of them at once; {@code sink} is called on this thread. Memory is bounded by
   * the image, the open patch windows and the queues, not by the trace's length. If {@code sink}
   * throws, every decode stops and the exception propagates.
   */
  public static void stream(TraceInput input, CoreDecoderFactory factory, int[] cpus, int threads,
      FlowSink sink, long from, long to) throws IOException {
    stream(input, factory, cpus, threads, defaultStretch(threads), sink, from, to);
  }

  /** The stretch size a decode on {@code threads} threads cuts at on this machine (0: none). */
  static int defaultStretch(int threads) {
    return cutsPay(threads, Runtime.getRuntime().availableProcessors())
        ? Stretches.stretchFor(threads) : 0;
  }

  /**
   * Whether cutting one core's stream into stretches can make a decode with {@code threads}
   * threads on {@code processors} processors faster. A core's decoder thread and the consumer
   * (merge and writer) already keep two processors busy, and stretches cost more CPU than the
   * stream they replace (overlaps, cold starts, elements held until stitched): on two processors
   * bugfix-exact-match took 25 % longer cut than not, with 2.4 times the memory.
   */
  static boolean cutsPay(int threads, int processors) {
    return threads > 1 && processors > 2;
  }

  /**
   * {@link #stream} with one core's stream cut into stretches of about {@code stretchBytes} when
   * {@code threads > 1} (tests use small ones to put many boundaries in small traces; 0: none).
   */
  public static void stream(TraceInput input, CoreDecoderFactory factory, int[] cpus, int threads,
      int stretchBytes, FlowSink sink, long from, long to) throws IOException {
    streamCounting(input, factory, cpus, threads, stretchBytes, sink, from, to);
  }

  /** {@link #stream}; returns {stretches cut, stretches decoded again} over all cores. */
  static long[] streamCounting(TraceInput input, CoreDecoderFactory factory, int[] cpus,
      int threads, int stretchBytes, FlowSink sink, long from, long to) throws IOException {
    ImageTimeline timeline = timeline(input, factory);
    List<CoreTrace> selected = select(input, cpus);
    FlowDecoder.Config config = Stretches.config(factory, input);
    int inFlight = Streams.inFlight(threads, stretchBytes);
    if (selected.size() == 1 && threads > 1 && stretchBytes > 0 && config != null && inFlight >= 3
        && from == Long.MIN_VALUE && to == Long.MAX_VALUE) {
      // one core, whole time: no merge to do, so this thread cuts, stitches and delivers, and no
      // element is copied into a queue between threads
      ExecutorService pool = Streams.pool(threads);
      try {
        Stretches st = new Stretches(selected.get(0), timeline, input, config, pool, inFlight,
            stretchBytes, sink);
        st.decode();
        return new long[] {st.count(), st.redone};
      } finally {
        Streams.stop(pool);
      }
    }
    try (Streams s = new Streams(input, timeline, factory, selected, threads,
        stretchBytes)) {
      TimeMerge.run(s.cores, sink, from, to);
      return new long[] {s.stretches.get(), s.redone.get()};
    }
  }

  /** The cores a decode of {@code cpus} (null: all) covers, ascending. */
  public static List<Integer> cpus(TraceInput input, int[] cpus) {
    return select(input, cpus).stream().map(CoreTrace::cpu).toList();
  }

  private static List<CoreTrace> select(TraceInput input, int[] cpus) {
    List<CoreTrace> selected = new ArrayList<>();
    for (CoreTrace c : input.cores()) {
      if (cpus == null || contains(cpus, c.cpu())) {
        selected.add(c);
      }
    }
    return selected;
  }

  /**
   * One {@link CoreStream} per core, started at once and stopped together. With more than one
   * thread (and a heap that holds three stretches in an eighth of it) each core's stream is also
   * cut into {@link Stretches} decoded on a shared pool of {@code threads} threads; otherwise at
   * most {@code threads} cores decode at once.
   */
  static final class Streams implements AutoCloseable {
    final List<CoreStream> cores = new ArrayList<>();
    private final ExecutorService pool;
    final java.util.concurrent.atomic.AtomicLong stretches = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong redone = new java.util.concurrent.atomic.AtomicLong();

    Streams(TraceInput input, ImageTimeline timeline, CoreDecoderFactory factory,
        List<CoreTrace> selected, int threads) {
      this(input, timeline, factory, selected, threads, defaultStretch(threads));
    }

    Streams(TraceInput input, ImageTimeline timeline, CoreDecoderFactory factory,
        List<CoreTrace> selected, int threads, int stretchBytes) {
      FlowDecoder.Config config = Stretches.config(factory, input);
      int inFlight = inFlight(threads, stretchBytes);
      boolean stretched = threads > 1 && stretchBytes > 0 && config != null && inFlight >= 3;
      pool = stretched ? pool(threads) : null;
      // stretched: a core's own thread only cuts and stitches, the pool decodes
      Semaphore permits = new Semaphore(stretched ? Math.max(1, selected.size()) : Math.max(1, threads));
      for (CoreTrace c : selected) {
        ChunkPool chunks = new ChunkPool(CoreStream.QUEUE + 2
            + (stretched ? Stretches.poolSize(inFlight, stretchBytes) : 0));
        cores.add(new CoreStream(c.cpu(), permits, chunks, stretched
            ? sink -> {
              Stretches st = new Stretches(c, timeline, input, config, pool, inFlight,
                  stretchBytes, sink, chunks);
              st.decode();
              stretches.addAndGet(st.count());
              redone.addAndGet(st.redone);
            }
            : sink -> decodeCore(c, timeline, input, factory, sink)));
      }
      for (CoreStream c : cores) {
        c.start();
      }
    }

    /**
     * Stretches held at once: {@code threads + 1}, fewer where an eighth of the heap does not
     * hold them at ~2 elements of 64 bytes per trace byte (each run also has a block cache, and
     * the run being output its overlap).
     */
    static int inFlight(int threads, int stretchBytes) {
      if (stretchBytes <= 0) {
        return 0;
      }
      long budget = Runtime.getRuntime().maxMemory() / 8 / ((long) stretchBytes * 128);
      return (int) Math.min(threads + 1, budget);
    }

    /** Daemon threads for stretches; {@link #stop} ends them. */
    static ExecutorService pool(int threads) {
      return new StretchPool(threads);
    }

    /**
     * Stops {@code pool} (null: none) and returns once its threads have ended, not only its
     * tasks: a caller may check that no decode thread is left.
     */
    static void stop(ExecutorService pool) {
      if (pool != null) {
        pool.shutdownNow();
        try {
          // a stretch in decode ends within milliseconds: none outlives the stream
          pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
          if (pool instanceof StretchPool p) {
            p.join();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** A fixed pool that knows its threads, so stopping it can wait for them to end. */
    private static final class StretchPool extends java.util.concurrent.ThreadPoolExecutor {
      private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

      StretchPool(int n) {
        super(n, n, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>());
        java.util.concurrent.ThreadFactory daemons = daemon("tracepoke-decode-stretch");
        setThreadFactory(r -> {
          Thread t = daemons.newThread(r);
          threads.add(t);
          return t;
        });
      }

      /** Waits for every thread to end (after awaitTermination a worker may still be exiting). */
      void join() throws InterruptedException {
        for (Thread t : threads) {
          t.join(60_000);
        }
      }
    }

    @Override
    public void close() {
      for (CoreStream c : cores) {
        c.cancel();
      }
      stop(pool);
    }
  }
}
