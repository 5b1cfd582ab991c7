package dev.tracepoke.perf;

/**
 * The 104-byte {@code perf_file_header}: the size of one attrs entry, where the attrs and the data
 * section lie, and the 256-bit feature bitmap (bit n = bit n%64 of word n/64).
 */
public record PerfFileHeader(long attrSize, long attrsOffset, long attrsSize, long dataOffset,
    long dataSize, long[] featureBits) {

  /** "PERFILE2" read as a little-endian u64. */
  public static final long MAGIC = 0x32454c4946524550L;
  public static final int SIZE = 104;
  /** A header without the feature bitmap (very old perf). */
  public static final int SIZE_NO_FEATURES = 72;

  public PerfFileHeader {
    featureBits = featureBits.clone();
  }

  @Override
  public long[] featureBits() {
    return featureBits.clone();
  }

  public boolean feature(int bit) {
    return (featureBits[bit / 64] >>> (bit % 64) & 1) != 0;
  }

  public int featureCount() {
    int n = 0;
    for (long w : featureBits) {
      n += Long.bitCount(w);
    }
    return n;
  }
}
