package dev.tracepoke.sim.machine;

/**
 * Simulator services for guest code. A write of {@code value} to the IMPLEMENTATION DEFINED
 * register S3_7_C15_C0_0 ({@code SysReg.HOSTCALL}) at EL1 calls this with the writing core, whose
 * registers and time are up to date ({@code core.pc()} is the MSR's address, {@code core.time()}
 * the moment it retires). The handler may read and set general registers, set a reply for MRS of
 * the same register, raise interrupts and ask the machine to stop. Writing it at EL0 is UNDEFINED.
 */
@FunctionalInterface
public interface HostCall {
  void call(Core core, long value);
}
