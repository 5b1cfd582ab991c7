package dev.tracepoke.sim.patching;

import dev.tracepoke.perf.PerfRecord.TextPoke.Phase;
import dev.tracepoke.sim.machine.Core;
import dev.tracepoke.sim.machine.HostCall;
import dev.tracepoke.sim.workload.Layout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The host side of the guest's host calls: notes the TEXT_POKE records the patching code emits
 * (with the emitting core's time, as the kernel would timestamp them) and the marks from which
 * each operation's cost is computed. Other cores' stop and trap stretches are charged to the
 * operation the patching core began last (operations never overlap).
 */
public final class PatchHost implements HostCall {
  private final PatchSchedule schedule;
  private final List<TextPokeEvent> events = new ArrayList<>();
  private final long[] begin;
  private final long[] chainBegin;
  private final long[] maintenanceDone;
  private final long[] end;
  private final long[] ipis;
  private final long[] lost;
  private final long[] off;
  private final long[] enteredAt;
  private int current = -1;

  public PatchHost(PatchSchedule schedule, int cores) {
    this.schedule = schedule;
    int n = schedule.ops().size();
    begin = filled(n);
    chainBegin = filled(n);
    maintenanceDone = filled(n);
    end = filled(n);
    ipis = new long[n];
    lost = new long[n];
    off = new long[n];
    enteredAt = filled(cores);
  }

  private static long[] filled(int n) {
    long[] a = new long[n];
    Arrays.fill(a, -1);
    return a;
  }

  @Override
  public void call(Core core, long value) {
    long t = core.time();
    int cpu = core.id();
    switch ((int) value) {
      case Layout.HC_PANIC -> throw new GuestPanic(cpu, core.pc(), core.x(1), t);
      case Layout.HC_TEXT_POKE -> {
        long words = core.x(2);
        Phase phase = switch ((int) core.x(3)) {
          case 0 -> Phase.LANDED;
          case 1 -> Phase.PRE;
          default -> Phase.POST;
        };
        events.add(new TextPokeEvent(t, cpu, core.x(1), (int) words, (int) (words >>> 32), phase));
      }
      case Layout.HC_POKE_BEGIN -> {
        int op = (int) core.x(1);
        boolean continues = current >= 0 && current == op - 1 && schedule.ops().get(current).chained();
        current = op;
        begin[op] = t;
        chainBegin[op] = continues ? chainBegin[op - 1] : t;
      }
      case Layout.HC_POKE_END -> {
        int op = (int) core.x(1);
        end[op] = t;
        off[op] = Math.max(off[op], t - chainBegin[op]);
      }
      case Layout.HC_MAINT_DONE -> maintenanceDone[(int) core.x(1)] = t;
      case Layout.HC_IPI_SENT -> ipis[current] += core.x(1);
      case Layout.HC_STOP_ENTER, Layout.HC_TRAP_ENTER -> enteredAt[cpu] = t;
      case Layout.HC_STOP_EXIT, Layout.HC_TRAP_EXIT -> {
        long stretch = t - enteredAt[cpu];
        if (current >= 0) {
          lost[current] += stretch;
          off[current] = Math.max(off[current], stretch);
        }
      }
      default -> throw new GuestPanic(cpu, core.pc(), -value, t);
    }
  }

  /** The records emitted so far, in emission order (the patching core's time order). */
  public List<TextPokeEvent> events() {
    return List.copyOf(events);
  }

  /** Operations the patching core has started. */
  public int started() {
    return current + 1;
  }

  /**
   * Costs of every started operation. {@code cse} gives, per core, the first
   * context-synchronisation event at or after a time (or -1 if none happened before the run ended).
   */
  public List<PokeCost> costs(int cores, CseLookup cse) {
    List<PokeCost> out = new ArrayList<>();
    for (int i = 0; i <= current; i++) {
      PatchOp op = schedule.ops().get(i);
      long visible = -1;
      if (maintenanceDone[i] >= 0) {
        visible = maintenanceDone[i];
        for (int c = 0; c < cores && visible >= 0; c++) {
          long v = cse.firstAtOrAfter(c, maintenanceDone[i]);
          visible = v < 0 ? -1 : Math.max(visible, v);
        }
      }
      out.add(new PokeCost(i, op.protocol(), op.sites().size(), begin[i], maintenanceDone[i], end[i], visible,
          ipis[i], lost[i], off[i]));
    }
    return out;
  }

  /** Per-core context-synchronisation events, as the run observed them. */
  @FunctionalInterface
  public interface CseLookup {
    long firstAtOrAfter(int cpu, long time);
  }
}
