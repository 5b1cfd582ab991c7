package dev.tracepoke.sim.machine;

import dev.tracepoke.sim.asm.SysReg;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The emulated multi-core AArch64 machine: cores, memory, a global clock and a deterministic
 * scheduler that always runs the core with the smallest local time for one slice (quantum).
 *
 * <p>Cross-modifying code: every guest store that changes a text word is recorded with the old
 * and new word and its time. Until a core takes a context-synchronization event (exception entry,
 * ERET, ISB) after the write's maintenance completed (an IC IVAU of its line followed by a DSB on
 * the same core), that core's fetch of the word returns the old or the new word by a seeded choice
 * (probability {@link MachineConfig#newWordBias()} of the newest); never the new word at a time
 * before the write. Such a fetch with a word outside the CMODX set is a {@link CmodxViolation}.
 * D-side cleaning (DC CVAU) is costed but not required: CTR_EL0.IDC reads as 1.
 *
 * <p>Interrupts: a GICv3-like CPU interface per core. {@link #raiseIrq} schedules an interrupt
 * (timer PPI 27, or an SGI 0-15 as an IPI) at a time; it is taken as an IRQ exception when it has
 * arrived and PSTATE.I is clear, and stays pending until the handler reads ICC_IAR1_EL1 (which
 * returns its INTID). Guest IPIs are writes to ICC_SGI1R_EL1.
 */
public final class Machine {
  /** INTID of the timer interrupt (the EL1 virtual timer PPI). */
  public static final int TIMER_INTID = 27;
  private static final int SPURIOUS = 1023;
  private static final int MAX_RECORDED = 100_000;
  private static final int LINE = 64;

  private final MachineConfig config;
  private final Memory memory = new Memory();
  private final Core[] cores;
  private final Executor executor;
  private HostCall hostCall = (core, value) -> {};
  private TextListener textListener;
  boolean stopRequested;
  /**
   * Counts switches between cores. Cores interleave only between slices, so an LDXR/STXR pair in
   * one slice is atomic; a store-exclusive fails when another core ran since its load-exclusive.
   */
  long epoch;
  private Core lastRun;
  private long irqSequence;

  // CMODX state: one PatchSite per registered or written text word
  private final List<PatchSite> sites = new ArrayList<>();
  private final Long2IntOpenHashMap siteIndex = new Long2IntOpenHashMap();
  private final List<PatchSite> active = new ArrayList<>();
  private final List<CmodxViolation> violations = new ArrayList<>();
  private long violationCount;
  private final List<UndefinedInstruction> undefined = new ArrayList<>();
  private long undefinedCount;

  public Machine(MachineConfig config) {
    this.config = config;
    this.cores = new Core[config.cores()];
    for (int i = 0; i < cores.length; i++) {
      cores[i] = new Core(i, this, config.seed());
    }
    this.executor = new Executor(this);
    siteIndex.defaultReturnValue(-1);
  }

  public MachineConfig config() {
    return config;
  }

  public Memory memory() {
    return memory;
  }

  public int coreCount() {
    return cores.length;
  }

  public Core core(int i) {
    return cores[i];
  }

  public long startTime() {
    return config.startTime();
  }

  /** Machine time: the smallest local time of any core. */
  public long time() {
    long min = Long.MAX_VALUE;
    for (Core c : cores) {
      min = Math.min(min, c.cycles);
    }
    return config.startTime() + min;
  }

  public void setHostCall(HostCall handler) {
    this.hostCall = handler;
  }

  /** Receives text writes and maintenance completions as they happen (null for none). */
  public void setTextListener(TextListener listener) {
    this.textListener = listener;
  }

  /** Asks {@link #run} to return after the current instruction. */
  public void requestStop() {
    stopRequested = true;
  }

  // ---- running ------------------------------------------------------------------------------

  /**
   * Runs until every core's time reaches {@code untilTime}, the instruction budget is used (checked
   * between slices), or a stop is requested.
   */
  public RunResult run(long untilTime, long maxInstructions) {
    stopRequested = false;
    long untilCycles = untilTime - config.startTime();
    long before = totalInstructions();
    // One core has nobody to stay in step with: let it run long slices.
    long quantum = cores.length == 1 ? 1L << 20 : config.quantum();
    RunResult.Reason reason;
    while (true) {
      if (stopRequested) {
        reason = RunResult.Reason.STOPPED;
        break;
      }
      Core c = cores[0];
      for (int i = 1; i < cores.length; i++) {
        if (cores[i].cycles < c.cycles) {
          c = cores[i];
        }
      }
      if (c.cycles >= untilCycles) {
        reason = RunResult.Reason.TIME;
        break;
      }
      if (totalInstructions() - before >= maxInstructions) {
        reason = RunResult.Reason.INSTRUCTIONS;
        break;
      }
      slice(c, Math.min(c.cycles + quantum, untilCycles));
    }
    return new RunResult(reason, time(), totalInstructions() - before, violationCount, undefinedCount);
  }

  private long totalInstructions() {
    long n = 0;
    for (Core c : cores) {
      n += c.instructions;
    }
    return n;
  }

  private void slice(Core c, long end) {
    if (lastRun != c) {
      epoch++;
      lastRun = c;
    }
    while (c.cycles < end && !stopRequested) {
      deliverArrived(c);
      if (c.pendingIrqs != 0 && (c.daif & Core.DAIF_I) == 0) {
        takeException(c, CoreObserver.EXCEPTION_IRQ, c.pc, -1);
        continue;
      }
      executor.run(c, Math.min(end, c.nextIrqCycle()));
    }
  }

  // ---- interrupts ---------------------------------------------------------------------------

  /** Schedules the timer interrupt for {@code cpu} at {@code time} (ns). */
  public void raiseIrq(int cpu, long time) {
    raiseIrq(cpu, time, TIMER_INTID);
  }

  /** Schedules interrupt {@code intid} (0..63; 0-15 are SGIs, i.e. IPIs) for {@code cpu} at {@code time}. */
  public void raiseIrq(int cpu, long time, int intid) {
    if (intid < 0 || intid > 63) {
      throw new IllegalArgumentException("INTID " + intid + " outside 0..63");
    }
    Core c = cores[cpu];
    c.scheduledIrqs.add(new long[] {time, intid, irqSequence++, 0});
  }

  /**
   * Starts a periodic timer on {@code cpu}: the timer interrupt arrives at {@code first}, then
   * each {@code period} ns later plus a seeded jitter in [0, {@code jitter}) ns.
   */
  public void startTimer(int cpu, long first, long period, long jitter) {
    if (period <= 0 || jitter < 0) {
      throw new IllegalArgumentException("timer period " + period + " / jitter " + jitter);
    }
    Core c = cores[cpu];
    c.timerPeriod = period;
    c.timerJitter = jitter;
    c.scheduledIrqs.add(new long[] {first, TIMER_INTID, irqSequence++, 1});
  }

  private void deliverArrived(Core c) {
    long now = config.startTime() + c.cycles;
    long[] head;
    while ((head = c.scheduledIrqs.peek()) != null && head[0] <= now) {
      c.scheduledIrqs.poll();
      c.pendingIrqs |= 1L << head[1];
      if (head[3] == 1) {
        long jitter = c.timerJitter == 0 ? 0 : Long.remainderUnsigned(c.nextTimerRandom(), c.timerJitter);
        c.scheduledIrqs.add(new long[] {head[0] + c.timerPeriod + jitter, TIMER_INTID, irqSequence++, 1});
      }
    }
  }

  private void sendSgi(Core from, long value) {
    int intid = (int) (value >>> 24) & 15;
    boolean allOthers = (value & (1L << 40)) != 0;
    int aff1 = (int) (value >>> 16) & 0xFF;
    int targets = (int) value & 0xFFFF;
    long arrival = from.time() + config.ipiLatency();
    for (Core c : cores) {
      boolean hit = allOthers ? c != from : c.id() / 16 == aff1 && (targets & (1 << (c.id() % 16))) != 0;
      if (hit) {
        if (c.time() > arrival) {
          throw new IllegalStateException(String.format(
              "causality: cpu %d is at %d ns, past the arrival %d of an IPI from cpu %d", c.id(), c.time(), arrival, from.id()));
        }
        raiseIrq(c.id(), arrival, intid);
      }
    }
  }

  // ---- exceptions ---------------------------------------------------------------------------

  /** Exception entry to EL1: ELR, SPSR, ESR (unless IRQ), vector from VBAR_EL1, DAIF masked; a CSE. */
  void takeException(Core c, int type, long preferredReturn, long esr) {
    long time = c.time();
    int fromEl = c.el;
    c.spsr = c.pstate();
    c.elr = preferredReturn;
    if (type != CoreObserver.EXCEPTION_IRQ) {
      c.esr = esr;
    }
    long offset = fromEl == 0 ? 0x400 : (c.spSel == 1 ? 0x200 : 0);
    if (type == CoreObserver.EXCEPTION_IRQ) {
      offset += 0x80;
    }
    c.selectMode(1, 1);
    c.daif = 0xF;
    c.exclusiveArmed = false;
    c.pc = c.vbar + offset;
    c.exceptionCounts[type]++;
    c.observer.exception(type, preferredReturn, c.pc, fromEl, 1, time);
    contextSynchronize(c, time);
    c.cycles += config.costs().exceptionEntry();
  }

  /** ERET at {@code eretPc}: PC from ELR, PSTATE from SPSR; a CSE. */
  void exceptionReturn(Core c, long eretPc) {
    int m = (int) c.spsr & 0xF;
    if (m != 0 && m != 4 && m != 5) {
      throw new MachineFault(c.id(), eretPc, c.spsr, String.format("ERET to SPSR.M=0x%x: only EL0t, EL1t, EL1h are modelled", m));
    }
    long time = c.time();
    c.nzcv = (int) (c.spsr >>> 28) & 0xF;
    c.daif = (int) (c.spsr >>> 6) & 0xF;
    c.selectMode(m >> 2, m & 1);
    c.exclusiveArmed = false;
    c.pc = c.elr;
    c.observer.exceptionReturn(eretPc, c.pc, c.el, time);
    contextSynchronize(c, time);
    c.cycles += config.costs().eret();
  }

  void recordUndefined(Core c, long pc, int word) {
    undefinedCount++;
    if (undefined.size() < MAX_RECORDED) {
      undefined.add(new UndefinedInstruction(c.id(), pc, word, c.time()));
    }
  }

  // ---- system registers ---------------------------------------------------------------------

  static final int SYS_OK = 0;
  static final int SYS_UNDEF = 1;
  /** Done; the interrupt mask, pending state or stop request may have changed. */
  static final int SYS_RECHECK = 2;

  private static boolean el1Only(SysReg r) {
    return switch (r) {
      case NZCV, TPIDR_EL0, CTR_EL0, CNTFRQ_EL0, CNTVCT_EL0 -> false;
      default -> true;
    };
  }

  /** MRS into register index {@code rd}. */
  int readSysReg(Core c, int reg, int rd) {
    SysReg r = Decoder.sysreg(reg);
    if (c.el == 0 && el1Only(r)) {
      return SYS_UNDEF;
    }
    long v;
    switch (r) {
      case SPSR_EL1 -> v = c.spsr;
      case ELR_EL1 -> v = c.elr;
      case SP_EL0 -> {
        if (c.spSel == 0) {
          return SYS_UNDEF; // SP_EL0 is the current SP: accessed as SP, not by name
        }
        v = c.spEl0();
      }
      case SP_EL1 -> {
        return SYS_UNDEF; // accessible from EL2 and above only
      }
      case SPSEL -> v = c.spSel;
      case CURRENT_EL -> v = (long) c.el << 2;
      case NZCV -> v = (long) c.nzcv << 28;
      case DAIF -> v = (long) c.daif << 6;
      case ESR_EL1 -> v = c.esr;
      case VBAR_EL1 -> v = c.vbar;
      case MPIDR_EL1 -> v = c.mpidr();
      // 64-byte lines (IminLine = DminLine = 4 words log2), IDC=1 (no D-clean needed for I/D coherence)
      case CTR_EL0 -> v = 0x80000000L | 1L << 28 | 4L << 24 | 4L << 20 | 4L << 16 | 3L << 14 | 4;
      case TPIDR_EL0 -> v = c.tpidr0;
      case TPIDR_EL1 -> v = c.tpidr1;
      case CNTFRQ_EL0 -> v = 1_000_000_000L;
      case CNTVCT_EL0 -> v = c.time();
      case ICC_IAR1_EL1 -> {
        if (c.pendingIrqs == 0) {
          v = SPURIOUS;
        } else {
          int id = Long.numberOfTrailingZeros(c.pendingIrqs);
          c.pendingIrqs &= ~(1L << id);
          v = id;
        }
      }
      case HOSTCALL -> v = c.hostReply;
      default -> {
        return SYS_UNDEF; // write-only registers
      }
    }
    c.x[rd] = v;
    c.x[Op.SINK] = 0;
    return SYS_OK;
  }

  /** MSR from value {@code v}. */
  int writeSysReg(Core c, int reg, long v) {
    SysReg r = Decoder.sysreg(reg);
    if (c.el == 0 && el1Only(r)) {
      return SYS_UNDEF;
    }
    switch (r) {
      case SPSR_EL1 -> c.spsr = v;
      case ELR_EL1 -> c.elr = v;
      case SP_EL0 -> {
        if (c.spSel == 0) {
          return SYS_UNDEF;
        }
        c.setSpEl0(v);
      }
      case SPSEL -> {
        c.selectMode(c.el, (int) v & 1);
      }
      case NZCV -> c.nzcv = (int) (v >>> 28) & 0xF;
      case DAIF -> {
        c.daif = (int) (v >>> 6) & 0xF;
        return SYS_RECHECK;
      }
      case ESR_EL1 -> c.esr = v;
      case VBAR_EL1 -> c.vbar = v & ~0x7FFL;
      case TPIDR_EL0 -> c.tpidr0 = v;
      case TPIDR_EL1 -> c.tpidr1 = v;
      case ICC_EOIR1_EL1 -> {
        // priority drop and deactivation: no priorities are modelled
      }
      case ICC_SGI1R_EL1 -> sendSgi(c, v);
      case HOSTCALL -> {
        hostCall.call(c, v);
        return SYS_RECHECK;
      }
      default -> {
        return SYS_UNDEF; // read-only registers and SP_EL1
      }
    }
    return SYS_OK;
  }

  /** MSR DAIFSet / DAIFClr / SPSel, #imm. */
  int writePstateField(Core c, int field, int imm) {
    if (c.el == 0) {
      return SYS_UNDEF;
    }
    switch (field) {
      case 0 -> c.daif |= imm;
      case 1 -> c.daif &= ~imm;
      default -> c.selectMode(c.el, imm & 1);
    }
    return SYS_RECHECK;
  }

  // ---- cross-modifying code -----------------------------------------------------------------

  /** Per-address history of a text word, and per core the oldest entry it may still fetch. */
  static final class PatchSite {
    final int id;
    final long pc;
    boolean registered;
    int count;
    int[] words = new int[4];
    int[] writer = new int[4];
    long[] writeTime = new long[4];
    long[] completeTime = new long[4];
    byte[] stage = new byte[4]; // 0 written, 1 IC IVAU done (by icCpu), 2 maintenance complete
    int[] icCpu = new int[4];
    final int[] settled;
    boolean isActive;

    PatchSite(int id, long pc, int word, int cores) {
      this.id = id;
      this.pc = pc;
      this.settled = new int[cores];
      append(word, -1, Long.MIN_VALUE);
      stage[0] = 2;
      completeTime[0] = Long.MIN_VALUE;
    }

    void append(int word, int cpu, long time) {
      if (count == words.length) {
        int n = count * 2;
        words = java.util.Arrays.copyOf(words, n);
        writer = java.util.Arrays.copyOf(writer, n);
        writeTime = java.util.Arrays.copyOf(writeTime, n);
        completeTime = java.util.Arrays.copyOf(completeTime, n);
        stage = java.util.Arrays.copyOf(stage, n);
        icCpu = java.util.Arrays.copyOf(icCpu, n);
      }
      words[count] = word;
      writer[count] = cpu;
      writeTime[count] = time;
      completeTime[count] = Long.MAX_VALUE;
      stage[count] = 0;
      count++;
    }
  }

  /** The site at {@code pc}, created with {@code word} as its original word if it is new. */
  private PatchSite site(Region r, long pc, int word) {
    int id = siteIndex.get(pc);
    if (id >= 0) {
      return sites.get(id);
    }
    PatchSite s = new PatchSite(sites.size(), pc, word, cores.length);
    sites.add(s);
    siteIndex.put(pc, s.id);
    int i = (int) ((pc - r.base) >>> 2);
    r.ops[i] = Op.WATCHED;
    r.as[i] = s.id;
    return s;
  }

  /**
   * Declares {@code pc} a patch site: every execution of it is reported through
   * {@link CoreObserver#patchSiteExecuted}. (Any text word a guest store changes becomes one too.)
   * Register sites after loading the image.
   */
  public void registerPatchSite(long pc) {
    Region r = memory.find(pc, 4);
    if (r == null || !r.executable || (pc & 3) != 0) {
      throw new IllegalArgumentException(String.format("0x%x is not an aligned word of a text region", pc));
    }
    site(r, pc, r.word(pc)).registered = true;
  }

  /** A guest store of {@code 1 << log2size} bytes into text. */
  void textStore(Core c, Region r, long addr, int log2size, long value) {
    long first = addr & ~3L;
    long last = (addr + (1L << log2size) - 1) & ~3L;
    int n = (int) ((last - first) >>> 2) + 1;
    int[] old = new int[n]; // text stores are rare; this path may allocate
    for (int k = 0; k < n; k++) {
      old[k] = r.word(first + 4L * k);
    }
    r.write(addr, log2size, value);
    long time = c.time();
    for (int k = 0; k < n; k++) {
      long a = first + 4L * k;
      int now = r.word(a);
      if (now != old[k]) {
        PatchSite s = site(r, a, old[k]);
        if (s.words[s.count - 1] != old[k]) {
          throw new IllegalStateException(String.format("text word 0x%x changed outside the machine", a));
        }
        s.append(now, c.id(), time);
        if (textListener != null) {
          textListener.textWritten(c.id(), a, old[k], now, time);
        }
        if (!s.isActive) {
          s.isActive = true;
          active.add(s);
        }
      }
    }
  }

  /** IC IVAU of the line holding {@code addr}: writes to it so far wait for this core's DSB. */
  void icInvalidate(Core c, long addr, boolean all) {
    long line = addr & -LINE;
    long time = c.time();
    for (PatchSite s : active) {
      if (all || (s.pc & -LINE) == line) {
        for (int k = 1; k < s.count; k++) {
          if (s.stage[k] == 0 && s.writeTime[k] <= time) {
            s.stage[k] = 1;
            s.icCpu[k] = c.id();
          }
        }
      }
    }
    c.maintenancePending = true;
  }

  /** A DSB that completes this core's outstanding instruction-cache maintenance at the core's time. */
  void maintenanceBarrier(Core c) {
    long time = c.time();
    for (PatchSite s : active) {
      for (int k = 1; k < s.count; k++) {
        if (s.stage[k] == 1 && s.icCpu[k] == c.id()) {
          s.stage[k] = 2;
          s.completeTime[k] = time;
          checkCausality(s, k, time);
          if (textListener != null) {
            textListener.maintenanceCompleted(c.id(), s.pc, s.words[k], time);
          }
        }
      }
    }
    c.maintenancePending = false;
  }

  private void checkCausality(PatchSite s, int k, long completeTime) {
    for (Core o : cores) {
      if (s.settled[o.id()] < k && o.lastCseTime > completeTime) {
        throw new IllegalStateException(String.format(
            "causality: cpu %d took a CSE at %d ns, after maintenance of 0x%x completed at %d ns on another core;"
                + " use a smaller quantum", o.id(), o.lastCseTime, s.pc, completeTime));
      }
    }
  }

  /** A context-synchronization event at {@code time}: settle every word whose maintenance completed. */
  void contextSynchronize(Core c, long time) {
    c.lastCseTime = time;
    if (active.isEmpty()) {
      return;
    }
    int id = c.id();
    for (int j = active.size() - 1; j >= 0; j--) {
      PatchSite s = active.get(j);
      for (int k = s.count - 1; k > s.settled[id]; k--) {
        if (s.stage[k] == 2 && s.completeTime[k] <= time) {
          s.settled[id] = k;
          break;
        }
      }
      if (s.stage[s.count - 1] == 2) {
        boolean all = true;
        for (int v : s.settled) {
          all &= v == s.count - 1;
        }
        if (all) {
          s.isActive = false;
          active.remove(j);
        }
      }
    }
  }

  /**
   * The fetch of watched word {@code siteId} by {@code c} at its current time: chooses the word
   * the core sees (never one written after the fetch time), reports it, records a CMODX violation
   * where due, and predecodes it into the core's fetch slot.
   */
  void fetchWatched(Core c, long pc, int siteId) {
    PatchSite s = sites.get(siteId);
    long time = c.time();
    int lo = s.settled[c.id()];
    int hi = s.count - 1;
    while (hi > lo && s.writeTime[hi] > time) {
      hi--;
    }
    int chosen = lo;
    if (hi > lo) {
      long r = c.nextRandom();
      double u = (r >>> 11) * 0x1.0p-53;
      if (u < config.newWordBias()) {
        chosen = hi;
      } else {
        chosen = lo + (int) Long.remainderUnsigned(c.nextRandom(), hi - lo);
      }
      boolean exempt = true;
      for (int k = lo; k <= hi; k++) {
        exempt &= Cmodx.isExempt(s.words[k]);
      }
      if (!exempt) {
        violationCount++;
        if (violations.size() < MAX_RECORDED) {
          violations.add(new CmodxViolation(c.id(), pc, s.words[lo], s.words[hi], time));
        }
      }
    }
    int word = s.words[chosen];
    c.fetchedWord = word;
    Decoder.decode(word, pc, c.fetchOp, c.fetchA, c.fetchB, 0);
    // the observer contract stamps retirement: the fetch time plus the instruction's own cycle
    c.observer.patchSiteExecuted(pc, word, chosen == hi, time + 1);
  }

  /** CMODX violations recorded so far (the first 100,000; {@link #cmodxViolationCount()} counts all). */
  public List<CmodxViolation> cmodxViolations() {
    return Collections.unmodifiableList(violations);
  }

  public long cmodxViolationCount() {
    return violationCount;
  }

  public List<UndefinedInstruction> undefinedInstructions() {
    return Collections.unmodifiableList(undefined);
  }

  public long undefinedCount() {
    return undefinedCount;
  }

  /** Every text write so far, in the order they happened. */
  public List<TextWrite> textWrites() {
    List<TextWrite> out = new ArrayList<>();
    for (PatchSite s : sites) {
      for (int k = 1; k < s.count; k++) {
        long done = s.stage[k] == 2 ? s.completeTime[k] : -1;
        out.add(new TextWrite(s.writer[k], s.pc, s.words[k - 1], s.words[k], s.writeTime[k], done));
      }
    }
    out.sort((a, b) -> Long.compare(a.time(), b.time()));
    return out;
  }
}
