package dev.tracepoke.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfImageTest {
  private static final long KTEXT = 0xFFFF_8000_0800_0000L;
  private static final long KMOD = 0xFFFF_8000_1000_0000L;
  private static final int RWX = Elf.PF_R | Elf.PF_W | Elf.PF_X;

  @TempDir Path tmp;

  private static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private Path writeKcore() throws Exception {
    Path f = tmp.resolve("kcore");
    ElfWriter.core()
        .load("text", KTEXT, random(1, 4096 + 13), RWX)
        .load("modules", KMOD + 0x10, random(2, 100), Elf.PF_R | Elf.PF_X)
        .write(f);
    return f;
  }

  @Test
  void kcoreRoundTrip() throws Exception {
    Path f = writeKcore();
    // 64-byte header + 2 program headers, then each segment on a page offset congruent to its vaddr
    assertEquals(8208 + 100, Files.size(f));
    try (ElfImage img = ElfImage.open(f)) {
      assertEquals(Elf.ET_CORE, img.type());
      assertEquals(Elf.EM_AARCH64, img.machine());
      assertEquals(List.of(), img.sections());
      assertEquals(List.of(), img.symbols());
      assertEquals(
          List.of(new Segment(KTEXT, 4109, 4096, 4109, RWX),
              new Segment(KMOD + 0x10, 100, 8208, 100, Elf.PF_R | Elf.PF_X)),
          img.loadSegments());
      Segment text = img.loadSegments().get(0);
      assertArrayEquals(random(1, 4109), img.bytes(text));
      assertArrayEquals(random(2, 100), img.bytes(img.loadSegments().get(1)));
      byte[] part = new byte[8];
      img.read(text, KTEXT + 4100, part, 0, 8);
      assertArrayEquals(Arrays.copyOfRange(random(1, 4109), 4100, 4108), part);
      assertEquals(Optional.of(text), img.segmentAt(KTEXT + 4108));
      assertEquals(Optional.empty(), img.segmentAt(KTEXT + 4109));
      assertEquals(Optional.empty(), img.segmentAt(KMOD + 0xF));
      assertThrows(IllegalArgumentException.class, () -> img.read(text, KTEXT + 4105, part, 0, 8));
    }
  }

  /** objdump's view of the program headers must match what we read back. */
  @Test
  void objdumpAgreesOnKcoreSegments() throws Exception {
    Optional<Path> objdump = Oracle.onPath("aarch64-linux-gnu-objdump");
    assumeTrue(objdump.isPresent(), "aarch64-linux-gnu-objdump not installed; skipping");
    Path f = writeKcore();
    List<String> out = Oracle.run(tmp, objdump.get().toString(), "-p", f.toString());
    assertTrue(out.stream().anyMatch(l -> l.contains("file format elf64-littleaarch64")), out.toString());
    Pattern load = Pattern.compile("LOAD off\\s+0x([0-9a-f]+) vaddr 0x([0-9a-f]+) paddr 0x[0-9a-f]+ align 2\\*\\*(\\d+)");
    Pattern sizes = Pattern.compile("filesz 0x([0-9a-f]+) memsz 0x([0-9a-f]+) flags (\\S+)");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      Matcher m = load.matcher(out.get(i));
      if (m.find()) {
        Matcher s = sizes.matcher(out.get(i + 1));
        assertTrue(s.find(), out.get(i + 1));
        seen.add(Long.parseUnsignedLong(m.group(2), 16) + "+" + Long.parseLong(s.group(1), 16) + "/"
            + Long.parseLong(s.group(2), 16) + "@" + Long.parseLong(m.group(1), 16) + " "
            + s.group(3) + " 2**" + m.group(3));
      }
    }
    assertEquals(List.of(KTEXT + "+4109/4109@4096 rwx 2**12",
        (KMOD + 0x10) + "+100/100@8208 r-x 2**12"), seen);
  }

  private static byte[] words(int... w) {
    ByteBuffer b = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : w) {
      b.putInt(x);
    }
    return b.array();
  }

  private Path writeExecutable() throws Exception {
    Path f = tmp.resolve("vmlinux");
    ElfWriter.executable(0x400000)
        // nop; b 0x40000c; ret; bl 0x400000
        .load(".text", 0x400000, words(0xD503201F, 0x14000002, 0xD65F03C0, 0x97FFFFFD),
            Elf.PF_R | Elf.PF_X)
        .load(".data", 0x410000, new byte[] {1, 2, 3}, Elf.PF_R | Elf.PF_W)
        .symbol("_text", 0x400000, 0, Elf.STT_NOTYPE, Elf.STB_GLOBAL)
        .symbol("kloop", 0x400000, 16, Elf.STT_FUNC, Elf.STB_GLOBAL)
        .symbol("lbl", 0x400008, 0, Elf.STT_NOTYPE, Elf.STB_LOCAL)
        .symbol("counter", 0x410000, 3, Elf.STT_OBJECT, Elf.STB_GLOBAL)
        .write(f);
    return f;
  }

  @Test
  void executableRoundTripWithSectionsAndSymbols() throws Exception {
    try (ElfImage img = ElfImage.open(writeExecutable())) {
      assertEquals(Elf.ET_EXEC, img.type());
      assertEquals(0x400000, img.entry());
      assertEquals(List.of(new Segment(0x400000, 16, 4096, 16, Elf.PF_R | Elf.PF_X),
          new Segment(0x410000, 3, 8192, 3, Elf.PF_R | Elf.PF_W)), img.loadSegments());
      assertEquals(List.of("", ".text", ".data", ".symtab", ".strtab", ".shstrtab"),
          img.sections().stream().map(ElfSection::name).toList());
      ElfSection text = img.section(".text").orElseThrow();
      assertEquals(new ElfSection(1, ".text", Elf.SHT_PROGBITS, Elf.SHF_ALLOC | Elf.SHF_EXECINSTR,
          0x400000, 4096, 16, 0, 0, 0), text);
      // locals first, as the ELF ABI requires
      assertEquals(List.of(
          new ElfSymbol("lbl", 0x400008, 0, Elf.STT_NOTYPE, Elf.STB_LOCAL, 1),
          new ElfSymbol("_text", 0x400000, 0, Elf.STT_NOTYPE, Elf.STB_GLOBAL, 1),
          new ElfSymbol("kloop", 0x400000, 16, Elf.STT_FUNC, Elf.STB_GLOBAL, 1),
          new ElfSymbol("counter", 0x410000, 3, Elf.STT_OBJECT, Elf.STB_GLOBAL, 2)),
          img.symbols());
      assertEquals(2, img.sections().get(3).info()); // first global symbol index
      assertArrayEquals(words(0xD503201F, 0x14000002, 0xD65F03C0, 0x97FFFFFD),
          img.bytes(img.loadSegments().get(0)));
    }
  }

  @Test
  void objdumpDisassemblesKnownWords() throws Exception {
    Optional<Path> objdump = Oracle.onPath("aarch64-linux-gnu-objdump");
    assumeTrue(objdump.isPresent(), "aarch64-linux-gnu-objdump not installed; skipping");
    Path f = writeExecutable();
    List<String> out = Oracle.run(tmp, objdump.get().toString(), "-d", f.toString());
    Pattern insn = Pattern.compile("^\\s*([0-9a-f]+):\\s+([0-9a-f]{8})\\s+(\\S+)");
    List<String> seen = new ArrayList<>();
    for (String l : out) {
      Matcher m = insn.matcher(l);
      if (m.find()) {
        seen.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
      }
    }
    assertEquals(List.of("400000 d503201f nop", "400004 14000002 b", "400008 d65f03c0 ret",
        "40000c 97fffffd bl"), seen);
    List<String> headers = Oracle.run(tmp, objdump.get().toString(), "-h", f.toString());
    assertTrue(headers.stream().anyMatch(l -> l.matches(
        "\\s*0 \\.text\\s+00000010\\s+0000000000400000\\s+0000000000400000\\s+00001000\\s+2\\*\\*2")),
        headers.toString());
  }

  /** readelf checks tables, string indices and symbol sections; it must find nothing to warn about. */
  @Test
  void readelfReportsNoProblems() throws Exception {
    Optional<Path> readelf = Oracle.onPath("readelf");
    assumeTrue(readelf.isPresent(), "readelf not installed; skipping");
    for (Path f : List.of(writeKcore(), writeExecutable())) {
      List<String> out = Oracle.run(tmp, readelf.get().toString(), "-W", "-a", f.toString());
      assertEquals(List.of(), out.stream()
          .filter(l -> l.contains("arning") || l.contains("rror")).toList(), f.toString());
      assertTrue(out.stream().anyMatch(l -> l.contains("AArch64")), out.toString());
    }
    List<String> syms = Oracle.run(tmp, readelf.get().toString(), "-W", "-s",
        tmp.resolve("vmlinux").toString());
    assertTrue(syms.stream().anyMatch(l -> l.matches(
        "\\s*3: 0000000000400000\\s+16 FUNC\\s+GLOBAL DEFAULT\\s+1 kloop")), syms.toString());
  }

  @Test
  void errorsNameFileOffsetAndExpectation() throws Exception {
    Path f = tmp.resolve("notelf");
    Files.write(f, new byte[64]);
    ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfImage.open(f));
    assertEquals(f + " at byte offset 0: ELF magic 7F 45 4C 46", e.getMessage());

    Path k = writeKcore();
    byte[] cut = Arrays.copyOf(Files.readAllBytes(k), 5000);
    Path t = tmp.resolve("truncated");
    Files.write(t, cut);
    e = assertThrows(ElfFormatException.class, () -> ElfImage.open(t));
    assertEquals(64, e.offset());
    assertTrue(e.getMessage().startsWith(t + " at byte offset 64: PT_LOAD 0"), e.getMessage());

    byte[] be = Files.readAllBytes(k);
    be[5] = 2;
    Path b = tmp.resolve("bigendian");
    Files.write(b, be);
    e = assertThrows(ElfFormatException.class, () -> ElfImage.open(b));
    assertEquals(b + " at byte offset 5: ELFDATA2LSB (1, little endian), found 2", e.getMessage());

    // a huge e_phoff: the bound check must not overflow, and the error names the field (byte 32)
    byte[] far = Files.readAllBytes(k);
    java.nio.ByteBuffer.wrap(far).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(32, 0x7FFFFFFFFFFFFFF0L);
    Path p = tmp.resolve("farphoff");
    Files.write(p, far);
    e = assertThrows(ElfFormatException.class, () -> ElfImage.open(p));
    assertEquals(p + " at byte offset 32: e_phoff 0x7ffffffffffffff0: 2 program headers (112 bytes at"
        + " 0x7ffffffffffffff0) inside the file of " + far.length + " bytes", e.getMessage());

    // a PT_LOAD whose addresses wrap: named at its p_vaddr field
    byte[] wrap = Files.readAllBytes(k);
    java.nio.ByteBuffer.wrap(wrap).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(64 + 16, 0xFFFFFFFFFFFFF000L);
    Path w = tmp.resolve("wrap");
    Files.write(w, wrap);
    e = assertThrows(ElfFormatException.class, () -> ElfImage.open(w));
    assertTrue(e.getMessage().startsWith(w + " at byte offset 80: PT_LOAD 0 ending by 2^64, found p_vaddr"
        + " 0xfffffffffffff000 + p_memsz 0x"), e.getMessage());
  }
}
