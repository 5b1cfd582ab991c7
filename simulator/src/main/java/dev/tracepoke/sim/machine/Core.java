package dev.tracepoke.sim.machine;

import java.util.PriorityQueue;

/**
 * The architectural state of one core: X0-X30, SP_EL0/SP_EL1, PC, NZCV, DAIF, current EL and
 * SPSel, VBAR/ELR/SPSR/ESR_EL1, TPIDR_EL0/EL1; plus its cycle count (1 GHz, so its local time is
 * machine start time + cycles ns), exception counts, pending interrupts and CMODX bookkeeping.
 * Cores start at EL1h with DAIF all masked.
 */
public final class Core {
  /** DAIF bit for IRQ in the 4-bit D:A:I:F form. */
  static final int DAIF_I = 2;

  private final int id;
  private final Machine machine;
  final long[] x = new long[Op.NREGS];
  long pc;
  long cycles;
  int nzcv;
  int daif = 0xF;
  int el = 1;
  int spSel = 1;
  /** The stack pointer not currently selected (the current one lives in x[SPI]). */
  long spOther;
  long vbar;
  long elr;
  long spsr;
  long esr;
  long tpidr0;
  long tpidr1;
  long hostReply;
  long instructions;
  final long[] exceptionCounts = new long[4];
  CoreObserver observer;

  // interrupts: INTIDs 0..63 that have arrived, and the ones scheduled for later
  long pendingIrqs;
  final PriorityQueue<long[]> scheduledIrqs = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[2], b[2]));

  long timerPeriod;
  long timerJitter;
  private long timerRng;

  // the local exclusive monitor: lost when another core ran since LDXR (see Machine.epoch)
  boolean exclusiveArmed;
  long exclusiveAddress;
  long exclusiveEpoch;

  // CMODX bookkeeping
  long lastCseTime = Long.MIN_VALUE;
  boolean maintenancePending;
  long rng;
  final int[] fetchOp = new int[1];
  final long[] fetchA = new long[1];
  final long[] fetchB = new long[1];
  int fetchedWord;
  Region dataRegion;

  Core(int id, Machine machine, long seed) {
    this.id = id;
    this.machine = machine;
    this.rng = seed ^ (0x9E3779B97F4A7C15L * (id + 1));
    this.timerRng = ~seed ^ (0xC2B2AE3D27D4EB4FL * (id + 1));
    this.observer = NullObserver.INSTANCE;
  }

  /** SplitMix64: per-core, so a run is a function of the seed and the deterministic schedule. */
  long nextRandom() {
    long z = (rng += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A separate stream for timer jitter, so timers do not shift the fetch choices. */
  long nextTimerRandom() {
    long z = (timerRng += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public int id() {
    return id;
  }

  public Machine machine() {
    return machine;
  }

  /** X{@code n} for n in 0..30; 31 reads as zero (XZR). */
  public long x(int n) {
    checkGpr(n);
    return x[n];
  }

  public void setX(int n, long value) {
    if (n < 0 || n > 30) {
      throw new IllegalArgumentException("X" + n + " is not a writable general register");
    }
    x[n] = value;
  }

  private static void checkGpr(int n) {
    if (n < 0 || n > 31) {
      throw new IllegalArgumentException("register " + n + " outside 0..31");
    }
  }

  public long pc() {
    return pc;
  }

  public void setPc(long pc) {
    this.pc = pc;
  }

  /** The current stack pointer (SP_EL0 or SP_EL1 as EL and SPSel select). */
  public long sp() {
    return x[Op.SPI];
  }

  public void setSp(long sp) {
    x[Op.SPI] = sp;
  }

  private boolean onSpEl1() {
    return el == 1 && spSel == 1;
  }

  public long spEl0() {
    return onSpEl1() ? spOther : x[Op.SPI];
  }

  public long spEl1() {
    return onSpEl1() ? x[Op.SPI] : spOther;
  }

  public void setSpEl0(long v) {
    if (onSpEl1()) {
      spOther = v;
    } else {
      x[Op.SPI] = v;
    }
  }

  public void setSpEl1(long v) {
    if (onSpEl1()) {
      x[Op.SPI] = v;
    } else {
      spOther = v;
    }
  }

  /** Changes EL and SPSel, switching the banked stack pointer. */
  void selectMode(int newEl, int newSpSel) {
    boolean was = onSpEl1();
    el = newEl;
    spSel = newSpSel;
    if (was != onSpEl1()) {
      long t = x[Op.SPI];
      x[Op.SPI] = spOther;
      spOther = t;
    }
  }

  /** Sets EL and SPSel (host-side setup, e.g. to start a core at EL0). */
  public void setMode(int newEl, int newSpSel) {
    if (newEl < 0 || newEl > 1 || newSpSel < 0 || newSpSel > 1 || (newEl == 0 && newSpSel == 1)) {
      throw new IllegalArgumentException("unsupported mode EL" + newEl + " SPSel " + newSpSel);
    }
    selectMode(newEl, newSpSel);
  }

  public int el() {
    return el;
  }

  public int spSel() {
    return spSel;
  }

  /** NZCV as 4 bits: N=8, Z=4, C=2, V=1. */
  public int nzcv() {
    return nzcv;
  }

  public void setNzcv(int flags) {
    nzcv = flags & 0xF;
  }

  /** DAIF as 4 bits: D=8, A=4, I=2, F=1. */
  public int daif() {
    return daif;
  }

  public void setDaif(int bits) {
    daif = bits & 0xF;
  }

  /** PSTATE in SPSR layout: NZCV[31:28], DAIF[9:6], M[3:0]. */
  public long pstate() {
    return (long) nzcv << 28 | (long) daif << 6 | (long) el << 2 | spSel;
  }

  public long vbar() {
    return vbar;
  }

  public void setVbar(long v) {
    vbar = v;
  }

  public long elr() {
    return elr;
  }

  public long spsr() {
    return spsr;
  }

  public long esr() {
    return esr;
  }

  public void setElr(long v) {
    elr = v;
  }

  public void setSpsr(long v) {
    spsr = v;
  }

  /** The value the next MRS of the host-call register returns. */
  public void setHostReply(long v) {
    hostReply = v;
  }

  public long cycles() {
    return cycles;
  }

  /** Local time in ns of perf time: machine start + cycles (1 GHz core clock). */
  public long time() {
    return machine.startTime() + cycles;
  }

  public long instructions() {
    return instructions;
  }

  /** How many exceptions of a type ({@code CoreObserver.EXCEPTION_*}) this core took. */
  public long exceptionCount(int type) {
    return exceptionCounts[type];
  }

  /** MPIDR_EL1: Aff0 = id % 16, Aff1 = id / 16 (GICv3 SGI target lists hold 16 PEs). */
  public long mpidr() {
    return 0x80000000L | (long) (id / 16) << 8 | (id % 16);
  }

  public void setObserver(CoreObserver observer) {
    this.observer = observer == null ? NullObserver.INSTANCE : observer;
  }

  public CoreObserver observer() {
    return observer;
  }

  /** Interrupts that have arrived and not been acknowledged, as a bitmask of INTIDs. */
  public long pendingIrqs() {
    return pendingIrqs;
  }

  /** Next cycle at which a scheduled interrupt arrives, or Long.MAX_VALUE. */
  long nextIrqCycle() {
    long[] head = scheduledIrqs.peek();
    return head == null ? Long.MAX_VALUE : head[0] - machine.startTime();
  }
}
