package dev.tracepoke.snapshot;

/**
 * The ETMv4 registers a decoder needs, as an ETM device gives them (missing optional ones at
 * OpenCSD's defaults: TRCIDR1 = 0x4100F403, i.e. ETMv4.0; TRCIDR8-13 = 0).
 */
public record EtmRegisters(
    long configr,
    long traceIdr,
    long idr0,
    long idr1,
    long idr2,
    long idr8,
    long idr9,
    long idr10,
    long idr11,
    long idr12,
    long idr13) {

  /** TRCIDR1 assumed when absent (ETMv4.0). */
  public static final long DEFAULT_IDR1 = 0x4100F403L;

  /** The CoreSight trace ID (TRCTRACEIDR[6:0]). */
  public int traceId() {
    return (int) (traceIdr & 0x7F);
  }
}
