package dev.tracepoke.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ElfImage on files made by real toolchains, checked against readelf. */
class ToolchainElfTest {
  private static final Pattern LOAD = Pattern.compile(
      "^\\s*LOAD\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+([RWE ]+?)\\s+0x[0-9a-f]+$");
  private static final Pattern SYM = Pattern.compile(
      "^\\s*(\\d+): ([0-9a-f]+)\\s+(0x[0-9a-f]+|\\d+) (\\w+)\\s+(\\w+)\\s+\\w+\\s+(\\w+)\\s?(.*)$");

  @TempDir Path tmp;

  /** A kernel-like AArch64 executable linked at a kernel address by GNU as/ld. */
  @Test
  void gnuLdAarch64Executable() throws Exception {
    Optional<Path> as = Oracle.onPath("aarch64-linux-gnu-as");
    Optional<Path> ld = Oracle.onPath("aarch64-linux-gnu-ld");
    assumeTrue(as.isPresent() && ld.isPresent(), "aarch64-linux-gnu binutils not installed; skipping");
    Files.writeString(tmp.resolve("k.s"), String.join("\n",
        "    .text", "    .global _start", "_start:", "    nop", "    b 1f", "    ret",
        "1:  bl _start", "    .global kloop", "    .type kloop, %function", "kloop:", "    nop",
        "    b kloop", "    .size kloop, .-kloop", "    .data", "val: .quad 0x1122334455667788",
        ""));
    Oracle.run(tmp, as.get().toString(), "-o", "k.o", "k.s");
    Oracle.run(tmp, ld.get().toString(), "-Ttext=0xffff800008010000", "-o", "vmlinux", "k.o");
    Path f = tmp.resolve("vmlinux");
    try (ElfImage img = ElfImage.open(f)) {
      assertEquals(Elf.ET_EXEC, img.type());
      assertEquals(Elf.EM_AARCH64, img.machine());
      assertEquals(0xFFFF_8000_0801_0000L, img.entry());
      ElfSection text = img.section(".text").orElseThrow();
      assertEquals(0xFFFF_8000_0801_0000L, text.addr());
      assertEquals(24, text.size());
      ElfSymbol kloop = img.symbols().stream().filter(s -> s.name().equals("kloop")).findFirst()
          .orElseThrow();
      assertEquals(new ElfSymbol("kloop", 0xFFFF_8000_0801_0010L, 8, Elf.STT_FUNC, Elf.STB_GLOBAL,
          text.index()), kloop);
      Segment seg = img.segmentAt(kloop.value()).orElseThrow();
      assertTrue(seg.executable());
      byte[] code = new byte[8];
      img.read(seg, kloop.value(), code, 0, 8);
      // nop = d503201f, b kloop = 17ffffff (little endian)
      assertArrayEquals(new byte[] {0x1f, 0x20, 0x03, (byte) 0xd5, (byte) 0xff, (byte) 0xff,
          (byte) 0xff, 0x17}, code);
      Segment data = img.segmentAt(0xFFFF_8000_0802_0018L).orElseThrow();
      byte[] val = new byte[8];
      img.read(data, 0xFFFF_8000_0802_0018L, val, 0, 8);
      assertArrayEquals(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, val);
      agreesWithReadelf(img);
    }
  }

  /** A host executable from gcc: ET_DYN, several PT_LOADs, a .bss tail (memsz > filesz). */
  @Test
  void gccHostExecutable() throws Exception {
    Optional<Path> gcc = Oracle.onPath("gcc");
    assumeTrue(gcc.isPresent(), "gcc not installed; skipping");
    Files.writeString(tmp.resolve("m.c"), "int counter[64];\nint main(void) { return counter[3]; }\n");
    Oracle.run(tmp, gcc.get().toString(), "-O1", "-o", "m", "m.c");
    try (ElfImage img = ElfImage.open(tmp.resolve("m"))) {
      assertTrue(img.type() == Elf.ET_DYN || img.type() == Elf.ET_EXEC, "type " + img.type());
      Segment bss = img.loadSegments().stream().filter(s -> s.memSize() > s.fileSize())
          .findFirst().orElseThrow();
      // bytes() holds what the file holds; read() gives the zero-filled rest
      assertEquals(bss.fileSize(), img.bytes(bss).length);
      byte[] rest = new byte[(int) (bss.memSize() - bss.fileSize())];
      Arrays.fill(rest, (byte) 1);
      img.read(bss, bss.vaddr() + bss.fileSize(), rest, 0, rest.length);
      for (int i = 0; i < rest.length; i++) {
        assertEquals(0, rest[i], "bss byte " + (bss.fileSize() + i));
      }
      ElfSymbol counter = img.symbols().stream().filter(s -> s.name().equals("counter"))
          .findFirst().orElseThrow();
      assertEquals(256, counter.size());
      assertEquals(Elf.STT_OBJECT, counter.type());
      agreesWithReadelf(img);
    }
  }

  /** Every PT_LOAD and every .symtab entry as readelf -lW / -sW lists them. */
  private void agreesWithReadelf(ElfImage img) throws Exception {
    Optional<Path> readelf = Oracle.onPath("readelf");
    assumeTrue(readelf.isPresent(), "readelf not installed; skipping the comparison");
    List<Segment> theirs = new ArrayList<>();
    for (String l : Oracle.run(tmp, readelf.get().toString(), "-lW", img.file().toString())) {
      Matcher m = LOAD.matcher(l);
      if (m.find()) {
        String fl = m.group(5);
        int flags = (fl.contains("R") ? Elf.PF_R : 0) | (fl.contains("W") ? Elf.PF_W : 0)
            | (fl.contains("E") ? Elf.PF_X : 0);
        theirs.add(new Segment(Long.parseUnsignedLong(m.group(2), 16), Long.parseLong(m.group(4), 16),
            Long.parseLong(m.group(1), 16), Long.parseLong(m.group(3), 16), flags));
      }
    }
    assertTrue(theirs.size() >= 2, theirs.toString());
    assertEquals(theirs, img.loadSegments());

    List<String> symtab = new ArrayList<>();
    boolean inSymtab = false;
    for (String l : Oracle.run(tmp, readelf.get().toString(), "-sW", img.file().toString())) {
      if (l.startsWith("Symbol table ")) {
        inSymtab = l.contains("'.symtab'");
        continue;
      }
      Matcher m = SYM.matcher(l);
      if (inSymtab && m.find() && !m.group(1).equals("0")) {
        String size = m.group(3);
        long sz = size.startsWith("0x") ? Long.parseLong(size.substring(2), 16) : Long.parseLong(size);
        String name = m.group(4).equals("SECTION") ? "" : m.group(7);
        symtab.add(Long.parseUnsignedLong(m.group(2), 16) + " " + sz + " " + m.group(4) + " "
            + m.group(5) + " " + m.group(6) + " " + name);
      }
    }
    List<String> ours = new ArrayList<>();
    for (ElfSymbol s : img.symbols()) {
      String ndx = switch (s.section()) {
        case Elf.SHN_UNDEF -> "UND";
        case Elf.SHN_ABS -> "ABS";
        default -> Integer.toString(s.section());
      };
      ours.add(s.value() + " " + s.size() + " " + typeName(s.type()) + " " + bindName(s.binding())
          + " " + ndx + " " + s.name());
    }
    assertTrue(symtab.size() >= 14, symtab.toString());
    assertEquals(symtab, ours);
  }

  private static String typeName(int t) {
    return switch (t) {
      case 0 -> "NOTYPE";
      case 1 -> "OBJECT";
      case 2 -> "FUNC";
      case 3 -> "SECTION";
      case 4 -> "FILE";
      case 6 -> "TLS";
      default -> "type" + t;
    };
  }

  private static String bindName(int b) {
    return switch (b) {
      case 0 -> "LOCAL";
      case 1 -> "GLOBAL";
      case 2 -> "WEAK";
      default -> "bind" + b;
    };
  }
}
