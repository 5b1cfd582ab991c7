package dev.tracepoke.sim.patching;

import dev.tracepoke.sim.scenario.Protocol;
import java.util.List;

/**
 * Costs of all operations of one protocol.
 *
 * @param pokes operations completed
 * @param sites sites switched
 * @param meanLatencyNanos mean begin-to-visible over operations that became visible
 * @param maxLatencyNanos the longest of those
 * @param notVisible operations some core had not synchronised after by the end of the run
 * @param ipis IPIs sent in total
 * @param lostCycles cycles other cores lost in total (spinning, trapping)
 * @param maxInterruptsOffNanos the longest interrupt-off stretch any operation caused
 */
public record CostReport(Protocol protocol, int pokes, int sites, long meanLatencyNanos, long maxLatencyNanos,
    int notVisible, long ipis, long lostCycles, long maxInterruptsOffNanos) {

  public static CostReport of(Protocol protocol, List<PokeCost> costs) {
    int pokes = 0;
    int sites = 0;
    long sum = 0;
    long max = 0;
    int visible = 0;
    int notVisible = 0;
    long ipis = 0;
    long lost = 0;
    long off = 0;
    for (PokeCost c : costs) {
      if (c.protocol() != protocol || c.end() < 0) {
        continue;
      }
      pokes++;
      sites += c.sites();
      if (c.latency() >= 0) {
        visible++;
        sum += c.latency();
        max = Math.max(max, c.latency());
      } else {
        notVisible++;
      }
      ipis += c.ipis();
      lost += c.lostCycles();
      off = Math.max(off, c.interruptsOff());
    }
    return new CostReport(protocol, pokes, sites, visible == 0 ? 0 : sum / visible, max, notVisible, ipis, lost, off);
  }
}
