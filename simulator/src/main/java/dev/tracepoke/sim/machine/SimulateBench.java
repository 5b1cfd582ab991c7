package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;

import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Shift;

/**
 * Throughput of the interpreter: a loop-heavy EL1 workload (nested loops, calls, loads and stores,
 * data-dependent branches) on one core with an observer that counts what it is told, as a ground-
 * truth writer would be attached. Used by {@code tracepoke bench simulate}.
 */
public final class SimulateBench {
  private SimulateBench() {}

  /**
   * Instructions retired, wall-clock and thread CPU nanoseconds, and what the observers counted.
   * CPU time is the fairer figure on a shared machine: it leaves out time the thread waited.
   */
  public record Result(long instructions, long nanos, long cpuNanos, long observedInstructions, long waypoints) {
    public double instructionsPerSecond() {
      return instructions * 1e9 / nanos;
    }

    public double instructionsPerCpuSecond() {
      return instructions * 1e9 / cpuNanos;
    }
  }

  private static final long TEXT = 0xFFFF800008000000L;
  private static final long DATA = 0xFFFF000000000000L;

  /** Counts instructions and waypoints: the cheapest observer that still sees every call. */
  static final class Counting implements CoreObserver {
    long instructions;
    long waypoints;

    @Override
    public void instructions(long startPc, int count, long time) {
      instructions += count;
    }

    @Override
    public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
      waypoints++;
    }

    @Override
    public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {}

    @Override
    public void exceptionReturn(long pc, long target, int toEl, long time) {}

    @Override
    public void patchSiteExecuted(long pc, int word, boolean newest, long time) {}
  }

  static int[] workload() {
    Assembler a = new Assembler(TEXT);
    Assembler.Label mix = a.newLabel("mix");
    a.movImm64(x(19), 0x2545F4914F6CDD1DL);
    a.movImm64(x(22), DATA);
    Assembler.Label outer = a.here();
    a.emit(movz(x(20), 64, 0));
    Assembler.Label inner = a.here();
    a.emit(eor(x(19), x(19), x(19), Shift.LSL, 13));
    a.emit(eor(x(19), x(19), x(19), Shift.LSR, 7));
    a.emit(eor(x(19), x(19), x(19), Shift.LSL, 17));
    a.emit(and(x(0), x(19), 0x1F8));
    a.emit(ldr(x(1), x(22), x(0), dev.tracepoke.sim.asm.Extend.LSL, false));
    a.emit(add(x(1), x(1), x(19), Shift.LSR, 3));
    a.emit(str(x(1), x(22), x(0), dev.tracepoke.sim.asm.Extend.LSL, false));
    Assembler.Label skip = a.newLabel("skip");
    a.tbz(x(19), 5, skip);
    a.bl(mix);
    a.bind(skip);
    a.emit(cmp(x(1), 0x800));
    a.emit(csinc(x(2), x(2), x(3), Cond.HI));
    a.emit(subs(x(20), x(20), 1));
    a.bcond(Cond.NE, inner);
    a.b(outer);
    a.bind(mix);
    a.emit(stpPre(x(29), x(30), SP, -16));
    a.emit(madd(x(3), x(1), x(19), x(3)));
    a.emit(ubfx(x(4), x(3), 7, 9));
    a.emit(ldpPost(x(29), x(30), SP, 16));
    a.emit(ret());
    return a.words();
  }

  /** Runs {@code warmup} then {@code instructions} instructions of the workload on one core and times the latter. */
  public static Result run(long warmup, long instructions) {
    return run(1, warmup, instructions);
  }

  /**
   * The same on {@code cores} cores (each with its own observer and stack, sharing text and data),
   * scheduled in slices as always: shows the cost of keeping cores in step.
   */
  public static Result run(int cores, long warmup, long instructions) {
    return run(cores, warmup, instructions, null);
  }

  /**
   * As {@link #run(int, long, long)}, each core's calls also going to {@code extra.apply(cpu)} (the
   * ground-truth writer in {@code tracepoke bench simulate}); null for none.
   */
  public static Result run(int cores, long warmup, long instructions,
      java.util.function.IntFunction<CoreObserver> extra) {
    Machine m = new Machine(MachineConfig.defaults().withCores(cores));
    m.memory().map("text", TEXT, 0x1000, true);
    m.memory().map("data", DATA, 0x1000, false);
    m.memory().map("stack", DATA + 0x10000, 0x1000 * cores, false);
    m.memory().loadWords(TEXT, workload());
    Counting[] counting = new Counting[cores];
    for (int i = 0; i < cores; i++) {
      Core c = m.core(i);
      c.setPc(TEXT);
      c.setSp(DATA + 0x10000 + 0x1000L * (i + 1));
      counting[i] = new Counting();
      c.setObserver(extra == null ? counting[i] : new ObserverTee(counting[i], extra.apply(i)));
    }
    m.run(Long.MAX_VALUE, warmup);
    long before = retired(m);
    long observedBefore = 0;
    long waypointsBefore = 0;
    for (Counting k : counting) {
      observedBefore += k.instructions;
      waypointsBefore += k.waypoints;
    }
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    m.run(Long.MAX_VALUE, instructions);
    long nanos = System.nanoTime() - t0;
    long cpuNanos = threads.getCurrentThreadCpuTime() - cpu0;
    long observed = -observedBefore;
    long waypoints = -waypointsBefore;
    for (Counting k : counting) {
      observed += k.instructions;
      waypoints += k.waypoints;
    }
    return new Result(retired(m) - before, nanos, cpuNanos, observed, waypoints);
  }

  private static long retired(Machine m) {
    long n = 0;
    for (int i = 0; i < m.coreCount(); i++) {
      n += m.core(i).instructions();
    }
    return n;
  }
}
