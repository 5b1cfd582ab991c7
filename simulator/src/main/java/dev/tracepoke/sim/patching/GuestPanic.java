package dev.tracepoke.sim.patching;

/** The guest kernel called panic: a bug in the generated image or in the host's schedule. */
public final class GuestPanic extends RuntimeException {
  private final int cpu;
  private final long reason;

  public GuestPanic(int cpu, long pc, long reason, long time) {
    super(String.format("cpu %d panicked at pc 0x%x, time %d ns: %s", cpu, pc, time, describe(reason)));
    this.cpu = cpu;
    this.reason = reason;
  }

  private static String describe(long reason) {
    return switch ((int) reason) {
      case 1 -> "exception through an unused vector";
      case 2 -> "unexpected synchronous exception or protocol code";
      case 3 -> "BRK #0x4 at an address no kprobe is registered for";
      case 4 -> "patch site does not hold the word the operation expects";
      default -> "reason " + reason;
    };
  }

  public int cpu() {
    return cpu;
  }

  public long reason() {
    return reason;
  }
}
