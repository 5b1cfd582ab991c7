package dev.tracepoke.truth;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * A deterministic, kernel-like instruction stream for measuring truth size: functions with loops of
 * varying trip counts, if/else inside loop bodies, nested calls, patch sites (static-key NOPs) in
 * function prologues, periodic IRQs with a handler and ERET, rare overflow stretches. Time follows
 * a 2 GHz core: one cycle per instruction plus random stalls.
 */
final class LoopWorkload {
  static final long TEXT = 0xFFFF_8000_0801_0000L;
  static final long VECTORS = 0xFFFF_8000_0800_0800L;

  private final SplittableRandom r;
  private final TruthWriter.CoreWriter w;
  private final long limit;
  private final boolean stalls;
  private final int functions = 48;
  private final long[] entry = new long[functions];
  private final int[] prologue = new int[functions];
  private final int[] loopBody = new int[functions];
  private final int[] maxTrips = new int[functions];
  private final boolean[] patchSite = new boolean[functions];
  private final int[] callee = new int[functions];
  private long cycles;
  private long executed;
  private long nextIrq;

  /** {@code stalls}: one run in ten waits 5..40 extra cycles (cache misses, mispredicts). */
  LoopWorkload(long seed, TruthWriter.CoreWriter w, long instructions, boolean stalls) {
    this.r = new SplittableRandom(seed);
    this.stalls = stalls;
    this.w = w;
    this.limit = instructions;
    long at = TEXT;
    for (int f = 0; f < functions; f++) {
      entry[f] = at;
      prologue[f] = 3 + r.nextInt(5);
      loopBody[f] = 3 + r.nextInt(8);
      maxTrips[f] = 1 + r.nextInt(64);
      patchSite[f] = r.nextInt(10) < 3;
      callee[f] = f + 1 < functions && r.nextBoolean() ? f + 1 + r.nextInt(functions - f - 1) : -1;
      at += 4L * (prologue[f] + 2 * loopBody[f] + 24) + 64;
    }
    nextIrq = 80_000 + r.nextInt(40_000);
  }

  /** Runs until at least the instruction budget is spent; returns instructions written. */
  long run() throws IOException {
    while (executed < limit) {
      call(r.nextInt(functions), 0);
    }
    return executed;
  }

  private void call(int f, int depth) throws IOException {
    long pc = entry[f];
    if (patchSite[f]) {
      w.patchSite(pc + 4, 0xD503201F, true, now());
    }
    emit(pc, prologue[f]);
    long head = pc + 4L * prologue[f];
    int trips = 1 + r.nextInt(maxTrips[f]);
    for (int t = 0; t < trips; t++) {
      if (r.nextInt(8) == 0) {
        // else-branch: first half of the body, a jump to the alternate tail, the tail
        int half = loopBody[f] / 2 + 1;
        emit(head, half);
        emit(head + 4L * (loopBody[f] + 4), loopBody[f] - half + 1);
      } else {
        emit(head, loopBody[f]);
      }
    }
    long after = head + 4L * (2 * loopBody[f] + 8);
    if (callee[f] >= 0 && depth < 3) {
      emit(after, 2); // ... bl callee
      call(callee[f], depth + 1);
      emit(after + 8, 3); // ... ret
    } else {
      emit(after, 4);
    }
  }

  private void emit(long pc, int count) throws IOException {
    w.run(pc, count, now());
    cycles += count + (stalls && r.nextInt(10) == 0 ? 5 + r.nextInt(36) : 0);
    executed += count;
    if (executed >= nextIrq) {
      irq(pc + 4L * count);
      nextIrq = executed + 80_000 + r.nextInt(40_000);
    }
  }

  private void irq(long ret) throws IOException {
    w.exception(3, ret, VECTORS + 0x280, 1, 1, now());
    cycles += 30;
    long h = VECTORS + 0x280;
    w.run(h, 24, now());
    cycles += 24;
    w.run(h + 0x800, 17, now());
    cycles += 17;
    executed += 41;
    if (r.nextInt(50) == 0) {
      w.untraced(now() - 2_000, now());
    }
    w.exceptionReturn(h + 0x800 + 16 * 4, ret, 1, now());
  }

  private long now() {
    return 1_000_000_000L + cycles / 2;
  }
}
