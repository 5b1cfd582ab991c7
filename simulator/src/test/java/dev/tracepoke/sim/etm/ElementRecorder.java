package dev.tracepoke.sim.etm;

import dev.tracepoke.sim.machine.CoreObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * Ground truth for a decode, written from what a core reports (not from the trace): one range per
 * P0 element from where the previous one led, exceptions, context changes and exception returns,
 * in the form {@link ScriptedCore} writes. Only RET needs the instruction word (it is an indirect
 * branch like BR to the core).
 */
final class ElementRecorder implements CoreObserver {

  private static final int[] ETM_TYPE = {0x02, 0x06, 0x03, 0x0E};

  final List<ScriptedCore.Expected> expected = new ArrayList<>();
  private final LongToIntFunction wordAt;
  private long rangeStart = -1;
  private int el;
  private int lastContextEl = -1;

  ElementRecorder(LongToIntFunction wordAt, int initialEl) {
    this.wordAt = wordAt;
    this.el = initialEl;
  }

  @Override
  public void instructions(long startPc, int count, long time) {
    if (rangeStart == -1) {
      rangeStart = startPc;
      context(time);
    }
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    String type = switch (kind) {
      case BRANCH_DIRECT -> link ? "BR link" : "BR";
      case BRANCH_CONDITIONAL -> "BR cond";
      case BRANCH_INDIRECT -> link ? "iBR link" : (wordAt.applyAsInt(pc) & 0xFFFFFC1F) == 0xD65F0000 ? "iBR ret" : "iBR";
      default -> "ISB";
    };
    range(pc + 4, (taken || kind == ISB ? "E " : "N ") + type, time);
    rangeStart = nextPc;
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    if (rangeStart == -1) {
      rangeStart = preferredReturn;
      context(time);
    }
    if (preferredReturn != rangeStart) {
      range(preferredReturn, "E ---", time);
    }
    expected.add(new ScriptedCore.Expected(String.format("EXCEPTION 0x%x 0x%02x", preferredReturn, ETM_TYPE[type]), time));
    el = toEl;
    context(time);
    rangeStart = vector;
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    range(pc + 4, "E iBR eret", time);
    el = toEl;
    context(time);
    expected.add(new ScriptedCore.Expected("ERET", time));
    rangeStart = target;
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {}

  private void range(long end, String tail, long time) {
    expected.add(new ScriptedCore.Expected(
        String.format("RANGE 0x%x-0x%x %d %s", rangeStart, end, (end - rangeStart) / 4, tail), time));
  }

  private void context(long time) {
    if (el != lastContextEl) {
      expected.add(new ScriptedCore.Expected("CONTEXT EL" + el, time));
      lastContextEl = el;
    }
  }
}
