package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real snapshots of {@code shared/conformance} through the command line, as a user runs them:
 * {@code dump --packets SNAP} lists per buffer as many packets as {@code trc_pkt_lister -ss_dir SNAP
 * -src_name BUFFER} (OpenCSD 1.3.3; {@code -dstream_format} for a DSTREAM capture), and {@code
 * decode --format jsonl SNAP}, on one thread and on two (the stretched path), gives per buffer
 * exactly the lister's A64 instruction ranges (start, end, count, in order: {@code -decode}), with
 * the exit status and number of stderr diagnostics pinned. The counts are asserted whether or not
 * the lister is installed; the lister's own output is compared where it is.
 *
 * <p>The decoder-level conformance tests compare every element and packet field; this one guards
 * the command's own path (input layer, threads, warnings), where a TSTART waypoint once went
 * missing on two threads only.
 */
class RealSnapshotsCliTest {

  private static final Pattern RANGE = Pattern.compile("^Idx:\\d+; ID:[0-9a-f]+; OCSD_GEN_TRC_ELEM_INSTR_RANGE"
      + "\\(exec range=0x([0-9a-f]+):\\[0x([0-9a-f]+)\\] num_i\\((\\d+)\\).*\\(ISA=(\\w+)\\).*");

  static Path dir(String folder, String name) {
    Path s = DumpPacketsSupportTest.shared();
    assumeTrue(s != null, "shared/conformance not found");
    return s.resolveSibling(folder).resolve(name);
  }

  record Run(int exit, String out, String err) {}

  static Run tracepoke(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  /** "buffer=packets" per {@code # buffer} section of {@code dump --packets}, in its order. */
  static Map<String, Integer> ourPackets(String out) {
    Map<String, Integer> m = new LinkedHashMap<>();
    String key = null;
    for (String l : out.split("\n")) {
      if (l.startsWith("# buffer ")) {
        key = l.split(" ")[2];
        m.merge(key, 0, Integer::sum);
      } else if (!l.isEmpty() && key != null) {
        m.merge(key, 1, Integer::sum);
      }
    }
    return m;
  }

  /** Our ranges "start-end n" per cpu, from jsonl. */
  static Map<Integer, List<String>> ourRanges(String jsonl) throws IOException {
    ObjectMapper m = new ObjectMapper();
    Map<Integer, List<String>> r = new TreeMap<>();
    for (String l : jsonl.split("\n")) {
      JsonNode n = m.readTree(l);
      if (n.get("type").asText().equals("range")) {
        r.computeIfAbsent(n.get("cpu").asInt(), k -> new ArrayList<>()).add(
            Long.parseUnsignedLong(n.get("start").asText().substring(2), 16) + "-"
                + Long.parseUnsignedLong(n.get("end").asText().substring(2), 16) + " "
                + n.get("instructions").asLong());
      }
    }
    return r;
  }

  static List<String> lister(Path snap, String buffer, boolean decode) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(OpenCsdOracle.lister().orElseThrow().toString(), "-ss_dir",
        snap.toString(), "-src_name", buffer, "-logstdout", "-logfilename", "/dev/null"));
    if (decode) {
      cmd.add("-decode");
    }
    if (SnapshotReader.read(snap).buffer(buffer).orElseThrow().format() == TraceBuffer.Format.DSTREAM_CORESIGHT) {
      cmd.add("-dstream_format"); // the probe's block footers are not trace
    }
    Path out = Files.createTempFile("tracepoke-lister", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).directory(snap.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "trc_pkt_lister timed out");
      List<String> lines = Files.readAllLines(out, StandardCharsets.ISO_8859_1);
      assertTrue(lines.stream().anyMatch(l -> l.contains("Trace buffer done")), String.join("\n", lines));
      return lines;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * The lister's packets (error lines that end in a packet included, as {@link
   * dev.tracepoke.decode.etm4.OpenCsdPacketText} reads them; its repeated leading A-sync line once).
   */
  static int listerPackets(List<String> lines) {
    int n = 0;
    String prev = null;
    for (String l : lines) {
      String[] p = dev.tracepoke.decode.etm4.OpenCsdPacketText.parseListerLine(l);
      if (p != null) {
        if (!(p[1].equals(prev) && p[1].contains("I_ASYNC"))) {
          n++;
        }
        prev = p[1];
      }
    }
    return n;
  }

  /** The lister's A64 ranges "start-end n" (A32/T32 code is a gap on our side). */
  static List<String> listerRanges(List<String> lines) {
    List<String> r = new ArrayList<>();
    for (String l : lines) {
      Matcher m = RANGE.matcher(l);
      if (m.matches() && m.group(4).equals("A64")) {
        r.add(Long.parseUnsignedLong(m.group(1), 16) + "-" + Long.parseUnsignedLong(m.group(2), 16) + " " + m.group(3));
      }
    }
    return r;
  }

  /** juno_r1_1 is stored without snapshot.ini and trace.ini: the lister and we both refuse it, saying why. */
  @org.junit.jupiter.api.Test
  void junoR11AsStoredIsRefusedByBoth() throws Exception {
    Path snap = dir("opencsd-snapshots", "juno_r1_1");
    String why = snap + ": neither an OpenCSD snapshot (snapshot.ini) nor a perf recording (data)";
    Run dec = tracepoke("decode", snap.toString());
    assertEquals(1, dec.exit());
    assertEquals("tracepoke decode: " + why + "\n", dec.err());
    Run dump = tracepoke("dump", "--packets", snap.toString());
    assertEquals(1, dump.exit());
    assertEquals("tracepoke dump: " + why + "\n", dump.err());
    if (OpenCsdOracle.lister().isEmpty()) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): juno_r1_1 as stored");
      return;
    }
    Process p = new ProcessBuilder(OpenCsdOracle.lister().get().toString(), "-ss_dir", snap.toString(),
        "-logstdout", "-logfilename", "/dev/null").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertTrue(out.contains("Trace Packet Lister : Snapshot path" + snap + " not found"), out);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource(delimiter = '|', value = {
    // folder | snapshot | buffer=packets ... | ranges/instructions per cpu | stderr lines of decode
    "opencsd-snapshots-ete | ete-wfet | ETB_1=76 ETB_2=0 | 188/718 | 1",
    "opencsd-snapshots-ete | ete_ip | ETB_1=308 | 187/795 | 1",
    "opencsd-snapshots-ete | ete_mem | ETB_1=1057 | 2008/9122 | 0",
    "opencsd-snapshots-ete | ete_spec_1 | ETB_1=76 | 63/254 | 0",
    "opencsd-snapshots-ete | maxspec0_commopt1 | ETB_1=2416 | 1673/6759 | 0",
    "opencsd-snapshots-ete | pauth_lr | ETB_1=80 ETB_2=89 ETB_3=79 | 92/441 101/463 92/440 | 0",
    "opencsd-snapshots-ete | q_elem | ETB_2=363 ETB_1=295 | 378/19778 388/1100 | 3",
    "opencsd-snapshots-ete | tme_simple | ETB_1=48 | 50/225 | 0",
    "opencsd-snapshots-ete | trace_file_vmid | ETB_1=3137 | 6958/29127 | 0",
    "opencsd-snapshots-ete | ts_marker | ETB_1=552 | 223/1050 | 0",
    "opencsd-snapshots | a57_single_step | CSTMC_TRACE_FIFO=9 | 1/1 | 0",
    "opencsd-snapshots | init-short-addr | CSTMC_TRACE_FIFO=29 | | 5",
    "opencsd-snapshots | a55-test-tpiu | DSTREAM_0=34005 | | 19",
    "opencsd-snapshots | juno-uname-001 | ETB_0=36989 | | 8867",
  })
  void commandsAgreeWithTheLister(String folder, String name, String packets, String ranges,
      int diagnostics) throws Exception {
    Path snap = dir(folder, name);
    Run dump = tracepoke("dump", "--packets", snap.toString());
    assertEquals(0, dump.exit(), dump.err());
    Map<String, Integer> ours = ourPackets(dump.out());
    Map<String, Integer> expected = new LinkedHashMap<>();
    for (String p : packets.split(" ")) {
      expected.put(p.split("=")[0], Integer.parseInt(p.split("=")[1]));
    }
    assertEquals(expected, ours, "dump --packets per buffer");

    Map<Integer, List<String>> decoded = null;
    for (String threads : List.of("1", "2")) {
      Run dec = tracepoke("decode", "--format", "jsonl", "--threads", threads, snap.toString());
      assertEquals(0, dec.exit(), dec.err());
      List<String> errLines = dec.err().isEmpty() ? List.of() : Arrays.asList(dec.err().split("\n"));
      // a snapshot has no text-poke records, tables or probes: a breakpoint exception at a word that
      // is no BRK (maxspec0_commopt1's two at an ADD) is the debugger's, never an ambiguity
      assertEquals(0, dec.out().lines().filter(l -> l.contains("\"type\":\"ambiguity\"")).count(),
          "--threads " + threads);
      assertEquals(diagnostics, errLines.size(), "--threads " + threads + ":\n" + dec.err());
      Map<Integer, List<String>> r = ourRanges(dec.out());
      List<String> counts = new ArrayList<>();
      r.values().forEach(l -> counts.add(l.size() + "/" + l.stream().mapToLong(s -> Long.parseLong(s.split(" ")[1])).sum()));
      assertEquals(ranges == null ? "" : ranges, String.join(" ", counts), "--threads " + threads);
      if (decoded != null) {
        assertEquals(decoded, r, "one thread and two decode alike");
      }
      decoded = r;
    }
    if (name.equals("ete_ip")) {
      // A32 code: one gap naming the instruction set, and nothing else said about it
      assertTrue(decoded.size() == 1 && tracepoke("decode", snap.toString()).err().equals(
          "tracepoke decode: " + snap + ": cpu 0 trace byte 53 (packet 15): AArch32 code (A32 instruction set)"
              + " at 0x1b37f4 is not decoded: only A64 is\n"));
    }

    if (OpenCsdOracle.lister().isEmpty()) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): " + name + " counts only");
      return;
    }
    List<List<String>> unmatched = new ArrayList<>(decoded.values());
    for (String buffer : expected.keySet()) {
      assertEquals(expected.get(buffer), listerPackets(lister(snap, buffer, false)), buffer + " packets");
      List<String> theirs = listerRanges(lister(snap, buffer, true));
      if (!theirs.isEmpty()) {
        assertTrue(unmatched.remove(theirs), buffer + ": the lister's " + theirs.size()
            + " ranges are not one of our cores' ranges");
      }
    }
    assertEquals(List.of(), unmatched, "ranges only we decoded");
  }
}
