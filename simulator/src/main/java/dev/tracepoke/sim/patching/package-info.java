/**
 * The host side of live patching: what flips when, and what it cost.
 *
 * <ul>
 *   <li>{@link dev.tracepoke.sim.patching.PatchSchedule#plan} picks a site group per patch
 *       interrupt and makes {@link dev.tracepoke.sim.patching.PatchOp}s (stop-machine: one per
 *       site, chained in one interrupt; other protocols: one per group); {@code queue()} is what
 *       the guest patcher reads.
 *   <li>{@link dev.tracepoke.sim.patching.PatchHost} answers the guest's host calls: it records the
 *       {@link dev.tracepoke.sim.patching.TextPokeEvent}s (PERF_RECORD_TEXT_POKE with the patching
 *       core's time) and the marks from which {@link dev.tracepoke.sim.patching.PokeCost} (latency to
 *       guaranteed-visible, IPIs, cycles other cores lost, longest interrupts-off) is computed;
 *       {@link dev.tracepoke.sim.patching.CostReport} aggregates them per protocol.
 *   <li>Record points: LANDED just before the final write (inside the stop for stop-machine, after
 *       the BRK write and its sync for brk-emulate); PRE just before it, POST after its cache
 *       maintenance (DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB).
 * </ul>
 */
package dev.tracepoke.sim.patching;
