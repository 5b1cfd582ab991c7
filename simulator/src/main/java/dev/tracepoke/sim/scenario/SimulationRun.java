package dev.tracepoke.sim.scenario;

import dev.tracepoke.sim.machine.CmodxViolation;
import dev.tracepoke.sim.machine.CoreObserver;
import dev.tracepoke.sim.machine.Machine;
import dev.tracepoke.sim.patching.CostReport;
import dev.tracepoke.sim.patching.PatchHost;
import dev.tracepoke.sim.patching.PatchSchedule;
import dev.tracepoke.sim.patching.PokeCost;
import dev.tracepoke.sim.patching.TextPokeEvent;
import dev.tracepoke.sim.workload.KernelImage;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.List;

/** A finished run: the machine in its final state, the image, the schedule and what was observed. */
public final class SimulationRun {
  private final Scenario scenario;
  private final KernelImage image;
  private final PatchSchedule schedule;
  private final Machine machine;
  private final PatchHost host;
  private final CoreTap[] taps;

  SimulationRun(Scenario scenario, KernelImage image, PatchSchedule schedule, Machine machine, PatchHost host,
      CoreTap[] taps) {
    this.scenario = scenario;
    this.image = image;
    this.schedule = schedule;
    this.machine = machine;
    this.host = host;
    this.taps = taps;
  }

  public Scenario scenario() {
    return scenario;
  }

  public KernelImage image() {
    return image;
  }

  public PatchSchedule schedule() {
    return schedule;
  }

  public Machine machine() {
    return machine;
  }

  /** TEXT_POKE records in emission (time) order. */
  public List<TextPokeEvent> events() {
    return host.events();
  }

  public List<PokeCost> costs() {
    return host.costs(taps.length, (cpu, t) -> taps[cpu].firstCseAtOrAfter(t));
  }

  public List<CmodxViolation> cmodxViolations() {
    return machine.cmodxViolations();
  }

  public long instructions(int cpu) {
    return machine.core(cpu).instructions();
  }

  public long exceptions(int cpu, int type) {
    return machine.core(cpu).exceptionCount(type);
  }

  public long staleSiteExecutions(int cpu) {
    return taps[cpu].staleExecutions;
  }

  public long newestSiteExecutions(int cpu) {
    return taps[cpu].newestExecutions;
  }

  /** Calls {@code visit} for every patch-site execution of {@code cpu} in program order. */
  public void siteExecutions(int cpu, SiteVisitor visit) {
    CoreTap t = taps[cpu];
    for (int i = 0; i < t.sitePcs.size(); i++) {
      visit.execution(t.sitePcs.getLong(i), t.siteWords.getInt(i), t.siteTimes.getLong(i));
    }
  }

  /**
   * Executions of a site's pre-poke word after that poke's landed TEXT_POKE record (and before the
   * site's next record): what stop-machine and brk-emulate promise never happens. brk-emulate
   * records both of its writes (original to BRK, BRK to new); the pre-poke word of its second
   * record is the original, since running the BRK after it is the protocol working as meant. Needs
   * the text-poke event style; with another style there are no landed records and the count is 0.
   */
  public long oldWordAfterRecord() {
    Long2ObjectOpenHashMap<LongArrayList> byPc = new Long2ObjectOpenHashMap<>();
    Long2ObjectOpenHashMap<IntArrayList> oldByPc = new Long2ObjectOpenHashMap<>();
    it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap beforeBrk = new it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap();
    for (TextPokeEvent e : host.events()) {
      if (e.phase() == TextPoke.Phase.LANDED) {
        if ((e.newWord() & 0xFFE0001F) == 0xD4200000
            && (e.newWord() >>> 5 & 0xFFFF) >= dev.tracepoke.sim.workload.Layout.BRK_EMULATE_BASE) {
          // brk-emulate's BRK goes in (a kprobe's own BRK has another immediate): the first half
          beforeBrk.put(e.address(), e.oldWord());
          continue;
        }
        boolean second = beforeBrk.containsKey(e.address());
        int original = second ? beforeBrk.remove(e.address()) : e.oldWord();
        byPc.computeIfAbsent(e.address(), k -> new LongArrayList()).add(e.time());
        oldByPc.computeIfAbsent(e.address(), k -> new IntArrayList()).add(original);
      }
    }
    long[] count = new long[1];
    for (int c = 0; c < taps.length; c++) {
      siteExecutions(c, (pc, word, time) -> {
        LongArrayList times = byPc.get(pc);
        if (times == null) {
          return;
        }
        int k = -1;
        while (k + 1 < times.size() && times.getLong(k + 1) < time) {
          k++;
        }
        if (k >= 0 && oldByPc.get(pc).getInt(k) == word) {
          count[0]++;
        }
      });
    }
    return count[0];
  }

  @FunctionalInterface
  public interface SiteVisitor {
    void execution(long pc, int word, long time);
  }

  /** The run summary; {@code traceBytes[cpu]} is the size of each core's raw ETMv4 stream. */
  public RunSummary summary(long[] traceBytes) {
    List<RunSummary.CoreSummary> cores = new java.util.ArrayList<>();
    long instructions = 0;
    long bytes = 0;
    for (int c = 0; c < taps.length; c++) {
      RunSummary.Exceptions e = new RunSummary.Exceptions(exceptions(c, CoreObserver.EXCEPTION_SVC),
          exceptions(c, CoreObserver.EXCEPTION_BRK), exceptions(c, CoreObserver.EXCEPTION_UNDEF),
          exceptions(c, CoreObserver.EXCEPTION_IRQ));
      cores.add(new RunSummary.CoreSummary(c, instructions(c), e, staleSiteExecutions(c), newestSiteExecutions(c),
          traceBytes[c]));
      instructions += instructions(c);
      bytes += traceBytes[c];
    }
    List<PokeCost> costs = costs();
    int completed = 0;
    int sites = 0;
    for (PokeCost c : costs) {
      if (c.end() >= 0) {
        completed++;
        sites += c.sites();
      }
    }
    RunSummary.Pokes pokes = new RunSummary.Pokes(schedule.ops().size(), completed, sites, host.events().size());
    return new RunSummary(scenario.name(), scenario.seed(), scenario.protocol(), scenario.events(),
        scenario.runNanos(), cores, pokes, CostReport.of(scenario.protocol(), costs),
        machine.cmodxViolationCount(), oldWordAfterRecord(), instructions, bytes,
        instructions == 0 ? 0 : (double) bytes / instructions);
  }
}
