package dev.tracepoke.sim.workload;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.patching.GuestPatching;
import dev.tracepoke.sim.workload.WorkloadPlan.Plan;
import dev.tracepoke.sim.workload.WorkloadPlan.SiteSpec;
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
 * <p>Each part of the kernel is emitted by its own class, in text order: {@link ExceptionEntry}
 * (vectors, system calls, BRK dispatch, IRQ entries), {@link Interrupts}, the guest side of the
 * patching protocols ({@link GuestPatching}), {@link Functions} (ftrace_caller, the generated
 * functions, kprobe slots) and {@link Boot}; {@link WorkloadPlan} decides their shape first.
 *
 * <p>Same seed, function count and core count give the same image, word for word.
 */
public final class WorkloadGenerator {
  static final int NOP = A64.nop();

  private final long seed;
  private final int functions;
  private final int cores;
  private final long userIterations;

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

  /** Builds the image. */
  public KernelImage generate() {
    WorkloadPlan plan = new WorkloadPlan(seed, functions);
    Plan p = plan.plan();
    KernelText k = new KernelText();
    Assembler a = k.asm();
    for (int i = 0; i < functions; i++) {
      p.fns[i].label = a.newLabel(p.fns[i].name);
    }
    Label ftraceCaller = a.newLabel("ftrace_caller");
    Label gicHandleIrq = a.newLabel("gic_handle_irq");
    GuestPatching patching = new GuestPatching(k);

    ExceptionEntry.emit(k, p, gicHandleIrq, patching);
    Interrupts.emit(k, p, gicHandleIrq, patching);
    patching.emit();
    Functions.emitFtraceCaller(k, ftraceCaller);
    Label boot = Boot.emitSecondaryEntry(k);
    Functions.emit(k, p);
    Functions.emitKprobeSlots(k, p);
    k.sym("_etext", 'T');
    int[] text = a.words();
    if (4L * text.length > Layout.MAX_TEXT_BYTES) {
      throw new IllegalStateException("text of " + 4L * text.length + " bytes exceeds " + Layout.MAX_TEXT_BYTES);
    }

    // resolve the sites' words now that every label is bound
    List<PatchSite> sites = new ArrayList<>(p.sites.size());
    for (int i = 0; i < p.sites.size(); i++) {
      SiteSpec s = p.sites.get(i);
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
      sites.add(new PatchSite(i, s.address, s.kind, s.oldWord, s.newWord, s.group, s.function, s.slot));
    }

    int[] user = Boot.userProgram();
    byte[] data = Boot.data(plan, p, sites, cores, userIterations);
    return new KernelImage(text, user, data, k.symbols(), sites, boot.address(), Layout.USER_BASE, cores, functions);
  }
}
