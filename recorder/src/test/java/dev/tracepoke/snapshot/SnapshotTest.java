package dev.tracepoke.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the shipped OpenCSD snapshots, writing our own, and round trips between the two. */
class SnapshotTest {

  @TempDir Path tmp;

  static Path root() {
    String p = System.getProperty("tracepoke.root");
    if (p != null && !p.isBlank()) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve(".ci/run"))) {
        return d;
      }
    }
    throw new IllegalStateException("repository root not found");
  }

  /** The conformance snapshots: {@code <root>/../shared}, or the nearest ancestor's shared/. */
  static Path snapshots() {
    for (Path d = root().getParent(); d != null; d = d.getParent()) {
      Path s = d.resolve("shared/conformance/opencsd-snapshots");
      if (Files.isDirectory(s)) {
        return s;
      }
    }
    assumeTrue(false, "shared/conformance/opencsd-snapshots not found; skipping real snapshots");
    return null;
  }

  @Test
  void readsTheBugfixSnapshot() throws IOException {
    Path dir = snapshots().resolve("bugfix-exact-match");
    assertTrue(SnapshotReader.isSnapshot(dir));
    Snapshot s = SnapshotReader.read(dir);
    assertEquals("1.0", s.version());
    assertEquals(12, s.devices().size());
    assertEquals(
        List.of("cpu_0", "cpu_1", "cpu_2", "cpu_3", "cpu_4", "cpu_5", "etm_0", "etm_1", "etm_2", "etm_3", "etm_4", "etm_5"),
        s.devices().stream().map(Device::name).toList());
    assertEquals(
        Map.of("Cluster 0", List.of("cpu_1", "cpu_2"), "Cluster 1", List.of("cpu_0", "cpu_3", "cpu_4", "cpu_5")),
        s.clusters());
    assertEquals(
        List.of(new TraceBuffer("buffer0", "etr_0", "cstrace.bin", TraceBuffer.Format.CORESIGHT, "coresight")),
        s.buffers());
    TraceBuffer etr = s.buffers().get(0);
    assertEquals(
        List.of("etm_0", "etm_1", "etm_2", "etm_3", "etm_4", "etm_5"),
        s.sourcesIn(etr).stream().map(Device::name).toList());

    Device.Core cpu1 = (Device.Core) s.device("cpu_1").orElseThrow();
    assertEquals(new CoreType("Cortex-A72", CoreType.Arch.V8, CoreType.Profile.A), cpu1.coreType());
    assertFalse(cpu1.coreType().hasPointerAuthBranches());
    assertEquals(0xFFFFFFC000081000L, cpu1.registers().get("PC"));
    assertEquals(
        List.of(
            new MemoryDump("dump.init", "cc1.init_dump.bin", 0x4001D8L, 0, 20, ""),
            new MemoryDump("dump.text", "cc1.text_dump.bin", 0x400200L, 0, 1_894_336, ""),
            new MemoryDump("dump__libc_freeres_fn", "cc1__libc_freeres_fn_dump.bin", 0x5CE9C0L, 0, 3152, ""),
            new MemoryDump("dump__libc_thread_freeres_fn", "cc1__libc_thread_freeres_fn_dump.bin", 0x5CF610L, 0, 240, ""),
            new MemoryDump("dump.fini", "cc1.fini_dump.bin", 0x5CF700L, 0, 16, "")),
        cpu1.dumps());
    byte[] fini = cpu1.dumps().get(4).read(dir);
    assertArrayEquals(Files.readAllBytes(dir.resolve("cc1.fini_dump.bin")), fini);

    Device.TraceSource etm1 = (Device.TraceSource) s.device("etm_1").orElseThrow();
    assertTrue(etm1.isEtm4());
    assertEquals(cpu1, s.coreOf(etm1).orElseThrow());
    assertEquals(
        new EtmRegisters(0x1, 0x12, 0x28000EA1L, 0x4100F400L, 0x488, 0, 0, 0, 0, 0, 0),
        s.etm4Registers(etm1));
    assertEquals(0x12, s.etm4Registers(etm1).traceId());
  }

  @Test
  void readsDs5SnapshotsWithRegisterIdsAndSpaces() throws IOException {
    Snapshot s = SnapshotReader.read(snapshots().resolve("a57_single_step"));
    Device.Core core = (Device.Core) s.device("Cortex-A57_0").orElseThrow();
    assertEquals(List.of(new MemoryDump("dump1", "mem_Cortex-A57_0.bin", 0xFFFEB448L, 0, 4096, "EL2")), core.dumps());
    assertEquals(0x200003C9L, core.registers().get("CPSR"));
    Device.TraceSource etm = (Device.TraceSource) s.device("CSETM_0").orElseThrow();
    assertEquals("ETM4.1", etm.type());
    assertEquals(
        new EtmRegisters(0x1, 0x10, 0x08000CA1L, 0x4200F410L, 0x20001088L, 0, 0, 0, 0, 0, 0),
        s.etm4Registers(etm));

    Snapshot raw = SnapshotReader.read(snapshots().resolve("init-short-addr"));
    assertEquals(TraceBuffer.Format.SOURCE_DATA, raw.buffers().get(0).format());
    assertEquals(Map.of("Cortex-A57_0", "CSETM_0"), raw.coreTraceSources());
  }

  @Test
  void theStoredJunoCopyIsNotASnapshot() {
    Path juno = snapshots().resolve("juno_r1_1");
    assertFalse(SnapshotReader.isSnapshot(juno));
    SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> SnapshotReader.read(juno));
    assertEquals(juno.resolve("snapshot.ini"), e.file());
  }

  @Test
  void missingFilesAreNamedWithTheLineThatNamesThem() throws IOException {
    Files.writeString(tmp.resolve("snapshot.ini"), "[snapshot]\nversion=1.0\n[device_list]\n[trace]\nmetadata=trace.ini\n");
    SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> SnapshotReader.read(tmp));
    assertEquals(tmp.resolve("snapshot.ini") + ":5: trace metadata file trace.ini: expected a file, found no such file", e.getMessage());
    Files.writeString(tmp.resolve("snapshot.ini"), "[snapshot]\nversion=2.0\n");
    e = assertThrows(SnapshotFormatException.class, () -> SnapshotReader.read(tmp));
    assertEquals(tmp.resolve("snapshot.ini") + ":1: version=2.0; expected 1.0", e.getMessage());
    Files.writeString(tmp.resolve("snapshot.ini"), "[snapshot]\nversion=1\n[device_list]\nd=cpu.ini\n");
    Files.writeString(tmp.resolve("cpu.ini"), "[device]\nname=cpu_0\nclass=core\ntype=Cortex-X9\n");
    e = assertThrows(SnapshotFormatException.class, () -> SnapshotReader.read(tmp));
    assertEquals(tmp.resolve("cpu.ini") + ":1: unrecognised core type 'Cortex-X9' (OpenCSD rejects it)", e.getMessage());
  }

  @Test
  void coreNamesMapToArchitectureVersionsAsOpenCsdDoes() {
    assertEquals(CoreType.Arch.V8, CoreType.of("Cortex-A53").orElseThrow().arch());
    assertEquals(CoreType.Arch.V8R3, CoreType.of("Cortex-A76").orElseThrow().arch());
    assertEquals(CoreType.Arch.V8, CoreType.of("ARMv8.2-A").orElseThrow().arch());
    assertEquals(CoreType.Arch.V8R3, CoreType.of("ARMv8.3-A").orElseThrow().arch());
    assertEquals(CoreType.Arch.AA64, CoreType.of("ARMv8.5-A").orElseThrow().arch());
    assertEquals(CoreType.Arch.V8, CoreType.of("ARMv8-A").orElseThrow().arch());
    assertEquals(CoreType.Arch.V7, CoreType.of("ARMv7-R").orElseThrow().arch());
    assertEquals(CoreType.Profile.R, CoreType.of("ARMv7-R").orElseThrow().profile());
    assertEquals(CoreType.Arch.AA64, CoreType.of("ARM-AA64").orElseThrow().arch());
    assertEquals(CoreType.Arch.AA64, CoreType.of("ARM-aa64").orElseThrow().arch());
    assertTrue(CoreType.of("ARM-AA64").orElseThrow().hasPointerAuthBranches());
    assertEquals(Optional.empty(), CoreType.of("Cortex-X1"));
    assertEquals(Optional.empty(), CoreType.of("ARMv8.3"));
    assertEquals(Optional.empty(), CoreType.of("ARMv8.3-Q"));
  }

  @Test
  void iniCommentsSuffixesAndErrors() {
    Ini ini =
        Ini.parse(
            Path.of("x.ini"),
            "; header\n[regs]\nTRCIDR0(0x078)=0x28000EA1 ; trailing\n# note\n  KEY = 017 \nDEC=42\n");
    Ini.Section regs = ini.require("regs");
    assertEquals(3, regs.entries().size());
    assertEquals("TRCIDR0", SnapshotReader.registerName(regs.entries().get(0).key()));
    assertEquals(0x28000EA1L, ini.number(regs.entries().get(0)));
    assertEquals(15L, ini.number(regs.entries().get(1)));
    assertEquals(42L, ini.number(regs.entries().get(2)));
    SnapshotFormatException e =
        assertThrows(SnapshotFormatException.class, () -> Ini.parse(Path.of("y.ini"), "[a]\nnot an entry\n"));
    assertEquals(2, e.line());
    SnapshotFormatException n =
        assertThrows(SnapshotFormatException.class, () -> ini.number(new Ini.Entry("K", "0xZZ", 7)));
    assertEquals(7, n.line());
  }

  @Test
  void aCopiedSnapshotReadsBackEqual() throws IOException {
    Snapshot original = SnapshotReader.read(snapshots().resolve("bugfix-exact-match"));
    Snapshot written = SnapshotWriter.write(original, tmp.resolve("copy"));
    Snapshot reread = SnapshotReader.read(tmp.resolve("copy"));
    assertEquals(written, reread);
    assertEquals(original.devices(), reread.devices());
    assertEquals(original.buffers(), reread.buffers());
    assertEquals(original.clusters(), reread.clusters());
    assertEquals(original.sourceBuffers(), reread.sourceBuffers());
    assertEquals(original.coreTraceSources(), reread.coreTraceSources());
    assertArrayEquals(
        Files.readAllBytes(original.path(original.buffers().get(0))),
        Files.readAllBytes(reread.path(reread.buffers().get(0))));
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void aBuiltSnapshotReadsBackAndOpenCsdAcceptsIt() throws Exception {
    byte[] text = bytes(0x1F, 0x20, 0x03, 0xD5, 0xC0, 0x03, 0x5F, 0xD6); // NOP; RET
    byte[] stream = bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x01, 0x00, 0x04, 0x85, 0, 0x08, 0, 0, 0, 0, 0, 0, 0x30, 0xF7);
    EtmRegisters regs = new EtmRegisters(0xC1, 0x10, 0x28000EA1L, 0x4100F403L, 0x488, 0, 0, 0, 0, 0, 0);
    Path dir = tmp.resolve("built");
    Snapshot s =
        new SnapshotWriter(dir, "written by tracepoke tests")
            .core("cpu_0", "ARM-AA64", List.of(new SnapshotWriter.Dump("text.bin", 0x1000, text)))
            .etm4("ETM_0", "cpu_0", regs)
            .cluster("Cluster 0", List.of("cpu_0"))
            .buffer("ETB_0", TraceBuffer.Format.SOURCE_DATA, stream, "ETM_0")
            .write();
    Snapshot back = SnapshotReader.read(dir);
    assertEquals(s, back);
    assertEquals("written by tracepoke tests", back.description());
    Device.TraceSource etm = (Device.TraceSource) back.device("ETM_0").orElseThrow();
    assertEquals(regs, back.etm4Registers(etm));
    assertEquals("cpu_0", back.coreOf(etm).orElseThrow().name());
    assertArrayEquals(text, back.cores().get(0).dumps().get(0).read(dir));
    assertArrayEquals(stream, Files.readAllBytes(back.path(back.buffers().get(0))));

    Optional<Path> lister = onPath("trc_pkt_lister");
    assumeTrue(lister.isPresent(), "trc_pkt_lister not installed; skipping the OpenCSD check");
    List<String> out = run(dir, lister.get().toString(), "-ss_dir", dir.toString(), "-decode",
        "-logstdout", "-logfilename", "/dev/null");
    List<String> packets = out.stream().filter(l -> l.startsWith("Idx:") && l.contains("ID:0;")).toList();
    assertEquals(
        List.of(
            "Idx:0; ID:0;\tI_ASYNC : Alignment Synchronisation.",
            "Idx:12; ID:0;\tI_TRACE_INFO : Trace Info.; INFO=0x0 { CC.0 }",
            "Idx:14; ID:0;\tI_TRACE_ON : Trace On.",
            "Idx:15; ID:0;\tI_ADDR_CTXT_L_64IS0 : Address & Context, Long, 64 bit, IS0.; Addr=0x0000000000001000; Ctxt: AArch64,EL0, NS; ",
            "Idx:25; ID:0;\tI_ATOM_F1 : Atom format 1.; E"),
        packets.stream().map(l -> l.replaceAll(" \\[[^\\]]*\\];\t", "\t")).toList().subList(0, 5));
    // the dump is mapped and decoded: NOP then RET, taken
    assertTrue(
        out.stream().anyMatch(l -> l.contains("exec range=0x1000:[0x1008] num_i(2) last_sz(4) (ISA=A64) E iBR A64:ret")),
        String.join("\n", out));
  }

  static Optional<Path> onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path c = Path.of(d, exe);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  static List<String> run(Path dir, String... cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir.getParent(), "oracle", ".txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
    List<String> lines = new ArrayList<>(Files.readAllLines(log));
    Files.delete(log);
    return lines;
  }
}
