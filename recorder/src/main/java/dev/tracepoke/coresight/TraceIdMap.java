package dev.tracepoke.coresight;

/**
 * CoreSight trace IDs as Linux 6.4 and later hand them to the CPUs of a perf session ({@code
 * drivers/hwtracing/coresight/coresight-trace-id.c}, checked for facts only): one map of the IDs
 * 0x01..0x6F in use; a CPU asking for an ID gets its legacy value {@code 0x10 + 2 * cpu} when that
 * is a valid ID and still free, else the lowest free ID from 0x01 up. The perf driver asks for
 * every CPU of the event's mask in ascending order when the session sets up its AUX buffer, and
 * the IDs stay for the session. Up to CPU 47 that is the static scheme perf 6.1 and simpleperf
 * assume; CPU 48's legacy value would be 0x70 (reserved), so it gets 0x01, CPU 49 0x02, ... 0x0F,
 * then the odd IDs the legacy values left free (0x11, 0x13, ...), 111 IDs in all.
 */
public final class TraceIdMap {
  /** Highest number of CPUs one map can give IDs to: 0x01..0x6F. */
  public static final int CAPACITY = FrameFormat.MAX_SOURCE_ID;

  private final boolean[] used = new boolean[FrameFormat.MAX_SOURCE_ID + 1];

  /** The legacy (static) trace ID of a cpu: 0x10 + 2 * cpu; not a valid ID from cpu 48 on. */
  public static int legacy(int cpu) {
    return 0x10 + 2 * cpu;
  }

  /**
   * The IDs a perf session on CPUs {@code 0..cpus-1} gets from an empty map, indexed by cpu.
   *
   * @throws IllegalArgumentException when more CPUs than {@link #CAPACITY} ask (the kernel then
   *     leaves the others untraced)
   */
  public static int[] perfSession(int cpus) {
    TraceIdMap map = new TraceIdMap();
    int[] ids = new int[cpus];
    for (int cpu = 0; cpu < cpus; cpu++) {
      ids[cpu] = map.allocate(cpu);
    }
    return ids;
  }

  /** True when every cpu's ID is its legacy value (what tools without HW_ID records assume). */
  public static boolean allLegacy(int[] ids) {
    for (int cpu = 0; cpu < ids.length; cpu++) {
      if (ids[cpu] != legacy(cpu)) {
        return false;
      }
    }
    return true;
  }

  /** Takes an ID for {@code cpu}: its legacy value if valid and free, else the lowest free one. */
  public int allocate(int cpu) {
    int preferred = legacy(cpu);
    if (FrameFormat.isSourceId(preferred) && !used[preferred]) {
      used[preferred] = true;
      return preferred;
    }
    for (int id = 1; id <= FrameFormat.MAX_SOURCE_ID; id++) {
      if (!used[id]) {
        used[id] = true;
        return id;
      }
    }
    throw new IllegalArgumentException("no free CoreSight trace ID for cpu " + cpu + ": the "
        + CAPACITY + " IDs 0x01..0x6F of one trace-ID map are in use");
  }
}
