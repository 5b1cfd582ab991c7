package dev.tracepoke.sim.patching;

import dev.tracepoke.sim.scenario.Protocol;

/**
 * What one patch operation cost. Times are perf ns; -1 where the run ended first.
 *
 * @param begin the patching core started the operation
 * @param maintenanceDone the final words are written and their cache maintenance is complete
 * @param end the operation is complete on the patching core
 * @param visible every core has taken a context-synchronisation event after {@code maintenanceDone}
 *     (from then on no core can fetch an old word); -1 if some core had none before the run ended
 * @param ipis IPIs sent (one per target core)
 * @param lostCycles cycles other cores spent in the stop rendezvous or trapping on a BRK
 * @param interruptsOff longest stretch with interrupts masked that the operation caused on any core
 */
public record PokeCost(int index, Protocol protocol, int sites, long begin, long maintenanceDone, long end,
    long visible, long ipis, long lostCycles, long interruptsOff) {

  /** begin to guaranteed-visible, or -1. */
  public long latency() {
    return visible < 0 || begin < 0 ? -1 : visible - begin;
  }
}
