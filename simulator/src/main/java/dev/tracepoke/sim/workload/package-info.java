/**
 * The generated kernel the simulated cores run: real A64 from {@link dev.tracepoke.sim.asm}.
 *
 * <ul>
 *   <li>{@link dev.tracepoke.sim.workload.WorkloadGenerator}{@code (seed, functions, cores).generate()}
 *       gives a {@link dev.tracepoke.sim.workload.KernelImage}: text at
 *       {@link dev.tracepoke.sim.workload.Layout#KERNEL_BASE} (vector table first, VBAR_EL1 entries
 *       +0x200/+0x280 current-EL sync/IRQ, +0x400/+0x480 lower-EL sync/IRQ), an EL0 loop at
 *       {@link dev.tracepoke.sim.workload.Layout#USER_BASE}, initial data, kallsyms symbols and the
 *       {@link dev.tracepoke.sim.workload.PatchSite}s.
 *   <li>Entry: each cpu starts at {@code secondary_entry} with X0 = cpu number; it sets VBAR,
 *       TPIDR_EL1 (per-cpu area), the stacks, and ERETs to the EL0 loop, which makes SVCs. The
 *       syscall path dispatches through {@code sys_call_table}; {@code gic_handle_irq} serves timer
 *       ticks (INTID 27), stop-machine (SGI 1) and kick (SGI 2) IPIs and patch requests (INTID 23);
 *       {@code el1_sync} handles BRK #4 (kprobes, original run out of line) and BRK #(0x100 + site)
 *       (brk-emulate: the handler emulates the site's new word from a table).
 *   <li>The patching code ({@code aarch64_insn_patcher} and helpers) is part of the image and runs
 *       on the patching cpu: it reads operations from the patch queue and talks to the host only
 *       through the host-call register ({@link dev.tracepoke.sim.workload.Layout} {@code HC_*}).
 *       Its source, with the other cpus' side of each protocol and brk-emulate's trap handler, is
 *       {@link dev.tracepoke.sim.patching.GuestPatching}; each other part of the kernel has its
 *       own class ({@code ExceptionEntry}, {@code Interrupts}, {@code Functions}, {@code Boot}),
 *       all writing through {@link dev.tracepoke.sim.workload.KernelText}.
 * </ul>
 */
package dev.tracepoke.sim.workload;
