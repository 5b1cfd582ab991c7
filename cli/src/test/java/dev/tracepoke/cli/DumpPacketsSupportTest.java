package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpPacketsSupportTest {

  static Path shared() {
    Path root = Path.of(System.getProperty("tracepoke.root", "..")).toAbsolutePath().normalize();
    for (Path d = root.getParent(); d != null; d = d.getParent()) {
      Path s = d.resolve("shared/conformance/opencsd-snapshots");
      if (Files.isDirectory(s)) {
        return s;
      }
    }
    return null;
  }

  @Test
  void listsASnapshotDirectory() {
    Path s = shared();
    assumeTrue(s != null, "shared/conformance not found");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = DumpPacketsSupport.dumpPackets(s.resolve("a57_single_step"), new PrintWriter(out), new PrintWriter(err));
    assertEquals(0, rc);
    assertEquals(
        List.of(
            "# buffer CSTMC_TRACE_FIFO source CSETM_0 trace-id 0x10 core Cortex-A57_0 Cortex-A57 (v8)",
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 TRACE_ON",
            "15 3 CONTEXT EL2 AArch64 NS vmid=0x0 cid=0x0",
            "25 4 ADDR_L64_IS0 0x00000000fffeb448",
            "34 5 EXCEPTION debug-halt(0x1) ret-addr-follows",
            "36 6 ADDR_L64_IS0 0x00000000fffeb44c",
            "45 7 CONTEXT EL2 AArch64 NS vmid=0x0 cid=0x0",
            "55 8 TIMESTAMP 0x2f150c0 bits=64"),
        List.of(out.toString().split("\n")));
    assertEquals(
        "tracepoke dump: buffer CSTMC_TRACE_FIFO source CSETM_0 trace-id 0x10 core Cortex-A57_0 Cortex-A57 (v8): 9 packets in 63 bytes\n",
        err.toString());
  }

  @Test
  void reportsWhatIsWrong(@TempDir Path tmp) {
    StringWriter err = new StringWriter();
    assertEquals(1, DumpPacketsSupport.dumpPackets(tmp.resolve("nope"), new PrintWriter(new StringWriter()), new PrintWriter(err)));
    assertEquals("tracepoke dump: " + tmp.resolve("nope") + " does not exist\n", err.toString());
  }
}
