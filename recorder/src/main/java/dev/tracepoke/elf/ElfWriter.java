package dev.tracepoke.elf;

import dev.tracepoke.storage.WholeFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes little-endian ELF64 AArch64 images.
 *
 * <ul>
 *   <li>{@link #core()}: an {@code ET_CORE} file with PT_LOAD segments only, the shape of the kcore
 *       copy {@code perf record --kcore} stores as {@code kcore_dir/kcore} (no notes, no sections;
 *       /proc/kcore marks its segments R|W|X).
 *   <li>{@link #executable(long)}: an {@code ET_EXEC} file whose every PT_LOAD segment is also a
 *       named PROGBITS section, plus {@code .symtab}/{@code .strtab} — enough for {@code perf -k
 *       vmlinux} (needs {@code .text} and {@code _text}/{@code _stext}) and objdump.
 *   <li>{@link #pie(long)}: the same as {@code ET_DYN}, as arm64 links vmlinux ({@code -pie}); a
 *       segment may be a {@code SHT_RELA} section ({@code .rela.dyn}) or a {@code SHT_NOTE} one
 *       (then also a PT_NOTE segment, as the GNU build-id note is).
 * </ul>
 *
 * Segment data starts on a 4 KiB file offset congruent to its address, as loaders require. The file
 * appears atomically: it is written under a temporary name and renamed.
 */
public final class ElfWriter {
  private static final int PAGE = 4096;

  private record Load(String section, long vaddr, byte[] bytes, int flags, int shType, long entSize) {}

  private record Sym(String name, long value, long size, int type, int binding) {}

  private final int type;
  private final long entry;
  private final List<Load> loads = new ArrayList<>();
  private final List<Sym> symbols = new ArrayList<>();

  private ElfWriter(int type, long entry) {
    this.type = type;
    this.entry = entry;
  }

  /** A kcore-style {@code ET_CORE} image. */
  public static ElfWriter core() {
    return new ElfWriter(Elf.ET_CORE, 0);
  }

  /** An {@code ET_EXEC} image with sections and symbols. */
  public static ElfWriter executable(long entry) {
    return new ElfWriter(Elf.ET_EXEC, entry);
  }

  /** An {@code ET_DYN} (position-independent) image with sections and symbols. */
  public static ElfWriter pie(long entry) {
    return new ElfWriter(Elf.ET_DYN, entry);
  }

  /**
   * Adds a PT_LOAD segment with {@code bytes} at {@code vaddr}; {@code flags} are PF_R/W/X. In an
   * executable it is also the section {@code sectionName}; a core ignores the name.
   */
  public ElfWriter load(String sectionName, long vaddr, byte[] bytes, int flags) {
    return load(sectionName, vaddr, bytes, flags, Elf.SHT_PROGBITS, 0);
  }

  /**
   * As {@link #load(String, long, byte[], int)} with the section's type ({@link Elf#SHT_PROGBITS},
   * {@link Elf#SHT_RELA} with {@code entSize} 24, {@link Elf#SHT_NOTE}: also a PT_NOTE segment).
   */
  public ElfWriter load(String sectionName, long vaddr, byte[] bytes, int flags, int shType, long entSize) {
    loads.add(new Load(Objects.requireNonNull(sectionName), vaddr, bytes.clone(), flags, shType, entSize));
    return this;
  }

  /** Adds a {@code .symtab} entry (executables only); its section is found by address. */
  public ElfWriter symbol(String name, long value, long size, int symType, int binding) {
    if (type == Elf.ET_CORE) {
      throw new IllegalStateException("a kcore image has no symbol table");
    }
    symbols.add(new Sym(name, value, size, symType, binding));
    return this;
  }

  /** Writes the image to {@code file} (temporary name, then rename). */
  public void write(Path file) throws IOException {
    WholeFile.write(file, toBytes());
  }

  /** The image as bytes. */
  public byte[] toBytes() {
    boolean exec = type != Elf.ET_CORE;
    int notes = (int) loads.stream().filter(l -> l.shType() == Elf.SHT_NOTE).count();
    int phnum = loads.size() + notes;
    long pos = Elf.EHDR_SIZE + (long) phnum * Elf.PHDR_SIZE;
    long[] dataOff = new long[loads.size()];
    for (int i = 0; i < loads.size(); i++) {
      long cand = pos / PAGE * PAGE + Math.floorMod(loads.get(i).vaddr(), PAGE);
      pos = cand < pos ? cand + PAGE : cand;
      dataOff[i] = pos;
      pos += loads.get(i).bytes().length;
    }
    // executables: symtab, strtab, shstrtab, section headers
    Strings shstr = new Strings();
    Strings str = new Strings();
    byte[] symtab = new byte[0];
    int firstGlobal = 0;
    long symOff = 0;
    long strOff = 0;
    long shstrOff = 0;
    long shOff = 0;
    int shnum = 0;
    int[] secName = new int[loads.size()];
    int symtabName = 0;
    int strtabName = 0;
    int shstrName = 0;
    if (exec) {
      for (int i = 0; i < loads.size(); i++) {
        secName[i] = shstr.add(loads.get(i).section());
      }
      symtabName = shstr.add(".symtab");
      strtabName = shstr.add(".strtab");
      shstrName = shstr.add(".shstrtab");
      List<Sym> ordered = new ArrayList<>();
      symbols.stream().filter(s -> s.binding() == Elf.STB_LOCAL).forEach(ordered::add);
      firstGlobal = ordered.size() + 1;
      symbols.stream().filter(s -> s.binding() != Elf.STB_LOCAL).forEach(ordered::add);
      ByteBuffer sb = le(Elf.SYM_SIZE * (ordered.size() + 1));
      sb.position(Elf.SYM_SIZE);
      for (Sym s : ordered) {
        sb.putInt(str.add(s.name()));
        sb.put((byte) ((s.binding() << 4) | (s.type() & 0xF)));
        sb.put((byte) 0);
        sb.putShort((short) sectionOf(s.value()));
        sb.putLong(s.value());
        sb.putLong(s.size());
      }
      symtab = sb.array();
      symOff = alignUp(pos, 8);
      strOff = symOff + symtab.length;
      shstrOff = strOff + str.size();
      shOff = alignUp(shstrOff + shstr.size(), 8);
      shnum = loads.size() + 4;
      pos = shOff + (long) shnum * Elf.SHDR_SIZE;
    }
    if (pos > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("image above 2 GiB");
    }
    ByteBuffer b = le((int) pos);
    b.putInt(0x464C457F).put((byte) 2).put((byte) 1).put((byte) 1);
    b.position(16);
    b.putShort((short) type).putShort((short) Elf.EM_AARCH64).putInt(1).putLong(entry);
    b.putLong(Elf.EHDR_SIZE).putLong(shOff).putInt(0);
    b.putShort((short) Elf.EHDR_SIZE).putShort((short) Elf.PHDR_SIZE).putShort((short) phnum);
    b.putShort((short) Elf.SHDR_SIZE).putShort((short) shnum);
    b.putShort((short) (exec ? shnum - 1 : 0));
    for (int i = 0; i < loads.size(); i++) {
      Load l = loads.get(i);
      b.putInt(Elf.PT_LOAD).putInt(l.flags()).putLong(dataOff[i]).putLong(l.vaddr());
      b.putLong(exec ? l.vaddr() : 0).putLong(l.bytes().length).putLong(l.bytes().length);
      b.putLong(PAGE);
    }
    for (int i = 0; i < loads.size(); i++) {
      Load l = loads.get(i);
      if (l.shType() == Elf.SHT_NOTE) {
        b.putInt(Elf.PT_NOTE).putInt(Elf.PF_R).putLong(dataOff[i]).putLong(l.vaddr());
        b.putLong(l.vaddr()).putLong(l.bytes().length).putLong(l.bytes().length).putLong(4);
      }
    }
    for (int i = 0; i < loads.size(); i++) {
      b.put((int) dataOff[i], loads.get(i).bytes());
    }
    if (exec) {
      b.put((int) symOff, symtab);
      b.put((int) strOff, str.bytes());
      b.put((int) shstrOff, shstr.bytes());
      b.position((int) shOff + Elf.SHDR_SIZE); // section 0 stays all zero
      for (int i = 0; i < loads.size(); i++) {
        Load l = loads.get(i);
        long fl = Elf.SHF_ALLOC
            | ((l.flags() & Elf.PF_X) != 0 ? Elf.SHF_EXECINSTR : 0)
            | ((l.flags() & Elf.PF_W) != 0 ? Elf.SHF_WRITE : 0);
        section(b, secName[i], l.shType(), fl, l.vaddr(), dataOff[i], l.bytes().length,
            0, 0, l.shType() == Elf.SHT_PROGBITS ? 4 : l.shType() == Elf.SHT_NOTE ? 4 : 8, l.entSize());
      }
      int strIndex = loads.size() + 2;
      section(b, symtabName, Elf.SHT_SYMTAB, 0, 0, symOff, symtab.length, strIndex, firstGlobal,
          8, Elf.SYM_SIZE);
      section(b, strtabName, Elf.SHT_STRTAB, 0, 0, strOff, str.size(), 0, 0, 1, 0);
      section(b, shstrName, Elf.SHT_STRTAB, 0, 0, shstrOff, shstr.size(), 0, 0, 1, 0);
    }
    return b.array();
  }

  private int sectionOf(long value) {
    for (int i = 0; i < loads.size(); i++) {
      Load l = loads.get(i);
      long rel = value - l.vaddr();
      if (Long.compareUnsigned(rel, l.bytes().length) < 0 || rel == l.bytes().length) {
        return i + 1;
      }
    }
    return Elf.SHN_ABS;
  }

  private static void section(ByteBuffer b, int name, int type, long flags, long addr, long off,
      long size, int link, int info, long align, long entSize) {
    b.putInt(name).putInt(type).putLong(flags).putLong(addr).putLong(off).putLong(size);
    b.putInt(link).putInt(info).putLong(align).putLong(entSize);
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long alignUp(long v, long a) {
    return (v + a - 1) / a * a;
  }

  /** A NUL-separated string table starting with the empty string. */
  private static final class Strings {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Strings() {
      out.write(0);
    }

    int add(String s) {
      int at = out.size();
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      out.write(0);
      return at;
    }

    int size() {
      return out.size();
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
