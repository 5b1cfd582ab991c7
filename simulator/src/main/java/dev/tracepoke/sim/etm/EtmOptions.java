package dev.tracepoke.sim.etm;

/**
 * ETMv4 trace options a perf user switches on ({@code cs_etm/retstack,branch_broadcast,cycacc/}),
 * each a TRCCONFIGR bit that the unit's ID registers already advertise (TRCIDR0 RETSTACK, TRCBB,
 * TRCCCI). All off is what {@code perf record -e cs_etm//} programs.
 *
 * @param returnStack TRCCONFIGR.RS: the target of a taken indirect branch that equals the top of
 *     the unit's return stack (pushed by BL/BLR with their return address) is left out and the
 *     entry popped; the decoder pops its own copy of the stack instead
 * @param branchBroadcast TRCCONFIGR.BB: taken direct branches carry their target address too
 *     (the return stack is not used while broadcasting: every target is traced)
 * @param cycleCounting TRCCONFIGR.CCI: a Cycle Count packet after every P0 element gives the
 *     processor cycles since the previous counted P0 element (Trace Info announces the counting
 *     and its threshold)
 */
public record EtmOptions(boolean returnStack, boolean branchBroadcast, boolean cycleCounting) {

  /** Every option off. */
  public static final EtmOptions NONE = new EtmOptions(false, false, false);

  /** TRCCONFIGR bits of these options: BB bit 3, CCI bit 4, RS bit 12. */
  public int configrBits() {
    return (branchBroadcast ? 1 << 3 : 0) | (cycleCounting ? 1 << 4 : 0) | (returnStack ? 1 << 12 : 0);
  }
}
