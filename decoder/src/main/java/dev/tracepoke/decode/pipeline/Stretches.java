package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.flow.FlowDecoder;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.BlockRuns;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.SharedRuns;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * One core's stream decoded on several threads, with exactly the output of a decode on one.
 *
 * <p>The stream is cut into stretches of about {@link #STRETCH} bytes, each starting at an A-sync,
 * and every stretch is decoded on a pool thread by a decoder of its own that starts there ({@link
 * FlowDecoder#startAt}). The decoder of a stretch then runs on into the next stretch for up to
 * {@link #OVERLAP} bytes, noting its state at every segment end ({@link FlowDecoder#state}); the
 * next stretch's decoder notes its state at the same places. At the first place where both states
 * are equal the two decodes will produce the same elements from there on: the earlier decoder's
 * elements are kept up to that place and the later one's after it. Where no place matches (a
 * patch-window fork or a missing context spans the boundary, the earlier decode read the bytes
 * differently), the later stretch is decoded again by the earlier decoder continuing through it,
 * as a decode on one thread would.
 *
 * <p>The run being output does not hold what it decodes in its own stretch: into a core's queue,
 * its chunks go on from its decoding thread as they fill ({@link FlowBlocks#goLive}), the
 * stream's first stretch from its first element, a later one once the stitcher has matched it
 * (which needs only its first states, {@link Stretch#noted}). A stream of one stretch is decoded
 * on the stitching thread straight into the output.
 *
 * <p>Memory: the stitcher holds at most {@code inFlight} (threads + 1, fewer in a small heap) stretches (their bytes and their
 * elements: for bugfix-exact-match's density about 60 MB per 512 KiB stretch) and one more run,
 * with their decoders and block caches, and the runs those decoders share ({@link SharedRuns}: 16,384
 * at most, about 1 MB); the trace's length does not matter.
 */
final class Stretches {
  /**
   * Trace bytes per stretch where the heap holds them: every cut costs an overlap decode of up
   * to {@link #OVERLAP} bytes and a cold start, so on bugfix-exact-match 2 threads spent 57 % more
   * CPU than 1 with 64 KiB stretches and 17 % more with 512 KiB ones.
   */
  static final int STRETCH = 1 << 19;
  /** The smallest stretch worth cutting (a few overlaps long). */
  static final int MIN_STRETCH = 1 << 16;

  /** The largest stretch, from {@link #STRETCH} down, of which the heap holds enough in flight. */
  static int stretchFor(int threads) {
    int s = STRETCH;
    while (s > MIN_STRETCH && Decoding.Streams.inFlight(threads, s) < 3) {
      s >>= 1;
    }
    return s;
  }
  /**
   * How far a stretch's decoder runs into the next stretch to find where their states meet: past
   * the first hold-span boundary a span after the cut, where both decoders end a segment.
   */
  static final int OVERLAP = 2 * FlowDecoder.HOLD_SPAN + 1024;

  private final CoreTrace core;
  private final ImageTimeline timeline;
  private final TraceInput input;
  private final FlowDecoder.Config config;
  private final ExecutorService pool;
  private final int inFlight;
  private final int stretchBytes;
  private final FlowSink out;
  private final ChunkPool chunks;
  /**
   * {@code out} when the run being output may send its chunks there from its decoding thread
   * ({@link FlowBlocks#goLive}): only a core's queue, which takes chunks from any thread; any
   * other sink is called on the stitching thread, as {@link Decoding#stream} promises (null).
   */
  private final CoreStream.Producer live;
  /**
   * The output only counts ({@link FlowCounts}): a run counts its elements, with the counts at
   * every noted place, instead of holding them ({@link CountedElements}).
   */
  private final boolean counting;

  /**
   * The runs the decoders of this stream's stretches learn, for each other: made on the cutting
   * thread before the first stretch goes to the pool (a stream of one stretch has no one to share
   * with).
   */
  private SharedRuns sharedRuns;

  /** Stretches cut but not yet stitched, oldest first. */
  private final ArrayDeque<Stretch> pending = new ArrayDeque<>();
  private long nextStart;
  private int count;
  private byte[] cur = new byte[1 << 16];
  private int curLen;
  private int searched;

  /** The event the next stretch to be cut starts with ({@link Stretch#NONE} for none). */
  private int nextEvent;
  private String nextEventMessage;

  /** The run being output: a decoder covering the stretches from one cut on. */
  private Run run;
  /** Stretches decoded again by the run before them (their states never met). */
  int redone;

  Stretches(CoreTrace core, ImageTimeline timeline, TraceInput input, FlowDecoder.Config config,
      ExecutorService pool, int inFlight, int stretchBytes, FlowSink out) {
    this(core, timeline, input, config, pool, inFlight, stretchBytes, out,
        new ChunkPool(poolSize(inFlight, stretchBytes)));
  }

  /** As above, element chunks taken from and given back to {@code chunks}. */
  Stretches(CoreTrace core, ImageTimeline timeline, TraceInput input, FlowDecoder.Config config,
      ExecutorService pool, int inFlight, int stretchBytes, FlowSink out, ChunkPool chunks) {
    this.chunks = chunks;
    this.core = core;
    this.timeline = timeline;
    this.input = input;
    this.config = config;
    this.pool = pool;
    this.inFlight = inFlight;
    this.stretchBytes = balanced(core.bytes().length(), stretchBytes);
    this.out = out;
    this.live = out instanceof CoreStream.Producer p ? p : null;
    this.counting = out instanceof FlowCounts;
  }

  /**
   * Chunks worth pooling for a decode holding {@code inFlight} stretches and one run more, at
   * about 2 elements per trace byte.
   */
  static int poolSize(int inFlight, int stretchBytes) {
    return (inFlight + 1) * (2 * stretchBytes / ElementChunk.ELEMENTS + 1);
  }

  /**
   * Where the stream's length is known, the size that cuts it into as many stretches as {@code
   * stretch} would but of about equal length: the stretches decode side by side, so the longest
   * sets the time (bugfix-exact-match's 974,749 bytes are cut at 525,196 by 512 KiB, at 487,375
   * by this).
   */
  static int balanced(long length, int stretch) {
    if (length <= 0 || stretch <= 0) {
      return stretch;
    }
    long n = (length + stretch - 1) / stretch;
    return (int) Math.max(1, Math.min(stretch, (length + n - 1) / n));
  }

  /** Stretches cut so far. */
  int count() {
    return count;
  }

  /** The decoder configuration a factory stands for, or null when stretches cannot be used. */
  static FlowDecoder.Config config(CoreDecoderFactory factory, TraceInput input) {
    if (factory == CoreDecoderFactory.WINDOWS) {
      return FlowDecoder.Config.windows(input.time()::toPerfTime);
    }
    if (factory == CoreDecoderFactory.STATIC) {
      return FlowDecoder.Config.fixed(0, input.time()::toPerfTime);
    }
    if (factory == CoreDecoderFactory.NAIVE) {
      return FlowDecoder.Config.naive(input.time()::toPerfTime);
    }
    return null;
  }

  /** Decodes the whole core into {@code out} (on the calling thread: splitting and stitching). */
  void decode() throws IOException {
    core.bytes().pushTo(new CoreTrace.ByteSink() {
      @Override
      public void accept(byte[] buf, int off, int len) {
        if (Thread.currentThread().isInterrupted()) {
          throw new UncheckedIOException(new InterruptedIOException("decode of cpu " + core.cpu()
              + " stopped"));
        }
        append(buf, off, len);
        cutWhereYouCan();
      }

      @Override
      public void restart() {
        cutAtEvent(Stretch.RESTART, null);
      }

      @Override
      public void broken(String what) {
        cutAtEvent(Stretch.BROKEN, what);
      }
    });
    cut(curLen, true);
    while (!pending.isEmpty()) {
      stitchOldest();
    }
  }

  // ---------------------------------------------------------------- cutting

  private void append(byte[] buf, int off, int len) {
    if (curLen + len > cur.length) {
      cur = Arrays.copyOf(cur, Math.max(cur.length * 2, curLen + len));
    }
    System.arraycopy(buf, off, cur, curLen, len);
    curLen += len;
  }

  private void cutWhereYouCan() {
    while (curLen > stretchBytes) {
      int at = findAsync(Math.max(stretchBytes, searched));
      if (at < 0) {
        searched = Math.max(stretchBytes, curLen - 11);
        return;
      }
      cut(at, false);
    }
  }

  /** The start of the first A-sync (eleven zero bytes, then 0x80) ending at or after {@code from}. */
  private int findAsync(int from) {
    for (int i = Math.max(from, 11); i < curLen; i++) {
      if (cur[i] == (byte) 0x80) {
        int z = 1;
        while (z <= 11 && cur[i - z] == 0) {
          z++;
        }
        if (z > 11) {
          return i - 11;
        }
      }
    }
    return -1;
  }

  /**
   * The stream restarts or breaks here: what is held becomes a stretch of its own, and the next
   * one starts with the event, which every decoder entering that stretch applies as a decode from
   * the start would ({@link #enter}).
   */
  private void cutAtEvent(int event, String what) {
    cut(curLen, false);
    nextEvent = event;
    nextEventMessage = what;
  }

  /** What a decode that reaches {@code s}'s first byte does there (as {@code Decoding.push}). */
  private static void enter(Run r, Stretch s) {
    if (s.event == Stretch.RESTART) {
      r.reader.reset();
    } else if (s.event == Stretch.BROKEN) {
      r.decoder.brokenStream(r.reader.offset(), r.reader.packets(), s.eventMessage);
      r.reader.reset();
    }
  }

  private void cut(int at, boolean last) {
    while (pending.size() >= inFlight) {
      stitchOldest();
    }
    if (last && count == 0) {
      // the whole stream is one stretch: nothing to decode beside it, so it is decoded on this
      // thread straight into the output (a pool thread may be busy with a long stretch of
      // another core that the output waits on for the merge)
      Stretch only = new Stretch(count++, nextStart, null, true);
      only.event = nextEvent;
      only.eventMessage = nextEventMessage;
      Run r = new Run(nextStart, out);
      enter(r, only);
      r.reader.push(cur, 0, at);
      r.finish();
      caches.add(r.cache);
      return;
    }
    Stretch s = new Stretch(count++, nextStart, Arrays.copyOf(cur, at), last);
    s.event = nextEvent;
    s.eventMessage = nextEventMessage;
    nextEvent = Stretch.NONE;
    nextEventMessage = null;
    nextStart += at;
    System.arraycopy(cur, at, cur, 0, curLen - at);
    curLen -= at;
    searched = 0;
    Stretch before = pending.peekLast();
    pending.add(s);
    if (sharedRuns == null) {
      sharedRuns = new SharedRuns();
    }
    s.fresh = CompletableFuture.supplyAsync(() -> fresh(s), pool);
    if (before != null) {
      before.next = s;
      // the earlier stretch's decoder runs on into this one once it has decoded its own bytes,
      // on the thread that decoded them, not queued behind later stretches: the stitch waits
      // for it, and its block cache is free for the next stretch only once it is stitched
      before.overlapped = before.fresh.isDone()
          ? before.fresh.thenApplyAsync(r -> overlap(r, s), pool)
          : before.fresh.thenApply(r -> overlap(r, s));
    }
    if (last) {
      s.overlapped = s.fresh.thenApplyAsync(Run::finish, pool);
    }
  }

  // ---------------------------------------------------------------- decoding

  /** A decoder over some stretches and the elements it produced. */
  private final class Run implements FlowDecoder.Checkpoints {
    final BlockCache cache;
    final FlowDecoder decoder;
    final PacketReader reader;
    /** Held elements, or only their counts where the output counts. */
    final HeldElements elements = counting ? new CountedElements() : new FlowBlocks(chunks);
    /** States noted over the run's first bytes and over its overlap into the next stretch. */
    final List<long[]> startNotes = new ArrayList<>();
    final List<long[]> endNotes = new ArrayList<>();
    List<long[]> notes = startNotes;
    long noteFrom = Long.MAX_VALUE;
    long noteTo = Long.MAX_VALUE;
    private final long[] scratch = new long[FlowDecoder.STATE_LONGS];
    /** Packet index of this run's first packet in the stream. */
    long indexBase;
    /** Bytes of the next stretch pushed by the overlap, and whether its start event was applied. */
    int pushedOfNext;
    boolean enteredNext;

    Run(long start) {
      this(start, null);
    }

    /** A run whose elements go to {@code direct}, not held (null: held). */
    Run(long start, FlowSink direct) {
      cache = takeCache(direct == null);
      decoder = CoreDecoderFactory.spaces(new FlowDecoder(core.cpu(), cache, config,
              direct != null ? direct : elements.sink())
          .traceUnit(core.config()), core, timeline, input);
      decoder.startAt(start);
      decoder.checkpoints(this);
      reader = new PacketReader(core.config(), decoder);
    }

    @Override
    public void at(long key, long index) {
      long offset = key >>> 1;
      if (offset <= noteFrom || offset > noteTo || !decoder.state(scratch, index)) {
        return;
      }
      long[] n = new long[3 + FlowDecoder.STATE_LONGS];
      n[0] = key;
      n[1] = elements.mark();
      n[2] = index;
      System.arraycopy(scratch, 0, n, 3, FlowDecoder.STATE_LONGS);
      notes.add(n);
    }

    Run finish() {
      reader.finish();
      return this;
    }
  }

  private final java.util.concurrent.ConcurrentLinkedQueue<BlockCache> caches =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Block caches are not thread-safe: each run owns one while it lives, then it is reused. */
  private BlockCache takeCache(boolean share) {
    BlockCache c = caches.poll();
    if (c != null) {
      return c;
    }
    // the same waypoints as a decode on one thread (TSTART included on ETE cores)
    c = CoreDecoderFactory.blocks(core, timeline, input);
    BlockRuns runs = c.runs();
    if (share && runs != null && sharedRuns != null) {
      runs.share(sharedRuns); // every run's cache reads the same image with the same waypoints
    }
    return c;
  }

  private void retire(CompletableFuture<Run> f) {
    f.whenComplete((r, e) -> {
      if (r != null) {
        caches.add(r.cache);
      }
    });
  }

  /**
   * A stretch decoded from its own start, noting its states over its first bytes; {@code
   * s.noted} is completed with the run once those are noted, so the stitcher can match them while
   * the rest decodes. The stream's first stretch is output live from its first element.
   */
  private Run fresh(Stretch s) {
    Run r;
    int first = Math.min(s.bytes.length, OVERLAP + 64);
    try {
      r = new Run(s.start);
      if (s.number > 0) {
        r.noteFrom = s.start;
        r.noteTo = s.start + OVERLAP;
      } else if (live != null) {
        r.elements.goLive(0, core.cpu(), live);
      }
      enter(r, s);
      r.reader.push(s.bytes, 0, first);
      r.noteFrom = Long.MAX_VALUE; // nothing more to note until it runs into the next stretch
      r.notes = r.endNotes;
    } catch (RuntimeException | Error e) {
      s.noted.completeExceptionally(e);
      throw e;
    }
    s.noted.complete(r);
    r.reader.push(s.bytes, first, s.bytes.length - first);
    r.elements.endLive(); // what it decodes next (its overlap, its end) may not all be output
    return r;
  }

  /** Runs {@code r} on into {@code next} for up to {@link #OVERLAP} bytes, noting its states. */
  private Run overlap(Run r, Stretch next) {
    r.endNotes.clear();
    r.notes = r.endNotes;
    r.noteFrom = next.start;
    r.noteTo = next.start + OVERLAP;
    int n = Math.min(next.bytes.length, OVERLAP + 64);
    enter(r, next);
    // the next stretch's first states are usually noted by now: then the overlap stops at the
    // first place where the states meet (the stitcher finds the same one), about a hold span in,
    // not at its end; its time is on the stitch's path
    Run theirs = next.noted.isDone() && !next.noted.isCompletedExceptionally()
        ? next.noted.getNow(null) : null;
    int pushed = 0;
    while (pushed < n) {
      int k = theirs == null ? n - pushed : Math.min(OVERLAP_SLICE, n - pushed);
      int seen = r.endNotes.size();
      r.reader.push(next.bytes, pushed, k);
      pushed += k;
      if (theirs != null && meets(r.endNotes, seen, theirs.startNotes)) {
        break;
      }
    }
    r.pushedOfNext = pushed;
    r.enteredNext = true;
    return r;
  }

  /** Bytes pushed at a time by an overlap that looks for the meeting place as it goes. */
  private static final int OVERLAP_SLICE = 1024;

  /** True when one of {@code mine} from {@code from} on is the same place and state as one of {@code theirs}. */
  private static boolean meets(List<long[]> mine, int from, List<long[]> theirs) {
    for (int i = from; i < mine.size(); i++) {
      if (matching(mine.get(i), theirs) != null) {
        return true;
      }
    }
    return false;
  }

  /** The note of {@code theirs} at {@code a}'s place with {@code a}'s state, or null. */
  private static long[] matching(long[] a, List<long[]> theirs) {
    for (long[] b : theirs) {
      if (a[0] == b[0] && Arrays.equals(a, 3, a.length, b, 3, b.length)) {
        return b;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- stitching

  /** Stitches the oldest pending stretch: outputs its run's elements up to where the next takes over. */
  private void stitchOldest() {
    Stretch s = pending.peekFirst();
    try {
      if (run == null) {
        run = s.noted.get();
        run.indexBase = 0;
      }
      if (s.last) {
        s.overlapped.get(); // finished: the end of the trace
        emit(run, run.elements.count());
        pending.removeFirst();
        return;
      }
      Stretch next = s.next;
      if (next == null) {
        throw new IllegalStateException("stretch " + s.number + " has no successor");
      }
      Run mine = s.overlapped.get();
      if (mine != run) {
        throw new IllegalStateException("stretch " + s.number + " overlapped by another run");
      }
      // their first states are noted before their stretch is decoded: the match can be found,
      // and their elements go live, while they decode the rest
      Run theirs = next.noted.get();
      long[] match = null;
      long[] their = null;
      for (long[] a : run.endNotes) {
        their = matching(a, theirs.startNotes);
        if (their != null) {
          match = a;
          break;
        }
      }
      pending.removeFirst();
      if (match != null) {
        emit(run, match[1]);
        caches.add(run.cache);
        theirs.elements.skipTo(their[1]);
        theirs.indexBase = run.indexBase + match[2] - their[2];
        run = theirs;
        if (live != null) {
          theirs.elements.goLive(theirs.indexBase, core.cpu(), live);
        }
        // the next stretch's own overlap (if any) was chained to its fresh decode: nothing to redo
        return;
      }
      // no place where the states meet: decode the next stretch again, continuing this run;
      // what it decoded so far is final (it is now the decode of the next stretch too)
      emit(run, run.elements.count());
      if (!run.enteredNext) {
        enter(run, next);
      }
      run.reader.push(next.bytes, run.pushedOfNext, next.bytes.length - run.pushedOfNext);
      run.pushedOfNext = 0;
      run.enteredNext = false;
      run.notes = run.endNotes;
      run.endNotes.clear();
      redone++;
      // the next stretch's own decode (and what was chained to it) is dropped once it is done
      retire(next.overlapped != null ? next.overlapped : next.fresh);
      next.fresh = CompletableFuture.completedFuture(run);
      if (next.last) {
        next.overlapped = CompletableFuture.completedFuture(run.finish());
      } else if (next.next != null) {
        next.overlapped = CompletableFuture.completedFuture(overlap(run, next.next));
      } else {
        next.overlapped = null; // chained to the run when the stretch after it is cut
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("decode of cpu " + core.cpu()
          + " stopped"));
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new UncheckedIOException(new IOException(c));
    }
  }

  private void emit(Run r, long upTo) {
    r.elements.emitTo(upTo, r.indexBase, core.cpu(), out);
  }

  /** One stretch of the stream: its bytes and the decodes over it. */
  private static final class Stretch {
    final int number;
    final long start;
    final byte[] bytes;
    final boolean last;
    static final int NONE = 0;
    static final int RESTART = 1;
    static final int BROKEN = 2;
    /** What happens at this stretch's first byte: nothing, a restart, or a break (with its message). */
    int event;
    String eventMessage;
    Stretch next;
    /** Completed with the stretch's own decoder once its first states are noted. */
    final CompletableFuture<Run> noted = new CompletableFuture<>();
    CompletableFuture<Run> fresh;
    CompletableFuture<Run> overlapped;

    Stretch(int number, long start, byte[] bytes, boolean last) {
      this.number = number;
      this.start = start;
      this.bytes = bytes;
      this.last = last;
    }
  }
}
