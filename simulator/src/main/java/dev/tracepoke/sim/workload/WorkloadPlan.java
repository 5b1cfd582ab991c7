package dev.tracepoke.sim.workload;

import static dev.tracepoke.sim.asm.A64.x;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Shift;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a generated kernel before any code is emitted: its functions (blocks of ALU work,
 * if/else, loops, direct and indirect calls, patch sites), the call graph (functions call only
 * higher indexes, so costs are known from the leaves up), the function-pointer tables and the
 * patch sites with their static-key groups. One seeded generator drives every choice, and goes on
 * to fill the data region after the plan.
 */
final class WorkloadPlan {
  /** Expected dynamic instructions one generated function may cost, callees included. */
  private static final double COST_BUDGET = 12000;
  private static final String[] SUBSYSTEMS = {
      "sched", "vfs", "mm", "net", "tcp", "ext4", "rcu", "page", "slab", "irq", "blk", "sock", "fs", "kmem",
      "task", "timer"};
  private static final String[] VERBS = {
      "read", "write", "alloc", "free", "lookup", "update", "flush", "sync", "walk", "queue", "wake",
      "check", "copy", "map", "insert", "account"};

  private final int functions;
  private long rng;

  WorkloadPlan(long seed, int functions) {
    this.functions = functions;
    this.rng = seed ^ 0x6B65726E656C2121L;
  }

  sealed interface Block permits Alu, If, Loop, Call, ICall, Key, Kprobe {}

  record Alu(int[] words) implements Block {}

  record If(int bit, boolean twoArmed, List<Block> then, List<Block> otherwise) implements Block {}

  record Loop(boolean dataDependent, int count, List<Block> body) implements Block {}

  record Call(int callee) implements Block {}

  record ICall(int table) implements Block {}

  record Key(int site, int[] outOfLine) implements Block {}

  record Kprobe(int site, int word) implements Block {}

  static final class Fn {
    String name;
    int ftraceSite = -1;
    final List<Block> blocks = new ArrayList<>();
    double cost;
    Label label;
  }

  static final class SiteSpec {
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

  final class Plan {
    final Fn[] fns = new Fn[functions];
    final List<SiteSpec> sites = new ArrayList<>();
    final int nsys = Math.max(1, Math.min(8, functions / 4));
    final int tickFn = nsys;
    final int tables = Math.max(1, functions / 16);
    final int[][] tableEntries = new int[tables][Layout.FPTR_TABLE_ENTRIES];
    final int[] tableLow = new int[tables];
  }

  long next() {
    long z = (rng += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  int below(int n) {
    return (int) Long.remainderUnsigned(next(), n);
  }

  private boolean chance(double p) {
    return (next() >>> 11) * 0x1.0p-53 < p;
  }

  Plan plan() {
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

  Alu alu(int n) {
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
}
