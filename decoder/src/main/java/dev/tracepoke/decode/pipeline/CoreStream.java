package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.ElementWindow;
import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * One core's decode running ahead on its own thread: its elements go, {@link ElementChunk} by
 * chunk, into a queue of {@value #QUEUE} chunks; the decoder blocks when the queue is full. The
 * consumer reads them as an {@link ElementWindow} and hands trimmed chunks back to be refilled,
 * so a core holds at most the queue, the chunk being filled and what the consumer looks ahead to.
 *
 * <p>A shared {@link Semaphore} bounds how many decoders run at once ({@code --threads}); a
 * decoder waiting on its full queue gives its permit back, so the consumer never waits on a core
 * that cannot run.
 */
final class CoreStream implements ElementWindow {
  /** Chunks waiting for the consumer, per core. */
  static final int QUEUE = 4;

  /** How a core's decode is started: decodes into {@code sink} on the calling thread. */
  @FunctionalInterface
  interface Decode {
    void into(FlowSink sink) throws IOException;
  }

  private final int cpu;
  private final ArrayBlockingQueue<ElementChunk> full = new ArrayBlockingQueue<>(QUEUE);
  /** Chunks to fill again (shared with stretch decoders that hand chunks over whole). */
  private final ChunkPool free;
  private final Semaphore permits;
  private final Thread thread;
  private volatile boolean cancelled;
  private volatile Throwable failure;

  // consumer side
  private final ArrayDeque<ElementChunk> held = new ArrayDeque<>();
  private long available;
  private boolean ended;

  CoreStream(int cpu, Semaphore permits, Decode decode) {
    this(cpu, permits, new ChunkPool(QUEUE + 2), decode);
  }

  CoreStream(int cpu, Semaphore permits, ChunkPool free, Decode decode) {
    this.cpu = cpu;
    this.free = free;
    this.permits = permits;
    this.thread = new Thread(() -> produce(decode), "tracepoke-decode-cpu" + cpu);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Stops the decoder (it may be blocked on its queue) and waits for its thread to end. */
  void cancel() {
    cancelled = true;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- producer

  /** Thrown inside the decoder's thread to unwind it once the consumer has gone. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super(null, null, false, false);
    }
  }

  final class Producer implements FlowSink {
    ElementChunk current = free.take();
    boolean holding;

    void publish(boolean last) {
      ElementChunk c = current;
      c.last = last;
      if (cancelled) {
        throw new Cancelled();
      }
      if (!full.offer(c)) {
        permits.release();
        holding = false;
        try {
          full.put(c);
          permits.acquire();
          holding = true;
        } catch (InterruptedException e) {
          throw new Cancelled();
        }
      }
      current = last ? null : free.take();
    }

    /**
     * Queues {@code c}, a whole chunk of this core's next elements, as it is (after what was
     * added before it): no element is copied.
     */
    void handOver(ElementChunk c) {
      if (current.count > 0) {
        publish(false);
      }
      ElementChunk mine = current;
      current = c;
      publish(false);
      free.give(mine); // the chunk publish took in its place was never used
    }

    /**
     * Whether elements in {@code chunks} chunks (whole, or the first one in part) can be queued now
     * without waiting for the consumer: a queue slot for each, and one for this producer's own
     * chunk if it holds elements (it goes first). Only this producer fills the queue, so the room
     * can only grow meanwhile.
     */
    boolean takesWithoutWaiting(int chunks) {
      return full.remainingCapacity() >= chunks + (current.count > 0 ? 1 : 0);
    }

    private void check() {
      if (current.full()) {
        publish(false);
      }
    }

    @Override
    public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
        long timeFrom, long timeTo, int flag, long offset) {
      current.range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
      check();
    }

    @Override
    public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
        boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
      current.rangeWithCycles(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo,
          flag, offset, cycles);
      check();
    }

    @Override
    public void transaction(int cpu, int kind, long offset) {
      current.transaction(cpu, kind, offset);
      check();
    }

    @Override
    public void noPath(int cpu, long start, long next, long instructions, long offset) {
      current.noPath(cpu, start, next, instructions, offset);
      check();
    }

    @Override
    public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
        long offset) {
      current.exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
      check();
    }

    @Override
    public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
      current.exceptionReturn(cpu, timeFrom, timeTo, offset);
      check();
    }

    @Override
    public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
        long offset) {
      current.context(cpu, el, sf, ns, contextId, vmid, offset);
      check();
    }

    @Override
    public void gap(int cpu, int reason, long address, long offset) {
      current.gap(cpu, reason, address, offset);
      check();
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt) {
      current.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
      check();
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt, int reason) {
      current.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt,
          reason);
      check();
    }

    @Override
    public void error(int cpu, long offset, long packetIndex, String message) {
      current.error(cpu, offset, packetIndex, message);
      check();
    }
  }

  private void produce(Decode decode) {
    Producer p = new Producer();
    try {
      permits.acquire();
      p.holding = true;
      decode.into(p);
      p.publish(true);
    } catch (Cancelled | InterruptedException e) {
      // the consumer stopped: nothing more is wanted
    } catch (Throwable t) {
      if (!cancelled) {
        failure = t;
        try {
          p.publish(true); // what was decoded before the failure still goes out
        } catch (Cancelled e) {
          // the consumer stopped meanwhile
        }
      }
    } finally {
      if (p.holding) {
        permits.release();
      }
    }
  }

  // ---------------------------------------------------------------- consumer

  @Override
  public int cpu() {
    return cpu;
  }

  @Override
  public boolean has(long i) throws IOException {
    while (i >= available) {
      if (ended) {
        Throwable t = failure;
        if (t != null) {
          throw Decoding.asIOException(t); // after every element decoded before the failure
        }
        return false;
      }
      ElementChunk c;
      try {
        c = full.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for cpu " + cpu + "'s decode");
      }
      c.first = available;
      held.add(c);
      available += c.count;
      ended = c.last;
    }
    return true;
  }

  /** The held chunk holding element {@code i} (chunks may be short: handed over whole). */
  private ElementChunk chunk(long i) {
    ElementChunk c = last;
    if (c != null && i >= c.first && i < c.first + c.count) {
      return c;
    }
    for (ElementChunk h : held) {
      if (i < h.first + h.count) {
        last = h;
        return h;
      }
    }
    throw new IndexOutOfBoundsException("element " + i + " of cpu " + cpu + " is not held");
  }

  private ElementChunk last;

  @Override
  public long get(long i, int slot) {
    ElementChunk c = chunk(i);
    return c.e[(int) (i - c.first) * FlowElements.STRIDE + slot];
  }

  @Override
  public void send(long i, FlowSink sink) {
    ElementChunk c = chunk(i);
    FlowElements.send(c.e, (int) (i - c.first) * FlowElements.STRIDE, cpu, c.messages,
        c.candidates, sink);
  }

  @Override
  public void drain(long i, FlowSink sink) throws IOException {
    while (has(i)) {
      ElementChunk c = chunk(i);
      sink.elements(c.e, (int) (i - c.first) * FlowElements.STRIDE,
          c.count * FlowElements.STRIDE, cpu, c.messages, c.candidates);
      i = c.first + c.count;
      trimBefore(i);
    }
  }

  @Override
  public void trimBefore(long i) {
    while (held.size() > 1 && held.peekFirst().first + held.peekFirst().count <= i) {
      ElementChunk c = held.pollFirst(); // a deque: the look-ahead may hold many chunks
      if (c == last) {
        last = null;
      }
      free.give(c); // beyond the pool's bound it is garbage
    }
  }

  /** Chunks the consumer holds (for the look-ahead bound). */
  int heldChunks() {
    return held.size();
  }
}
