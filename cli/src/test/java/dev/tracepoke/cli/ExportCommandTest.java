package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {
  @TempDir Path tmp;

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return new String[] {Integer.toString(rc), out.toString(), err.toString()};
  }

  @Test
  void aSnapshotExportedAgainListsTheSamePackets() throws Exception {
    Path bugfix = BenchDecodeCommand.defaultSnapshot();
    Assumptions.assumeTrue(bugfix != null, "no shared/conformance snapshots");
    Path a57 = bugfix.resolveSibling("a57_single_step");
    Path out = tmp.resolve("out");
    String[] r = run("export", "opencsd", a57.toString(), out.toString());
    assertEquals("0", r[0], r[2]);
    assertEquals(out + ": 1 core, 63 trace bytes in 80 bytes of frames (etr_0), image 1 segment 4096 bytes\n", r[1]);
    assertEquals(List.of("cpu_0.ini", "etm_0.ini", "etr_0.bin", "mem_00000000fffeb448.bin", "snapshot.ini",
        "trace.ini"), Files.list(out).map(p -> p.getFileName().toString()).sorted().toList());

    List<String> before = Arrays.asList(run("dump", "--packets", a57.toString())[1].split("\n"));
    List<String> after = Arrays.asList(run("dump", "--packets", out.toString())[1].split("\n"));
    assertEquals("# buffer etr_0 source etm_0 trace-id 0x10 core cpu_0 ARMv8-A (v8)", after.get(0));
    // same packets at the same stream offsets; only the names in the header line differ
    assertEquals(before.subList(1, before.size()), after.subList(1, after.size()));
    assertEquals(10, after.size());

    String[] again = run("export", "opencsd", a57.toString(), out.toString());
    assertEquals("2", again[0]);
    assertEquals("tracepoke export opencsd: " + out + " exists and is not an empty directory\n", again[2]);
  }
}
