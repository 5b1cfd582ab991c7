package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Cycle counts through {@code decode} on a real cycle-counting trace ({@code maxspec0_commopt1},
 * ETE with branch broadcast, TRCCONFIGR.CCI and commit option 1): every jsonl range carries
 * {@code "cycles"} exactly when the lister ({@code trc_pkt_lister -decode}, OpenCSD 1.3.3) has a
 * {@code CYCLE_COUNT} element after it (before the next range), with the same value; the text
 * output ends those ranges' lines in {@code cyc=N}. A trace without cycle counting has neither.
 */
class CycleCountsDecodeTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static Path ete(String name) {
    Path s = DumpPacketsSupportTest.shared();
    assumeTrue(s != null, "shared/conformance not found");
    return s.resolveSibling("opencsd-snapshots-ete").resolve(name);
  }

  @Test
  void jsonlAndTextCyclesEqualTheListers() throws IOException {
    Optional<Path> lister = OpenCsdOracle.lister();
    if (lister.isEmpty()) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin)");
    }
    assumeTrue(lister.isPresent(), "trc_pkt_lister not on PATH");
    Path dir = ete("maxspec0_commopt1");
    OpenCsdOracle.Listing listing = OpenCsdOracle.list(lister.get(), dir, "ETB_1", true);
    // the lister's ranges as "start-end n=N" with " cyc=N" where a count followed
    List<String> theirs = new ArrayList<>();
    for (String e : listing.elements(0x2)) {
      if (e.startsWith("range ")) {
        theirs.add(e.replaceAll("^range (0x[0-9a-f]+-0x[0-9a-f]+ n=\\d+) .*?( cyc=\\d+)?$", "$1$2"));
      }
    }

    assertEquals(0, run("decode", dir.toString(), "--format", "jsonl"), err.toString());
    ObjectMapper json = new ObjectMapper();
    List<String> ours = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      JsonNode n = json.readTree(line);
      if (n.get("type").asText().equals("range")) {
        ours.add(n.get("start").asText() + "-" + n.get("end").asText() + " n="
            + n.get("instructions").asLong()
            + (n.has("cycles") ? " cyc=" + n.get("cycles").asLong() : ""));
      }
    }
    assertEquals(1673, theirs.size(), "lister ranges");
    assertEquals(289, theirs.stream().filter(s -> s.contains(" cyc=")).count(), "lister counts");
    assertEquals(theirs, ours);

    out.getBuffer().setLength(0);
    assertEquals(0, run("decode", dir.toString(), "--ranges"), err.toString());
    List<String> text = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      if (line.matches("^\\[000\\] +- +[0-9a-f]{16}-[0-9a-f]{16} .*")) {
        String[] f = line.trim().split("\\s+");
        String range = f[2];
        int dash = range.indexOf('-');
        String c = line.endsWith("E") || line.endsWith("N") ? ""
            : " " + line.substring(line.lastIndexOf(' ') + 1);
        text.add("0x" + Long.toHexString(Long.parseUnsignedLong(range.substring(0, dash), 16)) + "-0x"
            + Long.toHexString(Long.parseUnsignedLong(range.substring(dash + 1), 16)) + " n=" + f[3]
            + c);
      }
    }
    assertEquals(theirs, text);
  }

  @Test
  void noCountsWithoutCycleCounting() {
    Path dir = ete("ts_marker");
    assumeTrue(Files.isDirectory(dir), "no ts_marker snapshot");
    assertEquals(0, run("decode", dir.toString(), "--format", "jsonl"), err.toString());
    assertTrue(out.toString().contains("\"type\":\"range\""), "ranges decoded");
    assertTrue(!out.toString().contains("\"cycles\""), "no cycles key");
  }
}
