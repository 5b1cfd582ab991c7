/**
 * The emulated multi-core AArch64 machine.
 *
 * <ul>
 *   <li>{@link dev.tracepoke.sim.machine.Machine}: cores, {@link dev.tracepoke.sim.machine.Memory},
 *       the scheduler (slices of {@code quantum} cycles, always the core with the smallest local time),
 *       interrupts, exceptions and the cross-modifying-code model.</li>
 *   <li>{@link dev.tracepoke.sim.machine.Core}: architectural state; 1 GHz, so local time = start time +
 *       cycles. Every instruction costs one cycle plus the modelled extra costs of
 *       {@link dev.tracepoke.sim.machine.MachineConfig.Costs}.</li>
 *   <li>Execution: words are predecoded per address (class, register indexes, two operand longs) and
 *       interpreted by a switch; text stores invalidate the predecoded slot and make it "watched", so
 *       each later fetch is resolved per core (old or new word).</li>
 *   <li>Observers ({@link dev.tracepoke.sim.machine.CoreObserver}) get one call per run of sequential
 *       instructions, then the waypoint, exception or exception return that ended it.</li>
 *   <li>Simulator services: a write to the IMPLEMENTATION DEFINED register S3_7_C15_C0_0 at EL1 calls
 *       the {@link dev.tracepoke.sim.machine.HostCall} with the core and the value; a
 *       {@link dev.tracepoke.sim.machine.TextListener} hears text writes and their maintenance.</li>
 *   <li>Not modelled: an MMU (addresses are physical, regions are the only protection), FP/SIMD,
 *       EL2/EL3, exclusives, data aborts (an access outside every region is a
 *       {@link dev.tracepoke.sim.machine.MachineFault}).</li>
 * </ul>
 */
package dev.tracepoke.sim.machine;
