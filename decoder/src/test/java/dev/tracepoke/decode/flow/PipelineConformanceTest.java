package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.OpenCsdIndex;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.pipeline.FlowBuffer;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our whole decode pipeline ({@link SnapshotInput} → deformatter → {@code PacketReader} → {@link
 * FlowDecoder}, through {@link Decoding#run}) against {@code trc_pkt_lister -ss_dir DIR -decode}
 * (OpenCSD 1.3.3) on real hardware snapshots, element for element and for every trace ID:
 * instruction ranges (start, end, count, last instruction kind, E/N), exceptions (number, return
 * address), exception returns, PE contexts and inaccessible-memory gaps, each with the lister's
 * {@code Idx} (our stream offsets mapped back into the formatted buffer).
 *
 * <p>OpenCSD 1.3.3 emits a context only once a P0 element follows it, so a context packet after
 * a trace's last range or exception never appears in its output; ours does report it. The
 * comparison applies that rule to our side and the number of such trailing contexts is asserted.
 *
 * <p>A digest of the oracle's elements (counts per kind and SHA-256 of the lines, per trace ID)
 * is committed in {@value #DIGESTS}; our output is always checked against it, and where the
 * oracle is installed it runs live and is compared line by line, and its digest with the
 * committed one. Regenerate with {@code -Dtracepoke.writeDigests=true} (oracle required).
 */
class PipelineConformanceTest {
  static final String DIGESTS = "flow/opencsd-decode-digests.txt";

  /** Our decode of one snapshot, kept so both tests of a snapshot decode it once. */
  private static final Map<String, Ours> DECODED = new TreeMap<>();

  private record Ours(TraceInput input, List<Decoding.CoreResult> cores,
      Map<Integer, LongUnaryOperator> index) {}

  private static final Map<String, Path> REBUILT = new java.util.concurrent.ConcurrentHashMap<>();

  static Path snapshot(String name) {
    Path shared = OpenCsdConformanceTest.shared();
    if (shared == null) {
      System.out.println("SKIP: no shared/conformance folder above " + OpenCsdConformanceTest.root());
    }
    Assumptions.assumeTrue(shared != null, "no shared/conformance folder");
    Path dir = shared.resolve("conformance/opencsd-snapshots").resolve(name);
    if (name.equals("juno_r1_1")) {
      // stored without its index files: rebuilt as SnapshotConformanceTest does (same for both sides)
      return REBUILT.computeIfAbsent(name, n -> {
        try {
          Path tmp = Files.createTempDirectory("tracepoke-" + n);
          tmp.toFile().deleteOnExit();
          return dev.tracepoke.decode.etm4.SnapshotConformanceTest.prepare(n, tmp);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
    return dir;
  }

  private static synchronized Ours decode(String name) throws IOException {
    Ours o = DECODED.get(name);
    if (o == null) {
      Path dir = snapshot(name);
      TraceInput in = SnapshotInput.open(dir);
      List<Decoding.CoreResult> cores = Decoding.run(in, CoreDecoderFactory.STATIC, null, 1);
      o = new Ours(in, cores, indices(dir));
      DECODED.put(name, o);
    }
    return o;
  }

  /** Per trace ID, our stream offset → the lister's Idx (identity for raw buffers). */
  static Map<Integer, LongUnaryOperator> indices(Path dir) throws IOException {
    Snapshot snap = SnapshotReader.read(dir);
    Map<Integer, LongUnaryOperator> out = new TreeMap<>();
    for (TraceBuffer b : snap.buffers()) {
      if (b.format() == TraceBuffer.Format.SOURCE_DATA) {
        continue;
      }
      OpenCsdIndex[] ix = new OpenCsdIndex[128];
      long[] streamOffset = new long[128];
      EnumSet<FrameDeformatter.Option> options = b.format() == TraceBuffer.Format.DSTREAM_CORESIGHT
          ? dev.tracepoke.decode.input.SnapshotStreams.deformatting(b)
          : EnumSet.noneOf(FrameDeformatter.Option.class);
      try (InputStream in = Files.newInputStream(snap.path(b))) {
        FrameDeformatter.deformat(in, options, (id, buf, off, len, frameOffset, index) -> {
          if (ix[id] == null) {
            ix[id] = new OpenCsdIndex();
          }
          ix[id].run(streamOffset[id], index);
          streamOffset[id] += len;
        }, snap.path(b).toString());
      }
      for (int id = 0; id < ix.length; id++) {
        if (ix[id] != null) {
          out.put(id, ix[id]);
        }
      }
    }
    return out;
  }

  /**
   * One trace ID's elements in comparison form, with OpenCSD's context rule applied: a context
   * comes out only when a range, exception, exception return or gap follows it.
   */
  static final class Lines {
    private final FlowBuffer flow;
    private final int cpu;
    private final FlowSink sink;
    private final ArrayDeque<String> pending = new ArrayDeque<>();
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    private String produced;
    private int i;

    Lines(FlowBuffer flow, int cpu, LongUnaryOperator index) {
      this.flow = flow;
      this.cpu = cpu;
      this.sink = OpenCsdListing.sink(s -> produced = s, true, index);
    }

    /** The next line, or null at the end. */
    String next() {
      while (ready.isEmpty() && i < flow.size(cpu)) {
        produced = null;
        flow.replay(cpu, i++, sink);
        if (produced == null) {
          continue;
        }
        if (produced.startsWith("context")) {
          pending.add(produced);
        } else {
          ready.addAll(pending);
          pending.clear();
          ready.add(produced);
        }
      }
      return ready.poll();
    }

    /** Contexts after the last other element (valid once {@link #next} returned null). */
    int trailingContexts() {
      return pending.size();
    }
  }

  /** Counts per kind and a SHA-256 over the lines, as committed. */
  static final class Digest {
    private final MessageDigest md;
    private final Map<String, Long> counts = new TreeMap<>();

    Digest() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      for (String k : List.of("range", "exception", "eret", "context", "nacc")) {
        counts.put(k, 0L);
      }
    }

    void add(String line) {
      counts.merge(line.substring(0, line.indexOf(' ')), 1L, Long::sum);
      md.update(line.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
    }

    String value() {
      StringBuilder b = new StringBuilder();
      counts.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
      return b.append(HexFormat.of().formatHex(md.digest())).toString();
    }
  }

  private static Map<String, Lines> ourLines(Ours o) {
    Map<String, Lines> out = new TreeMap<>();
    for (Decoding.CoreResult r : o.cores()) {
      CoreTrace core = o.input().cores().stream().filter(c -> c.cpu() == r.cpu()).findFirst()
          .orElseThrow();
      out.put(Integer.toHexString(core.traceId()), new Lines(r.flow(), r.cpu(),
          o.index().getOrDefault(core.traceId(), LongUnaryOperator.identity())));
    }
    return out;
  }

  static Path digestFile() {
    return OpenCsdConformanceTest.root().resolve("decoder/src/test/resources").resolve(DIGESTS);
  }

  /** Committed digests of {@code name}: trace ID → "counts sha256". */
  static Map<String, String> committed(String name) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String line : Files.readAllLines(digestFile())) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split(" ", 3);
      if (f[0].equals(name)) {
        m.put(f[1], f[2]);
      }
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // snapshot, trace ID with data, its ranges, trailing contexts OpenCSD does not emit
    "a57_single_step, 10, 1, 1",
    "bugfix-exact-match, 12, 1740344, 1",
    "juno-uname-001, 10, 0, 0",
    // a DSTREAM capture with no image (its dump file is missing): contexts and NACCs only
    "a55-test-tpiu, 1, 0, 0",
    // kernel trace of 6 cores with no image: contexts, exceptions and NACCs on 0x10..0x15
    "juno_r1_1, 10, 0, 0",
  })
  void ourDecodeMatchesTheCommittedOracleDigest(String name, String busyId, long ranges,
      int trailing) throws IOException {
    Map<String, String> expected = committed(name);
    assertFalse(expected.isEmpty(), "no committed digest for " + name + " in " + digestFile());
    Map<String, String> actual = new TreeMap<>();
    Map<String, Integer> trailingContexts = new TreeMap<>();
    for (Map.Entry<String, Lines> e : ourLines(decode(name)).entrySet()) {
      Digest d = new Digest();
      for (String s; (s = e.getValue().next()) != null; ) {
        d.add(s);
      }
      actual.put(e.getKey(), d.value());
      trailingContexts.put(e.getKey(), e.getValue().trailingContexts());
    }
    // trace IDs with no elements on either side are not listed
    String none = new Digest().value();
    actual.values().removeIf(none::equals);
    assertEquals(expected, actual);
    assertTrue(actual.get(busyId).contains(" range=" + ranges + " "), actual.get(busyId));
    assertEquals(trailing, trailingContexts.get(busyId), "trailing contexts of trace ID " + busyId);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"a57_single_step", "bugfix-exact-match", "juno-uname-001", "a55-test-tpiu", "juno_r1_1"})
  void ourDecodeEqualsTrcPktListerLive(String name) throws Exception {
    String lister = OpenCsdConformanceTest.onPath("trc_pkt_lister");
    if (lister == null) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): live decode comparison");
    }
    Assumptions.assumeTrue(lister != null, "trc_pkt_lister not on PATH");
    Path dir = snapshot(name);
    Map<String, Lines> ours = ourLines(decode(name));
    Map<String, Digest> theirs = new TreeMap<>();
    Map<String, Long> compared = new TreeMap<>();
    Path work = Files.createTempDirectory("tracepoke-lister");
    List<String> cmd = new java.util.ArrayList<>(List.of(lister, "-ss_dir", dir.toString(), "-decode",
        "-logstdout", "-logfilename", "/dev/null"));
    // a DSTREAM capture's blocks end in probe footers: the lister skips them with -dstream_format
    if (SnapshotReader.read(dir).buffers().get(0).format() == TraceBuffer.Format.DSTREAM_CORESIGHT) {
      cmd.add("-dstream_format");
    }
    Process p = new ProcessBuilder(cmd)
        .directory(work.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    boolean done = false;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
      for (String line; (line = r.readLine()) != null; ) {
        done |= line.contains("Trace buffer done");
        if (!line.startsWith("Idx:") || !line.contains("OCSD_GEN_TRC_ELEM_")) {
          continue;
        }
        OpenCsdListing.element(line, (id, theirLine) -> {
          theirs.computeIfAbsent(id, k -> new Digest()).add(theirLine);
          Lines mine = ours.get(id);
          String ourLine = mine == null ? null : mine.next();
          long n = compared.merge(id, 1L, Long::sum) - 1;
          if (!theirLine.equals(ourLine)) {
            fail("trace ID " + id + " element " + n + ": trc_pkt_lister " + theirLine + ", ours "
                + ourLine);
          }
        });
      }
    } finally {
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Files.deleteIfExists(work);
    }
    assertEquals(0, p.exitValue(), "trc_pkt_lister exit status");
    assertTrue(done, "trc_pkt_lister did not finish the buffer");
    for (Map.Entry<String, Lines> e : ours.entrySet()) {
      String extra = e.getValue().next();
      assertEquals(null, extra, "trace ID " + e.getKey() + ": elements only we output, first");
    }
    Map<String, String> oracle = new TreeMap<>();
    theirs.forEach((id, d) -> oracle.put(id, d.value()));
    if (Boolean.getBoolean("tracepoke.writeDigests")) {
      writeDigests(name, oracle);
    }
    assertEquals(committed(name), oracle, "committed digests are not what the oracle prints now");
  }

  private static synchronized void writeDigests(String name, Map<String, String> fresh)
      throws IOException {
    Path f = digestFile();
    Map<String, String> all = new TreeMap<>();
    if (Files.exists(f)) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank() && !line.startsWith("#") && !line.startsWith(name + " ")) {
          String[] k = line.split(" ", 3);
          all.put(k[0] + " " + k[1], k[2]);
        }
      }
    }
    fresh.forEach((id, v) -> all.put(name + " " + id, v));
    StringBuilder b = new StringBuilder(
        "# trc_pkt_lister -decode (OpenCSD 1.3.3) elements of shared/conformance/opencsd-snapshots,\n"
            + "# as PipelineConformanceTest normalises them: <snapshot> <trace id> <counts> <sha256>\n");
    all.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
    Files.createDirectories(f.getParent());
    Files.writeString(f, b);
  }
}
