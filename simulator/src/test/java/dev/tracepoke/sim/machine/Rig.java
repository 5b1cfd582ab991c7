package dev.tracepoke.sim.machine;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.SysReg;
import java.util.function.Consumer;

/** A small machine for tests: text, data and stack regions, and a host call that stops the run. */
final class Rig {
  static final long TEXT = 0xFFFF800010000000L;
  static final long DATA = 0x40000000L;
  static final long STACK = 0x50000000L;
  static final int STACK_SIZE = 0x10000;
  /** Host-call value that stops the machine. */
  static final long STOP_CALL = 0;
  /** The word that stops the run: MSR S3_7_C15_C0_0, XZR. */
  static final int STOP = A64.msr(SysReg.HOSTCALL, A64.XZR);

  final Machine m;

  Rig(MachineConfig config) {
    m = new Machine(config);
    m.memory().map("text", TEXT, 1 << 20, true);
    m.memory().map("data", DATA, 1 << 16, false);
    m.memory().map("stack", STACK, STACK_SIZE * config.cores(), false);
    for (int i = 0; i < config.cores(); i++) {
      m.core(i).setSpEl1(STACK + (long) STACK_SIZE * (i + 1));
    }
    m.setHostCall((core, v) -> {
      if (v == STOP_CALL) {
        m.requestStop();
      }
    });
  }

  Rig() {
    this(MachineConfig.defaults().withCores(1));
  }

  /** Loads {@code words} at TEXT followed by STOP, runs core 0 from TEXT, returns it. */
  Core run(int... words) {
    return run(c -> {}, words);
  }

  Core run(Consumer<Core> setup, int... words) {
    int[] all = java.util.Arrays.copyOf(words, words.length + 1);
    all[words.length] = STOP;
    m.memory().loadWords(TEXT, all);
    Core c = m.core(0);
    for (int i = 0; i <= 30; i++) {
      c.setX(i, 0);
    }
    c.setNzcv(0);
    c.setSp(STACK + STACK_SIZE);
    c.setPc(TEXT);
    setup.accept(c);
    m.run(Long.MAX_VALUE, 10_000_000);
    return c;
  }

  Core run(Assembler a) {
    m.memory().loadWords(a.base(), a.words());
    Core c = m.core(0);
    c.setPc(a.base());
    m.run(Long.MAX_VALUE, 10_000_000);
    return c;
  }
}
