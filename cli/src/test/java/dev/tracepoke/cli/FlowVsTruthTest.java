package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.FlowCounts;
import dev.tracepoke.decode.pipeline.TruthCheck;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flow decoder over simulated recordings, diffed against what the simulated cores ran: with
 * text-poke or PRE/POST records it never claims an instruction the core did not execute (silent
 * errors 0) and never resolves an ambiguous execution to the wrong word, for every patching
 * protocol; the naive decoder (image switched at record time) shows that the problem is real; and
 * without records the same holds with the kernel's patch-site tables (the recording's vmlinux).
 */
class FlowVsTruthTest {
  static final int SEEDS = 20;
  static final int OVERFLOW_SEEDS = 5;

  /** Short runs with many pokes, so every seed has poke windows that cores run through. */
  static Scenario scenario(Protocol protocol, EventStyle events, long seed) {
    return new Scenario("flow-vs-truth", 4, seed, 500_000, 200, protocol, events, 100, 100_000, 20,
        0.5, 4096, 4096, 0, true);
  }

  /** Totals over seeds of one decoder's diff, with the errors and gaps it reported. */
  record Totals(long instructions, long silent, long ambiguous, long right, long wrong,
      long unresolved, long undecidable, long gaveUp, long errors, long gaps) {
    Totals plus(CoreDiff d, long errs, long gapCount) {
      return new Totals(instructions + d.instructionsTruth(), silent + d.silentErrors(),
          ambiguous + d.ambiguous(), right + d.resolvedRight(), wrong + d.resolvedWrong(),
          unresolved + d.unresolved(), undecidable + d.unresolvedUndecidable(),
          gaveUp + d.unresolvedGaveUp(), errors + errs, gaps + gapCount);
    }

    Totals plus(Totals o) {
      return new Totals(instructions + o.instructions, silent + o.silent, ambiguous + o.ambiguous,
          right + o.right, wrong + o.wrong, unresolved + o.unresolved,
          undecidable + o.undecidable, gaveUp + o.gaveUp, errors + o.errors, gaps + o.gaps);
    }

    String line() {
      long decidable = ambiguous - undecidable;
      return String.format("truth %d instructions, silent errors %d, ambiguous %d: resolved right"
              + " %d (%.1f%%; %.1f%% of the %d not undecidable), resolved wrong %d, unresolved %d"
              + " (undecidable %d, gave up %d); errors reported %d, gaps %d",
          instructions, silent, ambiguous, right, ambiguous == 0 ? 0.0 : 100.0 * right / ambiguous,
          decidable == 0 ? 100.0 : 100.0 * right / decidable, decidable, wrong, unresolved,
          undecidable, gaveUp, errors, gaps);
    }
  }

  static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Simulates, decodes with each factory, diffs, and deletes the recording. */
  static Totals[] run(Scenario s, Path tmp, CoreDecoderFactory... decoders) throws IOException {
    Path dir = tmp.resolve("seed-" + s.seed());
    SimRecordings.record(s, dir);
    try {
      TraceInput in = RecordingInput.open(dir, null);
      Totals[] out = new Totals[decoders.length];
      for (int k = 0; k < decoders.length; k++) {
        List<Decoding.CoreResult> decoded = Decoding.run(in, decoders[k], null, 1);
        FlowCounts counts = new FlowCounts();
        for (Decoding.CoreResult r : decoded) {
          for (int i = 0; i < r.flow().size(r.cpu()); i++) {
            r.flow().replay(r.cpu(), i, counts);
          }
        }
        out[k] = ZERO.plus(TruthCheck.diff(in, decoded).total(), counts.errors(), counts.gaps());
      }
      return out;
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  static Stream<Arguments> protocolsWithRecords() {
    List<Arguments> out = new ArrayList<>();
    for (Protocol p : Protocol.values()) {
      out.add(Arguments.of(p, EventStyle.TEXT_POKE));
      out.add(Arguments.of(p, EventStyle.PRE_POST));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("protocolsWithRecords")
  void noSilentErrorsAndNoWrongResolutions(Protocol protocol, EventStyle events, @TempDir Path tmp)
      throws IOException {
    Totals windows = ZERO;
    Totals naive = ZERO;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Totals[] t = run(scenario(protocol, events, seed), tmp, CoreDecoderFactory.WINDOWS,
          CoreDecoderFactory.NAIVE);
      windows = windows.plus(t[0]);
      naive = naive.plus(t[1]);
    }
    System.out.printf("flow vs truth %s %s, %d seeds: %s%n", protocol.id(), events.id(), SEEDS,
        windows.line());
    System.out.printf("  naive decoder on the same recordings: %s%n", naive.line());
    assertEquals(0, windows.silent(), "silent errors");
    assertEquals(0, windows.wrong(), "resolutions to the wrong word");
    assertTrue(windows.ambiguous() > 0, "the recordings exercise no ambiguous execution");
    if (protocol == Protocol.STOP_MACHINE || protocol == Protocol.STOP_MACHINE_BATCH
        || protocol == Protocol.BRK_EMULATE) {
      // exact protocols: with timestamps around CSEs every window they leave is decided
      assertEquals(windows.ambiguous(), windows.right(), "unresolved executions under " + protocol.id());
    }
    if (protocol == Protocol.NOSYNC) {
      assertTrue(naive.silent() > 0, "the naive decoder shows no silent error under nosync");
    }
  }

  /**
   * Overflow injection (a 2 us FIFO-full stretch every 60 us on every core): the trace loses those
   * stretches, the decoder resumes at the next sync, and the diff places the flow after each
   * stretch, so none of it counts as a silent error; nothing is resolved wrong.
   */
  @ParameterizedTest(name = "{0} {1} with overflows")
  @MethodSource("protocolsWithRecords")
  void overflowsLeaveNoSilentError(Protocol protocol, EventStyle events, @TempDir Path tmp)
      throws IOException {
    Totals windows = ZERO;
    for (long seed = 1; seed <= OVERFLOW_SEEDS; seed++) {
      Scenario s = scenario(protocol, events, seed);
      s = new Scenario(s.name(), s.cores(), s.seed(), s.runNanos(), s.functions(), s.protocol(),
          s.events(), s.pokesPerMilli(), s.timerPeriodNanos(), s.syscallsPerMilli(), s.fetchBias(),
          s.etmSyncPeriodBytes(), s.etmTimestampPeriodCycles(), 60_000, s.etmCseTimestamps());
      windows = windows.plus(run(s, tmp, CoreDecoderFactory.WINDOWS)[0]);
    }
    System.out.printf("flow vs truth %s %s with overflows, %d seeds: %s%n", protocol.id(),
        events.id(), OVERFLOW_SEEDS, windows.line());
    assertTrue(windows.gaps() >= OVERFLOW_SEEDS * 4 * 8, "too few overflow gaps: " + windows.gaps());
    assertEquals(0, windows.silent(), "silent errors");
    assertEquals(0, windows.wrong(), "resolutions to the wrong word");
  }

  /**
   * Without records (what arm64 kernels give), the kernel's patch-site tables in the recording's
   * vmlinux make every jump-label and ftrace site an ambiguity the trace resolves or flags, and a
   * BRK exception shows an armed kprobe: no silent error and no wrong resolution under any
   * protocol. The naive decoder on the same recordings (no tables, no windows) shows what that
   * saves.
   */
  @ParameterizedTest(name = "{0} none")
  @EnumSource(Protocol.class)
  void withoutRecordsTheTablesLeaveNoSilentError(Protocol protocol, @TempDir Path tmp) throws IOException {
    Totals none = ZERO;
    Totals naive = ZERO;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Totals[] t = run(scenario(protocol, EventStyle.NONE, seed), tmp, CoreDecoderFactory.WINDOWS,
          CoreDecoderFactory.NAIVE);
      none = none.plus(t[0]);
      naive = naive.plus(t[1]);
    }
    System.out.printf("flow vs truth %s none, %d seeds: %s%n", protocol.id(), SEEDS, none.line());
    System.out.printf("  naive decoder on the same recordings: %s%n", naive.line());
    assertEquals(0, none.silent(), "silent errors without records");
    assertEquals(0, none.wrong(), "resolutions to the wrong word without records");
    assertTrue(none.ambiguous() > 0, "the tables made no execution ambiguous");
    assertTrue(none.right() > 0, "no ambiguous execution was resolved");
    assertTrue(naive.silent() > 0, "the naive decoder shows no silent error without records");
  }
}
