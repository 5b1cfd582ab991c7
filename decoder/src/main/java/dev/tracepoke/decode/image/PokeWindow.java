package dev.tracepoke.decode.image;

/**
 * The time span in which cores may run either the old or the new bytes of one write, built from
 * one LANDED record, a PRE/POST pair, or an unpaired PRE or POST (see {@link Style}).
 *
 * <p>For one core the window is {@code [start, close)} with {@code close} = that core's next CSE
 * after {@link #post()} ({@link #closeFor}). Before {@code start} every core runs the old bytes,
 * from {@code close} on the new ones.
 *
 * @param index position in time order; image version {@code index + 1} is the first to hold the
 *     new bytes
 * @param address first patched byte
 * @param oldBytes bytes before the write
 * @param newBytes bytes after the write
 * @param style which records made the window
 * @param start earliest time the new bytes may be fetched
 * @param post time from which only the core's next CSE is needed for the new bytes to be certain
 *     ({@link Long#MAX_VALUE}: never certain)
 * @param switchTime where {@code --naive} switches the image: the time of the first record
 * @param writer the core that wrote the first record (-1: not recorded)
 */
public record PokeWindow(
    int index,
    long address,
    byte[] oldBytes,
    byte[] newBytes,
    Style style,
    long start,
    long post,
    long switchTime,
    int writer) {

  /** Which records a window was built from. */
  public enum Style {
    /** A flagless record at time T: start = post = T (A64: no switch-time guarantee). */
    LANDED,
    /** PRE at P and POST at Q for the same address and bytes: start = P, post = Q. */
    PAIRED,
    /**
     * PRE without a matching POST (the record was lost or the recording ended inside the write):
     * start = PRE, and the old bytes stay possible to the end (post = {@link Long#MAX_VALUE}).
     */
    PRE_ONLY,
    /**
     * POST without a matching PRE (lost, or recording began inside the write): the write may have
     * become visible any time after the previous record touching these bytes (start = that
     * record's time, or {@link Long#MIN_VALUE} if there is none); post = POST.
     */
    POST_ONLY
  }

  /** Number of patched bytes. */
  public int length() {
    return newBytes.length;
  }

  /** End of the window for a core with the given CSEs (exclusive; MAX_VALUE = never closes). */
  public long closeFor(CseTimes cse) {
    return post == Long.MAX_VALUE ? Long.MAX_VALUE : cse.nextCseAfter(post);
  }

  /** True when the patched bytes overlap {@code [from, to)}. */
  public boolean overlaps(long from, long to) {
    return Long.compareUnsigned(address, to) < 0
        && Long.compareUnsigned(from, address + newBytes.length) < 0;
  }

  @Override
  public String toString() {
    return String.format("PokeWindow[#%d %s 0x%x %s -> %s start=%d post=%d switch=%d]", index,
        style, address, TextPoke.hex(oldBytes), TextPoke.hex(newBytes), start, post, switchTime);
  }
}
