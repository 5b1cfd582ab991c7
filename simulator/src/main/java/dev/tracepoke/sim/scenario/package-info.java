/**
 * Scenarios and runs.
 *
 * <ul>
 *   <li>{@link dev.tracepoke.sim.scenario.Scenario}: everything that determines a run (JSON, built-ins
 *       {@code default} and {@code static}); same scenario and seed give byte-identical recordings.
 *   <li>{@link dev.tracepoke.sim.scenario.Simulation#record(java.nio.file.Path)} generates the image,
 *       plans the schedule, runs the machine (last core patches) with an ETMv4 unit and a
 *       ground-truth writer per core, and writes the perf directory ({@code data},
 *       {@code kcore_dir/kcore} with the kernel text and the EL0 program as two PT_LOAD segments,
 *       {@code kcore_dir/kallsyms}, {@code truth/}); it returns the
 *       {@link dev.tracepoke.sim.scenario.RunSummary}.
 *   <li>{@link dev.tracepoke.sim.scenario.Simulation#run} runs without writing anything (tests,
 *       benchmarks); {@link dev.tracepoke.sim.scenario.SimulationRun} then answers questions about
 *       the run (patch-site executions, old words run after a landed record, costs).
 * </ul>
 */
package dev.tracepoke.sim.scenario;
