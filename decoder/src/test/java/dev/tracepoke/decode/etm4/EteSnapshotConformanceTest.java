package dev.tracepoke.decode.etm4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.input.SnapshotStreams;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every buffer of every ETE snapshot in {@code shared/conformance/opencsd-snapshots-ete} (Armv9
 * trace units, OpenCSD's own test snapshots): our packet list equals {@code trc_pkt_lister -ss_dir
 * DIR -src_name BUFFER -logstdout -logfilename /dev/null} (OpenCSD 1.3.3), packet by packet.
 *
 * <p>As for ETMv4 ({@link SnapshotConformanceTest}), a digest of the oracle's normalised lines per
 * buffer is committed in {@code ete/opencsd-ete-snapshot-digests.txt} and our listing is always
 * checked against it; where the oracle is installed it also runs live and its lines and digest are
 * compared. Regenerate with {@code -Dtracepoke.writeDigests=true} (oracle required).
 */
class EteSnapshotConformanceTest {

  static final String DIGESTS = "ete/opencsd-ete-snapshot-digests.txt";

  static Path snapshotsDir() {
    Path root = Path.of(System.getProperty("tracepoke.root", "..")).toAbsolutePath().normalize();
    for (Path d = root.getParent(); d != null; d = d.getParent()) {
      Path s = d.resolve("shared/conformance/opencsd-snapshots-ete");
      if (Files.isDirectory(s)) {
        return s;
      }
    }
    return null;
  }

  /** "snapshot buffer" for every buffer of every ETE snapshot. */
  static Stream<String> buffers() throws IOException {
    Path dir = snapshotsDir();
    assumeTrue(dir != null, "shared/conformance/opencsd-snapshots-ete not found");
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isDirectory).sorted().toList()) {
        for (TraceBuffer b : SnapshotReader.read(p).buffers()) {
          out.add(p.getFileName() + " " + b.name());
        }
      }
    }
    return out.stream();
  }

  /** Our normalised packet lines for one buffer (raw source_data buffers: the stream offset is the index). */
  static List<String> ours(Path dir, String bufferName) throws IOException {
    Snapshot s = SnapshotReader.read(dir);
    TraceBuffer buffer = s.buffers().stream().filter(b -> b.name().equals(bufferName)).findFirst().orElseThrow();
    SnapshotStreams.BufferPlan plan = SnapshotStreams.plan(s, buffer);
    assertEquals(1, plan.sources().size(), "sources of " + bufferName + ": " + plan);
    assertTrue(plan.sources().get(0).config().isEte(), "an ETE source");
    List<String> lines = new ArrayList<>();
    SnapshotStreams.read(
        s,
        plan,
        src -> new PacketReader(src.config(),
            new OpenCsdPacketText(o -> o, lines::add, src.config().majorVersion() == 5)),
        src -> null);
    return lines;
  }

  static Map<String, String> committedDigests() throws IOException {
    Path f = SnapshotConformanceTest.digestFile().getParent().getParent().resolve(DIGESTS);
    Map<String, String> m = new TreeMap<>();
    for (String line : Files.readAllLines(f)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] p = line.trim().split("\\s+");
      m.put(p[0] + " " + p[1], p[2] + " " + p[3]);
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("buffers")
  void ourPacketsMatchTheCommittedOracleDigest(String key) throws IOException {
    String[] k = key.split(" ");
    String expected = committedDigests().get(key);
    assertTrue(expected != null, "no committed digest for " + key);
    assertEquals(expected, SnapshotConformanceTest.digest(ours(snapshotsDir().resolve(k[0]), k[1])));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("buffers")
  void ourPacketsEqualTheOraclesLive(String key) throws Exception {
    Path lister = ListerConformanceTest.Oracles.trcPktLister();
    if (lister == null) {
      System.out.println("SKIP: trc_pkt_lister (libopencsd-bin 1.3.3) not installed: live ETE comparison skipped");
    }
    assumeTrue(lister != null, "trc_pkt_lister not installed");
    String[] k = key.split(" ");
    Path dir = snapshotsDir().resolve(k[0]);
    List<String> output = runLister(lister, dir, k[1]);
    assertTrue(output.stream().anyMatch(l -> l.contains("Trace buffer done")), String.join("\n", output));
    List<String> theirs = SnapshotConformanceTest.theirs(output).getOrDefault("0", List.of());
    // ete-wfet's session2.bin is empty: no packets on either side
    assertEquals(Files.size(dir.resolve(bufferFile(dir, k[1]))) == 0, theirs.isEmpty(), "the lister listed no packets");
    ListerConformanceTest.assertSameLines(theirs, ours(dir, k[1]));
    String digest = SnapshotConformanceTest.digest(theirs);
    if (Boolean.getBoolean("tracepoke.writeDigests")) {
      writeDigest(key, digest);
    }
    assertEquals(committedDigests().get(key), digest, "committed digest is not what the oracle prints now");
  }

  /** The ten snapshots and every buffer are found (a folder lost must not pass as zero cases). */
  @Test
  void everySnapshotIsCovered() throws IOException {
    assumeTrue(snapshotsDir() != null, "shared/conformance/opencsd-snapshots-ete not found");
    List<String> keys = buffers().toList();
    assertEquals(14, keys.size(), keys.toString());
    assertEquals(10, keys.stream().map(s -> s.split(" ")[0]).distinct().count());
  }

  static String bufferFile(Path dir, String buffer) throws IOException {
    Snapshot s = SnapshotReader.read(dir);
    return s.path(s.buffers().stream().filter(b -> b.name().equals(buffer)).findFirst().orElseThrow())
        .getFileName().toString();
  }

  static List<String> runLister(Path lister, Path dir, String buffer) throws IOException, InterruptedException {
    Path out = Files.createTempFile("trc_pkt_lister", ".txt");
    try {
      Process p = new ProcessBuilder(lister.toString(), "-ss_dir", dir.toString(), "-src_name", buffer,
              "-logstdout", "-logfilename", "/dev/null")
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
      assertTrue(p.waitFor(600, TimeUnit.SECONDS), "trc_pkt_lister timed out");
      return Files.readAllLines(out, StandardCharsets.ISO_8859_1);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static synchronized void writeDigest(String key, String digest) throws IOException {
    Path f = SnapshotConformanceTest.digestFile().getParent().getParent().resolve(DIGESTS);
    Map<String, String> all = Files.exists(f) ? committedDigests() : new TreeMap<>();
    all.put(key, digest);
    StringBuilder b = new StringBuilder(
        "# trc_pkt_lister (OpenCSD 1.3.3) packet listings of shared/conformance/opencsd-snapshots-ete,\n"
            + "# one line per buffer, normalised by OpenCsdPacketText: <snapshot> <buffer> <packets> <sha256>\n");
    all.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
    Files.createDirectories(f.getParent());
    Files.writeString(f, b);
  }
}
