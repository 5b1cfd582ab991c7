package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our flow decoder against OpenCSD 1.3.3 on real hardware traces (static images): the packets
 * trc_pkt_lister lists are replayed into {@link FlowDecoder} and every instruction range,
 * exception and inaccessible-memory element must equal the lister's, in order, with the same
 * packet offsets.
 */
class OpenCsdConformanceTest {
  /** Core types OpenCSD 1.3.3 treats as v8.3 or later (PAuth branches are waypoints). */
  private static final Set<String> V83 =
      Set.of("Cortex-A55", "Cortex-A65", "Cortex-A75", "Cortex-A76", "Cortex-A77", "ARMv8.3-A",
          "ARM-AA64", "ARM-aa64");

  static Path root() {
    String prop = System.getProperty("tracepoke.root");
    Path p = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of(System.getProperty("user.dir"));
    for (Path q = p.toAbsolutePath(); q != null; q = q.getParent()) {
      if (Files.exists(q.resolve(".ci/run"))) {
        return q;
      }
    }
    throw new IllegalStateException("no repository root (.ci/run) above " + p);
  }

  /** {@code <root>/../shared}; from a worktree the nearest ancestor holding {@code shared/}. */
  static Path shared() {
    for (Path d = root().getParent(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("shared/conformance"))) {
        return d.resolve("shared");
      }
    }
    return null;
  }

  static String onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    return null;
  }

  @ParameterizedTest(name = "{0} trace ID 0x{1}")
  @CsvSource({
    // snapshot, trace ID, framed (-id filters), ranges, exceptions, inaccessible-memory elements
    "a57_single_step, 10, true, 1, 1, 0",
    "init-short-addr, 0, false, 0, 0, 5",
    "bugfix-exact-match, 12, true, 1740344, 34, 0",
  })
  void rangesEqualTrcPktLister(String snapshot, String traceIdHex, boolean framed, long ranges,
      long exceptions, long naccs, @TempDir Path tmp) throws Exception {
    String lister = onPath("trc_pkt_lister");
    if (lister == null) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin)");
    }
    Assumptions.assumeTrue(lister != null, "trc_pkt_lister not on PATH");
    Path shared = shared();
    if (shared == null) {
      System.out.println("SKIP: no shared/conformance folder above " + root());
    }
    Assumptions.assumeTrue(shared != null, "no shared/conformance folder");
    Path dir = shared.resolve("conformance/opencsd-snapshots").resolve(snapshot);
    int traceId = Integer.parseInt(traceIdHex, 16);

    Path listing = tmp.resolve("listing.txt");
    // -id selects a source in framed buffers; for raw source_data it would hide the packet lines
    List<String> cmd = new ArrayList<>(List.of(lister, "-ss_dir", dir.toString(), "-decode",
        "-logstdout", "-logfilename", "/dev/null"));
    if (framed) {
      cmd.addAll(List.of("-id", "0x" + traceIdHex));
    }
    Process p =
        new ProcessBuilder(cmd)
            .directory(tmp.toFile())
            .redirectOutput(listing.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("trc_pkt_lister did not finish in 600 s");
    }
    assertEquals(0, p.exitValue(), "trc_pkt_lister exit status");

    OpenCsdListing.Core core = OpenCsdListing.core(dir, traceId);
    BlockCache blocks =
        new BlockCache(ImageTimeline.of(core.image()), V83.contains(core.type()), false);
    ArrayDeque<String> ours = new ArrayDeque<>();
    ArrayDeque<String> theirs = new ArrayDeque<>();
    long[] compared = new long[4];
    Runnable drain = () -> {
      while (!ours.isEmpty() && !theirs.isEmpty()) {
        String a = theirs.poll();
        String b = ours.poll();
        if (!a.equals(b)) {
          fail("element " + compared[0] + ": trc_pkt_lister " + a + ", ours " + b);
        }
        compared[0]++;
        if (a.startsWith("range")) {
          compared[1]++;
        } else if (a.startsWith("exception")) {
          compared[2]++;
        } else if (a.startsWith("nacc")) {
          compared[3]++;
        }
      }
    };
    FlowDecoder decoder =
        new FlowDecoder(0, blocks, 0, OpenCsdListing.sink(s -> {
          ours.add(s);
          drain.run();
        }));
    OpenCsdListing.replay(listing, traceId, decoder, s -> {
      theirs.add(s);
      drain.run();
    });
    drain.run();
    assertEquals(0, theirs.size(), "elements only trc_pkt_lister output, first: " + theirs.peek());
    assertEquals(0, ours.size(), "elements only we output, first: " + ours.peek());
    assertEquals(ranges, compared[1], "ranges compared");
    assertEquals(exceptions, compared[2], "exceptions compared");
    assertEquals(naccs, compared[3], "inaccessible-memory elements compared");
  }
}
