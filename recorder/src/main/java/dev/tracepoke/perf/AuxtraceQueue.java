package dev.tracepoke.perf;

import dev.tracepoke.perf.PerfRecord.Auxtrace;
import java.util.List;

/**
 * The AUXTRACE buffers of one queue in file order. Queues are keyed by the AUXTRACE idx as in
 * perf 6.1 (per-CPU recordings: the cpu's position in the CPU map, which is the cpu when all CPUs
 * are recorded; per-thread: the thread index); {@link #cpu()} is the cpu of the buffers (-1 for
 * per-thread).
 */
public record AuxtraceQueue(int idx, int cpu, List<Auxtrace> buffers) {
  public AuxtraceQueue {
    buffers = List.copyOf(buffers);
  }

  /** Payload bytes over all buffers. */
  public long size() {
    long n = 0;
    for (Auxtrace a : buffers) {
      n += a.size();
    }
    return n;
  }
}
