package dev.tracepoke.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random scenarios for patch campaigns: every scenario key drawn over its documented range (cores
 * 1..64, functions 8..5000, poke, timer and syscall rates, fetch bias, sync period, timestamp
 * period, CSE timestamps, overflow injection in about a quarter of the runs, the trace-unit options
 * return stack, branch broadcast and cycle counting), sized so that one run
 * stays small (core count times run length is bounded), and the steps that shrink a scenario that
 * fails into a smaller one. Run {@code k} of a campaign with seed {@code s} is always the same
 * scenario.
 */
public final class RandomScenarios {
  /** Simulated core-nanoseconds of one run (cores times run length), drawn up to this. */
  private static final long MAX_CORE_NANOS = 240_000;
  private static final long MIN_RUN_NANOS = 5_000;

  private RandomScenarios() {}

  /**
   * Scenario {@code run} of the campaign {@code seed}, its protocol and event style drawn from the
   * given ones.
   */
  public static Scenario draw(long seed, long run, List<Protocol> protocols, List<EventStyle> events) {
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + run);
    Protocol protocol = protocols.get(r.nextInt(protocols.size()));
    EventStyle style = events.get(r.nextInt(events.size()));
    // most runs have few cores; every count up to 64 occurs
    double c = r.nextDouble();
    int cores = c < 0.55 ? 1 + r.nextInt(4) : c < 0.9 ? 5 + r.nextInt(12) : 17 + r.nextInt(48);
    long budget = 40_000 + r.nextLong(MAX_CORE_NANOS - 40_000);
    long runNanos = Math.max(MIN_RUN_NANOS, budget / cores);
    // log-uniform 8..5000
    int functions = (int) Math.round(Math.exp(Math.log(8) + r.nextDouble() * Math.log(5000.0 / 8)));
    functions = Math.max(8, Math.min(5000, functions));
    // enough pokes that short runs still patch: 5..500 per ms (none in a few runs)
    double pokes = r.nextInt(20) == 0 ? 0 : Math.round(5 + r.nextDouble() * 495);
    long timer = r.nextInt(10) == 0 ? 0 : 2_000 + r.nextLong(200_000);
    double syscalls = r.nextInt(10) == 0 ? 0 : Math.round(1 + r.nextDouble() * 199);
    double b = r.nextDouble();
    double bias = b < 0.1 ? 0 : b < 0.2 ? 1 : Math.round(r.nextDouble() * 100) / 100.0;
    int syncPeriod = 1 << (8 + r.nextInt(13));
    long tsPeriod = r.nextInt(5) == 0 ? 0 : 1L << (4 + r.nextInt(13));
    long overflow = r.nextInt(4) == 0 ? Math.max(3_000, runNanos / (1 + r.nextInt(6))) : 0;
    boolean cse = r.nextBoolean();
    long simSeed = r.nextLong() & Long.MAX_VALUE;
    // trace-unit options a perf user switches on, each in about a third of the runs
    boolean returnStack = r.nextInt(3) == 0;
    boolean branchBroadcast = r.nextInt(3) == 0;
    boolean cycleCounting = r.nextInt(3) == 0;
    return new Scenario("campaign-" + seed + "-" + run, cores, simSeed, runNanos, functions,
        protocol, style, pokes, timer, syscalls, bias, syncPeriod, tsPeriod, overflow, cse)
        .withEtmOptions(returnStack, branchBroadcast, cycleCounting);
  }

  /**
   * Smaller variants of {@code s}, most reducing first: fewer cores, a shorter run, fewer pokes,
   * fewer functions, no overflows, no timer IRQs, no syscalls, periodic timestamps off, trace-unit
   * options off. A failing
   * scenario is shrunk by taking the first variant that still fails, until none does.
   */
  public static List<Scenario> smaller(Scenario s) {
    List<Scenario> out = new ArrayList<>();
    if (s.cores() > 1) {
      out.add(copy(s, Math.max(1, s.cores() / 2), s.runNanos(), s.functions(), s.pokesPerMilli(),
          s.timerPeriodNanos(), s.syscallsPerMilli(), s.etmTimestampPeriodCycles(),
          s.overflowEveryNanos()));
      out.add(copy(s, s.cores() - 1, s.runNanos(), s.functions(), s.pokesPerMilli(),
          s.timerPeriodNanos(), s.syscallsPerMilli(), s.etmTimestampPeriodCycles(),
          s.overflowEveryNanos()));
    }
    if (s.runNanos() / 2 >= MIN_RUN_NANOS / 5) {
      out.add(copy(s, s.cores(), s.runNanos() / 2, s.functions(), s.pokesPerMilli(),
          s.timerPeriodNanos(), s.syscallsPerMilli(), s.etmTimestampPeriodCycles(),
          s.overflowEveryNanos()));
    }
    if (s.pokesPerMilli() >= 2) {
      out.add(copy(s, s.cores(), s.runNanos(), s.functions(), Math.floor(s.pokesPerMilli() / 2),
          s.timerPeriodNanos(), s.syscallsPerMilli(), s.etmTimestampPeriodCycles(),
          s.overflowEveryNanos()));
    }
    if (s.functions() > 8) {
      out.add(copy(s, s.cores(), s.runNanos(), Math.max(8, s.functions() / 2), s.pokesPerMilli(),
          s.timerPeriodNanos(), s.syscallsPerMilli(), s.etmTimestampPeriodCycles(),
          s.overflowEveryNanos()));
    }
    if (s.overflowEveryNanos() > 0) {
      out.add(copy(s, s.cores(), s.runNanos(), s.functions(), s.pokesPerMilli(),
          s.timerPeriodNanos(), s.syscallsPerMilli(), s.etmTimestampPeriodCycles(), 0));
    }
    if (s.timerPeriodNanos() > 0) {
      out.add(copy(s, s.cores(), s.runNanos(), s.functions(), s.pokesPerMilli(), 0,
          s.syscallsPerMilli(), s.etmTimestampPeriodCycles(), s.overflowEveryNanos()));
    }
    if (s.syscallsPerMilli() > 0) {
      out.add(copy(s, s.cores(), s.runNanos(), s.functions(), s.pokesPerMilli(),
          s.timerPeriodNanos(), 0, s.etmTimestampPeriodCycles(), s.overflowEveryNanos()));
    }
    if (s.etmTimestampPeriodCycles() > 0) {
      out.add(copy(s, s.cores(), s.runNanos(), s.functions(), s.pokesPerMilli(),
          s.timerPeriodNanos(), s.syscallsPerMilli(), 0, s.overflowEveryNanos()));
    }
    if (s.etmReturnStack() || s.etmBranchBroadcast() || s.etmCycleCounting()) {
      out.add(s.withEtmOptions(false, false, false));
    }
    return out;
  }

  private static Scenario copy(Scenario s, int cores, long runNanos, int functions, double pokes,
      long timer, double syscalls, long tsPeriod, long overflow) {
    return new Scenario(s.name(), cores, s.seed(), runNanos, functions, s.protocol(), s.events(),
        pokes, timer, syscalls, s.fetchBias(), s.etmSyncPeriodBytes(), tsPeriod, overflow,
        s.etmCseTimestamps())
        .withEtmOptions(s.etmReturnStack(), s.etmBranchBroadcast(), s.etmCycleCounting());
  }
}
