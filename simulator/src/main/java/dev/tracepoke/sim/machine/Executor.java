package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.machine.Decoder.extra;
import static dev.tracepoke.sim.machine.Decoder.rd;
import static dev.tracepoke.sim.machine.Decoder.rm;
import static dev.tracepoke.sim.machine.Decoder.rn;

/**
 * The interpreter: a switch over predecoded slots with the PC, cycle count and flags in locals.
 * Rare instructions (exceptions, system registers, maintenance) sync the locals into the core and
 * call the machine. Observers see one {@code instructions} call per run of sequential
 * instructions, ended by a waypoint, an ERET, an exception or the end of the call.
 */
final class Executor {
  private static final long M32 = 0xFFFFFFFFL;
  private static final int N = 8;
  private static final int Z = 4;
  private static final int C = 2;
  private static final int V = 1;
  /** COND[cond << 4 | nzcv]: whether the condition holds. */
  private static final boolean[] COND = new boolean[256];

  static {
    for (int c = 0; c < 16; c++) {
      for (int f = 0; f < 16; f++) {
        boolean n = (f & N) != 0;
        boolean z = (f & Z) != 0;
        boolean cy = (f & C) != 0;
        boolean v = (f & V) != 0;
        boolean r = switch (c >> 1) {
          case 0 -> z;
          case 1 -> cy;
          case 2 -> n;
          case 3 -> v;
          case 4 -> cy && !z;
          case 5 -> n == v;
          case 6 -> n == v && !z;
          default -> true;
        };
        COND[c << 4 | f] = (c & 1) != 0 && c != 15 ? !r : r;
      }
    }
  }

  private final Machine m;
  private final MachineConfig.Costs costs;

  Executor(Machine m) {
    this.m = m;
    this.costs = m.config().costs();
  }

  static boolean condition(int cond, int nzcv) {
    return COND[cond << 4 | nzcv];
  }

  private static int addFlags64(long a, long b, long r) {
    return (r < 0 ? N : 0) | (r == 0 ? Z : 0) | (Long.compareUnsigned(r, a) < 0 ? C : 0)
        | (((a ^ r) & (b ^ r)) < 0 ? V : 0);
  }

  private static int subFlags64(long a, long b, long r) {
    return (r < 0 ? N : 0) | (r == 0 ? Z : 0) | (Long.compareUnsigned(a, b) >= 0 ? C : 0)
        | (((a ^ b) & (a ^ r)) < 0 ? V : 0);
  }

  private static int addFlags32(int a, int b, int r) {
    return (r < 0 ? N : 0) | (r == 0 ? Z : 0) | (Integer.compareUnsigned(r, a) < 0 ? C : 0)
        | (((a ^ r) & (b ^ r)) < 0 ? V : 0);
  }

  private static int subFlags32(int a, int b, int r) {
    return (r < 0 ? N : 0) | (r == 0 ? Z : 0) | (Integer.compareUnsigned(a, b) >= 0 ? C : 0)
        | (((a ^ b) & (a ^ r)) < 0 ? V : 0);
  }

  private static int logicFlags64(long r) {
    return (r < 0 ? N : 0) | (r == 0 ? Z : 0);
  }

  private static int logicFlags32(int r) {
    return (r < 0 ? N : 0) | (r == 0 ? Z : 0);
  }

  private static long shift64(long v, int type, int amount) {
    return switch (type) {
      case 0 -> v << amount;
      case 1 -> v >>> amount;
      case 2 -> v >> amount;
      default -> Long.rotateRight(v, amount);
    };
  }

  private static int shift32(int v, int type, int amount) {
    return switch (type) {
      case 0 -> v << amount;
      case 1 -> v >>> amount;
      case 2 -> v >> amount;
      default -> Integer.rotateRight(v, amount);
    };
  }

  private static long extendIndex(long v, int option) {
    return switch (option) {
      case 2 -> v & M32;
      case 6 -> (int) v;
      default -> v;
    };
  }

  private Region dataRegion(Core c, long addr, int size, long pc) {
    Region r = c.dataRegion;
    if (r != null && r.contains(addr, size)) {
      return r;
    }
    r = m.memory().find(addr, size);
    if (r == null) {
      throw new MachineFault(c.id(), pc, addr, "data access outside every region");
    }
    c.dataRegion = r;
    return r;
  }

  private long load(Core c, long addr, int sizeKind, long pc) {
    int size = sizeKind & 3;
    long v = dataRegion(c, addr, 1 << size, pc).read(addr, size);
    switch (sizeKind >>> 2) {
      case Op.LD_SIGN64 -> {
        int sh = 64 - (8 << size);
        v = (v << sh) >> sh;
      }
      case Op.LD_SIGN32 -> {
        int sh = 32 - (8 << size);
        v = ((int) v << sh >> sh) & M32;
      }
      default -> {}
    }
    return v;
  }

  /** Stores; a store into text goes through the machine's cross-modification bookkeeping. */
  private void store(Core c, long addr, int size, long value, long pc) {
    Region r = dataRegion(c, addr, 1 << size, pc);
    if (r.executable) {
      m.textStore(c, r, addr, size, value);
    } else {
      r.write(addr, size, value);
    }
  }

  /** Runs {@code c} until its cycle count reaches {@code limit} or the scheduler must look at it. */
  void run(Core c, long limit) {
    final long[] x = c.x;
    final CoreObserver obs = c.observer;
    final long t0 = m.startTime();
    long pc = c.pc;
    long cyc = c.cycles;
    int nzcv = c.nzcv;
    long count = 0;
    long runStart = pc;
    int runCount = 0;
    Region code = null;
    int[] ops = null;
    long[] as = null;
    long[] bs = null;
    long codeBase = 0;
    long codeEnd = 0;

    while (cyc < limit) {
      if (pc < codeBase || pc >= codeEnd || (pc & 3) != 0) {
        code = m.memory().find(pc, 4);
        if (code == null || !code.executable || (pc & 3) != 0) {
          c.pc = pc;
          c.cycles = cyc;
          c.nzcv = nzcv;
          c.instructions += count;
          if (runCount > 0) {
            obs.instructions(runStart, runCount, t0 + cyc);
          }
          throw new MachineFault(c.id(), pc, pc, (pc & 3) != 0 ? "misaligned PC" : "fetch outside every text region");
        }
        ops = code.ops;
        as = code.as;
        bs = code.bs;
        codeBase = code.base;
        codeEnd = code.end;
      }
      int i = (int) ((pc - codeBase) >>> 2);
      int d = ops[i];
      long a = as[i];
      long b = bs[i];
      if (Integer.compareUnsigned(d, Op.WATCHED) <= 0) { // one test: UNDECODED, UNDEF, WATCHED are 0..2
        if (d == Op.UNDECODED) {
          Decoder.decode(code.word(pc), pc, ops, as, bs, i);
          d = ops[i];
          a = as[i];
          b = bs[i];
        }
        if (d == Op.WATCHED) {
          c.cycles = cyc;
          m.fetchWatched(c, pc, (int) a);
          d = c.fetchOp[0];
          a = c.fetchA[0];
          b = c.fetchB[0];
        }
      }
      cyc++;
      count++;
      runCount++;
      long npc = pc + 4;
      switch (d & 0xFF) {
        case Op.ADDI -> x[rd(d)] = x[rn(d)] + a;
        case Op.ADDI_W -> x[rd(d)] = (x[rn(d)] + a) & M32;
        case Op.ADDSI -> {
          long s = x[rn(d)];
          long r = s + a;
          nzcv = addFlags64(s, a, r);
          x[rd(d)] = r;
        }
        case Op.ADDSI_W -> {
          int s = (int) x[rn(d)];
          int r = s + (int) a;
          nzcv = addFlags32(s, (int) a, r);
          x[rd(d)] = r & M32;
        }
        case Op.SUBSI -> {
          long s = x[rn(d)];
          long r = s - a;
          nzcv = subFlags64(s, a, r);
          x[rd(d)] = r;
        }
        case Op.SUBSI_W -> {
          int s = (int) x[rn(d)];
          int r = s - (int) a;
          nzcv = subFlags32(s, (int) a, r);
          x[rd(d)] = r & M32;
        }
        case Op.ADDR -> x[rd(d)] = x[rn(d)] + shift64(x[rm(d)], extra(d), (int) a);
        case Op.ADDR_W -> x[rd(d)] = ((int) x[rn(d)] + shift32((int) x[rm(d)], extra(d), (int) a)) & M32;
        case Op.SUBR -> x[rd(d)] = x[rn(d)] - shift64(x[rm(d)], extra(d), (int) a);
        case Op.SUBR_W -> x[rd(d)] = ((int) x[rn(d)] - shift32((int) x[rm(d)], extra(d), (int) a)) & M32;
        case Op.ADDSR -> {
          long s = x[rn(d)];
          long o = shift64(x[rm(d)], extra(d), (int) a);
          long r = s + o;
          nzcv = addFlags64(s, o, r);
          x[rd(d)] = r;
        }
        case Op.ADDSR_W -> {
          int s = (int) x[rn(d)];
          int o = shift32((int) x[rm(d)], extra(d), (int) a);
          int r = s + o;
          nzcv = addFlags32(s, o, r);
          x[rd(d)] = r & M32;
        }
        case Op.SUBSR -> {
          long s = x[rn(d)];
          long o = shift64(x[rm(d)], extra(d), (int) a);
          long r = s - o;
          nzcv = subFlags64(s, o, r);
          x[rd(d)] = r;
        }
        case Op.SUBSR_W -> {
          int s = (int) x[rn(d)];
          int o = shift32((int) x[rm(d)], extra(d), (int) a);
          int r = s - o;
          nzcv = subFlags32(s, o, r);
          x[rd(d)] = r & M32;
        }
        case Op.ANDI -> x[rd(d)] = x[rn(d)] & a;
        case Op.ORRI -> x[rd(d)] = x[rn(d)] | a;
        case Op.ORRI_W -> x[rd(d)] = (x[rn(d)] | a) & M32;
        case Op.EORI -> x[rd(d)] = x[rn(d)] ^ a;
        case Op.EORI_W -> x[rd(d)] = (x[rn(d)] ^ a) & M32;
        case Op.ANDSI -> {
          long r = x[rn(d)] & a;
          nzcv = logicFlags64(r);
          x[rd(d)] = r;
        }
        case Op.ANDSI_W -> {
          int r = (int) (x[rn(d)] & a);
          nzcv = logicFlags32(r);
          x[rd(d)] = r & M32;
        }
        case Op.ANDR, Op.ORRR, Op.EORR, Op.ANDSR -> {
          int e = extra(d);
          long o = shift64(x[rm(d)], e & 3, (int) a);
          if ((e & 4) != 0) {
            o = ~o;
          }
          long s = x[rn(d)];
          long r;
          switch (d & 0xFF) {
            case Op.ANDR -> r = s & o;
            case Op.ORRR -> r = s | o;
            case Op.EORR -> r = s ^ o;
            default -> {
              r = s & o;
              nzcv = logicFlags64(r);
            }
          }
          x[rd(d)] = r;
        }
        case Op.ANDR_W, Op.ORRR_W, Op.EORR_W, Op.ANDSR_W -> {
          int e = extra(d);
          int o = shift32((int) x[rm(d)], e & 3, (int) a);
          if ((e & 4) != 0) {
            o = ~o;
          }
          int s = (int) x[rn(d)];
          int r;
          switch (d & 0xFF) {
            case Op.ANDR_W -> r = s & o;
            case Op.ORRR_W -> r = s | o;
            case Op.EORR_W -> r = s ^ o;
            default -> {
              r = s & o;
              nzcv = logicFlags32(r);
            }
          }
          x[rd(d)] = r & M32;
        }
        case Op.MOVC -> x[rd(d)] = a;
        case Op.MOVK -> x[rd(d)] = (x[rn(d)] & ~b) | a;
        case Op.MOVK_W -> x[rd(d)] = ((x[rn(d)] & ~b) | a) & M32;
        case Op.UBFM -> x[rd(d)] = Long.rotateRight(x[rn(d)], rm(d)) & a & b;
        case Op.UBFM_W -> x[rd(d)] = (Integer.rotateRight((int) x[rn(d)], rm(d)) & M32) & a & b;
        case Op.SBFM -> {
          long src = x[rn(d)];
          long bot = Long.rotateRight(src, rm(d)) & a;
          long top = ((src >>> extra(d)) & 1) != 0 ? -1L : 0;
          x[rd(d)] = (top & ~b) | (bot & b);
        }
        case Op.SBFM_W -> {
          long src = x[rn(d)] & M32;
          long bot = (Integer.rotateRight((int) src, rm(d)) & M32) & a;
          long top = ((src >>> extra(d)) & 1) != 0 ? M32 : 0;
          x[rd(d)] = ((top & ~b) | (bot & b)) & M32;
        }
        case Op.BFM -> {
          long dst = x[rd(d) == Op.SINK ? Op.ZR : rd(d)];
          long bot = (dst & ~a) | (Long.rotateRight(x[rn(d)], rm(d)) & a);
          x[rd(d)] = (dst & ~b) | (bot & b);
        }
        case Op.BFM_W -> {
          long dst = x[rd(d) == Op.SINK ? Op.ZR : rd(d)] & M32;
          long bot = (dst & ~a) | ((Integer.rotateRight((int) x[rn(d)], rm(d)) & M32) & a);
          x[rd(d)] = ((dst & ~b) | (bot & b)) & M32;
        }
        case Op.MADD -> x[rd(d)] = x[extra(d)] + x[rn(d)] * x[rm(d)];
        case Op.MADD_W -> x[rd(d)] = (x[extra(d)] + x[rn(d)] * x[rm(d)]) & M32;
        case Op.MSUB -> x[rd(d)] = x[extra(d)] - x[rn(d)] * x[rm(d)];
        case Op.MSUB_W -> x[rd(d)] = (x[extra(d)] - x[rn(d)] * x[rm(d)]) & M32;
        case Op.DP2 -> {
          long s = x[rn(d)];
          long o = x[rm(d)];
          x[rd(d)] = switch (extra(d)) {
            case 2 -> o == 0 ? 0 : Long.divideUnsigned(s, o);
            case 3 -> o == 0 ? 0 : (s == Long.MIN_VALUE && o == -1 ? s : s / o);
            case 8 -> s << (o & 63);
            case 9 -> s >>> (o & 63);
            case 10 -> s >> (o & 63);
            default -> Long.rotateRight(s, (int) (o & 63));
          };
        }
        case Op.DP2_W -> {
          int s = (int) x[rn(d)];
          int o = (int) x[rm(d)];
          int r = switch (extra(d)) {
            case 2 -> o == 0 ? 0 : Integer.divideUnsigned(s, o);
            case 3 -> o == 0 ? 0 : (s == Integer.MIN_VALUE && o == -1 ? s : s / o);
            case 8 -> s << (o & 31);
            case 9 -> s >>> (o & 31);
            case 10 -> s >> (o & 31);
            default -> Integer.rotateRight(s, o & 31);
          };
          x[rd(d)] = r & M32;
        }
        case Op.CSEL, Op.CSEL_W -> {
          int e = extra(d);
          long r;
          if (COND[(e & 15) << 4 | nzcv]) {
            r = x[rn(d)];
          } else {
            long o = x[rm(d)];
            r = switch (e >>> 4) {
              case 0 -> o;
              case 1 -> o + 1;
              case 2 -> ~o;
              default -> -o;
            };
          }
          x[rd(d)] = (d & 0xFF) == Op.CSEL ? r : r & M32;
        }

        case Op.ADDSUBX -> {
          int e = extra(d);
          long o = x[rm(d)];
          o = switch (e & 7) {
            case 0 -> o & 0xFF;
            case 1 -> o & 0xFFFF;
            case 2 -> o & M32;
            case 4 -> (byte) o;
            case 5 -> (short) o;
            case 6 -> (int) o;
            default -> o;
          } << a;
          boolean sub = (e & 8) != 0;
          long n = x[rn(d)];
          if ((e & 32) == 0) {
            long r = sub ? n - o : n + o;
            if ((e & 16) != 0) {
              nzcv = sub ? subFlags64(n, o, r) : addFlags64(n, o, r);
            }
            x[rd(d)] = r;
          } else {
            int ni = (int) n;
            int oi = (int) o;
            int r = sub ? ni - oi : ni + oi;
            if ((e & 16) != 0) {
              nzcv = sub ? subFlags32(ni, oi, r) : addFlags32(ni, oi, r);
            }
            x[rd(d)] = r & M32;
          }
        }
        case Op.CCMP -> {
          int e = extra(d);
          if (COND[(e & 15) << 4 | nzcv]) {
            long o = (b & 16) != 0 ? x[rm(d)] : a;
            boolean sub = (e & 16) != 0;
            if ((e & 32) == 0) {
              long n = x[rn(d)];
              nzcv = sub ? subFlags64(n, o, n - o) : addFlags64(n, o, n + o);
            } else {
              int ni = (int) x[rn(d)];
              int oi = (int) o;
              nzcv = sub ? subFlags32(ni, oi, ni - oi) : addFlags32(ni, oi, ni + oi);
            }
          } else {
            nzcv = (int) b & 15;
          }
        }

        // ---- loads and stores
        case Op.LD_OFF -> x[rd(d)] = load(c, x[rn(d)] + a, extra(d), pc);
        case Op.LD_PRE -> {
          long addr = x[rn(d)] + a;
          long v = load(c, addr, extra(d), pc);
          x[rn(d)] = addr;
          x[rd(d)] = v;
        }
        case Op.LD_POST -> {
          long addr = x[rn(d)];
          long v = load(c, addr, extra(d), pc);
          x[rn(d)] = addr + a;
          x[rd(d)] = v;
        }
        case Op.LD_REG -> x[rd(d)] = load(c, x[rn(d)] + (extendIndex(x[rm(d)], (int) b) << a), extra(d), pc);
        case Op.LD_LIT -> x[rd(d)] = load(c, a, extra(d), pc);
        case Op.ST_OFF, Op.ST_PRE, Op.ST_POST, Op.ST_REG, Op.STP -> {
          int op = d & 0xFF;
          long base = x[rn(d)];
          long addr = switch (op) {
            case Op.ST_OFF, Op.ST_PRE -> base + a;
            case Op.ST_POST -> base;
            case Op.ST_REG -> base + (extendIndex(x[rm(d)], (int) b) << a);
            default -> (extra(d) >>> 2) == 2 ? base : base + a;
          };
          int size = extra(d) & 3;
          c.cycles = cyc;
          store(c, addr, size, x[rd(d)], pc);
          if (op == Op.STP) {
            store(c, addr + (1L << size), size, x[rm(d)], pc);
            if ((extra(d) >>> 2) != 0) {
              x[rn(d)] = base + a;
            }
          } else if (op == Op.ST_PRE) {
            x[rn(d)] = addr;
          } else if (op == Op.ST_POST) {
            x[rn(d)] = addr + a;
          }
        }
        case Op.LDP -> {
          int mode = extra(d) >>> 2;
          int size = extra(d) & 3;
          long base = x[rn(d)];
          long addr = mode == 2 ? base : base + a;
          long v1 = load(c, addr, size, pc);
          long v2 = load(c, addr + (1L << size), size, pc);
          if (mode != 0) {
            x[rn(d)] = base + a;
          }
          x[rd(d)] = v1;
          x[rm(d)] = v2;
        }

        case Op.LDXR -> {
          long addr = x[rn(d)];
          x[rd(d)] = load(c, addr, extra(d), pc);
          c.exclusiveAddress = addr;
          c.exclusiveEpoch = m.epoch;
          c.exclusiveArmed = true;
        }
        case Op.STXR -> {
          long addr = x[rn(d)];
          if (c.exclusiveArmed && c.exclusiveAddress == addr && c.exclusiveEpoch == m.epoch) {
            c.cycles = cyc;
            store(c, addr, extra(d), x[rd(d)], pc);
            x[rm(d)] = 0;
          } else {
            x[rm(d)] = 1;
          }
          c.exclusiveArmed = false;
        }
        case Op.ATOMIC -> {
          long addr = x[rn(d)];
          int e = extra(d);
          int size = e & 3;
          long old = load(c, addr, size, pc);
          long s = x[rm(d)];
          long v = switch (e >>> 2) {
            case 0 -> old + s;
            case 1 -> old & ~s;
            case 2 -> old ^ s;
            case 3 -> old | s;
            default -> s;
          };
          c.cycles = cyc;
          store(c, addr, size, v, pc);
          x[rd(d)] = old;
        }
        case Op.CAS -> {
          long addr = x[rn(d)];
          int size = (int) a;
          long old = load(c, addr, size, pc);
          long expected = size == 3 ? x[rm(d)] : x[rm(d)] & M32;
          if (old == expected) {
            c.cycles = cyc;
            store(c, addr, size, x[rd(d)], pc);
          }
          x[extra(d)] = old;
        }
        case Op.CLREX -> c.exclusiveArmed = false;

        // ---- branches: each ends the run
        case Op.B, Op.BL -> {
          boolean link = (d & 0xFF) == Op.BL;
          if (link) {
            x[30] = npc;
          }
          npc = a;
          long t = t0 + cyc;
          obs.instructions(runStart, runCount, t);
          obs.waypoint(pc, CoreObserver.BRANCH_DIRECT, true, link, npc, t);
          runStart = npc;
          runCount = 0;
        }
        case Op.BCOND, Op.CBZ, Op.CBNZ, Op.TBZ, Op.TBNZ -> {
          boolean taken = switch (d & 0xFF) {
            case Op.BCOND -> COND[extra(d) << 4 | nzcv];
            case Op.CBZ -> (extra(d) == 1 ? x[rn(d)] & M32 : x[rn(d)]) == 0;
            case Op.CBNZ -> (extra(d) == 1 ? x[rn(d)] & M32 : x[rn(d)]) != 0;
            case Op.TBZ -> ((x[rn(d)] >>> extra(d)) & 1) == 0;
            default -> ((x[rn(d)] >>> extra(d)) & 1) != 0;
          };
          if (taken) {
            npc = a;
          }
          long t = t0 + cyc;
          obs.instructions(runStart, runCount, t);
          obs.waypoint(pc, CoreObserver.BRANCH_CONDITIONAL, taken, false, npc, t);
          runStart = npc;
          runCount = 0;
        }
        case Op.BR, Op.BLR, Op.RET -> {
          long target = x[rn(d)];
          boolean link = (d & 0xFF) == Op.BLR;
          if (link) {
            x[30] = npc;
          }
          npc = target;
          long t = t0 + cyc;
          obs.instructions(runStart, runCount, t);
          obs.waypoint(pc, CoreObserver.BRANCH_INDIRECT, true, link, npc, t);
          runStart = npc;
          runCount = 0;
        }
        case Op.NOP, Op.DMB -> {
          if ((d & 0xFF) == Op.DMB) {
            cyc += costs.dmb();
          }
        }

        // ---- the rare rest: sync locals, let the machine act, reload
        default -> {
          c.pc = pc;
          c.cycles = cyc;
          c.nzcv = nzcv;
          int op = d & 0xFF;
          boolean exit = false;
          long next = npc;
          switch (op) {
            case Op.ISB -> {
              long t = t0 + cyc;
              obs.instructions(runStart, runCount, t);
              obs.waypoint(pc, CoreObserver.ISB, true, false, npc, t);
              runStart = npc;
              runCount = 0;
              m.contextSynchronize(c, t);
              c.cycles += costs.isb();
            }
            case Op.DSB -> {
              boolean full = (a & 3) == 3 && a != 7; // all access types, not NSH: completes broadcast maintenance
              if (c.maintenancePending && full) {
                c.cycles += costs.dsbMaintenance();
                m.maintenanceBarrier(c);
              } else {
                c.cycles += costs.dsb();
              }
            }
            case Op.DC_CVAU, Op.DC_OTHER -> {
              c.cycles += costs.dcCvau();
              c.maintenancePending = true;
            }
            case Op.IC_IVAU, Op.IC_IALLU -> {
              c.cycles += costs.icIvau();
              m.icInvalidate(c, op == Op.IC_IVAU ? x[rn(d)] : 0, op == Op.IC_IALLU);
            }
            case Op.WFI -> {
              if (c.pendingIrqs == 0) {
                // sleep until the next interrupt arrives (or the slice ends)
                c.cycles = Math.max(c.cycles, Math.min(limit, c.nextIrqCycle()));
              }
              exit = true;
            }
            case Op.MRS, Op.MSR, Op.MSR_IMM -> {
              int st = switch (op) {
                case Op.MRS -> m.readSysReg(c, (int) a, rd(d));
                case Op.MSR -> m.writeSysReg(c, (int) a, x[rn(d)]);
                default -> m.writePstateField(c, extra(d), (int) a);
              };
              if (st == Machine.SYS_UNDEF) {
                runCount--;
                count--;
                exit = undefined(c, pc, d, code, runStart, runCount, t0);
                runCount = 0;
                next = c.pc;
              } else if (st == Machine.SYS_RECHECK) {
                exit = true;
              }
            }
            case Op.ERET -> {
              if (c.el == 0) {
                runCount--;
                count--;
                exit = undefined(c, pc, d, code, runStart, runCount, t0);
                runCount = 0;
                next = c.pc;
              } else {
                obs.instructions(runStart, runCount, t0 + cyc);
                runCount = 0;
                m.exceptionReturn(c, pc);
                next = c.pc;
                exit = true;
              }
            }
            case Op.SVC -> {
              obs.instructions(runStart, runCount, t0 + cyc);
              runCount = 0;
              c.pc = npc;
              m.takeException(c, CoreObserver.EXCEPTION_SVC, npc, 0x15L << 26 | 1L << 25 | a);
              next = c.pc;
            }
            case Op.BRK -> {
              runCount--;
              count--;
              if (runCount > 0) {
                obs.instructions(runStart, runCount, t0 + cyc);
              }
              runCount = 0;
              m.takeException(c, CoreObserver.EXCEPTION_BRK, pc, 0x3CL << 26 | 1L << 25 | a);
              next = c.pc;
            }
            default -> { // UNDEF and anything not implemented
              runCount--;
              count--;
              exit = undefined(c, pc, d, code, runStart, runCount, t0);
              runCount = 0;
              next = c.pc;
            }
          }
          pc = next;
          cyc = c.cycles;
          nzcv = c.nzcv;
          if (runCount == 0) {
            runStart = pc;
          }
          if (exit || m.stopRequested) {
            c.pc = pc;
            c.cycles = cyc;
            c.nzcv = nzcv;
            c.instructions += count;
            if (runCount > 0) {
              obs.instructions(runStart, runCount, t0 + cyc);
            }
            return;
          }
          continue;
        }
      }
      pc = npc;
    }
    c.pc = pc;
    c.cycles = cyc;
    c.nzcv = nzcv;
    c.instructions += count;
    if (runCount > 0) {
      obs.instructions(runStart, runCount, t0 + cyc);
    }
  }

  /** Takes the UNDEFINED exception for the instruction at {@code pc}; returns false (keep running). */
  private boolean undefined(Core c, long pc, int d, Region code, long runStart, int runCount, long t0) {
    if (runCount > 0) {
      c.observer.instructions(runStart, runCount, t0 + c.cycles);
    }
    int word = code.ops[(int) ((pc - code.base) >>> 2)] == Op.WATCHED ? c.fetchedWord : code.word(pc);
    m.recordUndefined(c, pc, word);
    c.pc = pc;
    // UNDEF with EC 0x00 and IL = 1
    m.takeException(c, CoreObserver.EXCEPTION_UNDEF, pc, 1L << 25);
    return false;
  }
}
