package dev.tracepoke.perf;

import java.nio.ByteBuffer;

/**
 * {@code struct perf_event_attr} as stored in the attrs section and EVENT_DESC. {@link #size()} is
 * the size the entry occupies on disk: perf 6.1 writes and accepts at most 128 (VER7); newer perf
 * writes 136 (VER8, config3). Fields past {@code size} read as zero; bytes past 136 are skipped.
 */
public record PerfEventAttr(
    int type,
    int size,
    long config,
    long samplePeriod,
    long sampleType,
    long readFormat,
    long flags,
    int wakeupEvents,
    int bpType,
    long config1,
    long config2,
    long branchSampleType,
    long sampleRegsUser,
    int sampleStackUser,
    int clockid,
    long sampleRegsIntr,
    int auxWatermark,
    int sampleMaxStack,
    int auxSampleSize,
    long sigData,
    long config3) {

  /** The size perf 6.1 writes and the largest it reads. */
  public static final int SIZE_VER7 = 128;
  public static final int SIZE_VER8 = 136;
  /** PERF_ATTR_SIZE_VER0: the smallest attr that ever existed. */
  public static final int SIZE_VER0 = 64;

  public static final int TYPE_SOFTWARE = 1;
  public static final long SOFTWARE_DUMMY = 9;

  // flag bits of the 64-bit bitfield word at offset 40
  public static final long FLAG_DISABLED = 1L;
  public static final long FLAG_INHERIT = 1L << 1;
  public static final long FLAG_EXCLUDE_USER = 1L << 4;
  public static final long FLAG_EXCLUDE_KERNEL = 1L << 5;
  public static final long FLAG_EXCLUDE_HV = 1L << 6;
  public static final long FLAG_MMAP = 1L << 8;
  public static final long FLAG_COMM = 1L << 9;
  public static final long FLAG_TASK = 1L << 13;
  public static final long FLAG_SAMPLE_ID_ALL = 1L << 18;
  public static final long FLAG_MMAP2 = 1L << 23;
  public static final long FLAG_COMM_EXEC = 1L << 24;
  public static final long FLAG_CONTEXT_SWITCH = 1L << 26;
  public static final long FLAG_KSYMBOL = 1L << 29;
  public static final long FLAG_TEXT_POKE = 1L << 33;

  // sample_type bits beyond the trailer ones in SampleId
  public static final long SAMPLE_IP = 1L;
  public static final long SAMPLE_ADDR = 1L << 3;
  public static final long SAMPLE_PERIOD = 1L << 8;
  /** read_format ID|LOST, what perf 6.1 writes. */
  public static final long READ_FORMAT_ID_LOST = 0x14;

  public boolean sampleIdAll() {
    return (flags & FLAG_SAMPLE_ID_ALL) != 0;
  }

  public boolean textPoke() {
    return (flags & FLAG_TEXT_POKE) != 0;
  }

  /** The trailer bits records of this event carry (none without sample_id_all). */
  public long trailerFields() {
    return sampleIdAll() ? sampleType & SampleId.TRAILER_BITS : 0;
  }

  /** The same attr stored with another on-disk size. */
  public PerfEventAttr withSize(int newSize) {
    return new PerfEventAttr(type, newSize, config, samplePeriod, sampleType, readFormat, flags,
        wakeupEvents, bpType, config1, config2, branchSampleType, sampleRegsUser, sampleStackUser,
        clockid, sampleRegsIntr, auxWatermark, sampleMaxStack, auxSampleSize, sigData, config3);
  }

  /**
   * Writes {@link #size()} bytes. Sizes below 136 drop the fields that do not fit, so a
   * field past the size must be zero.
   */
  void write(ByteBuffer b) {
    if (size < SIZE_VER0 || size % 8 != 0) {
      throw new IllegalArgumentException("attr size " + size + " is not a multiple of 8 >= 64");
    }
    ByteBuffer full = ByteBuffer.allocate(Math.max(size, SIZE_VER8)).order(b.order());
    full.putInt(type).putInt(size).putLong(config).putLong(samplePeriod).putLong(sampleType)
        .putLong(readFormat).putLong(flags).putInt(wakeupEvents).putInt(bpType).putLong(config1)
        .putLong(config2).putLong(branchSampleType).putLong(sampleRegsUser).putInt(sampleStackUser)
        .putInt(clockid).putLong(sampleRegsIntr).putInt(auxWatermark).putShort((short) sampleMaxStack)
        .putShort((short) 0).putInt(auxSampleSize).putInt(0).putLong(sigData).putLong(config3);
    for (int i = size; i < SIZE_VER8; i++) {
      if (full.get(i) != 0) {
        throw new IllegalArgumentException("attr field at byte " + i + " is set but attr size is " + size);
      }
    }
    b.put(full.array(), 0, size);
  }

  /** Decodes {@code size} bytes (the size field itself is at bytes 4..7). */
  static PerfEventAttr read(ByteBuffer src, int size) {
    ByteBuffer b = ByteBuffer.allocate(Math.max(size, SIZE_VER8)).order(src.order());
    src.get(b.array(), 0, size);
    return new PerfEventAttr(b.getInt(0), size, b.getLong(8), b.getLong(16), b.getLong(24),
        b.getLong(32), b.getLong(40), b.getInt(48), b.getInt(52), b.getLong(56), b.getLong(64),
        b.getLong(72), b.getLong(80), b.getInt(88), b.getInt(92), b.getLong(96), b.getInt(104),
        Short.toUnsignedInt(b.getShort(108)), b.getInt(112), b.getLong(120), b.getLong(128));
  }

  // cs_etm attr.config option bits (ETMv3-style numbering, as perf's cs_etm PMU format)
  public static final long CS_ETM_BRANCH_BROADCAST = 1L << 8;
  public static final long CS_ETM_CYCLE_ACC = 1L << 12;
  public static final long CS_ETM_CONTEXTID = 1L << 14;
  public static final long CS_ETM_CONTEXTID2 = 1L << 15;
  public static final long CS_ETM_TIMESTAMP = 1L << 28;
  public static final long CS_ETM_RETSTACK = 1L << 29;
  /** IP|TID|TIME|CPU|IDENTIFIER: what perf record gives a CPU-wide cs_etm session (32-byte trailer). */
  public static final long SAMPLE_TYPE_CPU_WIDE = 0x10087;
  /** IP|TID|TIME|IDENTIFIER: per-thread style; no CPU bit, which AUXTRACE cpu -1 requires. */
  public static final long SAMPLE_TYPE_PER_THREAD = 0x10007;

  /**
   * The cs_etm event of a recording: the dynamic PMU type (it must equal the PMU type in
   * AUXTRACE_INFO), the option bits, period 1, disabled|exclude_hv|sample_id_all.
   */
  public static PerfEventAttr csEtm(int pmuType, long config, long sampleType) {
    return builder(pmuType, config).sampleType(sampleType)
        .flags(FLAG_DISABLED | FLAG_EXCLUDE_HV | FLAG_SAMPLE_ID_ALL).build();
  }

  /**
   * The tracking dummy event perf record adds to an AUX session: software/dummy carrying the
   * side-band records (mmap, mmap2, comm, comm_exec, task) and {@code text_poke}. Its sample_type
   * must lay out the trailer like the cs_etm event's.
   */
  public static PerfEventAttr trackingDummy(long sampleType) {
    return builder(TYPE_SOFTWARE, SOFTWARE_DUMMY).sampleType(sampleType)
        .flags(FLAG_DISABLED | FLAG_EXCLUDE_HV | FLAG_MMAP | FLAG_COMM | FLAG_TASK | FLAG_SAMPLE_ID_ALL
            | FLAG_MMAP2 | FLAG_COMM_EXEC | FLAG_TEXT_POKE)
        .build();
  }

  public static Builder builder(int type, long config) {
    return new Builder(type, config);
  }

  /** Builds an attr of size 128 (what perf 6.1 requires); unset fields are zero. */
  public static final class Builder {
    private final int type;
    private final long config;
    private int size = SIZE_VER7;
    private long samplePeriod = 1;
    private long sampleType;
    private long readFormat = READ_FORMAT_ID_LOST;
    private long flags = FLAG_SAMPLE_ID_ALL;
    private long config2;
    private int auxWatermark;

    private Builder(int type, long config) {
      this.type = type;
      this.config = config;
    }

    public Builder size(int v) { size = v; return this; }
    public Builder samplePeriod(long v) { samplePeriod = v; return this; }
    public Builder sampleType(long v) { sampleType = v; return this; }
    public Builder readFormat(long v) { readFormat = v; return this; }
    /** Replaces the whole flag word (default: sample_id_all only). */
    public Builder flags(long v) { flags = v; return this; }
    public Builder config2(long v) { config2 = v; return this; }
    public Builder auxWatermark(int v) { auxWatermark = v; return this; }

    public PerfEventAttr build() {
      return new PerfEventAttr(type, size, config, samplePeriod, sampleType, readFormat, flags, 0, 0,
          0, config2, 0, 0, 0, 0, 0, auxWatermark, 0, 0, 0, 0);
    }
  }
}
