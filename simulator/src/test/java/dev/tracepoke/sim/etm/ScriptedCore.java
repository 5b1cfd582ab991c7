package dev.tracepoke.sim.etm;

import dev.tracepoke.sim.etm.ScriptedProgram.Insn;
import dev.tracepoke.sim.machine.CoreObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Executes a {@link ScriptedProgram} with scripted outcomes (conditional branches, interrupts),
 * reports it through {@link CoreObserver} like the machine does, and writes down independently
 * what a decoder must reconstruct: instruction ranges per P0 element, exceptions, context changes
 * and exception returns, in OpenCSD's element order.
 */
final class ScriptedCore {

  /** Outcome of the {@code visit}-th execution (from 0) of the conditional branch at {@code pc}. */
  interface Decisions {
    boolean taken(long pc, int visit);
  }

  /** One expected decode element, with the core time of the P0 element that produced it. */
  record Expected(String text, long time) {}

  static final int NS_PER_INSTRUCTION = 7;

  /** ETMv4 exception numbers by CoreObserver type: SVC Call, BRK Inst Debug, UNDEF Trap, IRQ. */
  private static final int[] ETM_TYPE = {0x02, 0x06, 0x03, 0x0E};

  private final ScriptedProgram program;
  private final CoreObserver observer;
  private final Decisions decisions;
  /** "pc/visit" keys: an IRQ is taken before that arrival at pc executes. */
  private final Set<String> irqs;

  final List<Expected> expected = new ArrayList<>();
  long instructions;

  private final Map<Long, Integer> visits = new HashMap<>();
  private final Map<Long, Integer> branchVisits = new HashMap<>();
  private final Deque<long[]> saved = new ArrayDeque<>();
  private final Deque<Long> stack = new ArrayDeque<>();
  private long pc;
  private int el;
  private long x30;
  private long time;
  private long runStart;
  private int runCount;
  private long rangeStart;
  private int lastContextEl = -1;

  ScriptedCore(ScriptedProgram program, CoreObserver observer, Decisions decisions, Set<String> irqs, long startTime) {
    this.program = program;
    this.observer = observer;
    this.decisions = decisions;
    this.irqs = irqs;
    this.time = startTime;
  }

  /** Runs from {@code start} at {@code startEl} until execution reaches {@code stop}. */
  long run(long start, int startEl, long stop) {
    pc = start;
    el = startEl;
    rangeStart = start;
    context(el);
    while (pc != stop) {
      if (instructions > 1_000_000) {
        throw new IllegalStateException(String.format("scripted program does not reach 0x%x; at 0x%x", stop, pc));
      }
      int visit = visits.merge(pc, 1, Integer::sum) - 1;
      if (irqs.contains(Long.toHexString(pc) + "/" + visit)) {
        takeException(CoreObserver.EXCEPTION_IRQ, pc);
        continue;
      }
      step(program.at(pc));
    }
    flushRun();
    return time;
  }

  private void step(Insn insn) {
    time += NS_PER_INSTRUCTION;
    long next = insn.pc() + 4;
    switch (insn.kind()) {
      case OTHER -> {
        retire(insn);
        pc = next;
      }
      case PUSH_LR -> {
        retire(insn);
        stack.push(x30);
        pc = next;
      }
      case POP_LR -> {
        retire(insn);
        x30 = stack.pop();
        pc = next;
      }
      case ELR_ADVANCE -> {
        retire(insn);
        saved.peek()[0] += 4;
        pc = next;
      }
      case B, BL -> {
        retire(insn);
        if (insn.kind() == ScriptedProgram.Kind.BL) {
          x30 = next;
        }
        boolean link = insn.kind() == ScriptedProgram.Kind.BL;
        waypoint(insn, CoreObserver.BRANCH_DIRECT, true, link, insn.target(), link ? "BR link" : "BR");
      }
      case COND -> {
        retire(insn);
        int visit = branchVisits.merge(insn.pc(), 1, Integer::sum) - 1;
        boolean taken = decisions.taken(insn.pc(), visit);
        waypoint(insn, CoreObserver.BRANCH_CONDITIONAL, taken, false, taken ? insn.target() : next, "BR cond");
      }
      case BR, BLR, RET -> {
        retire(insn);
        long target = insn.kind() == ScriptedProgram.Kind.RET ? x30 : insn.target();
        boolean link = insn.kind() == ScriptedProgram.Kind.BLR;
        if (link) {
          x30 = next;
        }
        String type = switch (insn.kind()) {
          case BLR -> "iBR link";
          case RET -> "iBR ret";
          default -> "iBR";
        };
        waypoint(insn, CoreObserver.BRANCH_INDIRECT, true, link, target, type);
      }
      case ISB -> {
        retire(insn);
        waypoint(insn, CoreObserver.ISB, true, false, next, "ISB");
      }
      case ERET -> {
        retire(insn);
        long[] s = saved.pop();
        long target = s[0];
        int toEl = (int) s[1];
        x30 = s[2];
        flushRun();
        observer.exceptionReturn(insn.pc(), target, toEl, time);
        range(insn.pc() + 4, "E iBR eret");
        el = toEl;
        context(el);
        expected.add(new Expected("ERET", time));
        rangeStart = target;
        pc = target;
      }
      case SVC -> {
        retire(insn);
        takeException(CoreObserver.EXCEPTION_SVC, next);
      }
      case BRK -> takeException(CoreObserver.EXCEPTION_BRK, insn.pc());
      case UDF -> takeException(CoreObserver.EXCEPTION_UNDEF, insn.pc());
    }
  }

  private void retire(Insn insn) {
    if (runCount == 0) {
      runStart = insn.pc();
    }
    runCount++;
    instructions++;
  }

  private void flushRun() {
    if (runCount > 0) {
      observer.instructions(runStart, runCount, time);
      runCount = 0;
    }
  }

  private void waypoint(Insn insn, int kind, boolean taken, boolean link, long nextPc, String type) {
    flushRun();
    observer.waypoint(insn.pc(), kind, taken, link, nextPc, time);
    boolean e = taken || kind == CoreObserver.ISB;
    range(insn.pc() + 4, (e ? "E " : "N ") + type);
    rangeStart = nextPc;
    pc = nextPc;
  }

  private void takeException(int type, long preferredReturn) {
    flushRun();
    long vector = ScriptedProgram.K + (el == 0 ? 0x400 : 0x200) + (type == CoreObserver.EXCEPTION_IRQ ? 0x80 : 0);
    saved.push(new long[] {preferredReturn, el, x30});
    observer.exception(type, preferredReturn, vector, el, 1, time);
    if (preferredReturn != rangeStart) {
      range(preferredReturn, "E ---");
    }
    expected.add(new Expected(String.format("EXCEPTION 0x%x 0x%02x", preferredReturn, ETM_TYPE[type]), time));
    el = 1;
    context(el);
    rangeStart = vector;
    pc = vector;
  }

  private void range(long end, String tail) {
    expected.add(new Expected(String.format("RANGE 0x%x-0x%x %d %s", rangeStart, end, (end - rangeStart) / 4, tail), time));
  }

  private void context(int newEl) {
    if (newEl != lastContextEl) {
      expected.add(new Expected("CONTEXT EL" + newEl, time));
      lastContextEl = newEl;
    }
  }
}
