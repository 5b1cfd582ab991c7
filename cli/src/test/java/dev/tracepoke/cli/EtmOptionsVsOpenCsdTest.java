package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.sim.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ETMv4 options perf users switch on — return stack ({@code retstack}, TRCCONFIGR.RS), branch
 * broadcast ({@code branch_broadcast}, BB), cycle counting ({@code cycacc}, CCI) — recorded by the
 * simulator from the static scenario, exported as an OpenCSD snapshot and read by {@code
 * trc_pkt_lister} 1.3.3: our packets equal the lister's, and our flow decode equals its {@code
 * -decode} elements (ranges with the cycle count OpenCSD puts after them, exceptions, exception
 * returns, contexts) element for element. The
 * option must be in the stream (TRCCONFIGR bit set, its packets present), and each recording
 * decodes to the same instructions as the recording without options (same scenario and seed).
 */
class EtmOptionsVsOpenCsdTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "retstack={0} branch_broadcast={1} cycacc={2}")
  @CsvSource({
    "false, false, false",
    "true, false, false",
    "false, true, false",
    "false, false, true",
    "true, true, true",
  })
  void flowAndPacketsEqualOpenCsds(boolean rs, boolean bb, boolean cci) throws IOException {
    Optional<Path> lister = OpenCsdOracle.lister();
    if (lister.isEmpty()) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): OpenCSD comparison");
    }
    assumeTrue(lister.isPresent(), "trc_pkt_lister not on PATH");
    Scenario s = SimRecordings.scenario("static", 2, 100_000, 400).withEtmOptions(rs, bb, cci);
    SimRecordings.Recorded r = SimRecordings.record(s, tmp.resolve("rec"));
    OpenCsdOracle.Export e = OpenCsdOracle.export(r.dir(), tmp.resolve("snapshot"));
    OpenCsdOracle.Listing listing = OpenCsdOracle.list(lister.get(), e.dir(), e.buffer(), true);
    TraceInput in = RecordingInput.open(r.dir(), null);
    Map<Integer, LongUnaryOperator> index = OpenCsdOracle.indices(e);
    ImageTimeline timeline = ImageTimeline.of(in.image(), in.pokes());
    long instructions = 0;
    for (CoreTrace core : in.cores()) {
      String what = s.name() + " cpu " + core.cpu();
      int optionBits = (rs ? 1 << 12 : 0) | (bb ? 1 << 3 : 0) | (cci ? 1 << 4 : 0);
      assertEquals(optionBits, core.config().configr() & ((1 << 12) | (1 << 3) | (1 << 4)), what);

      List<String> ours = new ArrayList<>();
      PacketReader reader = new PacketReader(core.config(),
          new OpenCsdPacketText(index.get(core.traceId()), ours::add));
      core.bytes().pushTo(reader::push);
      reader.finish();
      List<String> theirs = listing.packets(core.traceId());
      assertSame(theirs, ours, what + ": packet");
      if (cci) {
        assertTrue(ours.stream().anyMatch(l -> l.contains("I_CCNT_F1")), what + ": cycle counts");
      }

      OpenCsdOracle.ElementLines flow = new OpenCsdOracle.ElementLines(index.get(core.traceId()));
      Decoding.decodeCore(core, timeline, in, CoreDecoderFactory.STATIC, flow);
      assertEquals(List.of(), flow.errors, what);
      assertSame(listing.elements(core.traceId()), flow.lines, what + ": element");
      assertEquals(List.of(), flow.trailing, what + ": contexts after the last P0 element");
      // cycle counts (compared above with the lister's, each on the range before it): every
      // counted range has at least the threshold, and with counting on nearly every range has one
      long counted = flow.lines.stream().filter(l -> l.contains(" cyc=")).count();
      long ranges = flow.lines.stream().filter(l -> l.startsWith("range ")).count();
      if (cci) {
        assertTrue(counted * 10 >= ranges * 9, what + ": " + counted + " of " + ranges
            + " ranges have a cycle count");
        assertTrue(flow.lines.stream().filter(l -> l.contains(" cyc="))
            .allMatch(l -> Long.parseLong(l.substring(l.indexOf(" cyc=") + 5))
                >= dev.tracepoke.sim.etm.Etm4TraceUnit.CC_THRESHOLD), what + ": counts");
      } else {
        assertEquals(0, counted, what + ": cycle counts without cycacc");
      }
      long[] n = {0};
      OpenCsdOracle.ranges(flow.lines, range -> n[0] += (range[1] - range[0]) >>> 2);
      instructions += n[0];
    }
    // the options change the packets, never what was executed: same as without options
    assertEquals(withoutOptions(s), instructions, "instructions decoded");
  }

  private long withoutOptions(Scenario s) throws IOException {
    Scenario plain = s.withEtmOptions(false, false, false);
    SimRecordings.Recorded r = SimRecordings.record(plain, tmp.resolve("plain"));
    TraceInput in = RecordingInput.open(r.dir(), null);
    ImageTimeline timeline = ImageTimeline.of(in.image(), in.pokes());
    long total = 0;
    for (CoreTrace core : in.cores()) {
      OpenCsdOracle.ElementLines flow = new OpenCsdOracle.ElementLines(LongUnaryOperator.identity());
      Decoding.decodeCore(core, timeline, in, CoreDecoderFactory.STATIC, flow);
      long[] n = {0};
      OpenCsdOracle.ranges(flow.lines, range -> n[0] += (range[1] - range[0]) >>> 2);
      total += n[0];
    }
    assertTrue(total > 10_000, "instructions without options: " + total);
    return total;
  }

  private static void assertSame(List<String> theirs, List<String> ours, String what) {
    for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
      if (!ours.get(i).equals(theirs.get(i))) {
        assertEquals(theirs.get(i), ours.get(i), what + " " + i);
      }
    }
    assertEquals(theirs.size(), ours.size(), what + "s");
  }
}
