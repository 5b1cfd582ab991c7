package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Nothing silent (issue 12, point 7): trace that tracepoke does not decode is named on stderr with
 * the reason; with nothing else to decode the exit status is 1, beside decodable trace it is 0.
 * The STM cases use juno_r1_1's real STM capture ({@code cstraceitm.bin}, device {@code STM_12}),
 * which trc_pkt_lister reads as 115 STM packets; the PTM, ETMv3, ITM and M-profile cases are
 * snapshots written here around bytes of that capture, which the lister takes for trace of the
 * protocol named (its "Protocol printer" line), so each is trace present and not decoded.
 */
class UndecodedSourcesTest {

  @TempDir Path tmp;

  static Path juno() {
    Path s = DumpPacketsSupportTest.shared();
    assumeTrue(s != null, "shared/conformance not found");
    return s.resolve("juno_r1_1");
  }

  /** A snapshot of {@code devices} (file name, ini text) with one formatted buffer per source. */
  static Path snapshot(Path dir, List<String[]> devices, List<String[]> buffers, List<String> coreSources)
      throws IOException {
    Files.createDirectories(dir);
    StringBuilder s = new StringBuilder("[snapshot]\nversion=1.0\n\n[device_list]\n");
    for (int i = 0; i < devices.size(); i++) {
      Files.writeString(dir.resolve(devices.get(i)[0]), devices.get(i)[1]);
      s.append("device").append(i).append('=').append(devices.get(i)[0]).append('\n');
    }
    s.append("\n[trace]\nmetadata=trace.ini\n");
    Files.writeString(dir.resolve("snapshot.ini"), s);
    StringBuilder t = new StringBuilder("[trace_buffers]\nbuffers=");
    for (int i = 0; i < buffers.size(); i++) {
      t.append(i == 0 ? "" : ",").append("buffer").append(i);
    }
    t.append('\n');
    for (int i = 0; i < buffers.size(); i++) {
      // {name, file, format, source}
      String[] b = buffers.get(i);
      t.append("\n[buffer").append(i).append("]\nname=").append(b[0]).append("\nfile=").append(b[1])
          .append("\nformat=").append(b[2]).append('\n');
    }
    t.append("\n[source_buffers]\n");
    for (String[] b : buffers) {
      t.append(b[3]).append('=').append(b[0]).append('\n');
    }
    t.append("\n[core_trace_sources]\n");
    for (String cs : coreSources) {
      t.append(cs).append('\n');
    }
    Files.writeString(dir.resolve("trace.ini"), t);
    return dir;
  }

  static String core(String name, String type) {
    return "[device]\nname=" + name + "\nclass=core\ntype=" + type + "\n";
  }

  static String lister(Path snap, String... extra) throws Exception {
    java.util.Optional<Path> l = OpenCsdOracle.lister();
    if (l.isEmpty()) {
      return null;
    }
    List<String> cmd = new ArrayList<>(List.of(l.get().toString(), "-ss_dir", snap.toString(), "-logstdout",
        "-logfilename", "/dev/null"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).directory(snap.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out;
  }

  /** The real STM capture alone: listed by OpenCSD, named by us, exit 1 for decode and dump. */
  @Test
  void stmOnlyIsNamedAndExitsOne() throws Exception {
    Path snap = tmp.resolve("stm");
    Files.createDirectories(snap);
    Files.copy(juno().resolve("cstraceitm.bin"), snap.resolve("cstraceitm.bin"));
    snapshot(snap, List.<String[]>of(new String[] {"stm.ini", Files.readString(juno().resolve("device_12.ini"))}),
        List.<String[]>of(new String[] {"ETB_1", "cstraceitm.bin", "coresight", "STM_12"}), List.of());
    String why = "buffer ETB_1 source STM_12: type STM: STM software and hardware event messages, not"
        + " instruction trace; tracepoke decodes ETMv4 and ETE only";
    RealSnapshotsCliTest.Run dec = RealSnapshotsCliTest.tracepoke("decode", snap.toString());
    assertEquals(1, dec.exit());
    assertEquals("", dec.out());
    assertEquals("tracepoke decode: warning: not decoded: " + why + " (" + snap + ")\n"
        + "tracepoke decode: " + snap + ": no trace that tracepoke can decode\n", dec.err());
    RealSnapshotsCliTest.Run dump = RealSnapshotsCliTest.tracepoke("dump", "--packets", snap.toString());
    assertEquals(1, dump.exit());
    assertEquals("tracepoke dump: skipped " + why + " (" + snap + ")\n"
        + "tracepoke dump: " + snap + ": no trace that tracepoke can list\n", dump.err());
    String listed = lister(snap);
    if (listed == null) {
      System.out.println("SKIP: trc_pkt_lister not on PATH (package libopencsd-bin): STM listing");
      return;
    }
    assertTrue(listed.contains("Protocol printer STM on Trace ID"), listed);
    assertEquals(115, listed.lines().filter(l -> l.startsWith("Idx:")).count(), listed);
  }

  /** juno_r1_1's ETMv4 trace beside its STM capture: the ETMs decode, the STM is named, exit 0. */
  @Test
  void stmBesideEtmv4IsNamedAndTheRestDecodes() throws Exception {
    Path snap = tmp.resolve("juno-with-stm");
    Files.createDirectories(snap);
    Files.copy(juno().resolve("cstrace.bin"), snap.resolve("cstrace.bin"));
    Files.copy(juno().resolve("cstraceitm.bin"), snap.resolve("cstraceitm.bin"));
    snapshot(snap, List.of(
            new String[] {"cpu_0.ini", Files.readString(juno().resolve("cpu_0.ini"))},
            new String[] {"etm_0.ini", Files.readString(juno().resolve("device_6.ini"))},
            new String[] {"stm.ini", Files.readString(juno().resolve("device_12.ini"))}),
        List.of(new String[] {"ETB_0", "cstrace.bin", "coresight", "ETM_0"},
            new String[] {"ETB_1", "cstraceitm.bin", "coresight", "STM_12"}),
        List.of("cpu_0=ETM_0"));
    RealSnapshotsCliTest.Run dec = RealSnapshotsCliTest.tracepoke("decode", "--format", "jsonl", snap.toString());
    assertEquals(0, dec.exit(), dec.err());
    assertTrue(dec.err().contains("tracepoke decode: warning: not decoded: buffer ETB_1 source STM_12: type STM:"
        + " STM software and hardware event messages, not instruction trace; tracepoke decodes ETMv4 and ETE only ("
        + snap + ")\n"),
        dec.err());
    // the ETM buffer's other trace IDs (cpu_1..cpu_5, whose ETMs this snapshot does not list)
    assertTrue(dec.err().contains("tracepoke decode: warning: not decoded: " + snap.resolve("cstrace.bin")
        + ": buffer ETB_0 holds 4825 bytes of trace on trace ID(s) 0x11 (672 bytes), 0x12 (672 bytes), 0x13"
        + " (698 bytes), 0x15 (2783 bytes) that no ETMv4 or ETE source of " + snap.resolve("snapshot.ini")
        + " has (TRCTRACEIDR)\n"), dec.err());
    RealSnapshotsCliTest.Run dump = RealSnapshotsCliTest.tracepoke("dump", "--packets", snap.toString());
    assertEquals(0, dump.exit(), dump.err());
    assertTrue(dump.err().contains("tracepoke dump: warning: not decoded: " + snap.resolve("cstrace.bin")
        + ": buffer ETB_0 holds 4825 bytes"), dump.err());
    // trace ID 0x10's elements, as PipelineConformanceTest compares them with the lister's
    assertEquals(9657, dec.out().lines().filter(l -> l.contains("\"reason\":\"nacc\"")).count());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    // case | core type | source ini | reason | the lister's protocol
    "PTM | Cortex-A15 | [device]\\nname=PTM_0\\nclass=trace_source\\ntype=PTM1.1\\n\\n[regs]\\nETMCR(0x000)=0x00001000"
        + "\\nETMIDR(0x079)=0x411CF312\\nETMCCER(0x07A)=0x344008F2\\nETMTRACEIDR(0x080)=0x00000010\\n"
        + " | source PTM_0: type PTM1.1: PTM program flow trace (ARMv7 cores); tracepoke decodes ETMv4 and ETE only | PTM",
    "ETMv3 | Cortex-A7 | [device]\\nname=ETM3_0\\nclass=trace_source\\ntype=ETM3.5\\n\\n[regs]\\nETMCR(0x000)=0x00001000"
        + "\\nETMIDR(0x079)=0x410CF250\\nETMCCER(0x07A)=0x344008F2\\nETMTRACEIDR(0x080)=0x00000010\\n"
        + " | source ETM3_0: type ETM3.5: ETMv3 instruction trace; tracepoke decodes ETMv4 and ETE only | ETMV3",
    // OpenCSD 1.3.3's snapshot reader makes no ITM decoder ("Failed to create decoder"): no oracle
    "ITM | Cortex-M3 | [device]\\nname=ITM_0\\nclass=trace_source\\ntype=ITM\\n\\n[regs]\\nITMTCR(0x3A0)=0x00100009\\n"
        + " | source ITM_0: type ITM: ITM instrumentation messages, not instruction trace; tracepoke decodes ETMv4 and"
        + " ETE only | ",
    "M-profile | Cortex-M33 | [device]\\nname=ETM_0\\nclass=trace_source\\ntype=ETM4\\n\\n[regs]\\n"
        + "TRCCONFIGR(0x004)=0x00000001\\nTRCTRACEIDR(0x010)=0x00000010\\nTRCIDR0(0x078)=0x28000EA1\\n"
        + "TRCIDR1(0x079)=0x4100F421\\nTRCIDR2(0x07A)=0x00000488\\nTRCIDR8(0x060)=0x0\\nTRCIDR9(0x061)=0x0\\n"
        + "TRCIDR10(0x062)=0x0\\nTRCIDR11(0x063)=0x0\\nTRCIDR12(0x064)=0x0\\nTRCIDR13(0x065)=0x0\\n"
        + " | source ETM_0: core cpu_0 (Cortex-M33) is M-profile: its code is T32 (Thumb), which tracepoke does not"
        + " decode | ETMV4I",
  })
  void otherProtocolsAndCoresAreNamedAndExitOne(String what, String coreType, String sourceIni, String reason,
      String protocol) throws Exception {
    String ini = sourceIni.replace("\\n", "\n");
    String name = ini.replaceAll("(?s).*name=(\\S+).*", "$1");
    Path snap = tmp.resolve(what);
    Files.createDirectories(snap);
    // bytes of a real formatted capture (the STM's): trace present, whatever it says
    Files.copy(juno().resolve("cstraceitm.bin"), snap.resolve("trace.bin"));
    snapshot(snap, List.of(new String[] {"cpu_0.ini", core("cpu_0", coreType)}, new String[] {"src.ini", ini}),
        List.<String[]>of(new String[] {"ETB_0", "trace.bin", "source_data", name}), List.of("cpu_0=" + name));
    RealSnapshotsCliTest.Run dec = RealSnapshotsCliTest.tracepoke("decode", snap.toString());
    assertEquals(1, dec.exit(), dec.err());
    assertEquals("", dec.out());
    assertEquals("tracepoke decode: warning: not decoded: buffer ETB_0 " + reason + " (" + snap + ")\n"
        + "tracepoke decode: " + snap + ": no trace that tracepoke can decode\n", dec.err());
    String listed = lister(snap);
    if (listed == null || protocol == null) {
      System.out.println("SKIP: " + (listed == null ? "trc_pkt_lister not on PATH (package libopencsd-bin)"
          : "OpenCSD 1.3.3 has no decoder for it") + ": " + what + " oracle");
      return;
    }
    assertTrue(listed.contains("Protocol printer " + protocol + " on Trace ID"), listed);
  }
}
