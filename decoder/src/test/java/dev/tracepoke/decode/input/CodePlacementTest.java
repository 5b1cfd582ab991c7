package dev.tracepoke.decode.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.SampleId;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code placement from MMAP2 records, the build-id cache, --symfs, --image and --vmlinux, on real
 * AArch64 ELF files assembled and linked by GNU as/ld.
 */
class CodePlacementTest {

  @TempDir Path tmp;
  private Path prog;
  private Path kernel;
  private byte[] progId;

  static Optional<Path> tool(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path c = Path.of(d, name);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ":\n" + out);
  }

  /** Assembles {@code source} and links it with {@code ldArgs} into {@code out}. */
  Path build(String name, String source, String... ldArgs) throws Exception {
    Path s = tmp.resolve(name + ".s");
    Files.writeString(s, source);
    run(tool("aarch64-linux-gnu-as").get().toString(), "-o", name + ".o", s.toString());
    List<String> ld = new ArrayList<>(List.of(tool("aarch64-linux-gnu-ld").get().toString()));
    ld.addAll(List.of(ldArgs));
    ld.addAll(List.of("-o", name, name + ".o"));
    run(ld.toArray(String[]::new));
    return tmp.resolve(name);
  }

  @BeforeEach
  void elves() throws Exception {
    boolean have = tool("aarch64-linux-gnu-as").isPresent() && tool("aarch64-linux-gnu-ld").isPresent();
    if (!have) {
      System.out.println("SKIP: aarch64-linux-gnu-as/ld not installed (binutils-aarch64-linux-gnu)");
    }
    assumeTrue(have, "aarch64-linux-gnu-as/ld not installed");
    // text at file offset 0x1000 (page-aligned segments), an md5 build-id (16 bytes)
    prog = build("prog", ".text\n.globl _start\n_start:\n nop\n b _start\n ret\n", "--build-id=md5",
        "-z", "separate-code", "-Ttext=0x401000", "-e", "_start");
    progId = HexFormat.of().parseHex(readBuildId(prog));
    kernel = build("vmlinux", ".text\n.globl _text\n_text:\n nop\n nop\n b _text\n", "-Ttext=0xffff800008010000",
        "-e", "_text");
  }

  /** The hex build-id in the ELF, as readelf -n shows it. */
  String readBuildId(Path elf) throws Exception {
    Process p = new ProcessBuilder(tool("aarch64-linux-gnu-readelf").orElse(Path.of("readelf")).toString(), "-n",
        elf.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.replaceAll("(?s).*Build ID: ([0-9a-f]+).*", "$1");
  }

  static PerfRecord.Mmap2 mmap2(int pid, long start, long len, long pgoff, int prot, String file, byte[] buildId) {
    byte[] padded = buildId == null ? null : Arrays.copyOf(buildId, 20);
    return new PerfRecord.Mmap2(PerfRecord.MISC_USER | (buildId == null ? 0 : PerfRecord.MISC_BIT14), pid, pid, start,
        len, pgoff, 0, 0, 0, 0, padded, prot, 2, file, SampleId.NONE);
  }

  static List<CodePlacement.MapRecord> records(PerfRecord... r) {
    List<CodePlacement.MapRecord> out = new ArrayList<>();
    for (int i = 0; i < r.length; i++) {
      out.add(new CodePlacement.MapRecord(i * 64L, i, r[i]));
    }
    return out;
  }

  ImageOptions symfs(Path dir) {
    return new ImageOptions(List.of(), Optional.of(dir), tmp.resolve("no-cache"), Optional.empty());
  }

  byte[] fileBytes(Path f, long off, int n) throws IOException {
    return Arrays.copyOfRange(Files.readAllBytes(f), (int) off, (int) off + n);
  }

  static byte[] read(MemoryImage m, long addr, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) m.readByte(addr + i);
    }
    return b;
  }

  @Test
  void anExecuteOnlyMapPlacesTheFileBytesAtItsOffset() throws Exception {
    Path symfs = tmp.resolve("symfs");
    Files.createDirectories(symfs.resolve("data/local/tmp"));
    Files.copy(prog, symfs.resolve("data/local/tmp/prog"));
    List<String> warnings = new ArrayList<>();
    // the loader maps r--p over the whole file, then --xp over the text page (Android's layout)
    MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(
        mmap2(42, 0x5800000000L, 0x2000, 0, 1, "/data/local/tmp/prog", progId),
        mmap2(42, 0x5800001000L, 0x1000, 0x1000, 4, "/data/local/tmp/prog", progId)),
        Set.of(42), Map.of(), symfs(symfs), warnings);
    assertEquals(List.of(), warnings);
    // nop; b _start; ret
    assertArrayEquals(HexFormat.of().parseHex("1f2003d5ffffff17c0035fd6"), read(m, 0x5800001000L, 12));
    assertArrayEquals(fileBytes(prog, 0x1000, 12), read(m, 0x5800001000L, 12));
    assertFalse(m.isMapped(0x5800000000L), "a map without PROT_EXEC is not code");
  }

  @Test
  void aLaterMapCutsTheEarlierAndOtherProcessesDoNotCount() throws Exception {
    Path symfs = tmp.resolve("symfs");
    Files.createDirectories(symfs.resolve("bin"));
    Files.copy(prog, symfs.resolve("bin/prog"));
    List<String> warnings = new ArrayList<>();
    MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(
        mmap2(42, 0x10000, 0x2000, 0, 5, "/bin/prog", null),
        // an anonymous map over the first page: perf cuts the file map; no file holds its bytes
        mmap2(42, 0x10000, 0x1000, 0, 5, "//anon", null),
        mmap2(99, 0x90000, 0x1000, 0x1000, 5, "/bin/prog", null)),
        Set.of(42), Map.of(), symfs(symfs), warnings);
    assertEquals(List.of(), warnings);
    assertFalse(m.isMapped(0x10000));
    assertArrayEquals(fileBytes(prog, 0x1000, 8), read(m, 0x11000, 8));
    assertFalse(m.isMapped(0x90000), "pid 99 is not traced");
  }

  @Test
  void theBuildIdCacheFindsTheFileByItsShortOrPaddedId() throws Exception {
    String hex = HexFormat.of().formatHex(progId);
    assertEquals(32, hex.length());
    for (String name : List.of(hex, hex + "00000000")) {
      Path cache = tmp.resolve("cache-" + name.length());
      Path dir = cache.resolve("data/local/tmp/prog").resolve(hex);
      Files.createDirectories(dir);
      Files.copy(prog, dir.resolve("elf"));
      Files.createDirectories(cache.resolve(".build-id").resolve(name.substring(0, 2)));
      // as perf writes it: a relative link to <recorded path>/<build-id>
      Files.createSymbolicLink(cache.resolve(".build-id").resolve(name.substring(0, 2)).resolve(name.substring(2)),
          Path.of("../..").resolve(cache.relativize(dir)));
      List<String> warnings = new ArrayList<>();
      MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(
          mmap2(7, 0x7000001000L, 0x1000, 0x1000, 4, "/data/local/tmp/prog", progId)), Set.of(),
          Map.of(), new ImageOptions(List.of(), Optional.empty(), cache, Optional.empty()), warnings);
      assertEquals(List.of(), warnings, name);
      assertArrayEquals(fileBytes(prog, 0x1000, 12), read(m, 0x7000001000L, 12), name);
    }
    // an older cache: .build-id/xx/rest is the file itself; the id comes from HEADER_BUILD_ID
    Path old = tmp.resolve("old-cache");
    Files.createDirectories(old.resolve(".build-id").resolve(hex.substring(0, 2)));
    Files.copy(prog, old.resolve(".build-id").resolve(hex.substring(0, 2)).resolve(hex.substring(2)));
    List<String> warnings = new ArrayList<>();
    MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(
        mmap2(7, 0x7000001000L, 0x1000, 0x1000, 4, "/data/local/tmp/prog", null)), Set.of(),
        Map.of("/data/local/tmp/prog", Arrays.copyOf(progId, 20)),
        new ImageOptions(List.of(), Optional.empty(), old, Optional.empty()), warnings);
    assertArrayEquals(fileBytes(prog, 0x1000, 12), read(m, 0x7000001000L, 12));
  }

  @Test
  void aFileWithAnotherBuildIdIsNotUsedAndMissingFilesAreNamed() throws Exception {
    Path symfs = tmp.resolve("symfs");
    Files.createDirectories(symfs.resolve("bin"));
    Files.copy(prog, symfs.resolve("bin/prog"));
    byte[] other = progId.clone();
    other[0] ^= 1;
    List<String> warnings = new ArrayList<>();
    MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(
        mmap2(1, 0x10000, 0x1000, 0x1000, 4, "/bin/prog", other),
        mmap2(1, 0x30000, 0x1000, 0, 4, "/bin/gone", null)), Set.of(), Map.of(), symfs(symfs), warnings);
    assertEquals(0, m.segmentCount());
    assertEquals(List.of(
        symfs.resolve("bin/prog") + ": its build-id is not " + HexFormat.of().formatHex(other)
            + ", the one recorded for /bin/prog; not used",
        "2 executable mapping(s) of traced processes have no file here, so their code is not placed (trace there"
            + " decodes to a gap; give --symfs DIR or --buildid-dir DIR): /bin/gone at 0x30000, /bin/prog at 0x10000"),
        warnings);
  }

  @Test
  void imagesAtAnAddressAndVmlinuxMovedByTheKernelMap() throws Exception {
    List<String> warnings = new ArrayList<>();
    // KASLR: _text ran at 0xffff800010210000 (the kernel MMAP's pgoff), linked at 0xffff800008010000
    PerfRecord.Mmap kmap = new PerfRecord.Mmap(PerfRecord.MISC_KERNEL, -1, 0, 0xffff800010210000L, 0x1000000,
        0xffff800010210000L, "[kernel.kallsyms]_text", SampleId.NONE);
    ImageOptions o = new ImageOptions(List.of(new ImageOptions.Placed(prog, OptionalLong.of(0x20000000L))),
        Optional.empty(), tmp, Optional.of(kernel));
    MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(kmap), Set.of(), Map.of(), o, warnings);
    assertEquals(List.of(), warnings);
    assertArrayEquals(HexFormat.of().parseHex("1f2003d51f2003d5feffff17"), read(m, 0xffff800010210000L, 12));
    assertFalse(m.isMapped(0xffff800008010000L));
    // prog's lowest PT_LOAD (its headers at 0x400000) goes to 0x20000000, its text 0x1000 above
    assertArrayEquals(fileBytes(prog, 0x1000, 12), read(m, 0x20001000L, 12));
    assertEquals(new ImageOptions.Placed(Path.of("a.elf"), OptionalLong.of(0xffff0000L)),
        ImageOptions.Placed.parse("a.elf@0xffff0000"));
    assertEquals(new ImageOptions.Placed(Path.of("a.elf"), OptionalLong.empty()), ImageOptions.Placed.parse("a.elf"));
  }

  /**
   * Kernel modules: a kernel-mode MMAP of a module (perf synthesizes them from /proc/modules) places
   * the module's .text at the map's start (perf's assumption), the file found under --symfs; a
   * module whose file is absent, and a kernel known only by its map record, are named.
   */
  @Test
  void modulesPlaceTheirTextAtTheMapStartAndAMissingOneIsNamed() throws Exception {
    // a relocatable object is what a .ko is: ET_REL with the code in .text
    Path s = tmp.resolve("drv.s");
    Files.writeString(s, ".text\n.globl init\ninit:\n mov x0, #1\n ret\n");
    run(tool("aarch64-linux-gnu-as").get().toString(), "-o", "drv.ko", s.toString());
    Path symfs = tmp.resolve("symfs-mod");
    Files.createDirectories(symfs.resolve("lib/modules/6.1/kernel"));
    Files.copy(tmp.resolve("drv.ko"), symfs.resolve("lib/modules/6.1/kernel/drv.ko"));
    PerfRecord.Mmap kmap = new PerfRecord.Mmap(PerfRecord.MISC_KERNEL, -1, 0, 0xffff800008000000L, 0x1000000,
        0, "[kernel.kallsyms]_text", SampleId.NONE);
    PerfRecord.Mmap module = new PerfRecord.Mmap(PerfRecord.MISC_KERNEL, -1, 0, 0xffff800001000000L, 0x2000, 0,
        "/lib/modules/6.1/kernel/drv.ko", SampleId.NONE);
    PerfRecord.Mmap gone = new PerfRecord.Mmap(PerfRecord.MISC_KERNEL, -1, 0, 0xffff800001100000L, 0x1000, 0,
        "/lib/modules/6.1/kernel/gone.ko", SampleId.NONE);
    List<String> warnings = new ArrayList<>();
    MemoryImage m = CodePlacement.place(MemoryImage.empty(), records(kmap, module, gone), Set.of(), Map.of(),
        symfs(symfs), warnings);
    // mov x0, #1 (d2800020); ret (d65f03c0)
    assertArrayEquals(HexFormat.of().parseHex("200080d2c0035fd6"), read(m, 0xffff800001000000L, 8));
    assertEquals(1, m.segmentCount(), "only the module's 8 bytes of .text");
    assertFalse(m.isMapped(0xffff800001100000L));
    assertEquals(List.of(
        "1 kernel module map(s) have no file here, so their code is not placed (trace there decodes to a gap"
            + " naming the address; give --symfs DIR or --buildid-dir DIR): /lib/modules/6.1/kernel/gone.ko at"
            + " 0xffff800001100000"),
        warnings);
    // no module file, no vmlinux, no kcore: the kernel is a map record only
    List<String> w2 = new ArrayList<>();
    MemoryImage none = CodePlacement.place(MemoryImage.empty(), records(kmap), Set.of(), Map.of(), symfs(symfs), w2);
    assertEquals(0, none.segmentCount());
    assertEquals(List.of("the kernel (mapped at 0xffff800008000000) has no code here, only its map record"
        + " (kallsyms names symbols, not bytes): trace in it decodes to gaps naming the addresses; give"
        + " --vmlinux ELF or record with --kcore"), w2);
  }
}
