package dev.tracepoke.vmlinux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables of kernel-style objects laid out by GNU as and ld for AArch64 (the layout of
 * reference/kernel-patch-sites.md section 7: {@code asm goto}'s {@code __jump_table} entries and
 * {@code __mcount_loc}), linked statically (absolute ftrace entries) and as arm64 links vmlinux
 * ({@code -pie --no-apply-dynamic-relocs}: zero entries, values in {@code .rela.dyn}). The site
 * lists are checked against readelf's symbols, hex dumps and relocations and objdump's words.
 */
class PatchTablesToolchainTest {
  private static final Pattern SYM = Pattern.compile("^\\s*\\d+: ([0-9a-f]{16})\\s+\\d+ \\w+\\s+\\w+\\s+\\w+\\s+\\S+ (\\S+)$");
  private static final Pattern RELA = Pattern.compile(
      "^([0-9a-f]{16})\\s+[0-9a-f]+ R_AARCH64_RELATIV\\w*\\s+(-?)([0-9a-f]+)$");
  private static final Pattern HEX = Pattern.compile("^\\s*0x([0-9a-f]{16}) ((?:[0-9a-f]{8} ?){1,4})");
  private static final Pattern DIS = Pattern.compile("^([0-9a-f]{16}):\\s+([0-9a-f]{8})\\s+(.*)$");

  @TempDir Path tmp;

  static final String SOURCE = String.join("\n",
      "        .text",
      "        .global ftrace_caller, _stext, func, old_func, site0, site1, target0, target1, mc0, mc1",
      "_stext:",
      "ftrace_caller:",
      "        ret",
      "        .balign 8",
      "        nop",
      "        nop",
      "func:   mov x9, x30",
      "mc1:    nop",
      "site0:  nop",
      "        add x0, x0, #1",
      "site1:  b target1",
      "        ret",
      "target0: add x1, x1, #1",
      "        b site0 + 4",
      "target1: add x2, x2, #1",
      "        b site1 + 4",
      "old_func:",
      "mc0:    bl _mcount",
      "        ret",
      "_mcount: ret",
      "        .pushsection __jump_table, \"aw\"",
      "        .balign 8",
      "        .long   site0 - ., target0 - .",
      "        .quad   key - .",
      "        .long   site1 - ., target1 - .",
      "        .quad   (key + 1) - .",
      "        .popsection",
      "        .pushsection __mcount_loc, \"a\"",
      "        .quad   mc0",
      "        .quad   mc1",
      "        .popsection",
      "        .data",
      "        .balign 16",
      "        .global key",
      "key:    .quad 0, 0",
      "");

  static final String SCRIPT = String.join("\n",
      "SECTIONS {",
      "  . = 0xffff800080010000;",
      "  .text : { *(.text) }",
      "  _etext = .;",
      "  . = ALIGN(4096);",
      "  .rodata : { __start___jump_table = .; KEEP(*(__jump_table)) __stop___jump_table = .; }",
      "  . = ALIGN(4096);",
      "  .init.data : { __start_mcount_loc = .; KEEP(*(__mcount_loc)) __stop_mcount_loc = .; }",
      "  . = ALIGN(4096);",
      "  .data : { *(.data) }",
      "}",
      "");

  @Test
  void staticLinkHoldsAbsoluteEntries() throws Exception {
    Path elf = link(false);
    Map<String, Long> sym = symbols(elf);
    PatchTables t = PatchTables.read(elf);
    checkJumpTable(t, sym, elf);
    assertArrayEquals(new long[] {sym.get("mc0"), sym.get("mc1")}, t.ftraceSites());
    assertEquals(0, t.relocated());
    // the entries are the file's own quads
    assertArrayEquals(t.ftraceSites(), quads(hexDump(elf, ".init.data")));
    assertEquals(List.of(), t.missing());
  }

  @Test
  void pieLinkRelocatesTheFtraceEntriesThroughRelaDyn() throws Exception {
    Path elf = link(true);
    Map<String, Long> sym = symbols(elf);
    PatchTables t = PatchTables.read(elf);
    checkJumpTable(t, sym, elf);
    assertArrayEquals(new long[] {sym.get("mc0"), sym.get("mc1")}, t.ftraceSites());
    assertEquals(2, t.relocated());
    assertArrayEquals(new long[] {0, 0}, quads(hexDump(elf, ".init.data")), "zero entries in the file");
    Map<Long, Long> relocs = new HashMap<>();
    for (String line : run("aarch64-linux-gnu-readelf", "-rW", elf.toString())) {
      Matcher m = RELA.matcher(line.trim());
      if (m.matches()) {
        long addend = Long.parseUnsignedLong(m.group(3), 16);
        relocs.put(Long.parseUnsignedLong(m.group(1), 16), m.group(2).isEmpty() ? addend : -addend);
      }
    }
    long start = sym.get(PatchTables.START_MCOUNT);
    assertEquals(Map.of(start, sym.get("mc0"), start + 8, sym.get("mc1")), relocs);
  }

  /**
   * The jump table as kernels before 4.20 emit it ({@code .quad 1b, l_yes, key + branch}: 24-byte
   * absolute entries). Two entries are 48 bytes, which 16 divides too: the reader takes the layout
   * whose every site and target lies in code.
   */
  static final String OLD_SOURCE = SOURCE.replace(String.join("\n",
      "        .long   site0 - ., target0 - .",
      "        .quad   key - .",
      "        .long   site1 - ., target1 - .",
      "        .quad   (key + 1) - ."), String.join("\n",
      "        .quad   site0, target0, key",
      "        .quad   site1, target1, key + 1"));

  /** Three relative entries: 48 bytes as well, read as relative. */
  static final String THREE_RELATIVE = SOURCE.replace(
      "        .quad   (key + 1) - .",
      String.join("\n",
          "        .quad   (key + 1) - .",
          "        .long   mc1 - ., target0 - .",
          "        .quad   (key + 16) - ."));

  @Test
  void absoluteJumpEntriesOfOldKernelsStaticLink() throws Exception {
    assertTrue(!OLD_SOURCE.equals(SOURCE) && OLD_SOURCE.contains(".quad   site0, target0, key"));
    Path elf = link(OLD_SOURCE, false, "old-static.elf");
    Map<String, Long> sym = symbols(elf);
    PatchTables t = PatchTables.read(elf);
    checkJumpTable(t, sym, elf, JumpEntry.ABSOLUTE_SIZE);
    // the file holds the absolute quads themselves
    long[] q = quads(hexDump(elf, ".rodata"));
    assertArrayEquals(new long[] {sym.get("site0"), sym.get("target0"), sym.get("key"), sym.get("site1"),
        sym.get("target1"), sym.get("key") + 1}, q);
  }

  @Test
  void absoluteJumpEntriesOfOldKernelsPieLinkComeFromRelaDyn() throws Exception {
    Path elf = link(OLD_SOURCE, true, "old-pie.elf");
    Map<String, Long> sym = symbols(elf);
    PatchTables t = PatchTables.read(elf);
    checkJumpTable(t, sym, elf, JumpEntry.ABSOLUTE_SIZE);
    assertArrayEquals(new long[6], quads(hexDump(elf, ".rodata")), "zero entries in the file");
    long start = sym.get(PatchTables.START_JUMP);
    Map<Long, Long> relocs = relativeRelocations(elf);
    assertEquals(sym.get("site0"), relocs.get(start));
    assertEquals(sym.get("target0"), relocs.get(start + 8));
    assertEquals(sym.get("key"), relocs.get(start + 16));
    assertEquals(sym.get("site1"), relocs.get(start + 24));
    assertEquals(sym.get("target1"), relocs.get(start + 32));
    assertEquals(sym.get("key") + 1, relocs.get(start + 40));
    assertArrayEquals(new long[] {sym.get("mc0"), sym.get("mc1")}, t.ftraceSites());
  }

  @Test
  void threeRelativeEntriesOf48BytesStayRelative() throws Exception {
    for (boolean pie : new boolean[] {false, true}) {
      Path elf = link(THREE_RELATIVE, pie, pie ? "three-pie.elf" : "three-static.elf");
      Map<String, Long> sym = symbols(elf);
      PatchTables t = PatchTables.read(elf);
      long start = sym.get(PatchTables.START_JUMP);
      assertEquals(48, sym.get(PatchTables.STOP_JUMP) - start);
      assertEquals(JumpEntry.SIZE, t.jumpEntrySize());
      assertEquals(new JumpEntry(start + 32, sym.get("mc1"), sym.get("target0"), sym.get("key") + 16, false, false),
          t.jumpEntries().get(2));
    }
  }

  /** A table whose sites point nowhere in code under either layout is refused, naming it. */
  @Test
  void aJumpTableOfNeitherLayoutIsAnError() throws Exception {
    String bad = SOURCE.replace("        .long   site0 - ., target0 - .", "        .long   key - ., key - .");
    Path elf = link(bad, false, "bad.elf");
    dev.tracepoke.elf.ElfFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.tracepoke.elf.ElfFormatException.class, () -> PatchTables.read(elf));
    assertTrue(e.getMessage().contains("__start___jump_table .. __stop___jump_table"), e.getMessage());
    assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
  }

  private Map<Long, Long> relativeRelocations(Path elf) throws Exception {
    Map<Long, Long> relocs = new HashMap<>();
    for (String line : run("aarch64-linux-gnu-readelf", "-rW", elf.toString())) {
      Matcher m = RELA.matcher(line.trim());
      if (m.matches()) {
        long addend = Long.parseUnsignedLong(m.group(3), 16);
        relocs.put(Long.parseUnsignedLong(m.group(1), 16), m.group(2).isEmpty() ? addend : -addend);
      }
    }
    return relocs;
  }

  private void checkJumpTable(PatchTables t, Map<String, Long> sym, Path elf) throws Exception {
    checkJumpTable(t, sym, elf, JumpEntry.SIZE);
  }

  /** Both entries decode to readelf's symbols; objdump shows NOP and the B the target gives. */
  private void checkJumpTable(PatchTables t, Map<String, Long> sym, Path elf, int size) throws Exception {
    long start = sym.get(PatchTables.START_JUMP);
    assertEquals(2 * size, sym.get(PatchTables.STOP_JUMP) - start);
    assertEquals(size, t.jumpEntrySize());
    assertEquals(List.of(
            new JumpEntry(start, sym.get("site0"), sym.get("target0"), sym.get("key"), false, false),
            new JumpEntry(start + size, sym.get("site1"), sym.get("target1"), sym.get("key"), true, false)),
        t.jumpEntries());
    Map<Long, String> words = new HashMap<>();
    for (String line : run("aarch64-linux-gnu-objdump", "-d", "--section=.text", elf.toString())) {
      Matcher m = DIS.matcher(line.trim());
      if (m.matches()) {
        words.put(Long.parseUnsignedLong(m.group(1), 16), m.group(2));
      }
    }
    assertEquals("d503201f", words.get(t.jumpEntries().get(0).code()));
    JumpEntry b = t.jumpEntries().get(1);
    assertEquals(String.format("%08x", 0x14000000 | (int) (((b.target() - b.code()) >> 2) & 0x03ffffff)),
        words.get(b.code()), "the B-form site branches to the entry's target");
  }

  private Path link(boolean pie) throws Exception {
    return link(SOURCE, pie, pie ? "pie.elf" : "static.elf");
  }

  private Path link(String source, boolean pie, String name) throws Exception {
    Optional<Path> as = onPath("aarch64-linux-gnu-as");
    Optional<Path> ld = onPath("aarch64-linux-gnu-ld");
    assumeTrue(as.isPresent() && ld.isPresent() && onPath("aarch64-linux-gnu-readelf").isPresent()
        && onPath("aarch64-linux-gnu-objdump").isPresent(),
        "binutils-aarch64-linux-gnu (as, ld, readelf, objdump) not installed; skipping");
    Files.writeString(tmp.resolve("k.s"), source);
    Files.writeString(tmp.resolve("link.ld"), SCRIPT);
    run(as.get().toString(), "-o", "k.o", "k.s");
    List<String> cmd = new ArrayList<>(List.of(ld.get().toString()));
    if (pie) {
      cmd.addAll(List.of("-pie", "-z", "notext", "--no-apply-dynamic-relocs"));
    }
    cmd.addAll(List.of("--no-warn-rwx-segments", "-T", "link.ld", "-o", name, "k.o"));
    run(cmd.toArray(String[]::new));
    return tmp.resolve(name);
  }

  private Map<String, Long> symbols(Path elf) throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (String line : run("aarch64-linux-gnu-readelf", "-sW", elf.toString())) {
      Matcher m = SYM.matcher(line);
      if (m.matches()) {
        out.put(m.group(2), Long.parseUnsignedLong(m.group(1), 16));
      }
    }
    return out;
  }

  private List<String> hexDump(Path elf, String section) throws Exception {
    return run("aarch64-linux-gnu-readelf", "-x", section, elf.toString());
  }

  /** The little-endian quads of a readelf hex dump. */
  private static long[] quads(List<String> dump) {
    StringBuilder words = new StringBuilder();
    for (String line : dump) {
      Matcher m = HEX.matcher(line);
      if (m.find()) {
        words.append(m.group(2).replace(" ", ""));
      }
    }
    String hex = words.toString();
    long[] out = new long[hex.length() / 16];
    for (int i = 0; i < out.length; i++) {
      long v = 0;
      for (int b = 7; b >= 0; b--) {
        v = v << 8 | Integer.parseInt(hex.substring(16 * i + 2 * b, 16 * i + 2 * b + 2), 16);
      }
      out[i] = v;
    }
    return out;
  }

  private static Optional<Path> onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path c = Path.of(dir, exe);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private List<String> run(String... cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "tool", ".txt");
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    List<String> lines = Files.readAllLines(log);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + String.join("\n", lines));
    return lines;
  }
}
