package dev.tracepoke.sim.patching;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.x;
import static dev.tracepoke.sim.workload.KernelText.FRAME_ELR;
import static dev.tracepoke.sim.workload.KernelText.FRAME_X30;
import static dev.tracepoke.sim.workload.KernelText.cpuNumber;
import static dev.tracepoke.sim.workload.KernelText.dataAddress;
import static dev.tracepoke.sim.workload.KernelText.epilogue;
import static dev.tracepoke.sim.workload.KernelText.hostcall;
import static dev.tracepoke.sim.workload.KernelText.percpuIncrement;
import static dev.tracepoke.sim.workload.KernelText.prologue;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Barrier;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Extend;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import dev.tracepoke.sim.workload.KernelText;
import dev.tracepoke.sim.workload.Layout;

/**
 * The guest side of every patching protocol, as the generated kernel runs it: the patcher the
 * patching cpu runs from the patch interrupt ({@code aarch64_insn_patcher}: verify, then
 * stop-machine, nosync, nosync-kick, brk-emulate with or without its first sync, each writing with
 * the records its event style asks for), what the other cpus run for it ({@code multi_cpu_stop}
 * for a stop, {@code ipi_kick} for a kick) and brk-emulate's trap handler ({@code
 * patch_emulate_handler}). The host side ({@link PatchSchedule}, {@link PatchHost}) plans the
 * operations and answers the host calls.
 */
public final class GuestPatching {
  private final KernelText k;
  private final Label patcher;
  private final Label stop;
  private final Label kick;
  private final Label emulate;

  /** Names the entry points; the kernel's other parts branch to them before they are emitted. */
  public GuestPatching(KernelText k) {
    this.k = k;
    Assembler a = k.asm();
    patcher = a.newLabel("aarch64_insn_patcher");
    stop = a.newLabel("multi_cpu_stop");
    kick = a.newLabel("ipi_kick");
    emulate = a.newLabel("patch_emulate_handler");
  }

  /** Runs the queued patch operations; called from the patch interrupt (INTID 23). */
  public Label patcher() {
    return patcher;
  }

  /** Where another cpu waits out a stop; called from the stop IPI. */
  public Label stopHandler() {
    return stop;
  }

  /** Where another cpu acknowledges a kick; called from the kick IPI. */
  public Label kickHandler() {
    return kick;
  }

  /** brk-emulate's BRK handler; {@code el1_sync} branches here for BRK #0x100 and above. */
  public Label emulateHandler() {
    return emulate;
  }

  /**
   * brk-emulate's trap handler, inside {@code el1_sync}'s frame (X1 = the BRK immediate): makes the
   * trapping core behave as if it had run the site's new word, then falls through to the code
   * after it, which restores the frame and ERETs.
   */
  public void emitEmulateHandler() {
    Assembler a = k.asm();
    k.bind(emulate, 't');
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
  }

  /** The other cpus' side of stop-machine and kick, then the patcher itself. */
  public void emit() {
    Assembler a = k.asm();
    // multi_cpu_stop: every other cpu rendezvous here until the patching cpu releases it
    k.bind(stop, 'T');
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
    k.bind(kick, 't');
    a.emit(A64.isb());
    dataAddress(a, 1, 0);
    a.emit(A64.ldr(x(2), x(1), Layout.G_KICK_GEN));
    cpuNumber(a, 3);
    a.emit(A64.add(x(4), x(1), Layout.G_ACK));
    a.emit(A64.str(x(2), x(4), x(3), Extend.LSL, true));
    a.emit(A64.ret());

    emitPatcher(a, k.panic());
  }

  /**
   * aarch64_insn_patcher: takes the next operation from the patch queue and runs its protocol.
   * Registers: X19 globals, X20 operation index, X21 operation, X22 protocol, X23 event style,
   * X24 site count; the helpers below are leaves that use X0-X15.
   */
  private void emitPatcher(Assembler a, Label panic) {
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

    k.bind(patcher, 'T');
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
    k.bind(verify, 't');
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
    k.bind(writeFinal, 't');
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
    k.bind(writeBrks, 't');
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
    k.bind(stopOthers, 't');
    ipiAndWait(a, Layout.G_STOP_GEN, Layout.INTID_STOP, Layout.G_ARRIVE);

    // kick_all_cpus_sync: IPI everyone else and wait until each has taken it
    k.bind(kickAll, 't');
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

}
