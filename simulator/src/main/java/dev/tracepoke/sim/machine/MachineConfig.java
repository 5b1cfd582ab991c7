package dev.tracepoke.sim.machine;

/**
 * Machine parameters. Costs are extra cycles on top of the one cycle every instruction takes.
 *
 * @param cores 1..64
 * @param seed drives every seeded choice (old/new fetches); same seed and inputs, same run
 * @param startTime perf time (ns) at cycle 0
 * @param quantum cycles a core runs before the scheduler picks the core with the smallest time
 * @param newWordBias probability that a core with an unsettled patched word fetches the newest one
 * @param ipiLatency ns from an ICC_SGI1R_EL1 write to the SGI arriving at its targets
 */
public record MachineConfig(
    int cores, long seed, long startTime, int quantum, double newWordBias, long ipiLatency, Costs costs) {

  /**
   * Modelled costs (extra cycles). DSB completing broadcast cache maintenance waits for every
   * other PE, hence far more than a plain DSB.
   */
  public record Costs(int dcCvau, int icIvau, int dsb, int dsbMaintenance, int dmb, int isb,
      int exceptionEntry, int eret) {
    public static Costs defaults() {
      return new Costs(30, 60, 20, 100, 10, 20, 40, 20);
    }
  }

  public MachineConfig {
    if (cores < 1 || cores > 64) {
      throw new IllegalArgumentException("cores " + cores + " outside 1..64");
    }
    if (quantum < 1) {
      throw new IllegalArgumentException("quantum " + quantum + " < 1");
    }
    if (newWordBias < 0 || newWordBias > 1) {
      throw new IllegalArgumentException("newWordBias " + newWordBias + " outside [0, 1]");
    }
    // Causality: a core that ran ahead of a writer must not have taken a CSE after the writer's
    // maintenance completed (see Machine). Slices of at most half the IC+DSB cost keep every core
    // within that distance; the machine also checks it at run time.
    if (cores > 1 && 2L * quantum > (long) costs.icIvau() + costs.dsbMaintenance()) {
      throw new IllegalArgumentException("quantum " + quantum + " exceeds half of IC IVAU + DSB cost ("
          + (costs.icIvau() + costs.dsbMaintenance()) + ")");
    }
    if (cores > 1 && ipiLatency <= quantum + maxCost(costs)) {
      throw new IllegalArgumentException("ipiLatency " + ipiLatency + " must exceed quantum + the largest cost");
    }
  }

  static int maxCost(Costs c) {
    int m = Math.max(c.dcCvau(), c.icIvau());
    m = Math.max(m, Math.max(c.dsb(), c.dsbMaintenance()));
    m = Math.max(m, Math.max(c.dmb(), c.isb()));
    return Math.max(m, Math.max(c.exceptionEntry(), c.eret())) + 1;
  }

  /** 4 cores, seed 1, start at 1 s of perf time, 50-cycle slices, bias 0.5, 500 ns IPIs. */
  public static MachineConfig defaults() {
    return new MachineConfig(4, 1, 1_000_000_000L, 50, 0.5, 500, Costs.defaults());
  }

  public MachineConfig withCores(int n) {
    return new MachineConfig(n, seed, startTime, quantum, newWordBias, ipiLatency, costs);
  }

  public MachineConfig withSeed(long s) {
    return new MachineConfig(cores, s, startTime, quantum, newWordBias, ipiLatency, costs);
  }

  public MachineConfig withBias(double b) {
    return new MachineConfig(cores, seed, startTime, quantum, b, ipiLatency, costs);
  }

  public MachineConfig withQuantum(int q) {
    return new MachineConfig(cores, seed, startTime, q, newWordBias, ipiLatency, costs);
  }

  public MachineConfig withStartTime(long t) {
    return new MachineConfig(cores, seed, t, quantum, newWordBias, ipiLatency, costs);
  }
}
