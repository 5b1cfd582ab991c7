package dev.tracepoke.perf;

import java.util.ArrayList;
import java.util.List;

/**
 * The CS_ETM private area of AUXTRACE_INFO: header version, PMU type, snapshot flag and one
 * {@link EtmV4Params} block per CPU. Versions 0 and 1 are what perf 6.1 reads (it writes 1); 2 is
 * read as well (same block layout, trace IDs then come from AUX_OUTPUT_HW_ID records). ETMv3/PTM
 * blocks are refused.
 */
public record CsEtmInfo(int version, int pmuType, boolean snapshot, List<EtmV4Params> cpus)
    implements PerfRecord.AuxtracePriv {

  public static final int MAX_VERSION = 2;

  public CsEtmInfo {
    if (version < 0 || version > MAX_VERSION) {
      throw new IllegalArgumentException("CS_ETM header version " + version);
    }
    if (version == 0) {
      for (EtmV4Params p : cpus) {
        if (p.isEte() || p.extra().length != 0) {
          throw new IllegalArgumentException("header v0 holds exactly 7 ETMv4 params per CPU");
        }
      }
    }
    cpus = List.copyOf(cpus);
  }

  /**
   * TRCCONFIGR as perf record stores it: synthesized from the cs_etm attr.config bits, not read
   * from the hardware (branch broadcast → 3, cycle accurate → 4, context ID → 6, context ID 2 →
   * 7 and 15, timestamp → 11, return stack → 12).
   */
  public static long trcconfigr(long attrConfig) {
    long r = 0;
    if ((attrConfig & PerfEventAttr.CS_ETM_BRANCH_BROADCAST) != 0) r |= 1L << 3;
    if ((attrConfig & PerfEventAttr.CS_ETM_CYCLE_ACC) != 0) r |= 1L << 4;
    if ((attrConfig & PerfEventAttr.CS_ETM_CONTEXTID) != 0) r |= 1L << 6;
    if ((attrConfig & PerfEventAttr.CS_ETM_CONTEXTID2) != 0) r |= (1L << 7) | (1L << 15);
    if ((attrConfig & PerfEventAttr.CS_ETM_TIMESTAMP) != 0) r |= 1L << 11;
    if ((attrConfig & PerfEventAttr.CS_ETM_RETSTACK) != 0) r |= 1L << 12;
    return r;
  }

  /** perf 6.1's static trace ID of a cpu: 0x10 + 2 * cpu. */
  public static int legacyTraceId(int cpu) {
    return 0x10 + 2 * cpu;
  }

  /** Header v1 (what perf 6.1 writes), not snapshot. */
  public static CsEtmInfo v1(int pmuType, List<EtmV4Params> cpus) {
    return new CsEtmInfo(1, pmuType, false, cpus);
  }

  @Override
  public long[] words() {
    int n = 3;
    for (EtmV4Params p : cpus) {
      n += (version == 0 ? 2 : 3) + p.nrTrcParams();
    }
    long[] w = new long[n];
    w[0] = version;
    w[1] = ((long) pmuType << 32) | cpus.size();
    w[2] = snapshot ? 1 : 0;
    int i = 3;
    for (EtmV4Params p : cpus) {
      w[i++] = p.magic();
      w[i++] = p.cpu();
      if (version > 0) {
        w[i++] = p.nrTrcParams();
      }
      w[i++] = p.trcconfigr();
      w[i++] = p.trctraceidr();
      w[i++] = p.trcidr0();
      w[i++] = p.trcidr1();
      w[i++] = p.trcidr2();
      w[i++] = p.trcidr8();
      w[i++] = p.trcauthstatus();
      for (long x : p.extra()) {
        w[i++] = x;
      }
    }
    return w;
  }

  /**
   * Parses the private words. {@code wordOffset} maps a word index to the file offset used in
   * errors (the first word's absolute position).
   */
  static CsEtmInfo parse(long[] w, java.nio.file.Path file, long firstWordPos) throws PerfDataException {
    if (w.length < 3) {
      throw new PerfDataException(file, firstWordPos,
          "CS_ETM private area of " + w.length + " words is shorter than its 3-word header");
    }
    if (w[0] < 0 || w[0] > MAX_VERSION) {
      throw new PerfDataException(file, firstWordPos,
          "CS_ETM header version " + w[0] + " is not supported (0, 1 and 2 are)");
    }
    int version = (int) w[0];
    int pmuType = (int) (w[1] >>> 32);
    int nrCpus = (int) w[1];
    List<EtmV4Params> cpus = new ArrayList<>();
    int i = 3;
    for (int c = 0; c < nrCpus; c++) {
      long pos = firstWordPos + 8L * i;
      if (i + 2 > w.length) {
        throw new PerfDataException(file, pos, "CS_ETM block " + c + " of " + nrCpus + ": words end early");
      }
      long magic = w[i];
      int cpu = (int) w[i + 1];
      if (magic == EtmV4Params.MAGIC_ETMV3) {
        throw new PerfDataException(file, pos,
            "CS_ETM block for cpu " + cpu + " is ETMv3/PTM; only ETMv4 and ETE are supported");
      }
      if (magic != EtmV4Params.MAGIC_ETMV4 && magic != EtmV4Params.MAGIC_ETE) {
        throw new PerfDataException(file, pos,
            "CS_ETM block " + c + ": unknown magic 0x" + Long.toHexString(magic));
      }
      int nParams;
      int first;
      if (version == 0) {
        if (magic == EtmV4Params.MAGIC_ETE) {
          throw new PerfDataException(file, pos, "CS_ETM header v0 cannot hold an ETE block");
        }
        nParams = EtmV4Params.BASE_PARAMS;
        first = i + 2;
      } else {
        if (i + 3 > w.length) {
          throw new PerfDataException(file, pos, "CS_ETM block " + c + ": NR_TRC_PARAMS missing");
        }
        long n = w[i + 2];
        int min = EtmV4Params.BASE_PARAMS + (magic == EtmV4Params.MAGIC_ETE ? 1 : 0);
        if (n < min || n > w.length) {
          throw new PerfDataException(file, pos + 16,
              "CS_ETM block for cpu " + cpu + ": NR_TRC_PARAMS " + n + ", expected at least " + min);
        }
        nParams = (int) n;
        first = i + 3;
      }
      if (first + nParams > w.length) {
        throw new PerfDataException(file, pos,
            "CS_ETM block for cpu " + cpu + ": " + nParams + " params run past the record");
      }
      long[] extra = java.util.Arrays.copyOfRange(w, first + 7, first + nParams);
      cpus.add(new EtmV4Params(magic, cpu, w[first], w[first + 1], w[first + 2], w[first + 3],
          w[first + 4], w[first + 5], w[first + 6], extra));
      i = first + nParams;
    }
    if (i != w.length) {
      throw new PerfDataException(file, firstWordPos + 8L * i,
          "CS_ETM private area has " + (w.length - i) + " words after its " + nrCpus + " CPU blocks");
    }
    return new CsEtmInfo(version, pmuType, w[2] != 0, cpus);
  }
}
