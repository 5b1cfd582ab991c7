package dev.tracepoke.sim.etm;

import java.util.Arrays;

/**
 * What one trace unit emitted: bytes, instructions it traced, atoms per format, packets per address
 * form, exceptions and returns, and what overflows cost.
 *
 * @param cpu the core
 * @param bytes trace bytes written
 * @param instructions instructions the core retired while the unit was enabled
 * @param untracedInstructions of those, lost to overflows
 * @param atomsByFormat atoms sent in formats 1..6 (index 0 = format 1)
 * @param atomPacketsByFormat atom packets of formats 1..6 (index 0 = format 1)
 * @param exactMatch exact-match address packets
 * @param short1 one-byte short address packets
 * @param short2 two-byte short address packets
 * @param long32 32-bit long address packets
 * @param long64 64-bit long address packets
 * @param addressWithContext32 32-bit address-with-context packets
 * @param addressWithContext64 64-bit address-with-context packets
 * @param contexts Context packets
 * @param exceptions Exception packets
 * @param exceptionReturns Exception Return packets
 * @param timestamps Timestamp packets
 * @param asyncs A-sync packets
 * @param traceInfos Trace Info packets
 * @param traceOns Trace On packets
 * @param overflows Overflow packets
 */
public record TraceUnitStats(
    int cpu,
    long bytes,
    long instructions,
    long untracedInstructions,
    long[] atomsByFormat,
    long[] atomPacketsByFormat,
    long exactMatch,
    long short1,
    long short2,
    long long32,
    long long64,
    long addressWithContext32,
    long addressWithContext64,
    long contexts,
    long exceptions,
    long exceptionReturns,
    long timestamps,
    long asyncs,
    long traceInfos,
    long traceOns,
    long overflows) {

  public TraceUnitStats {
    atomsByFormat = atomsByFormat.clone();
    atomPacketsByFormat = atomPacketsByFormat.clone();
  }

  @Override
  public long[] atomsByFormat() {
    return atomsByFormat.clone();
  }

  @Override
  public long[] atomPacketsByFormat() {
    return atomPacketsByFormat.clone();
  }

  /** Atoms sent in all formats. */
  public long atoms() {
    long n = 0;
    for (long a : atomsByFormat) {
      n += a;
    }
    return n;
  }

  /** Trace density: bytes per instruction traced (NaN before any instruction). */
  public double bytesPerInstruction() {
    long traced = instructions - untracedInstructions;
    return traced == 0 ? Double.NaN : (double) bytes / traced;
  }

  // Arrays compare by content, so two runs with the same output give equal stats.
  @Override
  public boolean equals(Object o) {
    return o instanceof TraceUnitStats t
        && cpu == t.cpu && bytes == t.bytes && instructions == t.instructions
        && untracedInstructions == t.untracedInstructions
        && Arrays.equals(atomsByFormat, t.atomsByFormat)
        && Arrays.equals(atomPacketsByFormat, t.atomPacketsByFormat)
        && exactMatch == t.exactMatch && short1 == t.short1 && short2 == t.short2
        && long32 == t.long32 && long64 == t.long64
        && addressWithContext32 == t.addressWithContext32 && addressWithContext64 == t.addressWithContext64
        && contexts == t.contexts && exceptions == t.exceptions && exceptionReturns == t.exceptionReturns
        && timestamps == t.timestamps && asyncs == t.asyncs && traceInfos == t.traceInfos
        && traceOns == t.traceOns && overflows == t.overflows;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bytes) * 31 + Long.hashCode(instructions) + Arrays.hashCode(atomsByFormat);
  }

  @Override
  public String toString() {
    return "TraceUnitStats[cpu=" + cpu + ", bytes=" + bytes + ", instructions=" + instructions
        + ", untracedInstructions=" + untracedInstructions
        + ", atomsByFormat=" + Arrays.toString(atomsByFormat)
        + ", atomPacketsByFormat=" + Arrays.toString(atomPacketsByFormat)
        + ", exactMatch=" + exactMatch + ", short1=" + short1 + ", short2=" + short2
        + ", long32=" + long32 + ", long64=" + long64
        + ", addressWithContext32=" + addressWithContext32 + ", addressWithContext64=" + addressWithContext64
        + ", contexts=" + contexts + ", exceptions=" + exceptions + ", exceptionReturns=" + exceptionReturns
        + ", timestamps=" + timestamps + ", asyncs=" + asyncs + ", traceInfos=" + traceInfos
        + ", traceOns=" + traceOns + ", overflows=" + overflows + "]";
  }
}
