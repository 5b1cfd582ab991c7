package dev.tracepoke.sim.etm;

import static dev.tracepoke.sim.asm.A64.x;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.sim.asm.A64;
import dev.tracepoke.sim.asm.Assembler;
import dev.tracepoke.sim.asm.Assembler.Label;
import dev.tracepoke.sim.asm.Cond;
import dev.tracepoke.sim.asm.Shift;
import dev.tracepoke.sim.asm.SysReg;
import dev.tracepoke.sim.machine.Core;
import dev.tracepoke.sim.machine.CoreObserver;
import dev.tracepoke.sim.machine.Machine;
import dev.tracepoke.sim.machine.MachineConfig;
import dev.tracepoke.sim.machine.ObserverTee;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real machine: an EL0 loop (data-dependent branches, calls, an indirect call,
 * ISB, SVC, BRK, UDF) under a periodic timer interrupt, executed by {@link Machine} with the trace
 * unit as core 0's observer. OpenCSD's decode of the stream must equal what the core reported.
 */
class MachineOpenCsdTest {

  private static final long TEXT = 0xFFFF_8000_1000_0000L;
  private static final long VBAR = TEXT + 0x1_0000;
  private static final long USER = 0x0040_0000L;
  private static final long STACK = 0x5000_0000L;
  private static final int STOP = A64.msr(SysReg.HOSTCALL, A64.XZR);

  private static int[] userProgram(Assembler a) {
    Label loop = a.newLabel("loop");
    Label ufunc = a.newLabel("ufunc");
    Label ufunc2 = a.newLabel("ufunc2");
    Label s1 = a.newLabel();
    Label s2 = a.newLabel();
    Label s3 = a.newLabel();
    Label s4 = a.newLabel();
    Label s5 = a.newLabel();
    a.movImm64(x(19), 300);                          // iterations
    a.movImm64(x(0), 0x9E3779B97F4A7C15L);           // xorshift state
    a.bind(loop);
    a.emit(A64.eor(x(0), x(0), x(0), Shift.LSL, 13));
    a.emit(A64.eor(x(0), x(0), x(0), Shift.LSR, 7));
    a.emit(A64.eor(x(0), x(0), x(0), Shift.LSL, 17));
    a.tbz(x(0), 3, s1);
    a.emit(A64.add(x(1), x(1), 1));
    a.bind(s1);
    a.tbnz(x(0), 9, s2);
    a.emit(A64.add(x(2), x(2), 1));
    a.bind(s2);
    a.emit(A64.and(x(4), x(0), 7));
    a.cbz(x(4), s3);
    a.bl(ufunc);
    a.bind(s3);
    a.adr(x(5), ufunc2);
    a.emit(A64.blr(x(5)));
    a.emit(A64.tst(x(0), 0x30));
    a.bcond(Cond.NE, s4);
    a.emit(A64.isb());
    a.emit(A64.svc(0));
    a.bind(s4);
    a.emit(A64.tst(x(0), 0x1C0));
    a.bcond(Cond.NE, s5);
    a.emit(A64.brk(1));
    a.emit(0x0000_0002);                             // UDF #2
    a.bind(s5);
    a.emit(A64.subs(x(19), x(19), 1));
    a.bcond(Cond.NE, loop);
    a.emit(A64.svc(1));                              // the handler stops the machine
    a.bind(ufunc);
    a.emit(A64.add(x(6), x(6), 1));
    a.emit(A64.ret());
    a.bind(ufunc2);
    Label r = a.newLabel();
    a.tbz(x(0), 5, r);
    a.emit(A64.add(x(7), x(7), 1));
    a.bind(r);
    a.emit(A64.ret());
    return a.words();
  }

  /** Vectors: lower-EL sync (SVC: call a kernel function, SVC #1 stops; BRK/UNDEF: skip it) and IRQ. */
  private static int[] vectors(Assembler a) {
    Label svc = a.newLabel("svc");
    Label stop = a.newLabel("stop");
    Label kfunc = a.newLabel("kfunc");
    while (a.pc() < VBAR + 0x400) {
      a.emit(STOP);
    }
    a.emit(A64.mrs(x(9), SysReg.ESR_EL1));
    a.emit(A64.lsr(x(12), x(9), 26));
    a.emit(A64.cmp(x(12), 0x15));
    a.bcond(Cond.EQ, svc);
    a.emit(A64.mrs(x(13), SysReg.ELR_EL1));
    a.emit(A64.add(x(13), x(13), 4));
    a.emit(A64.msr(SysReg.ELR_EL1, x(13)));
    a.emit(A64.eret());
    a.bind(svc);
    a.emit(A64.and(x(9), x(9), 0xFFFF));
    a.cbnz(x(9), stop);
    a.bl(kfunc);
    a.emit(A64.eret());
    a.bind(stop);
    a.emit(STOP);
    while (a.pc() < VBAR + 0x480) {
      a.emit(STOP);
    }
    a.emit(A64.mrs(x(11), SysReg.ICC_IAR1_EL1));
    a.emit(A64.msr(SysReg.ICC_EOIR1_EL1, x(11)));
    a.emit(A64.eret());
    a.bind(kfunc);
    Label k = a.newLabel();
    a.emit(A64.add(x(10), x(10), 1));
    a.tbz(x(10), 0, k);
    a.emit(A64.add(x(14), x(14), 1));
    a.bind(k);
    a.emit(A64.ret());
    return a.words();
  }

  @Test
  void openCsdDecodesWhatTheMachineExecuted(@TempDir Path dir) throws Exception {
    Optional<Path> lister = TrcPktLister.binary();
    if (lister.isEmpty()) {
      System.out.println("MachineOpenCsdTest skipped: trc_pkt_lister (Debian libopencsd-bin) is not on PATH");
    }
    assumeTrue(lister.isPresent(), "trc_pkt_lister not installed");

    Machine m = new Machine(MachineConfig.defaults().withCores(1));
    m.memory().map("user", USER, 0x1_0000, true);
    m.memory().map("text", TEXT, 0x2_0000, true);
    m.memory().map("stack", STACK, 0x1_0000, false);
    m.setHostCall((core, v) -> m.requestStop());
    int[] user = userProgram(new Assembler(USER));
    int[] vectors = vectors(new Assembler(VBAR));
    m.memory().loadWords(USER, user);
    m.memory().loadWords(VBAR, vectors);

    long t0 = m.startTime();
    EtmConfig config = EtmConfig.forCpu(0).withInitialEl(0).withContextIdTracing(true, 0x42)
        .withSyncPeriodLog2(10).withTimestamps(true, 2000);
    List<ScriptedRun.Packet> packets = new ArrayList<>();
    Etm4TraceUnit unit = new Etm4TraceUnit(config,
        (kind, offset, length, value, extra) -> packets.add(new ScriptedRun.Packet(kind, offset, length, value, extra)));
    ElementRecorder truth = new ElementRecorder(pc -> m.memory().read32(pc), 0);
    Core c = m.core(0);
    c.setObserver(new ObserverTee(unit, truth));
    c.setVbar(VBAR);
    c.setSpEl1(STACK + 0x8000);
    c.setMode(0, 0);
    c.setDaif(0);
    c.setSpEl0(STACK + 0x1_0000);
    c.setPc(USER);
    m.startTimer(0, t0 + 300, 397, 0);
    m.run(Long.MAX_VALUE, 10_000_000);
    unit.finish(c.time());

    String counts = String.format("SVC %d BRK %d UNDEF %d IRQ %d, %d instructions, pc 0x%x", c.exceptionCount(0),
        c.exceptionCount(1), c.exceptionCount(2), c.exceptionCount(3), c.instructions(), c.pc());
    assertTrue(c.exceptionCount(CoreObserver.EXCEPTION_SVC) > 10, counts);
    assertTrue(c.exceptionCount(CoreObserver.EXCEPTION_BRK) > 10, counts);
    assertTrue(c.exceptionCount(CoreObserver.EXCEPTION_UNDEF) > 10, counts);
    assertTrue(c.exceptionCount(CoreObserver.EXCEPTION_IRQ) > 10, counts);
    assertEquals(c.instructions(), unit.stats().instructions());

    List<OpenCsdSnapshot.Dump> dumps = List.of(new OpenCsdSnapshot.Dump(USER, user), new OpenCsdSnapshot.Dump(VBAR, vectors));
    byte[] trace = unit.buffer().toByteArray();
    OpenCsdSnapshot.write(dir, config, trace, dumps);
    TrcPktLister.Output out = TrcPktLister.run(lister.get(), dir, true);
    assertEquals(List.of(), out.errors());
    assertEquals(packets.size(), out.packets().size());
    for (int i = 0; i < packets.size(); i++) {
      assertEquals(packets.get(i).offset(), out.packets().get(i).idx(), "packet " + i);
    }

    List<ScriptedCore.Expected> expected = new ArrayList<>();
    expected.add(new ScriptedCore.Expected("NO_SYNC init-decoder", 0));
    expected.add(new ScriptedCore.Expected("TRACE_ON begin or filter", 0));
    expected.addAll(truth.expected);
    expected.add(new ScriptedCore.Expected("EO_TRACE", c.time()));
    Etm4OpenCsdOracleTest.assertDecodes(expected, out.elements(), config);
    TraceUnitStats stats = unit.stats();
    assertEquals(c.exceptionCount(0) + c.exceptionCount(1) + c.exceptionCount(2) + c.exceptionCount(3), stats.exceptions());
    assertEquals(stats.exceptions() - 1, stats.exceptionReturns(), "every exception but the final SVC returns");
  }
}
