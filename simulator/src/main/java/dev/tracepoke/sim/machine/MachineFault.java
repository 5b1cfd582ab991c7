package dev.tracepoke.sim.machine;

/**
 * The guest did something the machine does not model as an architectural exception: a fetch or
 * data access outside every region, a misaligned PC, an exception return to an unsupported mode.
 * Carries the core, the PC of the instruction and the address involved.
 */
public final class MachineFault extends RuntimeException {
  private final int cpu;
  private final long pc;
  private final long address;

  public MachineFault(int cpu, long pc, long address, String what) {
    super(String.format("cpu %d at pc 0x%x: %s (address 0x%x)", cpu, pc, what, address));
    this.cpu = cpu;
    this.pc = pc;
    this.address = address;
  }

  public int cpu() {
    return cpu;
  }

  public long pc() {
    return pc;
  }

  public long address() {
    return address;
  }
}
