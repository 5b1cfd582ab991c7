package dev.tracepoke.sim.machine;

import static dev.tracepoke.sim.asm.A64.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Shift;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External oracle for execution: a generated EL0 program (loops, calls, indirect calls, branches on
 * a pseudo-random state, loads and stores), wrapped as a static ELF, runs under qemu-aarch64 with
 * per-instruction logging; its PC sequence must equal the simulator's, instruction for instruction.
 */
class QemuOracleTest {
  private static final String QEMU = "qemu-aarch64";
  private static final long CODE = 0x401000L;
  private static final long DATA = 0x600000L;
  private static final int DATA_SIZE = 0x2000;
  private static final int FUNCTIONS = 8;

  /** The program: code words and the initial data (function table, then a scratch buffer). */
  record Program(int[] code, byte[] data, long entry) {}

  static Program generate(long seed, int iterations) {
    Random rnd = new Random(seed);
    Assembler a = new Assembler(CODE);
    Assembler.Label step = a.newLabel("step");
    Assembler.Label[] fns = new Assembler.Label[FUNCTIONS];
    for (int i = 0; i < FUNCTIONS; i++) {
      fns[i] = a.newLabel("f" + i);
    }
    // _start
    a.movImm64(x(19), 0x9E3779B97F4A7C15L ^ seed);
    a.movImm64(x(20), iterations);
    a.emit(adrp(x(21), (DATA >> 12) - (CODE >> 12)));
    a.emit(add(x(22), x(21), 0x100)); // scratch buffer after the table
    Assembler.Label loop = a.here();
    a.bl(step);
    a.emit(and(x(0), x(19), FUNCTIONS - 1));
    a.emit(ldr(x(1), x(21), x(0), dev.tracepoke.sim.asm.Extend.LSL, true));
    a.emit(blr(x(1)));
    a.emit(subs(x(20), x(20), 1));
    a.bcond(Cond.NE, loop);
    a.emit(movz(x(0), 0, 0));
    a.emit(movz(x(8), 93, 0)); // exit
    a.emit(svc(0));
    // xorshift64 state update
    a.bind(step);
    a.emit(eor(x(19), x(19), x(19), Shift.LSL, 13));
    a.emit(eor(x(19), x(19), x(19), Shift.LSR, 7));
    a.emit(eor(x(19), x(19), x(19), Shift.LSL, 17));
    a.emit(ret());
    for (int i = 0; i < FUNCTIONS; i++) {
      a.bind(fns[i]);
      function(a, rnd, step);
    }
    int[] code = a.words();
    ByteBuffer data = ByteBuffer.allocate(DATA_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (Assembler.Label f : fns) {
      data.putLong(f.address());
    }
    return new Program(code, data.array(), CODE);
  }

  /** A function: frame, a few random blocks branching on state bits, inner loops, a nested call. */
  private static void function(Assembler a, Random rnd, Assembler.Label step) {
    a.emit(stpPre(x(29), x(30), SP, -32));
    a.emit(movSp(x(29), SP));
    a.emit(str(x(23), SP, 16));
    int blocks = 2 + rnd.nextInt(4);
    for (int b = 0; b < blocks; b++) {
      Assembler.Label skip = a.newLabel();
      int bit = rnd.nextInt(64);
      switch (rnd.nextInt(5)) {
        case 4 -> { // a flag chain: CMP, CCMP, then a conditional branch on the combined flags
          a.emit(and(x(9), x(19), 0xFF));
          a.emit(cmp(x(9), rnd.nextInt(256)));
          a.emit(ccmp(x(10), rnd.nextInt(32), rnd.nextInt(16), Cond.values()[rnd.nextInt(14)]));
          a.bcond(Cond.values()[rnd.nextInt(14)], skip);
        }
        case 0 -> a.tbz(x(19), bit, skip);
        case 1 -> a.tbnz(x(19), bit, skip);
        case 2 -> {
          a.emit(and(x(9), x(19), 0xF0));
          a.cbz(x(9), skip);
        }
        default -> {
          a.emit(and(x(9), x(19), 0xFF));
          a.emit(cmp(x(9), rnd.nextInt(256)));
          a.bcond(Cond.values()[rnd.nextInt(14)], skip);
        }
      }
      int n = 1 + rnd.nextInt(5);
      for (int k = 0; k < n; k++) {
        switch (rnd.nextInt(9)) {
          case 7 -> a.emit(add(x(10), x(10), w(19), dev.tracepoke.sim.asm.RegExtend.SXTW, rnd.nextInt(5)));
          case 8 -> a.emit(subs(w(11), w(11), w(19), dev.tracepoke.sim.asm.RegExtend.UXTB, rnd.nextInt(5)));
          case 0 -> a.emit(add(x(10), x(10), x(19), Shift.LSR, rnd.nextInt(64)));
          case 1 -> a.emit(eor(x(11), x(11), 0xFF00FF00FF00FF00L));
          case 2 -> a.emit(str(x(10), x(22), 8 * rnd.nextInt(64)));
          case 3 -> a.emit(ldr(x(12), x(22), 8 * rnd.nextInt(64)));
          case 4 -> a.emit(csel(x(13), x(10), x(11), Cond.values()[rnd.nextInt(14)]));
          case 5 -> a.emit(ubfx(x(14), x(19), rnd.nextInt(32), 1 + rnd.nextInt(31)));
          default -> a.emit(madd(x(15), x(10), x(11), x(15)));
        }
      }
      a.bind(skip);
      if (rnd.nextInt(3) == 0) { // an inner loop of 1..8 iterations chosen by the state
        a.emit(and(x(23), x(19), 7));
        a.emit(add(x(23), x(23), 1));
        Assembler.Label inner = a.here();
        a.emit(add(x(10), x(10), 3));
        a.emit(sub(x(23), x(23), 1));
        a.cbnz(x(23), inner);
      }
      if (rnd.nextInt(4) == 0) {
        a.bl(step);
      }
    }
    a.emit(ldr(x(23), SP, 16));
    a.emit(ldpPost(x(29), x(30), SP, 32));
    a.emit(ret());
  }

  /** A static ELF64 AArch64 executable: code (R X) and data (R W) as two PT_LOAD segments. */
  static byte[] elf(Program p) {
    int codeOff = 0x1000;
    int codeSize = p.code().length * 4;
    int dataOff = codeOff + ((codeSize + 0xFFF) & ~0xFFF);
    ByteBuffer b = ByteBuffer.allocate(dataOff + p.data().length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
    b.position(16);
    b.putShort((short) 2); // ET_EXEC
    b.putShort((short) 183); // EM_AARCH64
    b.putInt(1);
    b.putLong(p.entry());
    b.putLong(64); // e_phoff
    b.putLong(0); // e_shoff
    b.putInt(0); // e_flags
    b.putShort((short) 64);
    b.putShort((short) 56);
    b.putShort((short) 2);
    b.putShort((short) 64);
    b.putShort((short) 0);
    b.putShort((short) 0);
    phdr(b, 5, codeOff, CODE, codeSize); // PF_R | PF_X
    phdr(b, 6, dataOff, DATA, p.data().length); // PF_R | PF_W
    b.position(codeOff);
    for (int w : p.code()) {
      b.putInt(w);
    }
    b.position(dataOff);
    b.put(p.data());
    return b.array();
  }

  private static void phdr(ByteBuffer b, int flags, long off, long vaddr, long size) {
    b.putInt(1); // PT_LOAD
    b.putInt(flags);
    b.putLong(off);
    b.putLong(vaddr);
    b.putLong(vaddr);
    b.putLong(size);
    b.putLong(size);
    b.putLong(0x1000);
  }

  /** PCs the simulator executes at EL0 before the exit SVC's exception (the SVC included). */
  static long[] simulate(Program p) {
    Machine m = new Machine(MachineConfig.defaults().withCores(1));
    long vbar = 0xFFFF800000000000L;
    m.memory().map("text", CODE, (p.code().length * 4 + 0xFFF) & ~0xFFF, true);
    m.memory().map("data", DATA, DATA_SIZE, false);
    m.memory().map("stack", 0x7F0000000L, 0x10000, false);
    m.memory().map("vectors", vbar, 0x800, true);
    m.memory().loadWords(CODE, p.code());
    m.memory().load(DATA, p.data());
    m.memory().loadWords(vbar + 0x400, new int[] {Rig.STOP});
    m.setHostCall((core, v) -> m.requestStop());
    Core c = m.core(0);
    c.setVbar(vbar);
    c.setMode(0, 0);
    c.setDaif(0);
    c.setSp(0x7F0010000L);
    c.setPc(p.entry());
    LongArrayList pcs = new LongArrayList();
    boolean[] done = {false};
    c.setObserver(new CoreObserver() {
      @Override
      public void instructions(long startPc, int count, long time) {
        if (!done[0]) {
          for (int i = 0; i < count; i++) {
            pcs.add(startPc + 4L * i);
          }
        }
      }

      @Override
      public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {}

      @Override
      public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
        done[0] = true;
      }

      @Override
      public void exceptionReturn(long pc, long target, int toEl, long time) {}

      @Override
      public void patchSiteExecuted(long pc, int word, boolean newest, long time) {}
    });
    RunResult r = m.run(Long.MAX_VALUE, 50_000_000);
    assertEquals(RunResult.Reason.STOPPED, r.reason());
    assertEquals(0, m.undefinedCount());
    assertEquals(93, c.x(8));
    return pcs.toLongArray();
  }

  static long[] qemu(Path dir, Program p) throws IOException, InterruptedException {
    Path prog = dir.resolve("prog");
    Files.write(prog, elf(p));
    assertTrue(prog.toFile().setExecutable(true));
    Path log = dir.resolve("LOG");
    Process q = new ProcessBuilder(QEMU, "-singlestep", "-d", "exec,nochain", "-D", log.toString(), prog.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
    assertTrue(q.waitFor(300, TimeUnit.SECONDS), "qemu timed out");
    assertEquals(0, q.exitValue(), Files.readString(dir.resolve("out")));
    LongArrayList pcs = new LongArrayList();
    try (BufferedReader r = Files.newBufferedReader(log)) {
      String line;
      while ((line = r.readLine()) != null) {
        // "Trace 0: 0x7f... [00000000/0000000000401000/00000000/ff200000] "
        if (!line.startsWith("Trace ")) {
          continue;
        }
        int open = line.indexOf('[');
        int s1 = line.indexOf('/', open);
        int s2 = line.indexOf('/', s1 + 1);
        pcs.add(Long.parseUnsignedLong(line.substring(s1 + 1, s2), 16));
      }
    }
    return pcs.toLongArray();
  }

  @Test
  void pcSequenceEqualsQemu(@TempDir Path dir) throws IOException, InterruptedException {
    assumeTrue(onPath(QEMU), () -> {
      System.out.println("QemuOracleTest skipped: " + QEMU + " (package qemu-user) is not on PATH");
      return QEMU + " absent";
    });
    Program p = generate(2024, 4000); // 209,947 instructions
    long[] sim = simulate(p);
    long[] ref = qemu(dir, p);
    assertTrue(ref.length >= 100_000, "qemu executed only " + ref.length + " instructions");
    int n = Math.min(sim.length, ref.length);
    for (int i = 0; i < n; i++) {
      if (sim[i] != ref[i]) {
        assertEquals(String.format("0x%x", ref[i]), String.format("0x%x", sim[i]), "first divergence at instruction " + i);
      }
    }
    assertEquals(ref.length, sim.length);
  }

  private static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, exe))) {
        return true;
      }
    }
    return false;
  }
}
