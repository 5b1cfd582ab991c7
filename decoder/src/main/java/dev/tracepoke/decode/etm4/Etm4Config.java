package dev.tracepoke.decode.etm4;

import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.snapshot.EtmRegisters;

/**
 * The programming and identification registers of one ETMv4 trace unit, as an OpenCSD snapshot's
 * ETM device or perf's AUXTRACE_INFO (CS_ETM v1 private area) gives them. The packet reader builds
 * its header table from these: which packets exist, how wide VMID, context ID and cycle counts are.
 *
 * @param configr TRCCONFIGR: bit 3 BB, 4 CCI, 6 CID, 7 VMID, [10:8] COND, 11 TS, 12 RS, [14:13] QE
 * @param traceIdr TRCTRACEIDR: bits [6:0] the CoreSight trace ID
 * @param idr0 TRCIDR0: 7 TRCCCI, [16:15] QSUPP, [28:24] TSSIZE, 29 COMMOPT
 * @param idr1 TRCIDR1: [11:8] major, [7:4] minor trace architecture version
 * @param idr2 TRCIDR2: [4:0] IASIZE, [9:5] CIDSIZE, [14:10] VMIDSIZE, [28:25] CCSIZE, 31 WFXMODE
 * @param idr8 TRCIDR8: MAXSPEC, the maximum speculation depth
 * @param idr9 TRCIDR9: number of P0 keys (data trace)
 * @param idr10 TRCIDR10: number of P1 keys (data trace)
 * @param idr11 TRCIDR11: number of special P1 keys
 * @param idr12 TRCIDR12: number of conditional keys
 * @param idr13 TRCIDR13: number of special conditional keys
 * @param devarch TRCDEVARCH of an ETE unit (Armv9's Embedded Trace Extension), 0 for ETMv4. ETE is
 *     read by OpenCSD's ETMv4 packet processor with an ETE configuration: the version comes from
 *     TRCDEVARCH ([15:12] ARCHVER, [19:16] REVISION) instead of TRCIDR1, which enables ETE's packets
 *     (transactions, source addresses, PE reset) and retires ETMv4's Exception Return
 */
public record Etm4Config(
    int configr,
    int traceIdr,
    int idr0,
    int idr1,
    int idr2,
    int idr8,
    int idr9,
    int idr10,
    int idr11,
    int idr12,
    int idr13,
    int devarch) {

  /** An ETMv4 unit (no TRCDEVARCH). */
  public Etm4Config(
      int configr, int traceIdr, int idr0, int idr1, int idr2, int idr8,
      int idr9, int idr10, int idr11, int idr12, int idr13) {
    this(configr, traceIdr, idr0, idr1, idr2, idr8, idr9, idr10, idr11, idr12, idr13, 0);
  }

  /** TRCDEVARCH OpenCSD assumes for an ETE device that does not give it: ETE 1.0. */
  public static final int DEFAULT_ETE_DEVARCH = 0x47705A13;

  /**
   * An ETE unit. TRCIDR9-13 do not exist on ETE (OpenCSD zeroes them); {@code devarch} must be
   * non-zero (use {@link #DEFAULT_ETE_DEVARCH} when the source does not give it).
   */
  public static Etm4Config ete(int configr, int traceIdr, int idr0, int idr1, int idr2, int idr8, int devarch) {
    if (devarch == 0) {
      throw new IllegalArgumentException("an ETE configuration needs TRCDEVARCH");
    }
    return new Etm4Config(configr, traceIdr, idr0, idr1, idr2, idr8, 0, 0, 0, 0, 0, devarch);
  }

  /** The same unit with another trace ID (perf's AUX_OUTPUT_HW_ID gives it per session). */
  public Etm4Config withTraceId(int traceIdr) {
    return new Etm4Config(configr, traceIdr, idr0, idr1, idr2, idr8, idr9, idr10, idr11, idr12, idr13, devarch);
  }

  /** An ETE unit (TRCDEVARCH given) rather than ETMv4. */
  public boolean isEte() {
    return devarch != 0;
  }

  /** TRCIDR1 assumed when a snapshot leaves it out: ETMv4.0, as OpenCSD assumes. */
  public static final int DEFAULT_IDR1 = 0x4100F403;

  /** Configuration with the optional registers at their defaults (TRCIDR1 v4.0, TRCIDR8-13 0). */
  public static Etm4Config of(int configr, int traceIdr, int idr0, int idr2) {
    return new Etm4Config(configr, traceIdr, idr0, DEFAULT_IDR1, idr2, 0, 0, 0, 0, 0, 0);
  }

  /** The configuration an OpenCSD snapshot's ETM device gives (optional registers defaulted). */
  public static Etm4Config of(EtmRegisters r) {
    return new Etm4Config(
        (int) r.configr(),
        (int) r.traceIdr(),
        (int) r.idr0(),
        (int) r.idr1(),
        (int) r.idr2(),
        (int) r.idr8(),
        (int) r.idr9(),
        (int) r.idr10(),
        (int) r.idr11(),
        (int) r.idr12(),
        (int) r.idr13());
  }

  /**
   * The configuration an OpenCSD snapshot's ETE device gives: its ETMv4-named registers and
   * TRCDEVARCH (TRCIDR9-13 do not exist on ETE).
   */
  public static Etm4Config ofEte(EtmRegisters r, long devarch) {
    return ete((int) r.configr(), (int) r.traceIdr(), (int) r.idr0(), (int) r.idr1(), (int) r.idr2(),
        (int) r.idr8(), (int) devarch);
  }

  /**
   * The configuration of one CPU's block of perf's CS_ETM AUXTRACE_INFO (perf records TRCIDR8 but
   * not TRCIDR9-13, which only matter for data and conditional trace: 0).
   */
  public static Etm4Config of(EtmV4Params p) {
    return new Etm4Config(
        (int) p.trcconfigr(),
        (int) p.trctraceidr(),
        (int) p.trcidr0(),
        (int) p.trcidr1(),
        (int) p.trcidr2(),
        (int) p.trcidr8(),
        0,
        0,
        0,
        0,
        0,
        p.isEte() ? (int) p.extra()[0] : 0);
  }

  /** The CoreSight trace ID (TRCTRACEIDR[6:0]). */
  public int traceId() {
    return traceIdr & 0x7F;
  }

  /** Trace architecture major version: 4 for ETMv4; for ETE TRCDEVARCH.ARCHVER (5). */
  public int majorVersion() {
    return isEte() ? (devarch >>> 12) & 0xF : (idr1 >>> 8) & 0xF;
  }

  /** Trace architecture minor version; for ETE TRCDEVARCH.REVISION. */
  public int minorVersion() {
    return isEte() ? (devarch >>> 16) & 0xF : (idr1 >>> 4) & 0xF;
  }

  /**
   * ETE 1.1+ with TRCIDR0.TSMARK: OpenCSD outputs no timestamp before the first timestamp marker.
   * The flow decoder does not gate: on the one real trace with such a unit ({@code ts_marker}) the
   * first timestamp follows the first marker, so gating changes nothing there, and an earlier
   * timestamp still bounds the time of what follows (EteFlowConformanceTest pins this).
   */
  public boolean timestampMarkerGate() {
    return fullVersion() >= 0x51 && ((idr0 >>> 23) & 1) != 0;
  }

  /** TRCIDR0.COMMTRANS == 0 on ETE: a transaction start is a P0 element. */
  public boolean transactionStartIsP0() {
    return isEte() && ((idr0 >>> 30) & 1) == 0;
  }

  /** Major and minor version as {@code 0xMm}, e.g. {@code 0x43} for ETMv4.3. */
  public int fullVersion() {
    return (majorVersion() << 4) | minorVersion();
  }

  /** VMID width in bits carried by context packets: 8, or 16/32 from ETMv4.1 on; 0 if none. */
  public int vmidBits() {
    int size = (idr2 >>> 10) & 0x1F;
    if (size == 1) {
      return 8;
    }
    if (fullVersion() > 0x40) {
      if (size == 2) {
        return 16;
      }
      if (size == 4) {
        return 32;
      }
    }
    return 0;
  }

  /** Context ID width in bits carried by context packets: 32 or 0. */
  public int contextIdBits() {
    return ((idr2 >>> 5) & 0x1F) == 4 ? 32 : 0;
  }

  /** Cycle counter width in bits (TRCIDR2.CCSIZE + 12). */
  public int cycleCountBits() {
    return ((idr2 >>> 25) & 0xF) + 12;
  }

  /**
   * TRCIDR0.COMMOPT on a unit with cycle counting (TRCIDR0.TRCCCI, bit 7): cycle-count packets
   * carry no commit field. COMMOPT only describes cycle-count packets, so without TRCCCI it means
   * nothing (OpenCSD's {@code commitOpt1()} checks both).
   */
  public boolean commitOpt() {
    return ((idr0 >>> 29) & 1) != 0 && ((idr0 >>> 7) & 1) != 0;
  }

  /** TRCIDR0.QSUPP != 0: Q packets can occur. */
  public boolean qSupported() {
    return ((idr0 >>> 15) & 3) != 0;
  }

  /** TRCIDR8.MAXSPEC. */
  public int maxSpeculationDepth() {
    return idr8;
  }

  /** TRCCONFIGR.CCI: cycle counting enabled. */
  public boolean cycleCounting() {
    return ((configr >>> 4) & 1) != 0;
  }

  /** TRCCONFIGR.TS: timestamps enabled. */
  public boolean timestamps() {
    return ((configr >>> 11) & 1) != 0;
  }

  /** TRCCONFIGR.RS: return stack enabled (returns may omit their target address). */
  public boolean returnStack() {
    return ((configr >>> 12) & 1) != 0;
  }

  /** TRCCONFIGR.BB: branch broadcast (direct branch targets are traced too). */
  public boolean branchBroadcast() {
    return ((configr >>> 3) & 1) != 0;
  }

  /** TRCCONFIGR.COND != 0: conditional-instruction tracing, which this project cannot decode. */
  public boolean conditionalTracing() {
    return ((configr >>> 8) & 7) != 0;
  }

  /** TRCIDR2.WFXMODE: WFI/WFE are P0 elements (with ETMv4.3+). */
  public boolean wfxWaypoints() {
    return ((idr2 >>> 31) & 1) != 0 && fullVersion() >= 0x43;
  }
}
