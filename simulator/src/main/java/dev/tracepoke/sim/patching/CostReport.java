package dev.tracepoke.sim.patching;

import com.fasterxml.jackson.annotation.JsonProperty;
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
 * @param meanPatchNanos mean time the patching core spent in an operation (begin to end): what the
 *     caller of the patching function waits, as opposed to begin-to-visible on every core
 * @param maxPatchNanos the longest of those
 */
public record CostReport(
    @JsonProperty("protocol") Protocol protocol,
    @JsonProperty("pokes") int pokes,
    @JsonProperty("sites") int sites,
    @JsonProperty("mean_latency_ns") long meanLatencyNanos,
    @JsonProperty("max_latency_ns") long maxLatencyNanos,
    @JsonProperty("not_visible") int notVisible,
    @JsonProperty("ipis") long ipis,
    @JsonProperty("lost_cycles") long lostCycles,
    @JsonProperty("max_interrupts_off_ns") long maxInterruptsOffNanos,
    @JsonProperty("mean_patch_ns") long meanPatchNanos,
    @JsonProperty("max_patch_ns") long maxPatchNanos) {

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
    long patchSum = 0;
    long patchMax = 0;
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
      patchSum += c.end() - c.begin();
      patchMax = Math.max(patchMax, c.end() - c.begin());
      ipis += c.ipis();
      lost += c.lostCycles();
      off = Math.max(off, c.interruptsOff());
    }
    return new CostReport(protocol, pokes, sites, visible == 0 ? 0 : sum / visible, max, notVisible, ipis, lost, off,
        pokes == 0 ? 0 : patchSum / pokes, patchMax);
  }
}
