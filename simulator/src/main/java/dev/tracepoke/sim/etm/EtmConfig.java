package dev.tracepoke.sim.etm;

import dev.tracepoke.perf.EtmV4Params;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one simulated ETMv4 unit is programmed, and the register values it reports. The registers go
 * into perf's AUXTRACE_INFO (CS_ETM v1 per-CPU block) and into OpenCSD snapshot ETM device files,
 * so they must agree with what the stream contains: timestamps only when TRCCONFIGR.TS is set,
 * context IDs only when TRCCONFIGR.CID is set, no commit packets because TRCIDR8.MAXSPEC = 0, cycle
 * counts only when TRCCONFIGR.CCI is set, 64-bit addresses (TRCIDR2.IASIZE).
 *
 * @param cpu the core this unit traces
 * @param traceId CoreSight trace ID (see {@link #traceIdOf})
 * @param timestamps TRCCONFIGR.TS: emit Timestamp packets (at every sync point, and see below)
 * @param timestampPeriodTicks also emit a timestamp at the first P0 element at least this many
 *     counter ticks after the previous one; 0 = only at sync points
 * @param contextIdTracing TRCCONFIGR.CID: context packets carry CONTEXTIDR_EL1
 * @param syncPeriodLog2 TRCSYNCPR.PERIOD: A-sync + Trace Info again after 2^N bytes of trace
 * @param nonSecure the core runs Non-secure (the NS bit of every context)
 * @param initialEl the exception level the core runs at when tracing starts
 * @param initialContextId CONTEXTIDR_EL1 when tracing starts
 * @param timeConv the generic counter the timestamps come from
 * @param overflows stretches of time in which trace is lost (in time order, not overlapping)
 * @param longAddressAfterContext send the first plain address after an address-with-context packet
 *     as a 64-bit long address, as the Cortex-A72 in OpenCSD's {@code bugfix-exact-match} snapshot
 *     does (260 of 260 times); off: always the shortest correct form
 * @param cseTimestamps also emit a timestamp right before and right after every
 *     context-synchronization event (exception entry, exception return, ISB), each carrying the
 *     event's time. A real unit does this when TRCTSCTLR selects a resource fed by the PMU events
 *     EXC_TAKEN (0x09), EXC_RETURN (0x0A) and ISB_SPEC (0x7C) through TRCEXTINSELR; the decoder
 *     then knows every CSE's time exactly, which is what decides when a patch window closes
 * @param options return stack, branch broadcast, cycle counting (TRCCONFIGR.RS, BB, CCI)
 */
public record EtmConfig(
    int cpu,
    int traceId,
    boolean timestamps,
    long timestampPeriodTicks,
    boolean contextIdTracing,
    int syncPeriodLog2,
    boolean nonSecure,
    int initialEl,
    int initialContextId,
    TimeConv timeConv,
    List<OverflowWindow> overflows,
    boolean longAddressAfterContext,
    boolean cseTimestamps,
    EtmOptions options) {

  /** A unit with every option of {@link EtmOptions} off. */
  public EtmConfig(int cpu, int traceId, boolean timestamps, long timestampPeriodTicks,
      boolean contextIdTracing, int syncPeriodLog2, boolean nonSecure, int initialEl,
      int initialContextId, TimeConv timeConv, List<OverflowWindow> overflows,
      boolean longAddressAfterContext, boolean cseTimestamps) {
    this(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2, nonSecure,
        initialEl, initialContextId, timeConv, overflows, longAddressAfterContext, cseTimestamps, EtmOptions.NONE);
  }

  /** TRCSYNCPR reset value on Linux's driver: every 4 KiB. */
  public static final int DEFAULT_SYNC_PERIOD_LOG2 = 12;

  // ID registers of a Cortex-A53-class ETMv4.2 unit (see etmv4-opencsd.md section 3), minus
  // anything the simulated stream never uses.
  /** TRCIDR0: TSSIZE 64-bit, COMMOPT, RETSTACK, CCI, BB, 4 events; QSUPP = 0, COND = 0. */
  public static final int TRCIDR0 = 0x28000EA1;
  /** TRCIDR1: designer Arm, ETMv4.2 (TRCARCHMAJ 4, TRCARCHMIN 2), revision 3. */
  public static final int TRCIDR1 = 0x4100F423;
  /** TRCIDR2: IASIZE 64-bit, CIDSIZE 32-bit, VMIDSIZE 8-bit, CCSIZE 12-bit, no WFx waypoints. */
  public static final int TRCIDR2 = 0x00000488;
  /** TRCIDR8: MAXSPEC = 0, so every P0 element is committed at once and no Commit packets exist. */
  public static final int TRCIDR8 = 0;
  /** TRCAUTHSTATUS: non-secure invasive and non-invasive debug implemented and enabled. */
  public static final int TRCAUTHSTATUS = 0xCC;

  private static final int CONFIGR_CID = 1 << 6;
  private static final int CONFIGR_TS = 1 << 11;

  public EtmConfig {
    if (cpu < 0) {
      throw new IllegalArgumentException("cpu " + cpu);
    }
    if (traceId < 1 || traceId > 0x6F) {
      throw new IllegalArgumentException("trace ID " + traceId + " outside 0x01..0x6F");
    }
    if (syncPeriodLog2 < 8 || syncPeriodLog2 > 20) {
      throw new IllegalArgumentException("TRCSYNCPR period 2^" + syncPeriodLog2 + " outside 2^8..2^20");
    }
    if (timestampPeriodTicks < 0) {
      throw new IllegalArgumentException("timestamp period " + timestampPeriodTicks + " is negative");
    }
    if (initialEl < 0 || initialEl > 3) {
      throw new IllegalArgumentException("exception level " + initialEl);
    }
    overflows = List.copyOf(overflows);
    options = options == null ? EtmOptions.NONE : options;
    for (int i = 1; i < overflows.size(); i++) {
      if (overflows.get(i).startNs() < overflows.get(i - 1).endNs()) {
        throw new IllegalArgumentException("overflow windows overlap or are out of order: " + overflows);
      }
    }
  }

  /**
   * The trace ID the kernel gives {@code cpu}'s unit in a perf session over cpus 0..cpu (and any
   * above it): the legacy 0x10 + 2 * cpu while that is a valid ID (cpus 0..47), else the lowest
   * free ID from 0x01 (0x01..0x0F, then the odd IDs between the legacy ones), as Linux 6.4's
   * coresight-trace-id.c allocates CPU IDs (odd IDs are preferred only for system sources such
   * as STM); see {@code TraceIdMap}.
   */
  public static int traceIdOf(int cpu) {
    return dev.tracepoke.coresight.TraceIdMap.perfSession(cpu + 1)[cpu];
  }

  /**
   * What {@code perf record -e cs_etm//} programs on a CPU-wide session: timestamps and context
   * IDs on, the driver's sync period, the kernel (EL1, Non-secure) running, no overflows.
   */
  public static EtmConfig forCpu(int cpu) {
    return new EtmConfig(cpu, traceIdOf(cpu), true, 0, true, DEFAULT_SYNC_PERIOD_LOG2, true, 1, 0,
        TimeConv.defaults(), List.of(), false, false);
  }

  public EtmConfig withTimestamps(boolean on, long periodTicks) {
    return new EtmConfig(cpu, traceId, on, periodTicks, contextIdTracing, syncPeriodLog2, nonSecure,
        initialEl, initialContextId, timeConv, overflows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withContextIdTracing(boolean on, int initialId) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, on, syncPeriodLog2, nonSecure,
        initialEl, initialId, timeConv, overflows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withSyncPeriodLog2(int log2) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, log2, nonSecure,
        initialEl, initialContextId, timeConv, overflows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withInitialEl(int el) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, el, initialContextId, timeConv, overflows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withTimeConv(TimeConv conv) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, initialEl, initialContextId, conv, overflows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withOverflows(List<OverflowWindow> windows) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, initialEl, initialContextId, timeConv, windows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withLongAddressAfterContext(boolean on) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, initialEl, initialContextId, timeConv, overflows, on, cseTimestamps, options);
  }

  /** The CoreSight trace ID the session gave this unit ({@code TraceIdMap}). */
  public EtmConfig withTraceId(int id) {
    return new EtmConfig(cpu, id, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, initialEl, initialContextId, timeConv, overflows, longAddressAfterContext, cseTimestamps, options);
  }

  public EtmConfig withCseTimestamps(boolean on) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, initialEl, initialContextId, timeConv, overflows, longAddressAfterContext, on, options);
  }

  public EtmConfig withOptions(EtmOptions o) {
    return new EtmConfig(cpu, traceId, timestamps, timestampPeriodTicks, contextIdTracing, syncPeriodLog2,
        nonSecure, initialEl, initialContextId, timeConv, overflows, longAddressAfterContext, cseTimestamps, o);
  }

  /** The sync period in bytes, as perf's scenario files give it: a power of two, 256..1 MiB. */
  public EtmConfig withSyncPeriodBytes(int bytes) {
    if (Integer.bitCount(bytes) != 1) {
      throw new IllegalArgumentException("sync period " + bytes + " bytes is not a power of two");
    }
    return withSyncPeriodLog2(Integer.numberOfTrailingZeros(bytes));
  }

  /**
   * TRCCONFIGR as perf synthesises it from the event config: CID (bit 6) and TS (bit 11), plus the
   * bits of the {@link EtmOptions} switched on.
   */
  public int trcConfigR() {
    return (contextIdTracing ? CONFIGR_CID : 0) | (timestamps ? CONFIGR_TS : 0) | options.configrBits();
  }

  public int trcTraceIdR() {
    return traceId;
  }

  /** TRCSYNCPR: the sync period as the register holds it. */
  public int trcSyncPR() {
    return syncPeriodLog2;
  }

  /** The seven ETMv4 parameters of perf's CS_ETM v1 AUXTRACE_INFO block, in perf's order. */
  public long[] perfParams() {
    return new long[] {
      trcConfigR() & 0xFFFF_FFFFL, traceId, TRCIDR0 & 0xFFFF_FFFFL, TRCIDR1 & 0xFFFF_FFFFL,
      TRCIDR2 & 0xFFFF_FFFFL, TRCIDR8, TRCAUTHSTATUS
    };
  }

  /** This unit's per-CPU block of perf's CS_ETM AUXTRACE_INFO record. */
  public EtmV4Params perfBlock() {
    long[] p = perfParams();
    return EtmV4Params.etmV4(cpu, p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
  }

  /**
   * The registers of an OpenCSD snapshot ETM device file ({@code [regs]} section), name to value,
   * in the order the snapshot format lists them.
   */
  public Map<String, Long> snapshotRegisters() {
    Map<String, Long> regs = new LinkedHashMap<>();
    regs.put("TRCCONFIGR", trcConfigR() & 0xFFFF_FFFFL);
    regs.put("TRCTRACEIDR", (long) traceId);
    regs.put("TRCAUTHSTATUS", (long) TRCAUTHSTATUS);
    regs.put("TRCIDR0", TRCIDR0 & 0xFFFF_FFFFL);
    regs.put("TRCIDR1", TRCIDR1 & 0xFFFF_FFFFL);
    regs.put("TRCIDR2", TRCIDR2 & 0xFFFF_FFFFL);
    regs.put("TRCIDR8", (long) TRCIDR8);
    regs.put("TRCIDR9", 0L);
    regs.put("TRCIDR10", 0L);
    regs.put("TRCIDR11", 0L);
    regs.put("TRCIDR12", 0L);
    regs.put("TRCIDR13", 0L);
    return regs;
  }
}
