package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.sim.etm.Etm4TraceUnit;
import dev.tracepoke.sim.etm.TraceUnitStats;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.truth.TruthCursor;
import dev.tracepoke.truth.TruthEvent;
import dev.tracepoke.truth.TruthReader;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenCSD 1.3.3 ({@code trc_pkt_lister}) as the oracle for whole simulated recordings: the
 * simulator's 4-core runs are written as perf directories, exported as OpenCSD snapshots with
 * {@code tracepoke export opencsd} (one CoreSight buffer holding every cpu's stream; the kcore
 * image as memory dumps), listed and decoded by the lister, and compared with the ground truth
 * (issue 4) and with our packet reader and flow decoder (issue 5).
 *
 * <p>Static-image recordings use the {@code static} scenario (no patching; timer IRQs, syscalls,
 * indirect calls through function tables) with 2000 kernel functions, so that branch targets are
 * far enough apart for 32-bit long address packets. In every recording here the trace units of
 * odd cpus send the first address after an address-with-context as a 64-bit long address (as the
 * Cortex-A72 of OpenCSD's bugfix-exact-match snapshot does), so both long forms occur.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenCsdOnSimulatedRecordingsTest {
  static final long RUN_NANOS = 200_000;
  static final int STATIC_FUNCTIONS = 2000;

  // one directory for the whole class: the recordings are shared by its tests
  @TempDir static Path tmp;

  /** A recording, its snapshot, and the lister's output for it (made once per class). */
  record Case(SimRecordings.Recorded rec, OpenCsdOracle.Export export, OpenCsdOracle.Listing listing) {
    int traceId(int cpu) {
      return export.traceIdOfCpu().get(cpu);
    }
  }

  private final Map<String, Case> cases = new HashMap<>();

  static Scenario staticScenario(long seed) {
    return SimRecordings.scenario("static", seed, RUN_NANOS, STATIC_FUNCTIONS);
  }

  private SimRecordings.Recorded recorded(Scenario s) throws IOException {
    Case c = cases.get(key(s));
    if (c != null) {
      return c.rec();
    }
    SimRecordings.Recorded r = SimRecordings.record(s, tmp.resolve(key(s)).resolve("rec"),
        cfg -> cfg.withLongAddressAfterContext(cfg.cpu() % 2 == 1));
    cases.put(key(s), new Case(r, null, null));
    return r;
  }

  /** The recording of {@code s} listed by trc_pkt_lister (with {@code -decode} for static images). */
  private Case listed(Scenario s, boolean decode) throws IOException {
    Optional<Path> lister = OpenCsdOracle.lister();
    if (lister.isEmpty()) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): OpenCSD comparison");
    }
    assumeTrue(lister.isPresent(), "trc_pkt_lister not on PATH");
    SimRecordings.Recorded r = recorded(s);
    Case c = cases.get(key(s));
    if (c.export() == null) {
      OpenCsdOracle.Export e = OpenCsdOracle.export(r.dir(), tmp.resolve(key(s)).resolve("snapshot"));
      c = new Case(r, e, OpenCsdOracle.list(lister.get(), e.dir(), e.buffer(), decode));
      cases.put(key(s), c);
    }
    return c;
  }

  private static String key(Scenario s) {
    return s.name() + "-" + s.seed() + "-" + s.runNanos() + "-" + s.functions();
  }

  // ------------------------------------------------------------------ issue 4: OpenCSD vs truth

  /** Every packet form the test relies on was emitted, per seed, summed over the cores. */
  @Test
  void staticRecordingsHoldEveryAtomFormatAddressFormAndExceptionPacket() throws IOException {
    for (long seed = 1; seed <= 3; seed++) {
      SimRecordings.Recorded r = recorded(staticScenario(seed));
      for (int f = 0; f < 6; f++) {
        int fmt = f;
        assertTrue(r.total(s -> s.atomPacketsByFormat()[fmt]) > 0, "seed " + seed + ": no atom F" + (f + 1));
      }
      assertTrue(r.total(TraceUnitStats::exactMatch) > 0, "seed " + seed + ": exact match");
      assertTrue(r.total(TraceUnitStats::short1) > 0, "seed " + seed + ": 1-byte short address");
      assertTrue(r.total(TraceUnitStats::short2) > 0, "seed " + seed + ": 2-byte short address");
      assertTrue(r.total(TraceUnitStats::long32) > 0, "seed " + seed + ": 32-bit long address");
      assertTrue(r.total(TraceUnitStats::long64) > 0, "seed " + seed + ": 64-bit long address");
      assertTrue(r.total(TraceUnitStats::addressWithContext64) > 0, "seed " + seed + ": address with context");
      assertTrue(r.total(TraceUnitStats::exceptions) > 0, "seed " + seed + ": exceptions");
      assertTrue(r.total(TraceUnitStats::exceptionReturns) > 0, "seed " + seed + ": exception returns");
      long irq = r.summary().cores().stream().mapToLong(c -> c.exceptions().irq()).sum();
      long svc = r.summary().cores().stream().mapToLong(c -> c.exceptions().svc()).sum();
      assertTrue(irq > 0 && svc > 0, "seed " + seed + ": IRQs " + irq + ", SVCs " + svc);
      assertEquals(0, r.total(TraceUnitStats::overflows));
      System.out.printf("static seed %d: %s%n", seed, r.stats());
    }
  }

  /**
   * OpenCSD's decode of each core's trace, concatenated, is the ground-truth instruction sequence.
   * Nothing is invisible at the start: the unit starts with the core's first instruction (A-sync,
   * Trace Info, Trace On, that address with context), so the lister's first range starts at the
   * truth's first pc. At the end, the instructions retired after the core's last P0 element (its
   * last branch, exception or ERET) are in no packet (no decoder can see them; a real unit would
   * only report them with the next waypoint): the test checks that the uncovered tail is one
   * sequential stretch without a waypoint or exception-generating instruction (classified from the
   * kcore image), and asserts its exact length per core. The exceptions OpenCSD reports (ETMv4
   * number and preferred return address) are the truth's too, in order, and the lister counts per
   * packet kind exactly what the trace unit says it emitted.
   */
  @Test
  void openCsdDecodesExactlyTheGroundTruth() throws IOException {
    Map<Long, List<Long>> tails = new TreeMap<>();
    Map<Long, Long> instructions = new TreeMap<>();
    for (long seed = 1; seed <= 3; seed++) {
      Case c = listed(staticScenario(seed), true);
      TruthReader truth = TruthReader.open(c.rec().dir().resolve("truth"));
      MemoryImage image = RecordingInput.open(c.rec().dir(), null).image();
      List<Long> tail = new ArrayList<>();
      Map<String, Long> kinds = new TreeMap<>();
      long total = 0;
      for (int cpu = 0; cpu < 4; cpu++) {
        OpenCsdOracle.Listing l = c.listing();
        assertTrue(l.finished(), "lister did not finish the buffer");
        assertEquals(List.of(), l.errors(), "seed " + seed);
        List<String> elements = l.elements(c.traceId(cpu));
        LongArrayList decoded = new LongArrayList();
        OpenCsdOracle.ranges(elements, r -> {
          decoded.add(r[0]);
          decoded.add(r[1]);
        });
        List<long[]> exceptions = new ArrayList<>();
        long before = 0; // instructions in the ranges listed before an exception
        for (String e : elements) {
          String[] f = e.split(" ");
          if (f[0].equals("range")) {
            before += Long.parseLong(f[2].substring(2));
          } else if (f[0].equals("exception")) {
            exceptions.add(new long[] {Long.decode(f[1]), Long.parseUnsignedLong(f[2].substring(6), 16), before});
          }
        }
        assertEquals(expectedPacketCounts(c.rec().stats().get(cpu)), packetCounts(l.packets(c.traceId(cpu))),
            "seed " + seed + " cpu " + cpu + ": packets by kind, trace unit vs trc_pkt_lister");
        for (String e : elements) {
          String[] f = e.split(" ");
          kinds.merge(f[0].equals("range") ? f[3] : f[0].equals("exception") ? "exception " + f[1] : f[0], 1L,
              Long::sum);
        }
        Comparison k = compare(truth, image, cpu, decoded, exceptions, "seed " + seed + " cpu " + cpu);
        tail.add(k.tail);
        total += k.matched;
      }
      tails.put(seed, tail);
      // the decoded flow holds every kind of branch, SVCs (Call, 0x2) and IRQs (0xe), and ERETs
      for (String kind : List.of("direct", "cond", "indirect", "return", "eret", "exception 0x2", "exception 0xe")) {
        assertTrue(kinds.getOrDefault(kind, 0L) > 0, "seed " + seed + ": no " + kind + " in " + kinds);
      }
      System.out.println("seed " + seed + " OpenCSD elements by kind: " + kinds);
      instructions.put(seed, total);
    }
    System.out.println("OpenCSD vs truth: instructions matched per seed " + instructions + ", invisible tails " + tails);
    assertEquals(Map.of(1L, 798_104L, 2L, 797_952L, 3L, 797_933L), instructions);
    assertEquals(Map.of(1L, List.of(0L, 11L, 3L, 2L), 2L, List.of(2L, 0L, 6L, 0L), 3L, List.of(1L, 0L, 3L, 3L)),
        tails);
  }

  /** Packets per lister name (I_ATOM_F1, I_ADDR_S_IS0, ...) in a normalised listing. */
  static Map<String, Long> packetCounts(List<String> packets) {
    Map<String, Long> n = new TreeMap<>();
    for (String p : packets) {
      String text = p.substring(p.indexOf('\t') + 1);
      n.merge(text.substring(0, text.indexOf(' ')), 1L, Long::sum);
    }
    return n;
  }

  /** What the trace unit says it emitted, under the lister's packet names (zeros left out). */
  static Map<String, Long> expectedPacketCounts(TraceUnitStats s) {
    Map<String, Long> n = new TreeMap<>();
    long[] atoms = s.atomPacketsByFormat();
    for (int f = 0; f < 6; f++) {
      n.put("I_ATOM_F" + (f + 1), atoms[f]);
    }
    n.put("I_ASYNC", s.asyncs());
    n.put("I_TRACE_INFO", s.traceInfos());
    n.put("I_TRACE_ON", s.traceOns());
    n.put("I_TIMESTAMP", s.timestamps());
    n.put("I_CTXT", s.contexts());
    n.put("I_ADDR_MATCH", s.exactMatch());
    n.put("I_ADDR_S_IS0", s.short1() + s.short2());
    n.put("I_ADDR_L_32IS0", s.long32());
    n.put("I_ADDR_L_64IS0", s.long64());
    n.put("I_ADDR_CTXT_L_32IS0", s.addressWithContext32());
    n.put("I_ADDR_CTXT_L_64IS0", s.addressWithContext64());
    n.put("I_EXCEPT", s.exceptions());
    n.put("I_EXCEPT_RTN", s.exceptionReturns());
    n.put("I_OVERFLOW", s.overflows());
    n.values().removeIf(v -> v == 0);
    return n;
  }

  /** What one core's comparison found: instructions matched, and the invisible tail's length. */
  record Comparison(long matched, long tail) {}

  /**
   * Walks the truth of {@code cpu} and the decoded ranges {@code [start0, end0, start1, end1, ...]}
   * instruction by instruction; every decoded instruction must be the truth's next one. With
   * {@code exceptions} ({ETMv4 number, return address, instructions decoded before it} each), those
   * must be the truth's too, at the same places.
   */
  static Comparison compare(TruthReader truth, MemoryImage image, int cpu, LongArrayList ranges, List<long[]> exceptions, String what)
      throws IOException {
    long matched = 0;
    int r = 0;
    long pc = ranges.isEmpty() ? 0 : ranges.getLong(0);
    int exc = 0;
    long tail = 0;
    long tailNext = -1;
    boolean first = true;
    try (TruthCursor t = truth.cursor(cpu)) {
      for (int k; (k = t.next()) != TruthEvent.END; ) {
        if (k == TruthEvent.EXCEPTION && exceptions != null) {
          assertTrue(exc < exceptions.size(), what + ": truth exception " + exc + " not decoded");
          long[] e = exceptions.get(exc++);
          assertEquals(Etm4TraceUnit.etmExceptionType(t.type()), e[0], what + ": exception number " + exc);
          assertEquals(t.preferredReturn(), e[1], what + ": return address of exception " + exc);
          assertEquals(matched + tail, e[2], what + ": instructions before exception " + exc);
          continue;
        }
        if (k != TruthEvent.RUN) {
          continue;
        }
        long start = t.startPc();
        if (first) {
          assertEquals(start, pc, what + ": first decoded pc is not the first executed");
          first = false;
        }
        for (int i = 0; i < t.count(); i++) {
          long truthPc = start + 4L * i;
          if (r >= ranges.size() / 2) {
            // past the last decoded instruction: a sequential tail
            if (tailNext >= 0) {
              assertEquals(tailNext, truthPc, what + ": the undecoded tail is not sequential");
            }
            tailNext = truthPc + 4;
            tail++;
            int cls = A64.classify((int) image.read32(truthPc));
            assertFalse(A64.isWaypoint(cls, true, false) || A64.isExceptionGenerating(cls),
                String.format("%s: the undecoded tail holds a P0 instruction at 0x%x", what, truthPc));
            continue;
          }
          if (pc != truthPc) {
            throw new AssertionError(String.format("%s: instruction %d: truth 0x%x, OpenCSD 0x%x", what, matched,
                truthPc, pc));
          }
          matched++;
          pc += 4;
          if (pc == ranges.getLong(2 * r + 1)) {
            r++;
            if (r < ranges.size() / 2) {
              pc = ranges.getLong(2 * r);
            } else {
              tailNext = -1;
            }
          }
        }
      }
    }
    assertEquals(ranges.size() / 2, r, what + ": OpenCSD decoded more than the core executed");
    if (exceptions != null) {
      assertEquals(exceptions.size(), exc, what + ": exceptions");
    }
    return new Comparison(matched, tail);
  }

  // ------------------------------------------------------------------ issue 5: packets and flow

  /**
   * Our packet reader over each core's stream as {@link RecordingInput} delivers it (AUX frames
   * deformatted) lists exactly the packets trc_pkt_lister lists from the exported snapshot, with
   * the same Idx (our stream offsets mapped to positions in the snapshot's formatted buffer) and payloads (addresses, atoms, exception types, timestamps, contexts).
   */
  @Test
  void ourPacketsEqualTheListersPackets() throws IOException {
    Map<String, List<Long>> counts = new TreeMap<>();
    for (Scenario s : List.of(staticScenario(1), SimRecordings.scenario("default", 1, RUN_NANOS))) {
      Case c = listed(s, s.name().equals("static"));
      TraceInput in = RecordingInput.open(c.rec().dir(), null);
      Map<Integer, LongUnaryOperator> index = OpenCsdOracle.indices(c.export());
      List<Long> n = new ArrayList<>();
      for (CoreTrace core : in.cores()) {
        List<String> ours = new ArrayList<>();
        PacketReader reader = new PacketReader(core.config(),
            new OpenCsdPacketText(index.get(core.traceId()), ours::add));
        core.bytes().pushTo(reader::push);
        reader.finish();
        List<String> theirs = c.listing().packets(core.traceId());
        String what = s + " cpu " + core.cpu();
        for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
          if (!ours.get(i).equals(theirs.get(i))) {
            assertEquals(theirs.get(i), ours.get(i), what + ": packet " + i);
          }
        }
        assertEquals(theirs.size(), ours.size(), what + ": packets");
        n.add((long) ours.size());
      }
      counts.put(s.name(), n);
    }
    System.out.println("packets equal to trc_pkt_lister's, per cpu: " + counts);
  }

  /**
   * Our flow decode ({@link Decoding#run} with the static-image decoder) of each core equals
   * {@code trc_pkt_lister -decode}'s generic elements, element for element: ranges (start, end,
   * count, kind of the last instruction, E/N), exceptions (number, return address), exception
   * returns and PE contexts, each at the lister's Idx. OpenCSD emits a context only with a following
   * P0 element; a context after a core's last one is ours alone (counted, expected 0 here).
   */
  @Test
  void ourFlowEqualsTheListersDecode() throws IOException {
    Map<Long, List<Integer>> sizes = new TreeMap<>();
    for (long seed = 1; seed <= 3; seed++) {
      Case c = listed(staticScenario(seed), true);
      TraceInput in = RecordingInput.open(c.rec().dir(), null);
      Map<Integer, LongUnaryOperator> index = OpenCsdOracle.indices(c.export());
      ImageTimeline timeline = ImageTimeline.of(in.image(), in.pokes());
      List<Integer> n = new ArrayList<>();
      for (CoreTrace core : in.cores()) {
        OpenCsdOracle.ElementLines ours = new OpenCsdOracle.ElementLines(index.get(core.traceId()));
        Decoding.decodeCore(core, timeline, in, CoreDecoderFactory.STATIC, ours);
        List<String> theirs = c.listing().elements(core.traceId());
        String what = "seed " + seed + " cpu " + core.cpu();
        assertEquals(List.of(), ours.errors, what);
        for (int i = 0; i < Math.min(ours.lines.size(), theirs.size()); i++) {
          if (!ours.lines.get(i).equals(theirs.get(i))) {
            assertEquals(theirs.get(i), ours.lines.get(i), what + ": element " + i);
          }
        }
        assertEquals(theirs.size(), ours.lines.size(), what + ": elements");
        assertEquals(List.of(), ours.trailing, what + ": contexts after the last P0 element");
        n.add(theirs.size());
      }
      sizes.put(seed, n);
    }
    System.out.println("flow elements equal to trc_pkt_lister -decode's, per seed and cpu: " + sizes);
  }
}
