package dev.tracepoke.decode.image;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.Arrays;
import java.util.Map;

/**
 * The code of each traced process over time: what its maps (perf's MMAP/MMAP2 records) placed,
 * with the kernel and everything placed for all processes ({@link #shared}) in every one. Under
 * perf, CONTEXTIDR carries the running thread's id, so a context packet says which process's
 * maps apply; a map record's time says from when (code mapped over later still decodes with the
 * bytes it had before).
 *
 * <p>A process's images are epochs: epoch {@code i} is in force from {@code starts[i]} (perf time)
 * until the next one starts. Immutable; shared by every core's decoder.
 */
public final class AddressSpaces {
  /** No per-process spaces: the one image of the input applies everywhere. */
  public static final AddressSpaces NONE = new AddressSpaces(MemoryImage.empty(), Map.of(), Map.of());

  /** One process's code over time. */
  public static final class Space {
    private final int pid;
    private final long[] starts;
    private final MemoryImage[] images;

    /**
     * @param starts when each image comes into force (perf time, ascending; {@link
     *     Long#MIN_VALUE} for "from the start")
     * @param images the image of each epoch, shared code included
     */
    public Space(int pid, long[] starts, MemoryImage[] images) {
      if (starts.length == 0 || starts.length != images.length) {
        throw new IllegalArgumentException("pid " + pid + ": " + starts.length + " epoch starts for "
            + images.length + " images");
      }
      for (int i = 1; i < starts.length; i++) {
        if (starts[i] < starts[i - 1]) {
          throw new IllegalArgumentException("pid " + pid + ": epochs out of time order");
        }
      }
      this.pid = pid;
      this.starts = starts.clone();
      this.images = images.clone();
    }

    public int pid() {
      return pid;
    }

    public int epochCount() {
      return starts.length;
    }

    /** When epoch {@code i} comes into force. */
    public long start(int i) {
      return starts[i];
    }

    public MemoryImage image(int epoch) {
      return images[epoch];
    }

    /**
     * The epoch in force at perf time {@code t}: the last one started at or before it (the last
     * of all for {@link Long#MAX_VALUE}, perf's final map state); -1 before the first.
     */
    public int epochAt(long t) {
      int k = -1;
      for (int i = 0; i < starts.length && starts[i] <= t; i++) {
        k = i;
      }
      return k;
    }
  }

  private final MemoryImage shared;
  private final Int2ObjectOpenHashMap<Space> spaces = new Int2ObjectOpenHashMap<>();
  private final Int2IntOpenHashMap pidOfTid = new Int2IntOpenHashMap();

  /**
   * @param shared code every process sees (kernel, modules, images given for all)
   * @param spaces pid → its space
   * @param pidOfTid thread id → process id, from the records that name both
   */
  public AddressSpaces(MemoryImage shared, Map<Integer, Space> spaces, Map<Integer, Integer> pidOfTid) {
    this.shared = shared;
    spaces.forEach(this.spaces::put);
    pidOfTid.forEach(this.pidOfTid::put);
  }

  public boolean isEmpty() {
    return spaces.isEmpty();
  }

  /** Code every process sees: what a thread no record names runs in user space is not known. */
  public MemoryImage shared() {
    return shared;
  }

  /** The process of thread {@code tid} (the tid itself when no record names it: a leader). */
  public int pidOf(int tid) {
    return pidOfTid.getOrDefault(tid, tid);
  }

  /** The space of process {@code pid}, or null. */
  public Space space(int pid) {
    return spaces.get(pid);
  }

  /** The pids with a space, ascending. */
  public int[] pids() {
    int[] p = spaces.keySet().toIntArray();
    Arrays.sort(p);
    return p;
  }
}
