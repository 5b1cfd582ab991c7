package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.SP;
import static dev.tracepoke.sim.asm.A64.x;
import static dev.tracepoke.sim.workload.KernelText.dataAddress;
import static dev.tracepoke.sim.workload.KernelText.random;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Extend;
import dev.tracepoke.sim.asm.SysReg;
import dev.tracepoke.sim.workload.WorkloadPlan.Alu;
import dev.tracepoke.sim.workload.WorkloadPlan.Block;
import dev.tracepoke.sim.workload.WorkloadPlan.Call;
import dev.tracepoke.sim.workload.WorkloadPlan.Fn;
import dev.tracepoke.sim.workload.WorkloadPlan.ICall;
import dev.tracepoke.sim.workload.WorkloadPlan.If;
import dev.tracepoke.sim.workload.WorkloadPlan.Key;
import dev.tracepoke.sim.workload.WorkloadPlan.Kprobe;
import dev.tracepoke.sim.workload.WorkloadPlan.Loop;
import dev.tracepoke.sim.workload.WorkloadPlan.Plan;
import dev.tracepoke.sim.workload.WorkloadPlan.SiteSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The generated kernel functions and what their patch sites reach: {@code ftrace_caller} (entered
 * from {@code mov x9, x30; bl ftrace_caller} at a function's entry), each function with its
 * jump-label sites' out-of-line blocks after its return, and the kprobe out-of-line slots.
 */
final class Functions {
  private Functions() {}

  /** ftrace_caller: counts the hit and returns to the traced function with its X30 restored. */
  static void emitFtraceCaller(KernelText k, Label ftraceCaller) {
    Assembler a = k.asm();
    k.bind(ftraceCaller, 'T');
    a.emit(A64.stpPre(x(0), x(1), SP, -16));
    a.emit(A64.mrs(0, SysReg.TPIDR_EL1));
    a.emit(A64.ldr(x(1), x(0), Layout.PCPU_FTRACE_HITS));
    a.emit(A64.add(x(1), x(1), 1));
    a.emit(A64.str(x(1), x(0), Layout.PCPU_FTRACE_HITS));
    a.emit(A64.ldpPost(x(0), x(1), SP, 16));
    a.emit(A64.mov(x(10), x(30)));
    a.emit(A64.mov(x(30), x(9)));
    a.emit(A64.ret(10));
  }

  static void emit(KernelText k, Plan p) {
    for (Fn f : p.fns) {
      emitFunction(k, p, f);
    }
  }

  /** kprobe out-of-line slots: the original instruction, then back to the site's successor. */
  static void emitKprobeSlots(KernelText k, Plan p) {
    Assembler a = k.asm();
    Label slots = a.newLabel("kprobe_insn_slots");
    k.bind(slots, 't');
    for (SiteSpec s : p.sites) {
      if (s.kind == PatchKind.KPROBE) {
        s.slot = a.pc();
        a.emit(s.original);
        a.emit(A64.b(s.address + 4 - a.pc()));
      }
    }
  }

  private static void emitFunction(KernelText k, Plan p, Fn f) {
    Assembler a = k.asm();
    k.bind(f.label, 'T');
    if (f.ftraceSite >= 0) {
      a.emit(A64.mov(x(9), x(30)));
      p.sites.get(f.ftraceSite).address = a.pc();
      a.emit(WorkloadGenerator.NOP);
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
    for (Key key : keys) {
      SiteSpec s = p.sites.get(key.site());
      a.bind(s.outOfLine);
      for (int w : key.outOfLine()) {
        a.emit(w);
      }
      a.emit(A64.b(s.address + 4 - a.pc()));
    }
  }

  private static void emitBlock(Assembler a, Plan p, Block b, List<Key> keys) {
    if (b instanceof Alu alu) {
      for (int w : alu.words()) {
        a.emit(w);
      }
    } else if (b instanceof Call c) {
      a.bl(p.fns[c.callee()].label);
    } else if (b instanceof ICall c) {
      random(a);
      dataAddress(a, 16, Layout.FPTR_TABLES + c.table() * Layout.FPTR_TABLE_ENTRIES * 8);
      a.emit(A64.and(x(12), x(11), Layout.FPTR_TABLE_ENTRIES - 1));
      a.emit(A64.ldr(x(16), x(16), x(12), Extend.LSL, true));
      a.emit(A64.blr(16));
    } else if (b instanceof Key k) {
      SiteSpec s = p.sites.get(k.site());
      s.address = a.pc();
      s.outOfLine = a.newLabel();
      a.emit(WorkloadGenerator.NOP);
      keys.add(k);
    } else if (b instanceof Kprobe k) {
      SiteSpec s = p.sites.get(k.site());
      s.address = a.pc();
      s.original = k.word();
      a.emit(k.word());
    } else if (b instanceof If i) {
      random(a);
      Label otherwise = a.newLabel();
      Label end = a.newLabel();
      a.tbz(x(11), i.bit(), i.twoArmed() ? otherwise : end);
      for (Block t : i.then()) {
        emitBlock(a, p, t, keys);
      }
      if (i.twoArmed()) {
        a.b(end);
        a.bind(otherwise);
        for (Block o : i.otherwise()) {
          emitBlock(a, p, o, keys);
        }
      }
      a.bind(end);
    } else if (b instanceof Loop l) {
      if (l.dataDependent()) {
        random(a);
        a.emit(A64.and(x(19), x(11), 3));
        a.emit(A64.add(x(19), x(19), 1));
      } else {
        a.emit(A64.movz(x(19), l.count(), 0));
      }
      Label top = a.here();
      for (Block t : l.body()) {
        emitBlock(a, p, t, keys);
      }
      a.emit(A64.subs(x(19), x(19), 1));
      a.bcond(Cond.NE, top);
    }
  }
}
