package dev.tracepoke.decode.flow;

import static dev.tracepoke.decode.flow.FlowDecoderTest.F;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Speculative trace (TRCIDR8.MAXSPEC &gt; 0) as hand-made packet sequences over FlowDecoderTest's
 * image: P0 elements wait for their commit; cancel drops the newest but keeps timestamps and cycle
 * counts; mispredict flips the newest atom and drops addresses after it; MAXSPEC auto-commits;
 * cycle-count packets with a commit field commit; the end of the trace drops what was never
 * committed. Without speculation a cancel is an error.
 */
class SpeculationTest {

  /** Ranges (with cycle counts), exceptions, gaps and errors on one line each. */
  static final class Out extends FlowSink.Ignoring {
    final List<String> lines = new ArrayList<>();

    @Override
    public void range(int cpu, long start, long end, int instructions, int lastKind,
        boolean taken, long timeFrom, long timeTo, int flag, long offset) {
      lines.add(String.format("range %s..%s n=%d %s @%d [%s,%s]",
          FlowDecoderTest.Lines.a(start), FlowDecoderTest.Lines.a(end), instructions,
          taken ? "E" : "N", offset, FlowDecoderTest.Lines.t(timeFrom),
          FlowDecoderTest.Lines.t(timeTo)));
    }

    @Override
    public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
        boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
      range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
      lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " cyc=" + cycles);
    }

    @Override
    public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
        long offset) {
      lines.add(String.format("exception 0x%x ret=%s @%d", number,
          FlowDecoderTest.Lines.a(returnAddress), offset));
    }

    @Override
    public void gap(int cpu, int reason, long address, long offset) {
      lines.add("gap " + reason + " @" + offset);
    }

    @Override
    public void error(int cpu, long offset, long packetIndex, String message) {
      lines.add("error @" + offset + " " + message);
    }
  }

  /** TRCCONFIGR.CCI when {@code cycles}; TRCIDR0 with COMMOPT and TRCCCI (no commit in CC F1). */
  private static List<String> run(int maxSpec, boolean cycles, Consumer<FlowDecoder> packets) {
    Out out = new Out();
    Etm4Config unit = new Etm4Config(cycles ? 1 << 4 : 0, 0x10, 0x28000EA1, 0x4100F403, 0x488,
        maxSpec, 0, 0, 0, 0, 0);
    FlowDecoder d = new FlowDecoder(0, new BlockCache(ImageTimeline.of(FlowDecoderTest.image()),
        true, false), 0, out).traceUnit(unit);
    packets.accept(d);
    return out.lines;
  }

  @Test
  void cancelKeepsTimestampsAndCountsMispredictFlipsTheNewestAtom() {
    List<String> out = run(8, true, d -> {
      FlowDecoderTest.sync(d);
      FlowDecoderTest.ctx(d, 15, F, 1);
      d.timestamp(29, 2, 1000, 64, false, 0);
      d.atoms(40, 3, 1, 0b1, 1); // cbz taken -> F+18
      d.atoms(41, 4, 2, 0b11, 2); // bl, isb: cancelled below
      d.cycleCount(42, 5, 1, 7, true, -1); // for the range before it, cbz's
      d.timestamp(43, 6, 2000, 64, false, 0);
      d.cancel(44, 7, 1, 2, false, 0, 0);
      d.commit(46, 8, 1); // cbz
      d.atoms(47, 9, 1, 0b0, 1); // bl "not taken" ...
      d.address(48, 10, F + 0x100, 0, AddressForm.LONG_64, -1, 64); // ... and an address after it
      d.mispredict(49, 11, 0, 0); // ... was mispredicted: bl taken, the address dropped
      d.commit(50, 12, 1);
      d.end(60, 13);
    });
    assertEquals(List.of(
        "range F+0..F+c n=3 E @40 [-,2000] cyc=7",
        "range F+18..F+1c n=1 E @47 [1000,-]"), out);
  }

  @Test
  void maxSpecAutoCommitsAndTheEndDropsWhatWasNeverCommitted() {
    List<String> out = run(2, false, d -> {
      FlowDecoderTest.sync(d);
      FlowDecoderTest.ctx(d, 15, F, 1);
      d.atoms(40, 3, 1, 0b1, 1); // cbz taken: depth 1
      d.atoms(41, 4, 2, 0b11, 2); // bl, isb: depth 3 > 2, the oldest (cbz) commits
      d.end(60, 13); // bl and isb never committed
    });
    assertEquals(List.of("range F+0..F+c n=3 E @40 [-,-]"), out);
  }

  @Test
  void exceptionCommitsWithItsAddressAndCycleCountsCommitWithoutCommitOpt() {
    Out out = new Out();
    // TRCIDR0 without COMMOPT: cycle-count packets carry a commit count
    Etm4Config unit = new Etm4Config(1 << 4, 0x10, 0x08000EA1, 0x4100F403, 0x488, 8, 0, 0, 0, 0,
        0);
    FlowDecoder d = new FlowDecoder(0, new BlockCache(ImageTimeline.of(FlowDecoderTest.image()),
        true, false), 0, out).traceUnit(unit);
    FlowDecoderTest.sync(d);
    FlowDecoderTest.ctx(d, 15, F + 0xc, 1);
    d.exception(46, 8, 2, 1, false); // SVC at F+10, returns to F+14
    d.address(48, 9, F + 0x14, 0, AddressForm.SHORT_1, -1, 64);
    d.cycleCount(50, 10, 2, 30, true, 1); // commits the exception, then counts
    d.end(60, 13);
    assertEquals(List.of(
        "range F+c..F+14 n=2 E @46 [-,-] cyc=30",
        "exception 0x2 ret=F+14 @46"), out.lines);
  }

  @Test
  void cancelWithoutSpeculationIsAnError() {
    List<String> out = run(0, false, d -> {
      FlowDecoderTest.sync(d);
      FlowDecoderTest.ctx(d, 15, F, 1);
      d.atoms(40, 3, 1, 0b1, 1);
      d.cancel(44, 7, 1, 1, false, 0, 0);
      d.end(60, 13);
    });
    assertEquals(List.of(
        "range F+0..F+c n=3 E @40 [-,-]",
        "error @44 cancel packet, but the trace unit does not speculate (TRCIDR8.MAXSPEC = 0)",
        "gap 2 @44"), out);
  }
}
