package dev.tracepoke.sim.scenario;

import dev.tracepoke.coresight.TraceIdMap;
import dev.tracepoke.recording.RecordingWriter;
import dev.tracepoke.sim.etm.EtmConfig;
import dev.tracepoke.sim.etm.EtmOptions;
import dev.tracepoke.sim.etm.OverflowWindow;
import dev.tracepoke.sim.etm.TimeConv;
import dev.tracepoke.sim.etm.UntracedStretch;
import dev.tracepoke.sim.machine.Core;
import dev.tracepoke.sim.machine.CoreObserver;
import dev.tracepoke.sim.machine.Machine;
import dev.tracepoke.sim.machine.MachineConfig;
import dev.tracepoke.sim.machine.Memory;
import dev.tracepoke.sim.machine.RunResult;
import dev.tracepoke.sim.patching.PatchHost;
import dev.tracepoke.sim.patching.PatchSchedule;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.sim.workload.Layout;
import dev.tracepoke.sim.workload.PatchSite;
import dev.tracepoke.sim.workload.WorkloadGenerator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.tracepoke.truth.TruthWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A scenario, set up and run: generates the kernel image, plans the patch schedule, maps and loads
 * the machine, schedules timer and patch interrupts, runs every core to {@code run_nanos} and
 * keeps what the recording and the summary need. The last core patches.
 */
public final class Simulation {
  /** perf time (ns) at which every run starts. */
  public static final long START_TIME = 1_000_000_000L;
  /** Average dynamic instructions of one EL0 loop turn (three EORs, TBZ, half an ADD, SUBS, B.NE). */
  private static final double USER_TURN_CYCLES = 6.5;
  public static final int TRUTH_ZSTD_LEVEL = 9;

  private final Scenario scenario;

  public Simulation(Scenario scenario) {
    this.scenario = scenario;
  }

  public Scenario scenario() {
    return scenario;
  }

  /** User-loop turns between two system calls for the scenario's syscall rate. */
  static long userIterations(double syscallsPerMilli) {
    if (syscallsPerMilli <= 0) {
      return 1L << 62;
    }
    // about half of each interval in EL0; the system call itself takes most of the other half
    return Math.max(1, Math.round(1e6 / syscallsPerMilli / 2 / USER_TURN_CYCLES));
  }

  /**
   * Runs the scenario. {@code trace} and {@code truth} give each core's trace unit and ground-truth
   * observer (either may return null).
   */
  public SimulationRun run(IntFunction<CoreObserver> trace, IntFunction<CoreObserver> truth) {
    Scenario s = scenario;
    KernelImage image = new WorkloadGenerator(s.seed(), s.functions(), s.cores(), userIterations(s.syscallsPerMilli()))
        .generate();
    PatchSchedule schedule = PatchSchedule.plan(image, s.seed(), START_TIME, s.runNanos(), s.pokesPerMilli(),
        s.protocol(), s.events());
    MachineConfig config = MachineConfig.defaults().withCores(s.cores()).withSeed(s.seed())
        .withBias(s.fetchBias()).withStartTime(START_TIME);
    Machine m = new Machine(config);
    Memory mem = m.memory();
    byte[] text = image.textBytes();
    mem.map("kernel-text", Layout.KERNEL_BASE, roundUp(text.length, 0x10000), true);
    mem.load(Layout.KERNEL_BASE, text);
    byte[] queue = schedule.queue();
    byte[] data = image.data();
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(Layout.G_PATCH_COUNT, schedule.ops().size());
    mem.map("kernel-data", Layout.DATA_BASE, roundUp(Layout.DATA_FIXED_SIZE + queue.length, 0x1000), false);
    mem.load(Layout.DATA_BASE, data);
    mem.load(Layout.op(0), queue);
    mem.map("kernel-stacks", Layout.KERNEL_STACK_BASE, s.cores() * Layout.KERNEL_STACK_SIZE, false);
    byte[] user = image.userTextBytes();
    mem.map("user-text", Layout.USER_BASE, roundUp(user.length, 0x1000), true);
    mem.load(Layout.USER_BASE, user);
    mem.map("user-stacks", Layout.USER_STACK_BASE, s.cores() * Layout.USER_STACK_SIZE, false);
    for (PatchSite site : image.sites()) {
      m.registerPatchSite(site.address());
    }

    PatchHost host = new PatchHost(schedule, s.cores());
    m.setHostCall(host);
    CoreTap[] taps = new CoreTap[s.cores()];
    for (int c = 0; c < s.cores(); c++) {
      Core core = m.core(c);
      core.setPc(image.bootEntry());
      core.setX(0, c);
      taps[c] = new CoreTap(trace == null ? null : trace.apply(c), truth == null ? null : truth.apply(c));
      core.setObserver(taps[c]);
    }
    long end = START_TIME + s.runNanos();
    scheduleTimers(m, s, end);
    int patcher = s.cores() - 1;
    for (long t : schedule.interruptTimes()) {
      m.raiseIrq(patcher, t, Layout.INTID_PATCH);
    }
    RunResult result = m.run(end, Long.MAX_VALUE);
    if (result.reason() != RunResult.Reason.TIME) {
      throw new IllegalStateException("run ended early: " + result);
    }
    return new SimulationRun(s, image, schedule, m, host, taps);
  }

  /** How the trace unit of {@code cpu} is programmed for this scenario. */
  public EtmConfig etmConfig(int cpu) {
    Scenario s = scenario;
    List<OverflowWindow> overflows = new ArrayList<>();
    if (s.overflowEveryNanos() > 0) {
      // a 2 us FIFO-full stretch every overflow_every_nanos, staggered per cpu
      long phase = s.overflowEveryNanos() / (s.cores() + 1) * (cpu + 1);
      for (long t = START_TIME + phase; t + 2_000 < START_TIME + s.runNanos(); t += s.overflowEveryNanos()) {
        overflows.add(new OverflowWindow(t, t + 2_000));
      }
    }
    return EtmConfig.forCpu(cpu)
        .withTraceId(TraceIdMap.perfSession(s.cores())[cpu])
        .withSyncPeriodLog2(Integer.numberOfTrailingZeros(s.etmSyncPeriodBytes()))
        .withTimestamps(true, s.etmTimestampPeriodCycles())
        .withCseTimestamps(s.etmCseTimestamps())
        .withOptions(new EtmOptions(s.etmReturnStack(), s.etmBranchBroadcast(), s.etmCycleCounting()))
        .withTimeConv(TimeConv.defaults())
        .withOverflows(overflows);
  }

  /** {@link #record(Path, Function)} with an ETMv4 trace unit per core. */
  public RunSummary record(Path out) throws IOException {
    return record(out, EtmUnit::new);
  }

  /**
   * Runs the scenario and writes the recording to {@code out} (absent or empty): {@code data},
   * {@code kcore_dir/}, {@code truth/}. {@code units} makes the trace unit of each core from
   * {@link #etmConfig}.
   */
  public RunSummary record(Path out, Function<EtmConfig, TraceUnit> units) throws IOException {
    Scenario s = scenario;
    TraceUnit[] trace = new TraceUnit[s.cores()];
    for (int c = 0; c < s.cores(); c++) {
      trace[c] = units.apply(etmConfig(c));
    }
    Map<String, String> meta = new TreeMap<>();
    meta.put("scenario", s.name());
    meta.put("seed", Long.toString(s.seed()));
    meta.put("protocol", s.protocol().id());
    meta.put("events", s.events().id());
    meta.put("run_nanos", Long.toString(s.runNanos()));
    try (RecordingWriter w = RecordingWriter.create(out, b -> RecordingAssembly.describe(b, s.cores()))) {
      // a run that fails leaves no file that looks whole: the perf.data and truth files are dropped
      try {
        SimulationRun run;
        long end = START_TIME + s.runNanos();
        List<CoreTrace> traces = new ArrayList<>();
        long[] bytes = new long[s.cores()];
        // zstd 9, not the writer's default 15: on the default scenario (8 M instructions) 674 KB in
        // about 1 s instead of 486 KB in about 5 s, still well under 1/8 byte per instruction
        try (TruthWriter truth = TruthWriter.create(w.truthDir(), s.cores(), meta, TRUTH_ZSTD_LEVEL)) {
          try {
            run = run(c -> trace[c], c -> new TruthObserver(truth.core(c)));
          } catch (RuntimeException | Error e) {
            truth.discard();
            throw e;
          }
          for (int c = 0; c < s.cores(); c++) {
            trace[c].finish(end);
            // what the trace lost is part of the truth: the diff must not count it as decoded
            for (UntracedStretch u : trace[c].untracedStretches()) {
              truth.core(c).untraced(u.overflowTime(), u.resumeTime());
            }
            byte[] stream = trace[c].stream();
            bytes[c] = stream.length;
            traces.add(new CoreTrace(trace[c].config(), stream));
          }
        }
        RecordingAssembly.write(w, run.image(), run.events(), traces, traces.get(0).config().timeConv(), START_TIME,
            end, s.seed());
        return run.summary(bytes);
      } catch (IOException | RuntimeException | Error e) {
        w.abort();
        throw e;
      }
    }
  }

  /** Timer ticks on every core with the scenario's period, each core at its own seeded phase. */
  private static void scheduleTimers(Machine m, Scenario s, long end) {
    long period = s.timerPeriodNanos();
    if (period <= 0) {
      return;
    }
    long rng = s.seed() ^ 0x74696D6572736565L;
    for (int c = 0; c < s.cores(); c++) {
      rng = rng * 6364136223846793005L + 1442695040888963407L;
      long phase = Long.remainderUnsigned(rng >>> 16, period);
      for (long t = START_TIME + phase; t < end; t += period) {
        m.raiseIrq(c, t);
      }
    }
  }

  private static int roundUp(int n, int to) {
    return (n + to - 1) / to * to;
  }
}
