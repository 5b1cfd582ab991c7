package dev.tracepoke.sim.etm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The unit's streams against OpenCSD's {@code trc_pkt_lister}: every packet we emitted is the
 * packet OpenCSD reads at that offset, and the decoded instruction ranges, exceptions, context
 * changes and exception returns are exactly the scripted execution. Skipped where the lister is
 * not installed.
 */
class Etm4OpenCsdOracleTest {

  private Path lister;

  @BeforeEach
  void findLister() {
    Optional<Path> bin = TrcPktLister.binary();
    if (bin.isEmpty()) {
      System.out.println("Etm4OpenCsdOracleTest skipped: trc_pkt_lister (Debian libopencsd-bin) is not on PATH");
    }
    assumeTrue(bin.isPresent(), "trc_pkt_lister not installed");
    lister = bin.get();
  }

  @Test
  void packetsAreWhatOpenCsdReads(@TempDir Path dir) throws Exception {
    ScriptedRun s = new ScriptedRun(ScriptedRun.defaultConfig(), 6);
    byte[] trace = s.unit.buffer().toByteArray();
    OpenCsdSnapshot.write(dir, s.config, trace, s.program.code);

    TrcPktLister.Output decoded = TrcPktLister.run(lister, dir, true);
    assertEquals(List.of(), decoded.errors());
    assertEquals(String.join("\n", ours(s.packets, trace, true)), String.join("\n", theirs(decoded.packets(), true)));

    // The packet-only listing (no raw bytes) agrees as well.
    TrcPktLister.Output listed = TrcPktLister.run(lister, dir, false);
    assertEquals(List.of(), listed.errors());
    assertEquals(String.join("\n", ours(s.packets, trace, false)), String.join("\n", theirs(listed.packets(), false)));
    assertTrue(decoded.text().contains("processed " + trace.length + " bytes"), "lister read the whole stream");
  }

  static Stream<Arguments> configs() {
    EtmConfig base = ScriptedRun.defaultConfig();
    return Stream.of(
        Arguments.of("timestamps every 40 ticks, context IDs, sync every 256 bytes", base),
        Arguments.of("no timestamps, no context IDs, sync every 4 KiB",
            base.withTimestamps(false, 0).withContextIdTracing(false, 0).withSyncPeriodLog2(12)
                .withTimeConv(TimeConv.defaults())),
        Arguments.of("timestamps at sync points only, 25 MHz counter started before perf time 0",
            base.withTimestamps(true, 0).withTimeConv(TimeConv.of(25_000_000L, -5_000_000_000L))),
        Arguments.of("64-bit address after every address with context (Cortex-A72 habit)",
            base.withLongAddressAfterContext(true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void decodeIsTheScriptedExecution(String name, EtmConfig config, @TempDir Path dir) throws Exception {
    ScriptedRun s = new ScriptedRun(config, 6);
    OpenCsdSnapshot.write(dir, s.config, s.unit.buffer().toByteArray(), s.program.code);
    TrcPktLister.Output out = TrcPktLister.run(lister, dir, true);
    assertEquals(List.of(), out.errors());

    List<ScriptedCore.Expected> expected = new ArrayList<>();
    expected.add(new ScriptedCore.Expected("NO_SYNC init-decoder", 0));
    expected.add(new ScriptedCore.Expected("TRACE_ON begin or filter", 0));
    expected.addAll(s.core.expected);
    expected.add(new ScriptedCore.Expected("EO_TRACE", s.endTime));
    assertDecodes(expected, out.elements(), s.config);

    TraceUnitStats stats = s.unit.stats();
    ScriptedRun.assertEveryFormAppears(stats);
    assertEquals(s.core.instructions, stats.instructions());
  }

  @Test
  void overflowLosesExactlyTheReportedStretch(@TempDir Path dir) throws Exception {
    // One window inside the third loop iteration, one inside the fifth.
    long start1 = ScriptedRun.START_TIME + 2 * 90 * ScriptedCore.NS_PER_INSTRUCTION;
    long start2 = ScriptedRun.START_TIME + 4 * 90 * ScriptedCore.NS_PER_INSTRUCTION;
    List<OverflowWindow> windows = List.of(
        new OverflowWindow(start1, start1 + 150), new OverflowWindow(start2, start2 + 500));
    ScriptedRun s = new ScriptedRun(ScriptedRun.defaultConfig().withOverflows(windows), 6);
    OpenCsdSnapshot.write(dir, s.config, s.unit.buffer().toByteArray(), s.program.code);
    TrcPktLister.Output out = TrcPktLister.run(lister, dir, true);
    assertEquals(List.of(), out.errors());

    // What was lost, derived from the execution alone: every P0 element from the first one at or
    // after a window's start up to (not including) the first one at or after its end.
    List<ScriptedCore.Expected> expected = new ArrayList<>();
    expected.add(new ScriptedCore.Expected("NO_SYNC init-decoder", 0));
    expected.add(new ScriptedCore.Expected("TRACE_ON begin or filter", 0));
    int w = 0;
    boolean lost = false;
    String el = null;
    long lostRanges = 0;
    long lostInstructions = 0;
    for (ScriptedCore.Expected e : s.core.expected) {
      boolean p0 = !e.text().startsWith("CONTEXT") || e.time() > ScriptedRun.START_TIME;
      if (p0 && !lost && w < windows.size() && e.time() >= windows.get(w).startNs()) {
        lost = true;
        expected.add(new ScriptedCore.Expected("NO_SYNC overflow", e.time()));
      }
      if (p0 && lost && e.time() >= windows.get(w).endNs()) {
        lost = false;
        w++;
        expected.add(new ScriptedCore.Expected("TRACE_ON overflow", e.time()));
        if (el != null) {
          expected.add(new ScriptedCore.Expected(el, e.time()));
        }
      }
      if (e.text().startsWith("CONTEXT")) {
        el = e.text();
      }
      if (lost) {
        if (e.text().startsWith("RANGE")) {
          lostRanges++;
          lostInstructions += Long.parseLong(e.text().split(" ")[2]);
        }
      } else {
        expected.add(e);
      }
    }
    expected.add(new ScriptedCore.Expected("EO_TRACE", s.endTime));
    assertEquals(2, w, "both windows closed before the end");
    assertTrue(lostRanges > 0);
    assertDecodes(expected, out.elements(), s.config);

    List<UntracedStretch> stretches = s.unit.untracedStretches();
    assertEquals(2, stretches.size());
    assertEquals(lostInstructions, stretches.get(0).instructions() + stretches.get(1).instructions());
    assertEquals(2, s.unit.stats().overflows());
    assertEquals(lostInstructions, s.unit.stats().untracedInstructions());
  }

  // ------------------------------------------------------------------ packets

  private static final Map<PacketKind, String> NAMES = Map.ofEntries(
      Map.entry(PacketKind.ASYNC, "I_ASYNC"), Map.entry(PacketKind.TRACE_INFO, "I_TRACE_INFO"),
      Map.entry(PacketKind.TRACE_ON, "I_TRACE_ON"), Map.entry(PacketKind.TIMESTAMP, "I_TIMESTAMP"),
      Map.entry(PacketKind.CONTEXT, "I_CTXT"), Map.entry(PacketKind.ADDR_CTXT_32, "I_ADDR_CTXT_L_32IS0"),
      Map.entry(PacketKind.ADDR_CTXT_64, "I_ADDR_CTXT_L_64IS0"), Map.entry(PacketKind.EXACT_MATCH, "I_ADDR_MATCH"),
      Map.entry(PacketKind.SHORT_ADDR_1, "I_ADDR_S_IS0"), Map.entry(PacketKind.SHORT_ADDR_2, "I_ADDR_S_IS0"),
      Map.entry(PacketKind.LONG_ADDR_32, "I_ADDR_L_32IS0"), Map.entry(PacketKind.LONG_ADDR_64, "I_ADDR_L_64IS0"),
      Map.entry(PacketKind.EXCEPTION, "I_EXCEPT"), Map.entry(PacketKind.EXCEPTION_RETURN, "I_EXCEPT_RTN"),
      Map.entry(PacketKind.OVERFLOW, "I_OVERFLOW"), Map.entry(PacketKind.ATOM_F1, "I_ATOM_F1"),
      Map.entry(PacketKind.ATOM_F2, "I_ATOM_F2"), Map.entry(PacketKind.ATOM_F3, "I_ATOM_F3"),
      Map.entry(PacketKind.ATOM_F4, "I_ATOM_F4"), Map.entry(PacketKind.ATOM_F5, "I_ATOM_F5"),
      Map.entry(PacketKind.ATOM_F6, "I_ATOM_F6"));

  /** OpenCSD's names of the exception types the unit emits. */
  private static final Map<String, Integer> EXCEPTION_NAMES = Map.of("Call", 0x2, "Trap", 0x3, "Inst Debug", 0x6, "IRQ", 0xE);

  private static List<String> ours(List<ScriptedRun.Packet> packets, byte[] trace, boolean raw) {
    List<String> out = new ArrayList<>();
    for (ScriptedRun.Packet p : packets) {
      StringBuilder sb = new StringBuilder().append(p.offset()).append(' ');
      if (raw) {
        sb.append('[');
        for (int i = 0; i < p.length(); i++) {
          sb.append(String.format("0x%02x ", trace[(int) p.offset() + i] & 0xFF));
        }
        sb.append("] ");
      }
      sb.append(NAMES.get(p.kind()));
      switch (p.kind()) {
        case TIMESTAMP -> sb.append(String.format(" ts=0x%x", p.value()));
        case EXACT_MATCH, SHORT_ADDR_1, SHORT_ADDR_2, LONG_ADDR_32, LONG_ADDR_64 ->
            sb.append(String.format(" addr=0x%x", p.value()));
        case ADDR_CTXT_32, ADDR_CTXT_64 -> sb.append(String.format(" addr=0x%x", p.value()))
            .append(context((int) (p.extra() >>> 32), p.extra() & 0xFFFF_FFFFL));
        case CONTEXT -> sb.append(context((int) p.value(), p.extra()));
        case EXCEPTION -> sb.append(String.format(" type=0x%x", p.value())).append(p.extra() == 2 ? " prev" : "");
        case ATOM_F1, ATOM_F2, ATOM_F3, ATOM_F4, ATOM_F5, ATOM_F6 -> {
          sb.append(' ');
          for (int i = 0; i < p.extra(); i++) {
            sb.append((p.value() >>> i & 1) != 0 ? 'E' : 'N');
          }
        }
        default -> { }
      }
      out.add(sb.toString());
    }
    return out;
  }

  private static String context(int info, long cid) {
    return " EL" + (info & 3) + ((info & 0x20) != 0 ? " NS" : " S") + ((info & 0x80) != 0 ? String.format(" cid=0x%x", cid) : "");
  }

  private static final Pattern TS = Pattern.compile("Updated val = 0x([0-9a-f]+)");
  private static final Pattern ADDR = Pattern.compile("Addr=0x([0-9A-Fa-f]+)");
  private static final Pattern CTXT = Pattern.compile("Ctxt: AArch64,EL(\\d), (NS|S);(?: CID=0x([0-9a-f]+);)?");
  private static final Pattern EXCEPT = Pattern.compile("Exception\\.;\\s+([^;]+);\\s*(.*)$");
  private static final Pattern ATOMS = Pattern.compile("; ([EN]+)\\s*$");

  private static List<String> theirs(List<TrcPktLister.PacketLine> lines, boolean raw) {
    List<String> out = new ArrayList<>();
    for (TrcPktLister.PacketLine l : lines) {
      StringBuilder sb = new StringBuilder().append(l.idx()).append(' ');
      if (raw) {
        sb.append('[').append(l.raw()).append("] ");
      }
      sb.append(l.name());
      String rest = l.rest();
      Matcher m;
      if (l.name().equals("I_TIMESTAMP") && (m = TS.matcher(rest)).find()) {
        sb.append(" ts=0x").append(m.group(1).replaceFirst("^0+(?=.)", ""));
      }
      if ((m = ADDR.matcher(rest)).find()) {
        sb.append(String.format(" addr=0x%x", Long.parseUnsignedLong(m.group(1), 16)));
      }
      if ((m = CTXT.matcher(rest)).find()) {
        sb.append(" EL").append(m.group(1)).append(' ').append(m.group(2));
        if (m.group(3) != null) {
          sb.append(String.format(" cid=0x%x", Long.parseLong(m.group(3), 16)));
        }
      }
      if (l.name().equals("I_EXCEPT") && (m = EXCEPT.matcher(rest)).find()) {
        Integer type = EXCEPTION_NAMES.get(m.group(1).trim());
        sb.append(type == null ? " type=" + m.group(1) : String.format(" type=0x%x", type))
            .append(m.group(2).contains("Match Prev") ? " prev" : "");
      }
      if (l.name().startsWith("I_ATOM") && (m = ATOMS.matcher(rest)).find()) {
        sb.append(' ').append(m.group(1));
      }
      out.add(sb.toString());
    }
    return out;
  }

  // ------------------------------------------------------------------ decode

  private static final Pattern RANGE = Pattern.compile(
      "exec range=0x([0-9a-f]+):\\[0x([0-9a-f]+)\\] num_i\\((\\d+)\\) last_sz\\(4\\) \\(ISA=A64\\) ([EN]) (\\S+)\\s*(b\\+link|A64:ret|A64:eret)?\\s*(<cond>)?");
  private static final Pattern EXCEPTION = Pattern.compile("pref ret addr:0x([0-9a-f]+).*excep num \\(0x([0-9a-f]+)\\)");
  private static final Pattern PE_CONTEXT = Pattern.compile("EL(\\d)");
  private static final Pattern REASON = Pattern.compile("\\[([^\\]]+)\\]");
  private static final Pattern TIMESTAMP = Pattern.compile("TS=0x([0-9a-f]+)");

  /** One decoded element in the form {@link ScriptedCore} writes, or null for elements not compared. */
  private static String normalise(TrcPktLister.ElementLine e) {
    Matcher m;
    switch (e.type()) {
      case "INSTR_RANGE" -> {
        m = RANGE.matcher(e.body());
        if (!m.find()) {
          return "RANGE ?" + e.body();
        }
        String sub = m.group(6) == null ? "" : switch (m.group(6)) {
          case "b+link" -> " link";
          case "A64:ret" -> " ret";
          default -> " eret";
        };
        return String.format("RANGE 0x%s-0x%s %s %s %s%s%s", m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), sub,
            m.group(7) != null ? " cond" : "");
      }
      case "EXCEPTION" -> {
        m = EXCEPTION.matcher(e.body());
        return m.find() ? String.format("EXCEPTION 0x%s 0x%s", m.group(1), m.group(2)) : "EXCEPTION ?" + e.body();
      }
      case "EXCEPTION_RET" -> {
        return "ERET";
      }
      case "PE_CONTEXT" -> {
        m = PE_CONTEXT.matcher(e.body());
        return m.find() ? "CONTEXT EL" + m.group(1) : "CONTEXT ?" + e.body();
      }
      case "NO_SYNC", "TRACE_ON" -> {
        m = REASON.matcher(e.body());
        return e.type() + (m.find() ? " " + m.group(1) : "");
      }
      case "EO_TRACE" -> {
        return "EO_TRACE";
      }
      default -> {
        return e.type() + " " + e.body();
      }
    }
  }

  /**
   * The decoded elements, without timestamps and without context elements that repeat the current
   * exception level (re-syncs send the context again), equal {@code expected}; every timestamp
   * lies between the counter values of the P0 elements around it.
   */
  static void assertDecodes(List<ScriptedCore.Expected> expected, List<TrcPktLister.ElementLine> elements, EtmConfig config) {
    TimeConv conv = config.timeConv();
    List<String> want = new ArrayList<>();
    for (ScriptedCore.Expected e : expected) {
      want.add(e.text());
    }
    List<String> got = new ArrayList<>();
    String lastContext = null;
    long lastP0Counter = Long.MIN_VALUE;
    List<Long> pendingTimestamps = new ArrayList<>();
    int timestamps = 0;
    for (TrcPktLister.ElementLine e : elements) {
      if (e.type().equals("TIMESTAMP")) {
        Matcher m = TIMESTAMP.matcher(e.body());
        assertTrue(m.find(), e.body());
        long ts = Long.parseUnsignedLong(m.group(1), 16);
        assertTrue(ts >= lastP0Counter, "timestamp 0x" + Long.toHexString(ts) + " before the P0 element it follows");
        pendingTimestamps.add(ts);
        timestamps++;
        continue;
      }
      String n = normalise(e);
      if (n.startsWith("CONTEXT")) {
        if (n.equals(lastContext)) {
          continue;
        }
        lastContext = n;
      }
      if (n.startsWith("NO_SYNC")) {
        lastContext = null;
      }
      got.add(n);
      if (n.startsWith("RANGE") || n.startsWith("EXCEPTION")) {
        int i = got.size() - 1;
        if (i < expected.size() && want.get(i).equals(n)) {
          long counter = conv.counterAt(expected.get(i).time());
          for (long ts : pendingTimestamps) {
            assertTrue(ts <= counter, "timestamp 0x" + Long.toHexString(ts) + " after the P0 element at counter 0x"
                + Long.toHexString(counter) + " that follows it (" + n + ")");
          }
          pendingTimestamps.clear();
          lastP0Counter = counter;
        }
      }
    }
    assertEquals(String.join("\n", want), String.join("\n", got));
    assertEquals(config.timestamps(), timestamps > 0, "the stream carries timestamps exactly when TRCCONFIGR.TS is set");
  }
}
