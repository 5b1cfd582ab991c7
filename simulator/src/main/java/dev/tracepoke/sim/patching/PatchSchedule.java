package dev.tracepoke.sim.patching;

import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.sim.workload.Layout;
import dev.tracepoke.sim.workload.PatchSite;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sites flip, when, and by which protocol. Every {@code 1 / pokesPerMilli} ms (with seeded
 * jitter) one group of sites (a static key's sites, or a single ftrace or kprobe site) flips to its
 * other word. stop-machine patches a group site by site (one stop each, as
 * aarch64_insn_patch_text per call); every other protocol switches the whole group in one run.
 */
public final class PatchSchedule {
  private final List<PatchOp> ops;
  private final long[] interruptTimes;

  private PatchSchedule(List<PatchOp> ops, long[] interruptTimes) {
    this.ops = List.copyOf(ops);
    this.interruptTimes = interruptTimes;
  }

  /**
   * @param start perf time of the run's start (ns)
   * @param runNanos run length; no operation starts in its last tenth
   */
  public static PatchSchedule plan(KernelImage image, long seed, long start, long runNanos, double pokesPerMilli,
      Protocol protocol, EventStyle events) {
    List<PatchOp> ops = new ArrayList<>();
    List<Long> irqs = new ArrayList<>();
    Map<Integer, List<PatchSite>> groups = new LinkedHashMap<>();
    for (PatchSite s : image.sites()) {
      groups.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s);
    }
    List<List<PatchSite>> byGroup = new ArrayList<>(groups.values());
    if (pokesPerMilli <= 0 || byGroup.isEmpty()) {
      return new PatchSchedule(ops, new long[0]);
    }
    int[] current = new int[image.sites().size()];
    for (PatchSite s : image.sites()) {
      current[s.index()] = s.oldWord();
    }
    long rng = seed ^ 0x7061746368696E67L;
    double period = 1e6 / pokesPerMilli;
    long last = start + runNanos - runNanos / 10;
    for (int k = 0; ; k++) {
      rng = mix(rng);
      long t = start + (long) (period * (k + 0.5) + (((rng >>> 11) * 0x1.0p-53) - 0.5) * period * 0.5);
      if (t >= last) {
        break;
      }
      rng = mix(rng);
      List<PatchSite> group = byGroup.get((int) Long.remainderUnsigned(rng, byGroup.size()));
      irqs.add(t);
      if (protocol == Protocol.STOP_MACHINE) {
        for (int i = 0; i < group.size(); i++) {
          ops.add(op(ops.size(), t, protocol, events, List.of(group.get(i)), current, i < group.size() - 1));
        }
      } else {
        ops.add(op(ops.size(), t, protocol, events, group, current, false));
      }
    }
    return new PatchSchedule(ops, irqs.stream().mapToLong(Long::longValue).toArray());
  }

  private static PatchOp op(int index, long t, Protocol p, EventStyle e, List<PatchSite> sites, int[] current,
      boolean chained) {
    if (sites.size() > Layout.OP_MAX_SITES) {
      throw new IllegalStateException("group of " + sites.size() + " sites exceeds " + Layout.OP_MAX_SITES);
    }
    int[] oldWords = new int[sites.size()];
    int[] newWords = new int[sites.size()];
    for (int i = 0; i < sites.size(); i++) {
      PatchSite s = sites.get(i);
      oldWords[i] = current[s.index()];
      newWords[i] = s.other(oldWords[i]);
      current[s.index()] = newWords[i];
    }
    return new PatchOp(index, t, p, e, List.copyOf(sites), oldWords, newWords, chained);
  }

  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public List<PatchOp> ops() {
    return ops;
  }

  /** Times at which the patching core gets a patch interrupt (one per group flip). */
  public long[] interruptTimes() {
    return interruptTimes.clone();
  }

  /** The patch queue's bytes, to be placed at {@link Layout#op(int) Layout.op(0)}. */
  public byte[] queue() {
    ByteBuffer b = ByteBuffer.allocate(Math.max(1, ops.size()) * Layout.OP_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (PatchOp op : ops) {
      op.encode(b);
    }
    return b.array();
  }
}
