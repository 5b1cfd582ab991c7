package dev.tracepoke.sim.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SimulateBenchTest {
  @Test
  void observerSeesEveryRetiredInstruction() {
    SimulateBench.Result r = SimulateBench.run(1_000, 3_000_000);
    assertEquals(3L << 20, r.instructions());
    assertEquals(r.instructions(), r.observedInstructions());
  }

  @Test
  void everyCoreIsObserved() {
    SimulateBench.Result r = SimulateBench.run(4, 0, 100_000);
    assertEquals(r.instructions(), r.observedInstructions());
  }

  @Test
  void workloadRunsWithoutUndefinedInstructions() {
    Machine m = new Machine(MachineConfig.defaults().withCores(1));
    m.memory().map("text", 0x1000, 0x1000, true);
    m.memory().loadWords(0x1000, SimulateBench.workload());
    int undefinedWords = 0;
    for (int w : SimulateBench.workload()) {
      int[] ops = new int[1];
      Decoder.decode(w, 0x1000, ops, new long[1], new long[1], 0);
      undefinedWords += ops[0] == Op.UNDEF ? 1 : 0;
    }
    assertEquals(0, undefinedWords);
  }
}
