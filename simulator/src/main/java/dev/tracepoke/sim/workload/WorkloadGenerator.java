package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.XZR;
import static dev.tracepoke.sim.asm.A64.x;

import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Barrier;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Extend;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a kernel-like image from real A64: vectors, entry code saving a full frame, a system-call
 * path dispatching through a table, a GICv3 interrupt loop (timer ticks, stop-machine and kick
 * IPIs, patch requests), a BRK handler for kprobes and brk-emulate, the patching code itself,
 * ftrace's caller, a boot stub that ERETs to an EL0 loop making system calls, and {@code functions}
 * generated kernel functions (prologues, loops, data-dependent if/else on a per-cpu xorshift state,
 * direct calls along an acyclic call graph, indirect calls through function-pointer tables, and
 * patch sites of every {@link PatchKind}).
 *
 * <p>Same seed, function count and core count give the same image, word for word.
 */
public final class WorkloadGenerator {
  static final int NOP = A64.nop();
  /** Expected dynamic instructions one generated function may cost, callees included. */
  private static final double COST_BUDGET = 12000;
  private static final int FRAME = 272;
  private static final int FRAME_X30 = 240;
  private static final int FRAME_ELR = 248;
  private static final int FRAME_SPSR = 256;
  private static final String[] SUBSYSTEMS = {
      "sched", "vfs", "mm", "net", "tcp", "ext4", "rcu", "page", "slab", "irq", "blk", "sock", "fs", "kmem",
      "task", "timer"};
  private static final String[] VERBS = {
      "read", "write", "alloc", "free", "lookup", "update", "flush", "sync", "walk", "queue", "wake",
      "check", "copy", "map", "insert", "account"};

  private final long seed;
  private final int functions;
  private final int cores;
  private final long userIterations;
  private long rng;

  /**
   * @param seed drives every choice of shape and data
   * @param functions generated kernel functions (8..5000; the data layout holds 4096 patch sites)
   * @param cores cores the data region provides per-cpu areas and flags for (1..64)
   */
  public WorkloadGenerator(long seed, int functions, int cores) {
    this(seed, functions, cores, 6000);
  }

  /** As above; {@code userIterations} is how many EL0 loop turns (about 7 instructions) lie between two syscalls. */
  public WorkloadGenerator(long seed, int functions, int cores, long userIterations) {
    if (functions < 8 || functions > 5_000) {
      throw new IllegalArgumentException("functions must be 8..5000, got " + functions);
    }
    if (cores < 1 || cores > 64) {
      throw new IllegalArgumentException("cores must be 1..64, got " + cores);
    }
    if (userIterations < 1) {
      throw new IllegalArgumentException("userIterations must be positive, got " + userIterations);
    }
    this.seed = seed;
    this.functions = functions;
    this.cores = cores;
    this.userIterations = userIterations;
  }

  // ---- plan ---------------------------------------------------------------------------------

  private sealed interface Block permits Alu, If, Loop, Call, ICall, Key, Kprobe {}

  private record Alu(int[] words) implements Block {}

  private record If(int bit, boolean twoArmed, List<Block> then, List<Block> otherwise) implements Block {}

  private record Loop(boolean dataDependent, int count, List<Block> body) implements Block {}

  private record Call(int callee) implements Block {}

  private record ICall(int table) implements Block {}

  private record Key(int site, int[] outOfLine) implements Block {}

  private record Kprobe(int site, int word) implements Block {}

  private static final class Fn {
    String name;
    int ftraceSite = -1;
    final List<Block> blocks = new ArrayList<>();
    double cost;
    Label label;
  }

  private static final class SiteSpec {
    final PatchKind kind;
    final String function;
    int group;
    long address;
    int oldWord;
    int newWord;
    long slot;
    Label outOfLine;
    int original;

    SiteSpec(PatchKind kind, String function) {
      this.kind = kind;
      this.function = function;
    }
  }

  private final class Plan {
    final Fn[] fns = new Fn[functions];
    final List<SiteSpec> sites = new ArrayList<>();
    final int nsys = Math.max(1, Math.min(8, functions / 4));
    final int tickFn = nsys;
    final int tables = Math.max(1, functions / 16);
    final int[][] tableEntries = new int[tables][Layout.FPTR_TABLE_ENTRIES];
    final int[] tableLow = new int[tables];
  }

  private long next() {
    long z = (rng += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private int below(int n) {
    return (int) Long.remainderUnsigned(next(), n);
  }

  private boolean chance(double p) {
    return (next() >>> 11) * 0x1.0p-53 < p;
  }

  private Plan plan() {
    Plan p = new Plan();
    int lowTables = functions / 4;
    for (int t = 0; t < p.tables; t++) {
      int lo = lowTables + below(Math.max(1, functions - lowTables - 1));
      p.tableLow[t] = lo;
      for (int e = 0; e < Layout.FPTR_TABLE_ENTRIES; e++) {
        p.tableEntries[t][e] = lo + below(functions - lo);
      }
    }
    // Functions only call higher indexes, so plan from the leaves up and know every callee's cost.
    for (int i = functions - 1; i >= 0; i--) {
      Fn f = new Fn();
      f.name = SUBSYSTEMS[below(SUBSYSTEMS.length)] + "_" + VERBS[below(VERBS.length)] + "_" + i;
      p.fns[i] = f;
      f.cost = 6;
      // every image has each kind of site on a hot path: syscall 0, syscall 1 and the tick function
      if (chance(0.3) || i == 1 || i == functions / 2) {
        f.ftraceSite = newSite(p, PatchKind.FTRACE, f.name);
        f.cost += 2;
      }
      int blocks = 2 + below(4);
      for (int b = 0; b < blocks; b++) {
        f.blocks.add(block(p, i, f, true));
      }
      if (i == 0 || i == functions / 3) {
        f.blocks.add(key(p, f));
      }
      if (i == 0 || i == p.tickFn || i == functions - 2) {
        f.blocks.add(kprobe(p, f));
      }
    }
    groupKeys(p);
    return p;
  }

  private int newSite(Plan p, PatchKind kind, String function) {
    SiteSpec s = new SiteSpec(kind, function);
    p.sites.add(s);
    if (p.sites.size() > Layout.MAX_SITES) {
      throw new IllegalStateException("more than " + Layout.MAX_SITES + " patch sites");
    }
    return p.sites.size() - 1;
  }

  /** One static key controls 1-3 consecutive jump-label sites; other sites are groups of one. */
  private void groupKeys(Plan p) {
    int group = 0;
    int left = 0;
    for (SiteSpec s : p.sites) {
      if (s.kind != PatchKind.STATIC_KEY) {
        continue;
      }
      if (left == 0) {
        group++;
        left = 1 + below(3);
      }
      s.group = group;
      left--;
    }
    for (SiteSpec s : p.sites) {
      if (s.kind != PatchKind.STATIC_KEY) {
        s.group = ++group;
      }
    }
  }

  private Block block(Plan p, int i, Fn f, boolean outer) {
    int roll = below(100);
    if (outer && roll < 18) {
      List<Block> then = inner(p, i, f, 0.5);
      boolean two = chance(0.5);
      List<Block> otherwise = two ? inner(p, i, f, 0.5) : List.of();
      f.cost += 7 + (two ? 1 : 0);
      return new If(below(64), two, then, otherwise);
    }
    if (outer && roll < 28) {
      boolean data = chance(0.5);
      int count = data ? 0 : 2 + below(3);
      double mult = data ? 2.5 : count;
      double before = f.cost;
      List<Block> body = inner(p, i, f, mult);
      f.cost = before + (f.cost - before) + (data ? 8 : 1) + 2 * mult;
      return new Loop(data, count, body);
    }
    if (roll < 45) {
      Block b = call(p, i, f, 1);
      if (b != null) {
        return b;
      }
    } else if (roll < 53) {
      Block b = icall(p, i, f, 1);
      if (b != null) {
        return b;
      }
    } else if (roll < 61) {
      return key(p, f);
    } else if (roll < 63 && chance(0.2)) {
      return kprobe(p, f);
    }
    Alu a = alu(1 + below(4));
    f.cost += a.words.length;
    return a;
  }

  private List<Block> inner(Plan p, int i, Fn f, double mult) {
    int n = 1 + below(2);
    List<Block> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      double before = f.cost;
      Block b = block(p, i, f, false);
      f.cost = before + (f.cost - before) * mult;
      out.add(b);
    }
    return out;
  }

  private Block call(Plan p, int i, Fn f, double mult) {
    if (i >= functions - 1) {
      return null;
    }
    int callee = i + 1 + below(functions - i - 1);
    double c = 1 + p.fns[callee].cost;
    if (f.cost + c * mult > COST_BUDGET) {
      return null;
    }
    f.cost += c;
    return new Call(callee);
  }

  private Block icall(Plan p, int i, Fn f, double mult) {
    int t = below(p.tables);
    if (p.tableLow[t] <= i) {
      return null;
    }
    double avg = 0;
    for (int e : p.tableEntries[t]) {
      avg += p.fns[e].cost;
    }
    double c = 11 + avg / Layout.FPTR_TABLE_ENTRIES;
    if (f.cost + c * mult > COST_BUDGET) {
      return null;
    }
    f.cost += c;
    return new ICall(t);
  }

  private Block key(Plan p, Fn f) {
    int site = newSite(p, PatchKind.STATIC_KEY, f.name);
    f.cost += 1;
    Alu a = alu(1 + below(3));
    return new Key(site, a.words);
  }

  private Block kprobe(Plan p, Fn f) {
    int site = newSite(p, PatchKind.KPROBE, f.name);
    f.cost += 1;
    int r = below(8);
    return new Kprobe(site, A64.add(x(r), x(r), 1 + below(255)));
  }

  private Alu alu(int n) {
    int[] w = new int[n];
    for (int k = 0; k < n; k++) {
      int d = below(8);
      int a = below(8);
      int b = below(8);
      w[k] = switch (below(6)) {
        case 0 -> A64.add(x(d), x(a), 1 + below(4095));
        case 1 -> A64.eor(x(d), x(a), x(b), Shift.LSL, 0);
        case 2 -> A64.orr(x(d), x(a), x(b), Shift.LSL, 1 + below(63));
        case 3 -> A64.madd(x(d), x(a), x(b), x(below(8)));
        case 4 -> A64.lsr(x(d), x(a), 1 + below(63));
        default -> A64.sub(x(d), x(a), 1 + below(4095));
      };
    }
    return new Alu(w);
  }

  // ---- emit ---------------------------------------------------------------------------------

  /** Builds the image. */
  public KernelImage generate() {
    rng = seed ^ 0x6B65726E656C2121L;
    Plan p = plan();
    Assembler a = new Assembler(Layout.KERNEL_BASE);
    List<Kallsyms.Symbol> syms = new ArrayList<>();
    Entry e = new Entry(a, syms);

    e.sym("_text", 'T');
    e.sym("vectors", 'T');
    Label el1Sync = a.newLabel("el1_sync");
    Label el1Irq = a.newLabel("el1_irq");
    Label el0Sync = a.newLabel("el0_sync");
    Label el0Irq = a.newLabel("el0_irq");
    Label badVector = a.newLabel("bad_vector");
    for (int v = 0; v < 16; v++) {
      Label target = switch (v) {
        case 4 -> el1Sync;
        case 5 -> el1Irq;
        case 8 -> el0Sync;
        case 9 -> el0Irq;
        default -> badVector;
      };
      a.b(target);
      while ((a.pc() - Layout.KERNEL_BASE) % 0x80 != 0) {
        a.emit(A64.brk(0x800)); // never executed: a vector entry is one branch
      }
    }

    Label panic = a.newLabel("panic");
    Label[] fnLabels = new Label[functions];
    for (int i = 0; i < functions; i++) {
      fnLabels[i] = a.newLabel(p.fns[i].name);
      p.fns[i].label = fnLabels[i];
    }
    Label ftraceCaller = a.newLabel("ftrace_caller");
    Label gicHandleIrq = a.newLabel("gic_handle_irq");
    Label patcher = a.newLabel("aarch64_insn_patcher");
    Label stop = a.newLabel("multi_cpu_stop");
    Label kick = a.newLabel("ipi_kick");
    Label tick = a.newLabel("do_tick");

    // bad_vector, panic
    e.bind(badVector, 't');
    a.emit(A64.movz(x(1), Layout.PANIC_BAD_VECTOR, 0));
    e.bind(panic, 'T');
    hostcall(a, Layout.HC_PANIC);
    a.emit(A64.b(0));

    // el0_sync: the system call path
    e.bind(el0Sync, 't');
    saveFrame(a);
    Label badSync = a.newLabel("bad_sync");
    a.emit(A64.mrs(0, SysReg.ESR_EL1));
    a.emit(A64.lsr(x(1), x(0), 26));
    a.emit(A64.cmp(x(1), 0x15));
    a.bcond(Cond.NE, badSync);
    a.emit(A64.msrDaifClr(2));
    percpuIncrement(a, Layout.PCPU_SYSCALLS);
    a.emit(A64.ldr(x(8), SP, 64));
    Label ni = a.newLabel();
    Label sysRet = a.newLabel();
    a.emit(A64.cmp(x(8), p.nsys));
    a.bcond(Cond.HS, ni);
    dataAddress(a, 16, Layout.SYS_CALL_TABLE);
    a.emit(A64.ldr(x(20), x(16), x(8), Extend.LSL, true));
    // a syscall works through a data-dependent batch: its handler runs 1..8 times
    random(a);
    a.emit(A64.and(x(19), x(11), 7));
    a.emit(A64.add(x(19), x(19), 1));
    Label batch = a.here();
    a.emit(A64.ldr(x(0), SP, 0));
    a.emit(A64.blr(20));
    a.emit(A64.subs(x(19), x(19), 1));
    a.bcond(Cond.NE, batch);
    a.b(sysRet);
    a.bind(ni);
    a.emit(A64.movn(x(0), 37, 0)); // -ENOSYS
    a.bind(sysRet);
    a.emit(A64.str(x(0), SP, 0));
    a.emit(A64.msrDaifSet(2));
    restoreFrameAndEret(a);

    e.bind(badSync, 't');
    a.emit(A64.movz(x(1), Layout.PANIC_BAD_SYNC, 0));
    a.b(panic);

    // el1_sync: BRK from kernel code (kprobes, brk-emulate)
    e.bind(el1Sync, 't');
    saveFrame(a);
    Label kprobe = a.newLabel("kprobe_breakpoint_handler");
    Label emulate = a.newLabel("patch_emulate_handler");
    Label el1Ret = a.newLabel();
    a.emit(A64.mrs(0, SysReg.ESR_EL1));
    a.emit(A64.lsr(x(1), x(0), 26));
    a.emit(A64.cmp(x(1), 0x3c));
    a.bcond(Cond.NE, badSync);
    a.emit(A64.and(x(1), x(0), 0xffff));
    a.emit(A64.cmp(x(1), Layout.BRK_KPROBE));
    a.bcond(Cond.EQ, kprobe);
    a.emit(A64.cmp(x(1), Layout.BRK_EMULATE_BASE));
    a.bcond(Cond.HS, emulate);
    a.b(badSync);

    int kprobes = (int) p.sites.stream().filter(s -> s.kind == PatchKind.KPROBE).count();
    e.bind(kprobe, 't');
    Label kpLoop = a.newLabel();
    Label kpFound = a.newLabel();
    Label kpMissing = a.newLabel();
    a.emit(A64.ldr(x(0), SP, FRAME_ELR));
    dataAddress(a, 2, Layout.KPROBE_TABLE);
    a.emit(A64.movz(x(3), kprobes, 0));
    a.bind(kpLoop);
    a.cbz(x(3), kpMissing);
    a.emit(A64.ldpPost(x(4), x(5), x(2), 16));
    a.emit(A64.cmpReg(x(4), x(0), Shift.LSL, 0));
    a.bcond(Cond.EQ, kpFound);
    a.emit(A64.sub(x(3), x(3), 1));
    a.b(kpLoop);
    a.bind(kpFound);
    percpuIncrement(a, Layout.PCPU_KPROBE_HITS);
    a.emit(A64.str(x(5), SP, FRAME_ELR));
    a.b(el1Ret);
    a.bind(kpMissing);
    a.emit(A64.movz(x(1), Layout.PANIC_NO_KPROBE, 0));
    a.b(panic);

    e.bind(emulate, 't');
    Label emNotNop = a.newLabel();
    Label emNotBl = a.newLabel();
    Label emNotKprobe = a.newLabel();
    Label emStore = a.newLabel();
    hostcall(a, Layout.HC_TRAP_ENTER);
    a.emit(A64.sub(x(1), x(1), Layout.BRK_EMULATE_BASE));
    dataAddress(a, 2, Layout.EMULATE_TABLE);
    a.emit(A64.add(x(2), x(2), x(1), Shift.LSL, 4));
    a.emit(A64.ldp(x(3), x(4), x(2), 0));
    a.emit(A64.ldr(x(0), SP, FRAME_ELR));
    percpuIncrement(a, Layout.PCPU_EMULATIONS);
    a.emit(A64.cmp(x(3), Layout.ACT_NOP));
    a.bcond(Cond.NE, emNotNop);
    a.emit(A64.add(x(0), x(0), 4));
    a.b(emStore);
    a.bind(emNotNop);
    a.emit(A64.cmp(x(3), Layout.ACT_BL));
    a.bcond(Cond.NE, emNotBl);
    a.emit(A64.add(x(5), x(0), 4));
    a.emit(A64.str(x(5), SP, FRAME_X30));
    a.bind(emNotBl);
    a.emit(A64.cmp(x(3), Layout.ACT_KPROBE));
    a.bcond(Cond.NE, emNotKprobe);
    percpuIncrement(a, Layout.PCPU_KPROBE_HITS);
    a.bind(emNotKprobe);
    a.emit(A64.mov(x(0), x(4)));
    a.bind(emStore);
    a.emit(A64.str(x(0), SP, FRAME_ELR));
    hostcall(a, Layout.HC_TRAP_EXIT);
    a.bind(el1Ret);
    restoreFrameAndEret(a);

    // IRQ entries
    e.bind(el1Irq, 't');
    saveFrame(a);
    a.bl(gicHandleIrq);
    restoreFrameAndEret(a);
    e.bind(el0Irq, 't');
    saveFrame(a);
    a.bl(gicHandleIrq);
    restoreFrameAndEret(a);

    // gic_handle_irq: acknowledge and dispatch until nothing is pending
    e.bind(gicHandleIrq, 'T');
    Label irqLoop = a.newLabel();
    Label irqDone = a.newLabel();
    Label eoi = a.newLabel();
    Label notStop = a.newLabel();
    Label notKick = a.newLabel();
    Label notPatch = a.newLabel();
    prologue(a, 32);
    a.emit(A64.stp(x(19), x(20), SP, 16));
    a.bind(irqLoop);
    a.emit(A64.mrs(19, SysReg.ICC_IAR1_EL1));
    a.emit(A64.cmp(x(19), 1020));
    a.bcond(Cond.HS, irqDone);
    a.emit(A64.cmp(x(19), Layout.INTID_STOP));
    a.bcond(Cond.NE, notStop);
    a.bl(stop);
    a.b(eoi);
    a.bind(notStop);
    a.emit(A64.cmp(x(19), Layout.INTID_KICK));
    a.bcond(Cond.NE, notKick);
    a.bl(kick);
    a.b(eoi);
    a.bind(notKick);
    a.emit(A64.cmp(x(19), Layout.INTID_PATCH));
    a.bcond(Cond.NE, notPatch);
    a.bl(patcher);
    a.b(eoi);
    a.bind(notPatch);
    a.emit(A64.cmp(x(19), Layout.INTID_TIMER));
    a.bcond(Cond.NE, eoi);
    a.bl(tick);
    a.bind(eoi);
    a.emit(A64.msr(SysReg.ICC_EOIR1_EL1, 19));
    a.b(irqLoop);
    a.bind(irqDone);
    a.emit(A64.ldp(x(19), x(20), SP, 16));
    epilogue(a, 32);

    // do_tick
    e.bind(tick, 't');
    prologue(a, 16);
    percpuIncrement(a, Layout.PCPU_TICKS);
    a.bl(fnLabels[p.tickFn]);
    epilogue(a, 16);

    // multi_cpu_stop: every other cpu rendezvous here until the patching cpu releases it
    e.bind(stop, 'T');
    Label stopSpin = a.newLabel();
    Label stopOut = a.newLabel();
    hostcall(a, Layout.HC_STOP_ENTER);
    dataAddress(a, 1, 0);
    a.emit(A64.ldr(x(2), x(1), Layout.G_STOP_GEN));
    cpuNumber(a, 3);
    a.emit(A64.add(x(4), x(1), Layout.G_ARRIVE));
    a.emit(A64.str(x(2), x(4), x(3), Extend.LSL, true));
    a.emit(A64.dmb(Barrier.ISH));
    a.bind(stopSpin);
    a.emit(A64.ldr(x(5), x(1), Layout.G_STOP_RELEASE));
    a.emit(A64.cmpReg(x(5), x(2), Shift.LSL, 0));
    a.bcond(Cond.EQ, stopOut);
    a.emit(A64.yield());
    a.b(stopSpin);
    a.bind(stopOut);
    a.emit(A64.isb());
    hostcall(a, Layout.HC_STOP_EXIT);
    a.emit(A64.ret());

    // ipi_kick: the acknowledgement must imply a context synchronisation. The exception entry is
    // not enough: gic_handle_irq may have been entered (for a tick) before the write and picked this
    // IPI up from the same IAR loop, and would then run the tick's functions on unsettled text.
    e.bind(kick, 't');
    a.emit(A64.isb());
    dataAddress(a, 1, 0);
    a.emit(A64.ldr(x(2), x(1), Layout.G_KICK_GEN));
    cpuNumber(a, 3);
    a.emit(A64.add(x(4), x(1), Layout.G_ACK));
    a.emit(A64.str(x(2), x(4), x(3), Extend.LSL, true));
    a.emit(A64.ret());

    emitPatcher(a, e, patcher, panic);

    // ftrace_caller: entered from "mov x9, x30; bl ftrace_caller" at a function's entry
    e.bind(ftraceCaller, 'T');
    a.emit(A64.stpPre(x(0), x(1), SP, -16));
    a.emit(A64.mrs(0, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(1), x(0), Layout.PCPU_FTRACE_HITS));
    a.emit(A64.add(x(1), x(1), 1));
    a.emit(A64.str(x(1), x(0), Layout.PCPU_FTRACE_HITS));
    a.emit(A64.ldpPost(x(0), x(1), SP, 16));
    a.emit(A64.mov(x(10), x(30)));
    a.emit(A64.mov(x(30), x(9)));
    a.emit(A64.ret(10));

    // secondary_entry: X0 = cpu; set up this cpu and drop to the EL0 program
    Label boot = a.newLabel("secondary_entry");
    e.bind(boot, 'T');
    textAddress(a, 1, Layout.KERNEL_BASE);
    a.emit(A64.msr(SysReg.VBAR_EL1, 1));
    dataAddress(a, 2, Layout.PERCPU);
    a.emit(A64.add(x(2), x(2), x(0), Shift.LSL, 8));
    a.emit(A64.msr(SysReg.TPIDR_EL1, 2));
    textAddress(a, 3, Layout.KERNEL_STACK_BASE);
    a.emit(A64.add(x(4), x(0), 1));
    a.emit(A64.lsl(x(4), x(4), Integer.numberOfTrailingZeros(Layout.KERNEL_STACK_SIZE)));
    a.emit(A64.addReg(x(3), x(3), x(4)));
    a.emit(A64.movSp(SP, x(3)));
    a.movImm64(x(5), Layout.USER_STACK_BASE);
    a.emit(A64.add(x(6), x(0), 1));
    a.emit(A64.lsl(x(6), x(6), Integer.numberOfTrailingZeros(Layout.USER_STACK_SIZE)));
    a.emit(A64.addReg(x(5), x(5), x(6)));
    a.emit(A64.msr(SysReg.SP_EL0, 5));
    a.emit(A64.ldr(x(27), x(2), Layout.PCPU_USER_ITERS));
    a.emit(A64.ldr(x(28), x(2), Layout.PCPU_USER_SEED));
    a.movImm64(x(7), Layout.USER_BASE);
    a.emit(A64.msr(SysReg.ELR_EL1, 7));
    a.emit(A64.msr(SysReg.SPSR_EL1, XZR));
    a.emit(A64.eret());

    // the generated functions
    for (int i = 0; i < functions; i++) {
      emitFunction(a, e, p, p.fns[i], ftraceCaller);
    }

    // kprobe out-of-line slots: the original instruction, then back to the site's successor
    Label slots = a.newLabel("kprobe_insn_slots");
    e.bind(slots, 't');
    for (SiteSpec s : p.sites) {
      if (s.kind == PatchKind.KPROBE) {
        s.slot = a.pc();
        a.emit(s.original);
        a.emit(A64.b(s.address + 4 - a.pc()));
      }
    }
    e.sym("_etext", 'T');
    int[] text = a.words();
    if (4L * text.length > Layout.MAX_TEXT_BYTES) {
      throw new IllegalStateException("text of " + 4L * text.length + " bytes exceeds " + Layout.MAX_TEXT_BYTES);
    }

    // resolve the out-of-line targets now that every label is bound
    List<PatchSite> sites = new ArrayList<>(p.sites.size());
    for (int k = 0; k < p.sites.size(); k++) {
      SiteSpec s = p.sites.get(k);
      switch (s.kind) {
        case STATIC_KEY -> {
          s.oldWord = NOP;
          s.newWord = A64.b(s.outOfLine.address() - s.address);
        }
        case FTRACE -> {
          s.oldWord = NOP;
          s.newWord = A64.bl(ftraceCaller.address() - s.address);
        }
        case KPROBE -> {
          s.oldWord = s.original;
          s.newWord = A64.brk(Layout.BRK_KPROBE);
        }
      }
      sites.add(new PatchSite(k, s.address, s.kind, s.oldWord, s.newWord, s.group, s.function, s.slot));
    }

    int[] user = userProgram();
    byte[] data = data(p, sites);
    return new KernelImage(text, user, data, syms, sites, boot.address(), Layout.USER_BASE, cores, functions);
  }

  /** Binds labels and records them as kallsyms entries. */
  private static final class Entry {
    final Assembler a;
    final List<Kallsyms.Symbol> syms;

    Entry(Assembler a, List<Kallsyms.Symbol> syms) {
      this.a = a;
      this.syms = syms;
    }

    void sym(String name, char type) {
      syms.add(new Kallsyms.Symbol(a.pc(), type, name, null));
    }

    void bind(Label l, char type) {
      a.bind(l);
      sym(l.toString(), type);
    }
  }

  private void emitFunction(Assembler a, Entry e, Plan p, Fn f, Label ftraceCaller) {
    e.bind(f.label, 'T');
    if (f.ftraceSite >= 0) {
      a.emit(A64.mov(x(9), x(30)));
      p.sites.get(f.ftraceSite).address = a.pc();
      a.emit(NOP);
    }
    a.emit(A64.stpPre(x(29), x(30), SP, -32));
    a.emit(A64.movSp(x(29), SP));
    a.emit(A64.stp(x(19), x(20), SP, 16));
    List<Key> keys = new ArrayList<>();
    for (Block b : f.blocks) {
      emitBlock(a, p, b, keys);
    }
    a.emit(A64.ldp(x(19), x(20), SP, 16));
    a.emit(A64.ldpPost(x(29), x(30), SP, 32));
    a.emit(A64.ret());
    for (Key k : keys) {
      SiteSpec s = p.sites.get(k.site);
      a.bind(s.outOfLine);
      for (int w : k.outOfLine) {
        a.emit(w);
      }
      a.emit(A64.b(s.address + 4 - a.pc()));
    }
  }

  private void emitBlock(Assembler a, Plan p, Block b, List<Key> keys) {
    if (b instanceof Alu alu) {
      for (int w : alu.words) {
        a.emit(w);
      }
    } else if (b instanceof Call c) {
      a.bl(p.fns[c.callee].label);
    } else if (b instanceof ICall c) {
      random(a);
      dataAddress(a, 16, Layout.FPTR_TABLES + c.table * Layout.FPTR_TABLE_ENTRIES * 8);
      a.emit(A64.and(x(12), x(11), Layout.FPTR_TABLE_ENTRIES - 1));
      a.emit(A64.ldr(x(16), x(16), x(12), Extend.LSL, true));
      a.emit(A64.blr(16));
    } else if (b instanceof Key k) {
      SiteSpec s = p.sites.get(k.site);
      s.address = a.pc();
      s.outOfLine = a.newLabel();
      a.emit(NOP);
      keys.add(k);
    } else if (b instanceof Kprobe k) {
      SiteSpec s = p.sites.get(k.site);
      s.address = a.pc();
      s.original = k.word;
      a.emit(k.word);
    } else if (b instanceof If i) {
      random(a);
      Label otherwise = a.newLabel();
      Label end = a.newLabel();
      a.tbz(x(11), i.bit, i.twoArmed ? otherwise : end);
      for (Block t : i.then) {
        emitBlock(a, p, t, keys);
      }
      if (i.twoArmed) {
        a.b(end);
        a.bind(otherwise);
        for (Block o : i.otherwise) {
          emitBlock(a, p, o, keys);
        }
      }
      a.bind(end);
    } else if (b instanceof Loop l) {
      if (l.dataDependent) {
        random(a);
        a.emit(A64.and(x(19), x(11), 3));
        a.emit(A64.add(x(19), x(19), 1));
      } else {
        a.emit(A64.movz(x(19), l.count, 0));
      }
      Label top = a.here();
      for (Block t : l.body) {
        emitBlock(a, p, t, keys);
      }
      a.emit(A64.subs(x(19), x(19), 1));
      a.bcond(Cond.NE, top);
    }
  }

  /** X11 = next value of this cpu's xorshift64 state (X10 = per-cpu area). */
  private static void random(Assembler a) {
    a.emit(A64.mrs(10, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(11), x(10), Layout.PCPU_RNG));
    a.emit(A64.eor(x(11), x(11), x(11), Shift.LSL, 13));
    a.emit(A64.eor(x(11), x(11), x(11), Shift.LSR, 7));
    a.emit(A64.eor(x(11), x(11), x(11), Shift.LSL, 17));
    a.emit(A64.str(x(11), x(10), Layout.PCPU_RNG));
  }

  // ---- the patching code (runs on the patching cpu in IRQ context) -------------------------

  /**
   * aarch64_insn_patcher: takes the next operation from the patch queue and runs its protocol.
   * Registers: X19 globals, X20 operation index, X21 operation, X22 protocol, X23 event style,
   * X24 site count; the helpers below are leaves that use X0-X15.
   */
  private void emitPatcher(Assembler a, Entry e, Label patcher, Label panic) {
    Label verify = a.newLabel("aarch64_insn_verify");
    Label writeFinal = a.newLabel("aarch64_insn_patch_text_nosync");
    Label writeBrks = a.newLabel("aarch64_insn_arm_brk");
    Label stopOthers = a.newLabel("stop_other_cpus");
    Label kickAll = a.newLabel("kick_all_cpus_sync");
    Label out = a.newLabel();
    Label done = a.newLabel();
    Label pStop = a.newLabel();
    Label pNosync = a.newLabel();
    Label pKick = a.newLabel();
    Label pBrk = a.newLabel();
    Label pBrkNoFirst = a.newLabel();

    e.bind(patcher, 'T');
    prologue(a, 64);
    a.emit(A64.stp(x(19), x(20), SP, 16));
    a.emit(A64.stp(x(21), x(22), SP, 32));
    a.emit(A64.stp(x(23), x(24), SP, 48));
    dataAddress(a, 19, 0);
    Label again = a.here();
    a.emit(A64.ldr(x(20), x(19), Layout.G_PATCH_NEXT));
    a.emit(A64.ldr(x(1), x(19), Layout.G_PATCH_COUNT));
    a.emit(A64.cmpReg(x(20), x(1), Shift.LSL, 0));
    a.bcond(Cond.HS, out);
    a.emit(A64.add(x(1), x(20), 1));
    a.emit(A64.str(x(1), x(19), Layout.G_PATCH_NEXT));
    dataAddress(a, 21, Layout.PATCH_QUEUE);
    a.emit(A64.add(x(21), x(21), x(20), Shift.LSL, Integer.numberOfTrailingZeros(Layout.OP_SIZE)));
    a.emit(A64.mov(x(1), x(20)));
    hostcall(a, Layout.HC_POKE_BEGIN);
    a.emit(A64.ldr(x(22), x(21), Layout.OP_PROTOCOL));
    a.emit(A64.ldr(x(23), x(21), Layout.OP_STYLE));
    a.emit(A64.ldr(x(24), x(21), Layout.OP_NSITES));
    a.bl(verify);
    a.emit(A64.cmp(x(22), Layout.PROTO_STOP));
    a.bcond(Cond.EQ, pStop);
    a.emit(A64.cmp(x(22), Layout.PROTO_NOSYNC));
    a.bcond(Cond.EQ, pNosync);
    a.emit(A64.cmp(x(22), Layout.PROTO_KICK));
    a.bcond(Cond.EQ, pKick);
    a.emit(A64.cmp(x(22), Layout.PROTO_BRK));
    a.bcond(Cond.EQ, pBrk);
    a.emit(A64.cmp(x(22), Layout.PROTO_BRK_NO_FIRST_SYNC));
    a.bcond(Cond.EQ, pBrkNoFirst);
    a.emit(A64.movz(x(1), Layout.PANIC_BAD_SYNC, 0));
    a.b(panic);

    a.bind(pStop);
    a.bl(stopOthers);
    a.bl(writeFinal);
    maintDone(a);
    a.emit(A64.dmb(Barrier.ISH));
    a.emit(A64.ldr(x(15), x(19), Layout.G_STOP_GEN));
    a.emit(A64.str(x(15), x(19), Layout.G_STOP_RELEASE));
    a.b(done);

    a.bind(pNosync);
    a.bl(writeFinal);
    maintDone(a);
    a.b(done);

    a.bind(pKick);
    a.bl(writeFinal);
    maintDone(a);
    a.bl(kickAll);
    a.b(done);

    a.bind(pBrk);
    a.bl(writeBrks);
    a.bl(kickAll);
    a.bl(writeFinal);
    maintDone(a);
    a.bl(kickAll);
    a.b(done);

    a.bind(pBrkNoFirst);
    a.bl(writeBrks);
    a.bl(writeFinal);
    maintDone(a);
    a.bl(kickAll);

    a.bind(done);
    a.emit(A64.mov(x(1), x(20)));
    hostcall(a, Layout.HC_POKE_END);
    a.emit(A64.ldr(x(1), x(21), Layout.OP_CHAIN));
    a.cbnz(x(1), again);
    a.bind(out);
    a.emit(A64.ldp(x(23), x(24), SP, 48));
    a.emit(A64.ldp(x(21), x(22), SP, 32));
    a.emit(A64.ldp(x(19), x(20), SP, 16));
    epilogue(a, 64);

    // verify: every site still holds the word the operation expects (as ftrace_modify_code does)
    e.bind(verify, 't');
    Label vLoop = a.newLabel();
    Label vDone = a.newLabel();
    Label vFail = a.newLabel();
    a.emit(A64.movz(x(0), 0, 0));
    a.emit(A64.add(x(1), x(21), Layout.OP_SITES));
    a.bind(vLoop);
    a.emit(A64.cmpReg(x(0), x(24), Shift.LSL, 0));
    a.bcond(Cond.HS, vDone);
    a.emit(A64.ldr(x(2), x(1), Layout.SITE_ADDR));
    a.emit(A64.ldr(A64.w(3), x(1), Layout.SITE_OLD));
    a.emit(A64.ldr(A64.w(4), x(2), 0));
    a.emit(A64.cmpReg(A64.w(4), A64.w(3), Shift.LSL, 0));
    a.bcond(Cond.NE, vFail);
    a.emit(A64.add(x(1), x(1), Layout.OP_SITE_SIZE));
    a.emit(A64.add(x(0), x(0), 1));
    a.b(vLoop);
    a.bind(vDone);
    a.emit(A64.ret());
    a.bind(vFail);
    a.emit(A64.movz(x(1), Layout.PANIC_OLD_WORD_MISMATCH, 0));
    a.b(panic);

    // write the final words, with the records the event style asks for around each write
    e.bind(writeFinal, 't');
    Label wLoop = a.newLabel();
    Label wDone = a.newLabel();
    a.emit(A64.movz(x(5), 0, 0));
    a.emit(A64.add(x(6), x(21), Layout.OP_SITES));
    a.bind(wLoop);
    a.emit(A64.cmpReg(x(5), x(24), Shift.LSL, 0));
    a.bcond(Cond.HS, wDone);
    a.emit(A64.ldr(x(7), x(6), Layout.SITE_ADDR));
    a.emit(A64.ldr(A64.w(8), x(6), Layout.SITE_NEW));
    // the word being replaced: the BRK that brk-emulate's first step left there, else the original
    Label wOldIsBrk = a.newLabel();
    Label wOldKnown = a.newLabel();
    a.emit(A64.cmp(x(22), Layout.PROTO_BRK));
    a.bcond(Cond.EQ, wOldIsBrk);
    a.emit(A64.cmp(x(22), Layout.PROTO_BRK_NO_FIRST_SYNC));
    a.bcond(Cond.EQ, wOldIsBrk);
    a.emit(A64.ldr(A64.w(16), x(6), Layout.SITE_OLD));
    a.b(wOldKnown);
    a.bind(wOldIsBrk);
    a.emit(A64.ldr(A64.w(16), x(6), Layout.SITE_BRK));
    a.bind(wOldKnown);
    recordedWrite(a);
    a.emit(A64.add(x(6), x(6), Layout.OP_SITE_SIZE));
    a.emit(A64.add(x(5), x(5), 1));
    a.b(wLoop);
    a.bind(wDone);
    a.emit(A64.ret());

    // brk-emulate, first step: publish how to emulate each site's new word, then write its BRK
    e.bind(writeBrks, 't');
    Label bLoop = a.newLabel();
    Label bDone = a.newLabel();
    a.emit(A64.movz(x(5), 0, 0));
    a.emit(A64.add(x(6), x(21), Layout.OP_SITES));
    dataAddress(a, 10, Layout.EMULATE_TABLE);
    a.bind(bLoop);
    a.emit(A64.cmpReg(x(5), x(24), Shift.LSL, 0));
    a.bcond(Cond.HS, bDone);
    a.emit(A64.ldr(x(7), x(6), Layout.SITE_ADDR));
    a.emit(A64.ldr(A64.w(11), x(6), Layout.SITE_INDEX));
    a.emit(A64.ldr(x(12), x(6), Layout.SITE_ACTION));
    a.emit(A64.ldr(x(13), x(6), Layout.SITE_TARGET));
    a.emit(A64.add(x(14), x(10), x(11), Shift.LSL, 4));
    a.emit(A64.stp(x(12), x(13), x(14), 0));
    a.emit(A64.dmb(Barrier.ISH));
    a.emit(A64.ldr(A64.w(8), x(6), Layout.SITE_BRK));
    a.emit(A64.ldr(A64.w(16), x(6), Layout.SITE_OLD));
    recordedWrite(a);
    a.emit(A64.add(x(6), x(6), Layout.OP_SITE_SIZE));
    a.emit(A64.add(x(5), x(5), 1));
    a.b(bLoop);
    a.bind(bDone);
    a.emit(A64.ret());

    // stop_other_cpus: new generation, IPI everyone else, wait until all have arrived
    e.bind(stopOthers, 't');
    ipiAndWait(a, Layout.G_STOP_GEN, Layout.INTID_STOP, Layout.G_ARRIVE);

    // kick_all_cpus_sync: IPI everyone else and wait until each has taken it
    e.bind(kickAll, 't');
    ipiAndWait(a, Layout.G_KICK_GEN, Layout.INTID_KICK, Layout.G_ACK);
  }

  /** Bump the generation at {@code gen}, IPI every other cpu, wait until each acknowledged it at {@code acks}. */
  private static void ipiAndWait(Assembler a, int gen, int intid, int acks) {
    a.emit(A64.ldr(x(15), x(19), gen));
    a.emit(A64.add(x(15), x(15), 1));
    a.emit(A64.str(x(15), x(19), gen));
    a.emit(A64.dmb(Barrier.ISH));
    sendIpiToOthers(a, intid);
    waitAll(a, acks);
    a.emit(A64.ret());
  }

  private static void maintDone(Assembler a) {
    a.emit(A64.mov(x(1), x(20)));
    hostcall(a, Layout.HC_MAINT_DONE);
  }

  /**
   * Writes W8 over the word at X7 (which holds W16) with the records the event style (X23) asks
   * for: a flagless record just before the write, or PRE before it and POST after its cache
   * maintenance. IRQs stay masked from the first record to the ISB that ends the maintenance, as
   * {@code __aarch64_insn_write} masks them around the write: the flagless record's contract is
   * that this core's next context-synchronization event comes after the maintenance, which an
   * interrupt taken in between would break. Clobbers X1-X3, X9, X17.
   */
  private static void recordedWrite(Assembler a) {
    Label noLanded = a.newLabel();
    Label noPre = a.newLabel();
    Label noPost = a.newLabel();
    a.emit(A64.mrs(17, SysReg.DAIF));
    a.emit(A64.msrDaifSet(2));
    a.emit(A64.cmp(x(23), Layout.STYLE_LANDED));
    a.bcond(Cond.NE, noLanded);
    textPoke(a, 0);
    a.bind(noLanded);
    a.emit(A64.cmp(x(23), Layout.STYLE_PRE_POST));
    a.bcond(Cond.NE, noPre);
    textPoke(a, 1);
    a.bind(noPre);
    a.emit(A64.str(A64.w(8), x(7), 0));
    cacheMaintenance(a, 7);
    a.emit(A64.msr(SysReg.DAIF, 17));
    a.emit(A64.cmp(x(23), Layout.STYLE_PRE_POST));
    a.bcond(Cond.NE, noPost);
    textPoke(a, 2);
    a.bind(noPost);
  }

  /** Host call HC_TEXT_POKE for the site at X7: X2 = W16 (old word) | W8 (new word) << 32. */
  private static void textPoke(Assembler a, int phase) {
    a.emit(A64.mov(x(1), x(7)));
    a.emit(A64.orr(x(2), x(16), x(8), Shift.LSL, 32));
    a.emit(A64.movz(x(3), phase, 0));
    hostcall(a, Layout.HC_TEXT_POKE);
  }

  /** caches_clean_inval_pou for one word: DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB. */
  private static void cacheMaintenance(Assembler a, int reg) {
    a.emit(A64.dcCvau(reg));
    a.emit(A64.dsb(Barrier.ISH));
    a.emit(A64.icIvau(reg));
    a.emit(A64.dsb(Barrier.ISH));
    a.emit(A64.isb());
  }

  /** ICC_SGI1R_EL1 with IRM set (all PEs but this one), then the host call counting it. */
  private static void sendIpiToOthers(Assembler a, int intid) {
    a.movImm64(x(2), 1L << 40 | (long) intid << 24);
    a.emit(A64.msr(SysReg.ICC_SGI1R_EL1, 2));
    a.emit(A64.ldr(x(1), x(19), Layout.G_NCORES));
    a.emit(A64.sub(x(1), x(1), 1));
    hostcall(a, Layout.HC_IPI_SENT);
  }

  /** Spins until every other cpu's slot in the array at {@code arrayOffset} equals X15. */
  private static void waitAll(Assembler a, int arrayOffset) {
    Label loop = a.newLabel();
    Label spin = a.newLabel();
    Label next = a.newLabel();
    Label done = a.newLabel();
    a.emit(A64.ldr(x(3), x(19), Layout.G_NCORES));
    cpuNumber(a, 4);
    a.emit(A64.movz(x(5), 0, 0));
    a.emit(A64.add(x(6), x(19), arrayOffset));
    a.bind(loop);
    a.emit(A64.cmpReg(x(5), x(3), Shift.LSL, 0));
    a.bcond(Cond.HS, done);
    a.emit(A64.cmpReg(x(5), x(4), Shift.LSL, 0));
    a.bcond(Cond.EQ, next);
    a.bind(spin);
    a.emit(A64.ldr(x(7), x(6), x(5), Extend.LSL, true));
    a.emit(A64.cmpReg(x(7), x(15), Shift.LSL, 0));
    a.bcond(Cond.EQ, next);
    a.emit(A64.yield());
    a.b(spin);
    a.bind(next);
    a.emit(A64.add(x(5), x(5), 1));
    a.b(loop);
    a.bind(done);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static void hostcall(Assembler a, int code) {
    a.emit(A64.movz(x(9), code, 0));
    a.emit(A64.msr(SysReg.HOSTCALL, 9));
  }

  /** X{reg} = this cpu's number (clobbers X10). */
  private static void cpuNumber(Assembler a, int reg) {
    a.emit(A64.mrs(10, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(reg), x(10), Layout.PCPU_CPU));
  }

  private static void percpuIncrement(Assembler a, int field) {
    a.emit(A64.mrs(10, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(11), x(10), field));
    a.emit(A64.add(x(11), x(11), 1));
    a.emit(A64.str(x(11), x(10), field));
  }

  /** X{reg} = DATA_BASE + offset (ADRP + ADD). */
  private static void dataAddress(Assembler a, int reg, long offset) {
    textAddress(a, reg, Layout.DATA_BASE + offset);
  }

  /** X{reg} = a kernel address within 4 GiB of the code (ADRP + ADD). */
  private static void textAddress(Assembler a, int reg, long target) {
    long pc = a.pc();
    a.emit(A64.adrp(x(reg), (target >> 12) - (pc >> 12)));
    a.emit(A64.add(x(reg), x(reg), target & 0xfff));
  }

  private static void prologue(Assembler a, int frame) {
    a.emit(A64.stpPre(x(29), x(30), SP, -frame));
    a.emit(A64.movSp(x(29), SP));
  }

  private static void epilogue(Assembler a, int frame) {
    a.emit(A64.ldpPost(x(29), x(30), SP, frame));
    a.emit(A64.ret());
  }

  /** kernel_entry: X0-X30, ELR_EL1 and SPSR_EL1 on the kernel stack. */
  private static void saveFrame(Assembler a) {
    a.emit(A64.sub(SP, SP, FRAME));
    for (int r = 0; r < 30; r += 2) {
      a.emit(A64.stp(x(r), x(r + 1), SP, 8L * r));
    }
    a.emit(A64.mrs(21, SysReg.ELR_EL1));
    a.emit(A64.mrs(22, SysReg.SPSR_EL1));
    a.emit(A64.stp(x(30), x(21), SP, FRAME_X30));
    a.emit(A64.str(x(22), SP, FRAME_SPSR));
  }

  /** kernel_exit: restores what {@link #saveFrame} saved (ELR/SPSR possibly changed) and ERETs. */
  private static void restoreFrameAndEret(Assembler a) {
    a.emit(A64.ldp(x(30), x(21), SP, FRAME_X30));
    a.emit(A64.ldr(x(22), SP, FRAME_SPSR));
    a.emit(A64.msr(SysReg.ELR_EL1, 21));
    a.emit(A64.msr(SysReg.SPSR_EL1, 22));
    for (int r = 0; r < 30; r += 2) {
      a.emit(A64.ldp(x(r), x(r + 1), SP, 8L * r));
    }
    a.emit(A64.add(SP, SP, FRAME));
    a.emit(A64.eret());
  }

  /** The EL0 program: an xorshift loop of X27 turns, then SVC #0 with X8 = a syscall number. */
  private static int[] userProgram() {
    Assembler u = new Assembler(Layout.USER_BASE);
    Label outer = u.here();
    u.emit(A64.mov(x(19), x(27)));
    Label inner = u.here();
    Label skip = u.newLabel();
    u.emit(A64.eor(x(28), x(28), x(28), Shift.LSL, 13));
    u.emit(A64.eor(x(28), x(28), x(28), Shift.LSR, 7));
    u.emit(A64.eor(x(28), x(28), x(28), Shift.LSL, 17));
    u.tbz(x(28), 5, skip);
    u.emit(A64.add(x(20), x(20), 1));
    u.bind(skip);
    u.emit(A64.subs(x(19), x(19), 1));
    u.bcond(Cond.NE, inner);
    u.emit(A64.and(x(8), x(28), 7));
    u.emit(A64.mov(x(0), x(28)));
    u.emit(A64.svc(0));
    u.b(outer);
    return u.words();
  }

  private byte[] data(Plan p, List<PatchSite> sites) {
    ByteBuffer d = ByteBuffer.allocate(Layout.DATA_FIXED_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    d.putLong(Layout.G_NCORES, cores);
    for (int c = 0; c < cores; c++) {
      int base = Layout.PERCPU + c * Layout.PERCPU_SIZE;
      d.putLong(base + Layout.PCPU_CPU, c);
      d.putLong(base + Layout.PCPU_RNG, nonZero(next()));
      d.putLong(base + Layout.PCPU_USER_ITERS, userIterations);
      d.putLong(base + Layout.PCPU_USER_SEED, nonZero(next()));
    }
    for (int s = 0; s < p.nsys; s++) {
      d.putLong(Layout.SYS_CALL_TABLE + 8 * s, p.fns[s].label.address());
    }
    for (int t = 0; t < p.tables; t++) {
      for (int k = 0; k < Layout.FPTR_TABLE_ENTRIES; k++) {
        d.putLong(Layout.FPTR_TABLES + (t * Layout.FPTR_TABLE_ENTRIES + k) * 8, p.fns[p.tableEntries[t][k]].label.address());
      }
    }
    if (Layout.FPTR_TABLES + p.tables * Layout.FPTR_TABLE_ENTRIES * 8 > Layout.KPROBE_TABLE) {
      throw new IllegalStateException("too many function-pointer tables");
    }
    int k = 0;
    for (PatchSite s : sites) {
      if (s.kind() == PatchKind.KPROBE) {
        d.putLong(Layout.KPROBE_TABLE + 16 * k, s.address());
        d.putLong(Layout.KPROBE_TABLE + 16 * k + 8, s.slot());
        k++;
      }
    }
    return d.array();
  }

  private static long nonZero(long v) {
    return v == 0 ? 0x2545F4914F6CDD1DL : v;
  }
}
