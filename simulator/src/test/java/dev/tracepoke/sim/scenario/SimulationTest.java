package dev.tracepoke.sim.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.perf.PerfRecord.TextPoke.Phase;
import dev.tracepoke.sim.machine.CmodxViolation;
import dev.tracepoke.sim.patching.PatchOp;
import dev.tracepoke.sim.patching.PokeCost;
import dev.tracepoke.sim.patching.TextPokeEvent;
import dev.tracepoke.sim.workload.PatchKind;
import dev.tracepoke.sim.workload.PatchSite;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulationTest {

  /** 4 cores for 1 ms, 100 patch operations per ms: enough pokes to meet cores inside their windows. */
  static Scenario busy(Protocol p, long seed) {
    return new Scenario("busy", 4, seed, 1_000_000, 200, p, EventStyle.TEXT_POKE, 100, 100_000, 20, 0.5, 4096, 4096, 0, false);
  }

  private static SimulationRun run(Scenario s) {
    return new Simulation(s).run(c -> null, c -> null);
  }

  @Test
  void nosyncLetsCoresRunTheOldWordAfterTheRecordAndBothWordsAtOneSite() {
    long[] oldAfter = new long[4];
    long stale = 0;
    for (int seed = 1; seed <= 4; seed++) {
      SimulationRun r = run(busy(Protocol.NOSYNC, seed));
      oldAfter[seed - 1] = r.oldWordAfterRecord();
      for (int c = 0; c < 4; c++) {
        stale += r.staleSiteExecutions(c);
      }
      if (seed == 1) {
        assertBothWordsExecuted(r);
      }
    }
    assertEquals(List.of(118L, 3L, 14L, 3L), List.of(oldAfter[0], oldAfter[1], oldAfter[2], oldAfter[3]));
    assertTrue(stale > 0);
  }

  /** Some site was executed with its old and its new word by cores other than the patching one. */
  private static void assertBothWordsExecuted(SimulationRun r) {
    Map<Long, Set<Integer>> words = new HashMap<>();
    for (int c = 0; c < 3; c++) {
      r.siteExecutions(c, (pc, word, time) -> words.computeIfAbsent(pc, k -> new HashSet<>()).add(word));
    }
    long both = r.image().sites().stream()
        .filter(s -> words.getOrDefault(s.address(), Set.of()).containsAll(Set.of(s.oldWord(), s.newWord())))
        .count();
    assertTrue(both > 0, "no site ran both words");
  }

  @Test
  void stopMachineAndBrkEmulateNeverRunTheOldWordAfterTheRecord() {
    List<Integer> cmodx = new java.util.ArrayList<>();
    for (Protocol p : List.of(Protocol.STOP_MACHINE, Protocol.STOP_MACHINE_BATCH, Protocol.BRK_EMULATE)) {
      for (int seed = 1; seed <= 3; seed++) {
        SimulationRun r = run(busy(p, seed));
        assertEquals(0, r.oldWordAfterRecord(), p + " seed " + seed);
        assertTrue(r.events().size() > 80, p + ": " + r.events().size() + " records");
        if (p.stopsOtherCores()) {
          assertEquals(0, r.cmodxViolations().size(), p + " seed " + seed);
        } else {
          // brk-emulate still writes a kprobe's original (ADD) next to a BRK: outside the CMODX set
          cmodx.add(r.cmodxViolations().size());
          assertOnlyAtKprobeSites(r);
        }
      }
    }
    assertEquals(List.of(1, 1, 0), cmodx);
  }

  /** Both directions write the kprobe's original instruction (not CMODX-exempt) next to a BRK. */
  private static void assertOnlyAtKprobeSites(SimulationRun r) {
    for (CmodxViolation v : r.cmodxViolations()) {
      PatchSite s = r.image().sites().stream().filter(x -> x.address() == v.pc()).findFirst().orElseThrow();
      assertEquals(PatchKind.KPROBE, s.kind());
      assertTrue(v.oldWord() == s.oldWord() || v.newWord() == s.oldWord(), v.toString());
    }
  }

  /** Without the sync after the BRK write, a core may still fetch the old word after the record. */
  @Test
  void brkEmulateWithoutTheFirstSyncShowsTheResidualRace() {
    Scenario eight = Scenario.builtin("default").withCores(8).withEvents(EventStyle.TEXT_POKE);
    long[] without = new long[6];
    long with = 0;
    for (int seed = 1; seed <= 6; seed++) {
      without[seed - 1] = run(eight.withSeed(seed).withProtocol(Protocol.BRK_EMULATE_NO_FIRST_SYNC)).oldWordAfterRecord();
      with += run(eight.withSeed(seed).withProtocol(Protocol.BRK_EMULATE)).oldWordAfterRecord();
    }
    assertArrayEquals(new long[] {0, 0, 1, 0, 2, 1}, without);
    assertEquals(0, with);
  }

  @Test
  void ipisAreCountedPerProtocol() {
    // others = 3: stop-machine stops them once per operation, kick once, brk-emulate syncs twice
    Map<Protocol, Integer> perOp = Map.of(Protocol.STOP_MACHINE, 3, Protocol.STOP_MACHINE_BATCH, 3,
        Protocol.NOSYNC, 0, Protocol.NOSYNC_KICK, 3, Protocol.BRK_EMULATE, 6, Protocol.BRK_EMULATE_NO_FIRST_SYNC, 3);
    for (Protocol p : Protocol.values()) {
      SimulationRun r = run(busy(p, 1));
      List<PokeCost> costs = r.costs();
      assertEquals(r.schedule().ops().size(), costs.size(), p.toString());
      for (PokeCost c : costs) {
        assertEquals(perOp.get(p), (int) c.ipis(), p + " op " + c.index());
        assertTrue(c.begin() < c.maintenanceDone() && c.maintenanceDone() <= c.end(), c.toString());
        assertTrue(c.visible() >= c.maintenanceDone(), c.toString());
        if (p.stopsOtherCores()) {
          assertTrue(c.lostCycles() > 0, c.toString());
        }
      }
    }
  }

  @Test
  void recordsComeAtTheProtocolsPoints() {
    SimulationRun r = run(busy(Protocol.STOP_MACHINE, 2));
    List<PatchOp> ops = r.schedule().ops();
    List<TextPokeEvent> ev = r.events();
    assertEquals(ops.size(), ev.size());
    List<PokeCost> costs = r.costs();
    for (int i = 0; i < ops.size(); i++) {
      TextPokeEvent e = ev.get(i);
      PatchOp op = ops.get(i);
      assertEquals(Phase.LANDED, e.phase());
      assertEquals(3, e.cpu());
      assertEquals(op.sites().get(0).address(), e.address());
      assertEquals(op.oldWords()[0], e.oldWord());
      assertEquals(op.newWords()[0], e.newWord());
      // inside the stop: after the operation began, before its maintenance finished
      assertTrue(costs.get(i).begin() < e.time() && e.time() < costs.get(i).maintenanceDone());
    }
    Scenario pp = busy(Protocol.NOSYNC, 2).withEvents(EventStyle.PRE_POST);
    SimulationRun r2 = run(pp);
    List<TextPokeEvent> ev2 = r2.events();
    int sites = r2.schedule().ops().stream().mapToInt(o -> o.sites().size()).sum();
    assertEquals(2 * sites, ev2.size());
    for (int i = 0; i < ev2.size(); i += 2) {
      assertEquals(Phase.PRE, ev2.get(i).phase());
      assertEquals(Phase.POST, ev2.get(i + 1).phase());
      assertEquals(ev2.get(i).address(), ev2.get(i + 1).address());
      assertTrue(ev2.get(i).time() < ev2.get(i + 1).time());
    }
    assertEquals(0, run(busy(Protocol.NOSYNC, 2).withEvents(EventStyle.NONE)).events().size());
  }

  @Test
  void kprobeUnderNosyncIsACmodxViolation() {
    SimulationRun r = run(busy(Protocol.NOSYNC, 1));
    List<CmodxViolation> v = r.cmodxViolations();
    assertEquals(4, v.size());
    Map<Long, PatchSite> sites = new HashMap<>();
    for (PatchSite s : r.image().sites()) {
      sites.put(s.address(), s);
    }
    for (CmodxViolation x : v) {
      PatchSite s = sites.get(x.pc());
      assertEquals(PatchKind.KPROBE, s.kind());
      assertEquals(Set.of(s.oldWord(), s.newWord()), Set.of(x.oldWord(), x.newWord()));
    }
  }

  @Test
  void sameScenarioSameRun() {
    SimulationRun a = run(busy(Protocol.NOSYNC_KICK, 5));
    SimulationRun b = run(busy(Protocol.NOSYNC_KICK, 5));
    assertEquals(a.events(), b.events());
    assertEquals(a.costs(), b.costs());
    for (int c = 0; c < 4; c++) {
      assertEquals(a.instructions(c), b.instructions(c));
      assertEquals(a.staleSiteExecutions(c), b.staleSiteExecutions(c));
    }
  }
}
