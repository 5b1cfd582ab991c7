package dev.tracepoke.sim.etm;

/**
 * A stretch of core time during which the trace unit's FIFO is full and trace is lost. The unit
 * emits an Overflow packet at the first P0 element at or after {@code startNs} and re-synchronises
 * (A-sync, Trace Info, Trace On, address with context) at the first P0 element at or after
 * {@code endNs}.
 */
public record OverflowWindow(long startNs, long endNs) {
  public OverflowWindow {
    if (endNs <= startNs) {
      throw new IllegalArgumentException("overflow window ends at " + endNs + " ns, not after its start " + startNs);
    }
  }
}
