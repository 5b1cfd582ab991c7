package dev.tracepoke.perf;

import java.util.Arrays;

/**
 * One per-CPU block of the CS_ETM private area for an ETMv4 (magic 0x40..40) or ETE (0x50..50)
 * trace unit: the seven registers perf 6.1 stores, then any further params a newer perf appended
 * (ETE: TRCDEVARCH first; later perf: TS_SOURCE last) in {@link #extra()}.
 */
public record EtmV4Params(long magic, int cpu, long trcconfigr, long trctraceidr, long trcidr0,
    long trcidr1, long trcidr2, long trcidr8, long trcauthstatus, long[] extra) {

  public static final long MAGIC_ETMV3 = 0x3030303030303030L;
  public static final long MAGIC_ETMV4 = 0x4040404040404040L;
  public static final long MAGIC_ETE = 0x5050505050505050L;
  /** The params every ETMv4 block of header v0/v1 holds. */
  public static final int BASE_PARAMS = 7;

  public EtmV4Params {
    if (magic != MAGIC_ETMV4 && magic != MAGIC_ETE) {
      throw new IllegalArgumentException("not an ETMv4/ETE magic: 0x" + Long.toHexString(magic));
    }
    if (magic == MAGIC_ETE && extra.length == 0) {
      throw new IllegalArgumentException("an ETE block needs TRCDEVARCH");
    }
    extra = extra.clone();
  }

  /** An ETMv4 block with the 7 params of perf 6.1. */
  public static EtmV4Params etmV4(int cpu, long trcconfigr, long trctraceidr, long trcidr0,
      long trcidr1, long trcidr2, long trcidr8, long trcauthstatus) {
    return new EtmV4Params(MAGIC_ETMV4, cpu, trcconfigr, trctraceidr, trcidr0, trcidr1, trcidr2,
        trcidr8, trcauthstatus, new long[0]);
  }

  public boolean isEte() {
    return magic == MAGIC_ETE;
  }

  /** The trace ID the unit puts in the formatter frames (newer perf sets high bits; mask them). */
  public int traceId() {
    return (int) (trctraceidr & 0x7f);
  }

  /** The NR_TRC_PARAMS word of a v1 block. */
  public int nrTrcParams() {
    return BASE_PARAMS + extra.length;
  }

  @Override
  public long[] extra() {
    return extra.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EtmV4Params p && magic == p.magic && cpu == p.cpu
        && trcconfigr == p.trcconfigr && trctraceidr == p.trctraceidr && trcidr0 == p.trcidr0
        && trcidr1 == p.trcidr1 && trcidr2 == p.trcidr2 && trcidr8 == p.trcidr8
        && trcauthstatus == p.trcauthstatus && Arrays.equals(extra, p.extra);
  }

  @Override
  public int hashCode() {
    return cpu * 31 + Long.hashCode(trctraceidr);
  }

  @Override
  public String toString() {
    return "EtmV4Params[" + (isEte() ? "ETE" : "ETMv4") + ", cpu=" + cpu + ", TRCCONFIGR=0x"
        + Long.toHexString(trcconfigr) + ", TRCTRACEIDR=0x" + Long.toHexString(trctraceidr)
        + ", TRCIDR0=0x" + Long.toHexString(trcidr0) + ", TRCIDR1=0x" + Long.toHexString(trcidr1)
        + ", TRCIDR2=0x" + Long.toHexString(trcidr2) + ", TRCIDR8=0x" + Long.toHexString(trcidr8)
        + ", TRCAUTHSTATUS=0x" + Long.toHexString(trcauthstatus) + ", extra=" + Arrays.toString(extra) + "]";
  }
}
