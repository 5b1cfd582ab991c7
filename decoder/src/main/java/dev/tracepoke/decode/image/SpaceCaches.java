package dev.tracepoke.decode.image;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

/**
 * One core's block caches over {@link AddressSpaces}: one per (process, map epoch), made when the
 * trace first runs there, each over the input's timeline rebased onto that epoch's image (text
 * pokes and patch sites apply alike). A thread no record names runs over the shared code only.
 * Not thread-safe: one per core decoder. Switching happens at context packets and timestamps,
 * never in the walk.
 */
public final class SpaceCaches {
  /** Caches kept at once before the least recent are dropped (memory stays bounded). */
  static final int MAX_CACHES = 64;

  private final AddressSpaces spaces;
  private final ImageTimeline timeline;
  private final boolean pauthBranches;
  private final boolean wfxWaypoints;
  private final boolean tstartWaypoints;
  private final Long2ObjectOpenHashMap<BlockCache> caches = new Long2ObjectOpenHashMap<>();
  private BlockCache sharedOnly;

  /**
   * @param timeline the input's timeline (its base image is replaced per epoch)
   * @param tstartWaypoints whether TSTART is a waypoint, as in the core's other caches
   */
  public SpaceCaches(AddressSpaces spaces, ImageTimeline timeline, boolean pauthBranches,
      boolean wfxWaypoints, boolean tstartWaypoints) {
    this.spaces = spaces;
    this.timeline = timeline;
    this.pauthBranches = pauthBranches;
    this.wfxWaypoints = wfxWaypoints;
    this.tstartWaypoints = tstartWaypoints;
  }

  public AddressSpaces spaces() {
    return spaces;
  }

  /** The process thread {@code tid} belongs to. */
  public int pidOf(int tid) {
    return spaces.pidOf(tid);
  }

  /**
   * The cache for process {@code pid} at perf time {@code t} ({@link Long#MAX_VALUE} when the
   * time is unknown: the final map state, as perf decodes).
   */
  public BlockCache cache(int pid, long t) {
    AddressSpaces.Space s = spaces.space(pid);
    int epoch = s == null ? -1 : s.epochAt(t);
    if (epoch < 0) {
      if (sharedOnly == null) {
        sharedOnly = new BlockCache(timeline.rebased(spaces.shared()), pauthBranches, wfxWaypoints,
            tstartWaypoints);
      }
      return sharedOnly;
    }
    long key = (long) pid << 32 | epoch;
    BlockCache c = caches.get(key);
    if (c == null) {
      if (caches.size() >= MAX_CACHES) {
        caches.clear(); // many processes: start over rather than grow
      }
      c = new BlockCache(timeline.rebased(s.image(epoch)), pauthBranches, wfxWaypoints,
            tstartWaypoints);
      caches.put(key, c);
    }
    return c;
  }

  /** Epoch of {@code pid} at {@code t}, -1 before its first map or without a space. */
  public int epoch(int pid, long t) {
    AddressSpaces.Space s = spaces.space(pid);
    return s == null ? -1 : s.epochAt(t);
  }
}
