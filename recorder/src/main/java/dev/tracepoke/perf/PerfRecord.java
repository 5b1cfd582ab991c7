package dev.tracepoke.perf;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One record of a perf.data data section, typed where tracepoke needs the values. Kernel records
 * (type &lt; 64) carry the {@link SampleId} trailer of the event that emitted them; user records
 * (type &ge; 64) never do. Types without a class here come back as {@link Raw}, never dropped.
 */
public sealed interface PerfRecord {

  int MMAP = 1;
  int COMM = 3;
  int SAMPLE = 9;
  int MMAP2 = 10;
  int AUX = 11;
  int ITRACE_START = 12;
  int TEXT_POKE = 20;
  int AUX_OUTPUT_HW_ID = 21;
  int FINISHED_ROUND = 68;
  int AUXTRACE_INFO = 70;
  int AUXTRACE = 71;
  int TIME_CONV = 79;
  /** zstd-compressed records ({@code perf record -z}); the reader expands them, never returns them. */
  int COMPRESSED = 81;
  /** Types from here on are written by perf itself, are processed in file order and have no trailer. */
  int USER_TYPE_START = 64;

  /** misc bits 2:0, the cpumode. */
  int MISC_CPUMODE_MASK = 7;
  int MISC_KERNEL = 1;
  int MISC_USER = 2;
  /** misc bit 13: COMM_EXEC for COMM, MMAP_DATA for MMAP2, PRE for TEXT_POKE (tracepoke). */
  int MISC_BIT13 = 1 << 13;
  /** misc bit 14: MMAP_BUILD_ID for MMAP2, POST for TEXT_POKE (tracepoke). */
  int MISC_BIT14 = 1 << 14;

  /** The PERF_RECORD_* number. */
  int type();

  /** The header's misc field. */
  int misc();

  /** The trailer, {@link SampleId#NONE} for user records. */
  default SampleId sampleId() {
    return SampleId.NONE;
  }

  /** PERF_RECORD_COMM (3): a thread's command name; misc bit 13 set when it came from exec. */
  record Comm(int misc, int pid, int tid, String comm, SampleId sampleId) implements PerfRecord {
    public int type() {
      return COMM;
    }

    public boolean exec() {
      return (misc & MISC_BIT13) != 0;
    }
  }

  /**
   * PERF_RECORD_MMAP2 (10). With misc bit 14 (MMAP_BUILD_ID) the 24-byte id block holds a build id
   * ({@link #buildId()} non-null, maj/min/ino/inoGeneration zero); otherwise device and inode.
   */
  record Mmap2(int misc, int pid, int tid, long start, long len, long pgoff, int maj, int min,
      long ino, long inoGeneration, byte[] buildId, int prot, int flags, String filename,
      SampleId sampleId) implements PerfRecord {
    public Mmap2 {
      if (((misc & MISC_BIT14) != 0) != (buildId != null)) {
        throw new IllegalArgumentException("MMAP2 build id must be given exactly when misc bit 14 is set");
      }
      if (buildId != null) {
        if (buildId.length > 20) {
          throw new IllegalArgumentException("build id longer than 20 bytes");
        }
        buildId = buildId.clone();
      }
    }

    public int type() {
      return MMAP2;
    }

    @Override
    public byte[] buildId() {
      return buildId == null ? null : buildId.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Mmap2 m && misc == m.misc && pid == m.pid && tid == m.tid
          && start == m.start && len == m.len && pgoff == m.pgoff && maj == m.maj && min == m.min
          && ino == m.ino && inoGeneration == m.inoGeneration && Arrays.equals(buildId, m.buildId)
          && prot == m.prot && flags == m.flags && filename.equals(m.filename)
          && sampleId.equals(m.sampleId);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(start) * 31 + filename.hashCode();
    }

    @Override
    public String toString() {
      return "Mmap2[misc=" + misc + ", pid=" + pid + ", tid=" + tid + ", start=0x"
          + Long.toHexString(start) + ", len=0x" + Long.toHexString(len) + ", pgoff=0x"
          + Long.toHexString(pgoff) + ", maj=" + maj + ", min=" + min + ", ino=" + ino
          + ", inoGeneration=" + inoGeneration + ", buildId="
          + (buildId == null ? "null" : HexFormat.of().formatHex(buildId)) + ", prot=" + prot
          + ", flags=" + flags + ", filename=" + filename + ", sampleId=" + sampleId + "]";
    }
  }

  /**
   * PERF_RECORD_MMAP (1): a mapping without device/inode or protection; perf record writes the
   * kernel map this way ({@code [kernel.kallsyms]_text}, pid -1, pgoff = the reference symbol's
   * address).
   */
  record Mmap(int misc, int pid, int tid, long start, long len, long pgoff, String filename,
      SampleId sampleId) implements PerfRecord {
    public int type() {
      return MMAP;
    }
  }

  /**
   * PERF_RECORD_AUX_OUTPUT_HW_ID (21): the hardware ID of the AUX output of the cpu in the
   * trailer; for CoreSight (header v2 recordings) bits 7:0 are the trace ID.
   */
  record AuxOutputHwId(int misc, long hwId, SampleId sampleId) implements PerfRecord {
    public int type() {
      return AUX_OUTPUT_HW_ID;
    }

    /** CoreSight: the trace ID (bits 7:0). */
    public int traceId() {
      return (int) (hwId & 0xff);
    }
  }

  /** PERF_RECORD_ITRACE_START (12): the AUX event was first scheduled in for this task. */
  record ItraceStart(int misc, int pid, int tid, SampleId sampleId) implements PerfRecord {
    public int type() {
      return ITRACE_START;
    }
  }

  /** PERF_RECORD_AUX (11): new data in the AUX ring at [auxOffset, +auxSize). */
  record Aux(int misc, long auxOffset, long auxSize, long flags, SampleId sampleId)
      implements PerfRecord {
    public static final long FLAG_TRUNCATED = 0x1;
    public static final long FLAG_OVERWRITE = 0x2;
    public static final long FLAG_PARTIAL = 0x4;
    public static final long FLAG_COLLISION = 0x8;
    /** PMU format bits 15:8; CoreSight: 0 = formatted 16-byte frames, 1 = raw. */
    public static final long FLAG_CORESIGHT_RAW = 0x100;

    public int type() {
      return AUX;
    }

    public int pmuFormat() {
      return (int) ((flags >>> 8) & 0xff);
    }
  }

  /** PERF_RECORD_AUXTRACE_INFO (70): the AUX area type and its private words. */
  record AuxtraceInfo(int auxType, AuxtracePriv priv) implements PerfRecord {
    public static final int TYPE_CS_ETM = 3;

    public AuxtraceInfo {
      if ((auxType == TYPE_CS_ETM) != (priv instanceof CsEtmInfo)) {
        throw new IllegalArgumentException("CS_ETM type goes with a CsEtmInfo and only with it");
      }
    }

    public int type() {
      return AUXTRACE_INFO;
    }

    public int misc() {
      return 0;
    }
  }

  /** The private area of an AUXTRACE_INFO record. */
  sealed interface AuxtracePriv permits CsEtmInfo, OpaquePriv {
    /** The u64 words as stored. */
    long[] words();
  }

  /** Private words of an AUX area type tracepoke does not interpret. */
  record OpaquePriv(long[] words) implements AuxtracePriv {
    public OpaquePriv {
      words = words.clone();
    }

    @Override
    public long[] words() {
      return words.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof OpaquePriv p && Arrays.equals(words, p.words);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
      return "OpaquePriv" + Arrays.toString(words);
    }
  }

  /**
   * PERF_RECORD_AUXTRACE (71): {@link #size()} bytes of AUX data that follow the 48-byte record in
   * the file at {@link #dataPosition()} (payloads are never copied into the record; read them with
   * {@link PerfDataReader#payload}). size includes the padding to 8 bytes, as perf writes it.
   */
  record Auxtrace(long size, long offset, long reference, int idx, int tid, int cpu,
      long dataPosition) implements PerfRecord {
    public int type() {
      return AUXTRACE;
    }

    public int misc() {
      return 0;
    }
  }

  /**
   * PERF_RECORD_TEXT_POKE (20): kernel text at {@link #addr()} changed from old to new bytes.
   * tracepoke's misc bits: 13 = PRE (the write may become visible from now on), 14 = POST (the
   * writer's maintenance is done); neither = the landed record. cpumode is KERNEL.
   */
  record TextPoke(int misc, long addr, byte[] oldBytes, byte[] newBytes, SampleId sampleId)
      implements PerfRecord {
    public TextPoke {
      if ((misc & (MISC_BIT13 | MISC_BIT14)) == (MISC_BIT13 | MISC_BIT14)) {
        throw new IllegalArgumentException("TEXT_POKE cannot be both PRE and POST");
      }
      if (oldBytes.length > 0xffff || newBytes.length > 0xffff) {
        throw new IllegalArgumentException("TEXT_POKE lengths are u16");
      }
      oldBytes = oldBytes.clone();
      newBytes = newBytes.clone();
    }

    /** A record with cpumode KERNEL and the phase's misc bit. */
    public static TextPoke of(Phase phase, long addr, byte[] oldBytes, byte[] newBytes, SampleId sid) {
      return new TextPoke(MISC_KERNEL | phase.miscBit, addr, oldBytes, newBytes, sid);
    }

    public int type() {
      return TEXT_POKE;
    }

    public Phase phase() {
      return (misc & MISC_BIT13) != 0 ? Phase.PRE : (misc & MISC_BIT14) != 0 ? Phase.POST : Phase.LANDED;
    }

    public boolean isPre() {
      return phase() == Phase.PRE;
    }

    public boolean isPost() {
      return phase() == Phase.POST;
    }

    @Override
    public byte[] oldBytes() {
      return oldBytes.clone();
    }

    @Override
    public byte[] newBytes() {
      return newBytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TextPoke t && misc == t.misc && addr == t.addr
          && Arrays.equals(oldBytes, t.oldBytes) && Arrays.equals(newBytes, t.newBytes)
          && sampleId.equals(t.sampleId);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(addr) * 31 + Arrays.hashCode(newBytes);
    }

    @Override
    public String toString() {
      return "TextPoke[" + phase() + ", misc=0x" + Integer.toHexString(misc) + ", addr=0x"
          + Long.toHexString(addr) + ", old=" + HexFormat.of().formatHex(oldBytes) + ", new="
          + HexFormat.of().formatHex(newBytes) + ", sampleId=" + sampleId + "]";
    }

    /** Where in a patch protocol the record sits. */
    public enum Phase {
      LANDED(0),
      PRE(MISC_BIT13),
      POST(MISC_BIT14);

      private final int miscBit;

      Phase(int miscBit) {
        this.miscBit = miscBit;
      }

      public int miscBit() {
        return miscBit;
      }
    }
  }

  /**
   * PERF_RECORD_TIME_CONV (79): perf-clock conversion. Files from before the extension carry only
   * shift, mult and zero ({@link #extended()} false, 32-byte record); otherwise 56 bytes.
   */
  record TimeConv(long timeShift, long timeMult, long timeZero, long timeCycles, long timeMask,
      boolean capUserTimeZero, boolean capUserTimeShort, boolean extended) implements PerfRecord {
    public int type() {
      return TIME_CONV;
    }

    public int misc() {
      return 0;
    }
  }

  /** PERF_RECORD_FINISHED_ROUND (68): ordering barrier, header only. */
  record FinishedRound() implements PerfRecord {
    public int type() {
      return FINISHED_ROUND;
    }

    public int misc() {
      return 0;
    }
  }

  /** Any record tracepoke does not type: its header fields and every byte after the header. */
  record Raw(int type, int misc, byte[] body) implements PerfRecord {
    public Raw {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Raw r && type == r.type && misc == r.misc && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
      return type * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
      return "Raw[type=" + type + ", misc=0x" + Integer.toHexString(misc) + ", " + body.length + " bytes]";
    }
  }
}
