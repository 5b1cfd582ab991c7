package dev.tracepoke.coresight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.coresight.FrameFormatterTest.Collect;
import dev.tracepoke.coresight.FrameFormatterTest.Run;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our frames against OpenCSD: real hardware buffers must split exactly as OpenCSD's deformatter
 * splits them, and buffers we format must list as the packets we put in.
 */
class OpenCsdFramesTest {
  private static final Pattern RAW =
      Pattern.compile("Frame Data; Index\\s*(\\d+);\\s+ID_DATA\\[(0x[0-9a-f]+|\\?\\?\\?\\?)\\];\\s*(.*)$");
  private static final Pattern PKT = Pattern.compile("^Idx:(\\d+); ID:([0-9a-f]+);\\s+(\\w+) :(.*)$");

  @TempDir Path tmp;

  private static Path snapshots() {
    Optional<Path> s = Oracle.shared();
    assumeTrue(s.isPresent(), "shared/conformance not found; skipping real-trace checks");
    return s.get().resolve("conformance/opencsd-snapshots");
  }

  private static Collect deformatFile(Path file) throws IOException {
    Collect c = new Collect();
    try (InputStream in = Files.newInputStream(file)) {
      FrameDeformatter.deformat(
          in, EnumSet.of(FrameDeformatter.Option.STRICT_IDS), c, file.toString());
    }
    return c;
  }

  private static Map<Integer, Integer> counts(Collect c) {
    Map<Integer, Integer> m = new TreeMap<>();
    c.perId.forEach((id, b) -> m.put(id, b.size()));
    return m;
  }

  @Test
  void bugfixExactMatchSplitsPerTraceId() throws Exception {
    Path dir = snapshots().resolve("bugfix-exact-match");
    Collect c = deformatFile(dir.resolve("cstrace.bin"));
    // 1 MiB = 65536 frames; all data is trace ID 0x12 (also the sum of OpenCSD's raw output)
    assertEquals(Map.of(0x12, 974_749), counts(c));
    FrameDeformatter.Stats s = stats(dir.resolve("cstrace.bin"));
    assertEquals(new FrameDeformatter.Stats(65536, 974_749, 28, 0, 70, 0, 0, 0), s);
    crossCheckWithOpenCsd(dir, c);
  }

  @Test
  void junoSplitsPerTraceId() throws Exception {
    Path src = snapshots().resolve("juno_r1_1");
    Collect c = deformatFile(src.resolve("cstrace.bin"));
    assertEquals(
        Map.of(0x10, 55_273, 0x11, 672, 0x12, 672, 0x13, 698, 0x15, 2_783), counts(c));
    assertEquals(new FrameDeformatter.Stats(4096, 60_098, 22, 0, 81, 0, 0, 0),
        stats(src.resolve("cstrace.bin")));
    // the stored copy lacks snapshot.ini/trace.ini: build a minimal snapshot around its buffer
    Files.copy(src.resolve("cstrace.bin"), tmp.resolve("cstrace.bin"));
    writeSnapshot(tmp, Map.of(0x10, "ETM_0", 0x14, "ETM_4"), "coresight");
    crossCheckWithOpenCsd(tmp, c);
  }

  private static FrameDeformatter.Stats stats(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return FrameDeformatter.deformat(
          in, EnumSet.noneOf(FrameDeformatter.Option.class), (a, b, o, l, f, i) -> {}, "x");
    }
  }

  /** Every run OpenCSD's deformatter prints for a source ID equals ours: index, ID and bytes. */
  private void crossCheckWithOpenCsd(Path snapshot, Collect ours) throws Exception {
    Optional<Path> lister = Oracle.onPath("trc_pkt_lister");
    assumeTrue(lister.isPresent(), "trc_pkt_lister not installed; skipping OpenCSD cross-check");
    List<String> out = Oracle.run(tmp, lister.get().toString(), "-ss_dir", snapshot.toString(),
        "-o_raw_unpacked", "-logstdout", "-logfilename", "/dev/null");
    List<Run> theirs = new ArrayList<>();
    HexFormat hex = HexFormat.ofDelimiter(" ");
    for (String line : out) {
      Matcher m = RAW.matcher(line);
      if (m.find() && !m.group(2).startsWith("?")) {
        int id = Integer.parseInt(m.group(2).substring(2), 16);
        if (FrameFormat.isSourceId(id)) {
          String bytes = hex.formatHex(hex.parseHex(m.group(3).trim()));
          long index = Long.parseLong(m.group(1));
          theirs.add(new Run(id, bytes, index & ~15L, index));
        }
      }
    }
    assertTrue(out.get(out.size() - 1).contains("Trace buffer done"), out.get(out.size() - 1));
    assertEquals(theirs.size(), ours.runs.size());
    assertEquals(theirs, ours.runs);
  }

  /** ETMv4 byte streams of two cores, framed by us, listed by trc_pkt_lister. */
  @Test
  void formattedStreamsListAsTheirPackets() throws Exception {
    byte[] asyncInfoOn = cat(new byte[11], bytes(0x80, 0x01, 0x00, 0x04));
    // core 0: EL1 kernel address 0xFFFF800008001000, then E E N E.EE
    byte[] s10 = cat(asyncInfoOn,
        bytes(0x85, 0x00, 0x08, 0x00, 0x08, 0x00, 0x80, 0xFF, 0xFF, 0x31),
        bytes(0xF7, 0xF7, 0xF6, 0xFD));
    // core 1: EL0 user address 0x400000, then atom F6 (4 E + N) and F3 (EEE), repeated
    byte[] s12 = cat(asyncInfoOn,
        bytes(0x85, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30),
        bytes(0xE1, 0xFF, 0xE1, 0xFF, 0xF7));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(out);
    // interleave in uneven slices so ID changes land on both even and odd slots
    int a = 0;
    int b = 0;
    int[] sliceA = {3, 1, 5, 2, 7};
    int[] sliceB = {2, 4, 1, 6};
    for (int k = 0; a < s10.length || b < s12.length; k++) {
      int na = Math.min(sliceA[k % sliceA.length], s10.length - a);
      f.write(0x10, s10, a, na);
      a += na;
      int nb = Math.min(sliceB[k % sliceB.length], s12.length - b);
      f.write(0x12, s12, b, nb);
      b += nb;
    }
    f.pad(1);
    Files.write(tmp.resolve("cstrace.bin"), out.toByteArray());

    Collect ours = FrameFormatterTest.deformat(out.toByteArray(),
        EnumSet.of(FrameDeformatter.Option.STRICT_IDS));
    assertArrayEquals(s10, ours.perId.get(0x10).toByteArray());
    assertArrayEquals(s12, ours.perId.get(0x12).toByteArray());

    Optional<Path> lister = Oracle.onPath("trc_pkt_lister");
    assumeTrue(lister.isPresent(), "trc_pkt_lister not installed; skipping OpenCSD listing");
    Map<Integer, String> devices = new LinkedHashMap<>();
    devices.put(0x10, "ETM_0");
    devices.put(0x12, "ETM_1");
    writeSnapshot(tmp, devices, "coresight");
    List<String> lines = Oracle.run(tmp, lister.get().toString(), "-ss_dir", tmp.toString(),
        "-logstdout", "-logfilename", "/dev/null");
    Map<Integer, List<String>> packets = new TreeMap<>();
    Map<Integer, List<String>> details = new TreeMap<>();
    for (String line : lines) {
      Matcher m = PKT.matcher(line);
      if (m.find()) {
        int id = Integer.parseInt(m.group(2), 16);
        packets.computeIfAbsent(id, k -> new ArrayList<>()).add(m.group(3));
        details.computeIfAbsent(id, k -> new ArrayList<>()).add(m.group(4));
      }
    }
    List<String> head = List.of("I_ASYNC", "I_TRACE_INFO", "I_TRACE_ON", "I_ADDR_CTXT_L_64IS0");
    assertEquals(cat(head, List.of("I_ATOM_F1", "I_ATOM_F1", "I_ATOM_F1", "I_ATOM_F3")),
        packets.get(0x10));
    assertEquals(cat(head, List.of("I_ATOM_F6", "I_ATOM_F3", "I_ATOM_F6", "I_ATOM_F3", "I_ATOM_F1")),
        packets.get(0x12));
    assertEquals(List.of(0x10, 0x12), List.copyOf(packets.keySet()));
    assertTrue(details.get(0x10).get(3).contains("Addr=0xFFFF800008001000"), details.get(0x10).get(3));
    assertTrue(details.get(0x12).get(3).contains("Addr=0x0000000000400000"), details.get(0x12).get(3));
    assertTrue(details.get(0x10).get(7).endsWith("ENE"), details.get(0x10).get(7));
    assertTrue(details.get(0x12).get(4).endsWith("EEEEN"), details.get(0x12).get(4));
  }

  /** A minimal OpenCSD snapshot: one core (no memory) and one ETMv4 per trace ID, one buffer. */
  static void writeSnapshot(Path dir, Map<Integer, String> etmById, String format)
      throws IOException {
    StringBuilder list = new StringBuilder();
    StringBuilder sources = new StringBuilder();
    StringBuilder cores = new StringBuilder();
    int n = 0;
    for (var e : etmById.entrySet()) {
      String etm = e.getValue();
      String cpu = "cpu_" + n;
      Files.writeString(dir.resolve(cpu + ".ini"),
          "[device]\nname=" + cpu + "\nclass=core\ntype=Cortex-A53\n");
      Files.writeString(dir.resolve(etm + ".ini"),
          "[device]\nname=" + etm + "\nclass=trace_source\ntype=ETM4\n\n[regs]\n"
              + "TRCCONFIGR=0x00000001\nTRCTRACEIDR=0x" + Integer.toHexString(e.getKey()) + "\n"
              + "TRCIDR0=0x28000EA1\nTRCIDR1=0x4100F403\nTRCIDR2=0x00000488\nTRCIDR8=0x0\n");
      list.append("device").append(2 * n).append('=').append(cpu).append(".ini\n");
      list.append("device").append(2 * n + 1).append('=').append(etm).append(".ini\n");
      sources.append(etm).append("=ETB_0\n");
      cores.append(cpu).append('=').append(etm).append('\n');
      n++;
    }
    Files.writeString(dir.resolve("snapshot.ini"),
        "[snapshot]\nversion=1.0\n\n[device_list]\n" + list + "\n[trace]\nmetadata=trace.ini\n");
    Files.writeString(dir.resolve("trace.ini"),
        "[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\nname=ETB_0\nfile=cstrace.bin\nformat="
            + format + "\n\n[source_buffers]\n" + sources + "\n[core_trace_sources]\n" + cores);
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  private static List<String> cat(List<String> a, List<String> b) {
    List<String> r = new ArrayList<>(a);
    r.addAll(b);
    return r;
  }
}
