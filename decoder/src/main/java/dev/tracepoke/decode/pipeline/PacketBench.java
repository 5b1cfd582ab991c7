package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.PacketError;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the packets of every core again and again (no flow: a sink that only counts), until the
 * time per pass is steady, for {@code tracepoke bench packets}. Give it an input whose bytes are in
 * memory ({@link TraceInput#inMemory}) so the disk is not measured.
 */
public final class PacketBench {
  private PacketBench() {}

  /**
   * One pass over every core's trace, in the calling thread.
   *
   * @param nanos wall time
   * @param cpuNanos CPU time of the thread (-1 where the JVM cannot measure it)
   * @param bytes trace bytes read (all cores, deformatted)
   * @param packets packets read
   * @param atoms atoms in atom packets
   * @param addresses address packets (with or without context)
   * @param errors packets the reader rejected
   */
  public record Run(int number, long nanos, long cpuNanos, long bytes, long packets, long atoms, long addresses,
      long errors) {
    /** The time steadiness and rates are judged on: CPU time where known, else wall time. */
    public long judgedNanos() {
      return cpuNanos >= 0 ? cpuNanos : nanos;
    }
  }

  /** What the benchmark measured, and whether its last runs agreed. */
  public record Result(List<Run> runs, boolean steady) {
    /** The median of the last {@code window} runs by {@link Run#judgedNanos}. */
    public Run representative(int window) {
      List<Run> last = new ArrayList<>(runs.subList(Math.max(0, runs.size() - window), runs.size()));
      last.sort((a, b) -> Long.compare(a.judgedNanos(), b.judgedNanos()));
      return last.get(last.size() / 2);
    }
  }

  /**
   * Runs passes until at least {@code minNanos} have passed and the last {@code window} agree
   * within {@code tolerance}, or until {@code maxNanos} have passed.
   */
  public static Result untilSteady(TraceInput input, long minNanos, long maxNanos, int window,
      double tolerance, Consumer<Run> each) throws IOException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean cpu = mx.isCurrentThreadCpuTimeSupported();
    if (cpu && !mx.isThreadCpuTimeEnabled()) {
      mx.setThreadCpuTimeEnabled(true);
    }
    List<Run> runs = new ArrayList<>();
    long start = System.nanoTime();
    while (true) {
      Run r = once(runs.size(), input, cpu ? mx : null);
      runs.add(r);
      each.accept(r);
      long elapsed = System.nanoTime() - start;
      boolean steady = steady(runs, window, tolerance);
      if ((elapsed >= minNanos && steady) || elapsed >= maxNanos) {
        return new Result(List.copyOf(runs), steady);
      }
    }
  }

  private static boolean steady(List<Run> runs, int window, double tolerance) {
    if (runs.size() < window) {
      return false;
    }
    long[] t = new long[window];
    for (int i = 0; i < window; i++) {
      t[i] = runs.get(runs.size() - window + i).judgedNanos();
    }
    Arrays.sort(t);
    return t[window - 1] <= t[0] * (1 + tolerance);
  }

  private static Run once(int number, TraceInput input, ThreadMXBean mx) throws IOException {
    long t0 = System.nanoTime();
    long c0 = mx == null ? 0 : mx.getCurrentThreadCpuTime();
    Counter count = new Counter();
    long[] bytes = new long[1];
    long packets = 0;
    for (CoreTrace c : input.cores()) {
      PacketReader reader = new PacketReader(c.config(), count);
      c.bytes().pushTo(new CoreTrace.ByteSink() {
        @Override
        public void accept(byte[] buf, int off, int len) {
          bytes[0] += len;
          reader.push(buf, off, len);
        }

        @Override
        public void broken(String what) {
          reader.reset(); // as the decode does where a damaged frame ID lost data
        }

        @Override
        public void restart() {
          reader.reset(); // as the decode does at a new AUX fragment or a 4xFSYNC barrier
        }
      });
      reader.finish();
      packets += reader.packets();
    }
    long cpuNanos = mx == null ? -1 : mx.getCurrentThreadCpuTime() - c0;
    return new Run(number, System.nanoTime() - t0, cpuNanos, bytes[0], packets, count.atoms,
        count.addresses, count.errors);
  }

  /** Counts atoms, addresses and errors: the least a consumer of packets does. */
  private static final class Counter implements PacketSink {
    long atoms;
    long addresses;
    long errors;

    @Override
    public void notSync(long offset, long index) {
    }

    @Override
    public void async(long offset, long index) {
    }

    @Override
    public void traceInfo(long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold) {
    }

    @Override
    public void traceOn(long offset, long index) {
    }

    @Override
    public void timestamp(long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount) {
    }

    @Override
    public void exception(long offset, long index, int type, int addressInfo, boolean faultPending) {
    }

    @Override
    public void exceptionReturn(long offset, long index) {
    }

    @Override
    public void functionReturn(long offset, long index) {
    }

    @Override
    public void atoms(long offset, long index, int format, int bits, int count) {
      atoms += count;
    }

    @Override
    public void address(long offset, long index, long address, int isa, AddressForm form, int matchEntry, int knownBits) {
      addresses++;
    }

    @Override
    public void addressWithContext(long offset, long index, long address, int isa, AddressForm form, int knownBits,
        int el, boolean sf, boolean ns, boolean vmidUpdated, int vmid, boolean contextIdUpdated, int contextId) {
      addresses++;
    }

    @Override
    public void context(long offset, long index, boolean updated, int el, boolean sf, boolean ns, boolean vmidUpdated,
        int vmid, boolean contextIdUpdated, int contextId) {
    }

    @Override
    public void overflow(long offset, long index) {
    }

    @Override
    public void discard(long offset, long index) {
    }

    @Override
    public void cycleCount(long offset, long index, int format, int count, boolean countKnown, int commit) {
    }

    @Override
    public void commit(long offset, long index, int count) {
    }

    @Override
    public void cancel(long offset, long index, int format, int count, boolean mispredict, int atomBits, int atomCount) {
    }

    @Override
    public void mispredict(long offset, long index, int atomBits, int atomCount) {
    }

    @Override
    public void event(long offset, long index, int mask) {
    }

    @Override
    public void q(long offset, long index, int type, int count, AddressForm form, long address) {
    }

    @Override
    public void ignore(long offset, long index) {
    }

    @Override
    public void timestampMarker(long offset, long index) {
    }

    @Override
    public void error(long offset, long index, int header, long length, PacketError reason) {
      errors++;
    }

    @Override
    public void end(long offset, long packets) {}
  }
}
