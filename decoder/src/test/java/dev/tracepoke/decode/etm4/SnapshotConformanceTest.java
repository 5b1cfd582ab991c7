package dev.tracepoke.decode.etm4;

import dev.tracepoke.decode.input.SnapshotStreams;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;


/**
 * Every snapshot of the conformance folder: our packet list per trace ID equals {@code
 * trc_pkt_lister -ss_dir DIR -logstdout -logfilename /dev/null} (OpenCSD 1.3.3), packet by packet:
 * types, payload values and indices, error packets included.
 *
 * <p>A digest of the oracle's output (packet count and SHA-256 of the normalised lines per trace
 * ID) is committed in {@code etm4/opencsd-snapshot-digests.txt}; our output is always checked
 * against it, and where the oracle is installed it is also run live and both its digest and its
 * lines are compared. Regenerate the digests with {@code -Dtracepoke.writeDigests=true} (oracle
 * required).
 *
 * <p>{@code juno_r1_1} is stored without {@code snapshot.ini}/{@code trace.ini} and without the
 * device files of ETM_1..ETM_3: the test rebuilds the two index files around {@code cstrace.bin}
 * and the device files that exist (ETM_0, ETM_4, ETM_5; trace IDs 0x10, 0x14, 0x15). Trace IDs
 * 0x11-0x13 carry data of cpu_1..cpu_3, Cortex-A53s like cpu_0: they are configured with ETM_0's
 * registers and their own trace ID (an assumption, the same for both sides, so the packet
 * comparison holds whatever their real configuration was). The STM source (STM_12, {@code
 * cstraceitm.bin}) is not ETMv4 and is left out on both sides.
 */
public class SnapshotConformanceTest {

  static final String DIGESTS = "etm4/opencsd-snapshot-digests.txt";

  public static Path snapshotsDir() {
    Path root = Path.of(System.getProperty("tracepoke.root", "..")).toAbsolutePath().normalize();
    for (Path d = root.getParent(); d != null; d = d.getParent()) {
      Path s = d.resolve("shared/conformance/opencsd-snapshots");
      if (Files.isDirectory(s)) {
        return s;
      }
    }
    return null;
  }

  static Stream<String> snapshots() throws IOException {
    Path dir = snapshotsDir();
    assumeTrue(dir != null, "shared/conformance/opencsd-snapshots not found");
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  /** The snapshot directory to use: the stored one, or the rebuilt juno_r1_1. */
  public static Path prepare(String name, Path tmp) throws IOException {
    Path dir = snapshotsDir().resolve(name);
    if (SnapshotReader.isSnapshot(dir)) {
      return dir;
    }
    assertEquals("juno_r1_1", name, name + " has no snapshot.ini and no rebuild rule");
    Path out = tmp.resolve(name);
    Files.createDirectories(out);
    List<String> deviceFiles = new ArrayList<>();
    Map<String, String> etms = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String f = p.getFileName().toString();
        if (!f.endsWith(".ini")) {
          continue;
        }
        String text = Files.readString(p, StandardCharsets.ISO_8859_1);
        if (text.contains("type=STM")) {
          continue;
        }
        Files.copy(p, out.resolve(f));
        deviceFiles.add(f);
        if (text.contains("type=ETM4")) {
          String etm = text.replaceAll("(?s).*name=(\\S+).*", "$1");
          etms.put(etm, "cpu_" + etm.substring(etm.indexOf('_') + 1));
        }
      }
    }
    // ETM_1..3 (trace IDs 0x11-0x13) are missing from the stored copy: ETM_0's registers, own ID
    String etm0 = Files.readString(dir.resolve("device_6.ini"), StandardCharsets.ISO_8859_1);
    assertTrue(etm0.contains("name=ETM_0") && etm0.contains("TRCTRACEIDR(0x010)=0x00000010"), etm0);
    for (int i = 1; i <= 3; i++) {
      String f = "ETM_" + i + ".ini";
      Files.writeString(
          out.resolve(f),
          etm0.replace("name=ETM_0", "name=ETM_" + i)
              .replace("TRCTRACEIDR(0x010)=0x00000010", "TRCTRACEIDR(0x010)=0x0000001" + i),
          StandardCharsets.ISO_8859_1);
      deviceFiles.add(f);
      etms.put("ETM_" + i, "cpu_" + i);
    }
    Files.copy(dir.resolve("cstrace.bin"), out.resolve("cstrace.bin"));
    StringBuilder ini = new StringBuilder("[snapshot]\nversion=1.0\n\n[device_list]\n");
    for (int i = 0; i < deviceFiles.size(); i++) {
      ini.append("device").append(i).append('=').append(deviceFiles.get(i)).append('\n');
    }
    ini.append("\n[trace]\nmetadata=trace.ini\n");
    Files.writeString(out.resolve("snapshot.ini"), ini);
    StringBuilder trace =
        new StringBuilder("[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\nname=ETB_0\nfile=cstrace.bin\nformat=coresight\n\n[source_buffers]\n");
    etms.keySet().forEach(e -> trace.append(e).append("=ETB_0\n"));
    trace.append("\n[core_trace_sources]\n");
    etms.forEach((e, c) -> trace.append(c).append('=').append(e).append('\n'));
    Files.writeString(out.resolve("trace.ini"), trace);
    return out;
  }

  /**
   * The lister's options for a snapshot: a DSTREAM capture ({@code format=dstream_coresight},
   * a55-test-tpiu) is read with {@code -dstream_format}, as OpenCSD's own tests list it: its
   * 512-byte blocks end in an 8-byte probe footer that is not trace (without the option the lister
   * reads the first footer as frame data and stops at byte 516, "Data Path fatal error").
   */
  static List<String> listerOptions(Path dir) throws IOException {
    Snapshot s = SnapshotReader.read(dir);
    return s.buffers().get(0).format() == dev.tracepoke.snapshot.TraceBuffer.Format.DSTREAM_CORESIGHT
        ? List.of("-dstream_format") : List.of();
  }

  static Map<String, List<String>> ours(String name, Path dir) throws IOException {
    return ours(dir);
  }

  /** Our normalised packet lines per trace-ID key (as the lister prints IDs: hex, 0 for raw). */
  static Map<String, List<String>> ours(Path dir) throws IOException {
    Snapshot s = SnapshotReader.read(dir);
    SnapshotStreams.BufferPlan plan = SnapshotStreams.plan(s, s.buffers().get(0));
    boolean raw = plan.buffer().format() == dev.tracepoke.snapshot.TraceBuffer.Format.SOURCE_DATA;
    Map<String, List<String>> out = new TreeMap<>();
    Map<Integer, OpenCsdIndex> indices = new LinkedHashMap<>();
    SnapshotStreams.read(
        s,
        plan,
        src -> {
          OpenCsdIndex ix = new OpenCsdIndex();
          indices.put(src.traceId(), ix);
          List<String> lines = out.computeIfAbsent(raw ? "0" : Integer.toHexString(src.traceId()), k -> new ArrayList<>());
          return new PacketReader(src.config(), new OpenCsdPacketText(raw ? o -> o : ix, lines::add));
        },
        src -> raw ? null : indices.get(src.traceId()));
    return out;
  }

  /** The lister's packet lines per trace ID, normalised. */
  static Map<String, List<String>> theirs(List<String> output) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String line : output) {
      String[] p = OpenCsdPacketText.parseListerLine(line);
      if (p == null) {
        continue;
      }
      List<String> l = out.computeIfAbsent(p[0], k -> new ArrayList<>());
      // the leading-zeros A-sync quirk, see ListerConformanceTest.listerLines
      if (!l.isEmpty() && p[1].equals(l.get(l.size() - 1)) && p[1].contains("I_ASYNC")) {
        continue;
      }
      l.add(p[1]);
    }
    return out;
  }

  static String digest(List<String> lines) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String l : lines) {
        md.update(l.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return lines.size() + " " + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path digestFile() {
    Path root = Path.of(System.getProperty("tracepoke.root", "..")).toAbsolutePath().normalize();
    return root.resolve("decoder/src/test/resources").resolve(DIGESTS);
  }

  /** Committed digests: "snapshot id" -> "count sha256". */
  static Map<String, String> committedDigests() throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String line : Files.readAllLines(digestFile())) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      m.put(f[0] + " " + f[1], f[2] + " " + f[3]);
    }
    return m;
  }

  @ParameterizedTest
  @MethodSource("snapshots")
  void ourPacketsMatchTheCommittedOracleDigest(String name, @TempDir Path tmp) throws IOException {
    Map<String, List<String>> ours = ours(name, prepare(name, tmp));
    Map<String, String> committed = committedDigests();
    Map<String, String> expected = new TreeMap<>();
    committed.forEach(
        (k, v) -> {
          if (k.startsWith(name + " ")) {
            expected.put(k.substring(name.length() + 1), v);
          }
        });
    assertFalse(expected.isEmpty(), "no committed digest for " + name);
    Map<String, String> actual = new TreeMap<>();
    ours.forEach((id, lines) -> actual.put(id, digest(lines)));
    // trace IDs the oracle lists with no packets have no lines on either side
    expected.forEach((id, d) -> actual.putIfAbsent(id, digest(List.of())));
    assertEquals(expected, actual);
  }

  @ParameterizedTest
  @MethodSource("snapshots")
  void ourPacketsEqualTheOraclesLive(String name, @TempDir Path tmp) throws Exception {
    Path lister = ListerConformanceTest.Oracles.trcPktLister();
    assumeTrue(lister != null, "trc_pkt_lister (libopencsd-bin 1.3.3) not installed: live comparison skipped");
    Path dir = prepare(name, tmp);
    List<String> output = ListerConformanceTest.Oracles.run(lister, dir, listerOptions(dir));
    assertTrue(output.stream().anyMatch(l -> l.contains("Trace buffer done")), String.join("\n", output));
    assertFalse(output.contains("Trace Packet Lister : Data Path fatal error"), String.join("\n", output));
    Map<String, List<String>> theirs = theirs(output);
    Map<String, List<String>> ours = ours(name, dir);
    for (String id : ours.keySet()) {
      theirs.putIfAbsent(id, List.of());
    }
    assertEquals(theirs.keySet(), ours.keySet(), "trace IDs listed");
    for (String id : theirs.keySet()) {
      ListerConformanceTest.assertSameLines(theirs.get(id), ours.get(id));
    }
    Map<String, String> oracleDigests = new TreeMap<>();
    theirs.forEach((id, lines) -> oracleDigests.put(name + " " + id, digest(lines)));
    if (Boolean.getBoolean("tracepoke.writeDigests")) {
      writeDigests(oracleDigests);
    }
    Map<String, String> committed = new TreeMap<>();
    committedDigests().forEach((k, v) -> {
      if (k.startsWith(name + " ")) {
        committed.put(k, v);
      }
    });
    assertEquals(committed, oracleDigests, "committed digests are not what the oracle prints now");
  }

  private static synchronized void writeDigests(Map<String, String> fresh) throws IOException {
    Path f = digestFile();
    Map<String, String> all = Files.exists(f) ? committedDigests() : new TreeMap<>();
    String snapshot = fresh.keySet().iterator().next().split(" ")[0];
    all.keySet().removeIf(k -> k.startsWith(snapshot + " "));
    all.putAll(fresh);
    StringBuilder b =
        new StringBuilder(
            "# trc_pkt_lister (OpenCSD 1.3.3) packet listings of shared/conformance/opencsd-snapshots,\n"
                + "# normalised by OpenCsdPacketText: <snapshot> <trace id as printed> <packets> <sha256>\n");
    all.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
    Files.createDirectories(f.getParent());
    Files.writeString(f, b);
    assertNotNull(f);
  }
}
