/**
 * A64 encoder: {@link dev.tracepoke.sim.asm.A64} returns the 32-bit encoding of each supported
 * instruction form, {@link dev.tracepoke.sim.asm.Assembler} lays words out at addresses and resolves
 * labels. Every form is checked against GNU objdump's disassembly in the tests.
 */
package dev.tracepoke.sim.asm;
