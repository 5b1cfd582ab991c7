package dev.tracepoke.decode.image;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs ({@link BlockRuns}) that the decoders of one stream's stretches learn, for each other:
 * stretches decoded side by side walk the same code, and a run one decoder walked and kept is the
 * image's answer alone, so another can copy it instead of walking it again (a stretch's decoder
 * starts with nothing kept, and on bugfix-exact-match the walks of a cold start were most of what
 * two threads cost over one).
 *
 * <p>Thread-safe without locks: a run is published as an immutable array (start pc, atoms code,
 * end pc, then the packed ranges) by a release store and read by an acquire load, so a reader
 * sees a whole run or none. Direct-mapped and bounded: a new run replaces the one at its slot.
 * Only for decoders whose block caches read the same image with the same waypoints.
 */
public final class SharedRuns {
  private static final int BITS = 14;
  private final AtomicReferenceArray<long[]> slots = new AtomicReferenceArray<>(1 << BITS);

  private static int slot(long pc, long code) {
    long h = (pc ^ code * 0xC2B2AE3D27D4EB4FL) * 0x9E3779B97F4A7C15L;
    return (int) (h >>> (64 - BITS));
  }

  /** The run from {@code pc} with atoms {@code code} as published, or null. */
  long[] get(long pc, long code) {
    long[] r = slots.getAcquire(slot(pc, code));
    return r != null && r[0] == pc && r[1] == code ? r : null;
  }

  /** Publishes a run, laid out as {@link BlockRuns#RANGES} says; {@code run} is not written again. */
  void put(long[] run) {
    slots.setRelease(slot(run[0], run[1]), run);
  }
}
