package dev.tracepoke.elf;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A little-endian ELF64 file opened for reading: a kcore copy ({@code ET_CORE}, PT_LOAD segments
 * only) or an executable / vmlinux ({@code ET_EXEC}, {@code ET_DYN}) with section headers and
 * {@code .symtab}. Headers are read at open; segment bytes and symbols are read on demand with
 * positioned reads, so a large vmlinux is never loaded whole.
 */
public final class ElfImage implements Closeable {
  private final Path file;
  private final FileChannel ch;
  private final long size;
  private final int type;
  private final int machine;
  private final long entry;
  private final List<Segment> loads;
  private final List<ElfSection> sections;
  private List<ElfSymbol> symbols;
  private long shoff;

  private ElfImage(Path file, FileChannel ch) throws IOException {
    this.file = file;
    this.ch = ch;
    this.size = ch.size();
    ByteBuffer h = read(0, Elf.EHDR_SIZE, "a 64-byte ELF header", 0);
    if (h.getInt(0) != 0x464C457F) {
      throw new ElfFormatException(file, 0, "ELF magic 7F 45 4C 46");
    }
    if (h.get(4) != 2) {
      throw new ElfFormatException(file, 4, "ELFCLASS64 (2), found " + h.get(4));
    }
    if (h.get(5) != 1) {
      throw new ElfFormatException(file, 5, "ELFDATA2LSB (1, little endian), found " + h.get(5));
    }
    type = Short.toUnsignedInt(h.getShort(16));
    machine = Short.toUnsignedInt(h.getShort(18));
    entry = h.getLong(24);
    long phoff = h.getLong(32);
    shoff = h.getLong(40);
    int phentsize = Short.toUnsignedInt(h.getShort(54));
    int phnum = Short.toUnsignedInt(h.getShort(56));
    int shentsize = Short.toUnsignedInt(h.getShort(58));
    int shnum = Short.toUnsignedInt(h.getShort(60));
    int shstrndx = Short.toUnsignedInt(h.getShort(62));
    if (phnum == 0xFFFF || (shoff != 0 && shnum == 0)) {
      throw new ElfFormatException(file, 56, "header counts below 0xFFFF (extended numbering unsupported)");
    }
    if (phnum > 0 && phentsize != Elf.PHDR_SIZE) {
      throw new ElfFormatException(file, 54, "e_phentsize 56, found " + phentsize);
    }
    List<Segment> segs = new ArrayList<>();
    if (phnum > 0) {
      ByteBuffer p = read(phoff, (long) phnum * Elf.PHDR_SIZE, "e_phoff 0x" + Long.toHexString(phoff) + ": "
          + phnum + " program headers", 32);
      for (int i = 0; i < phnum; i++) {
        int o = i * Elf.PHDR_SIZE;
        if (p.getInt(o) != Elf.PT_LOAD) {
          continue;
        }
        Segment s = new Segment(p.getLong(o + 16), p.getLong(o + 40), p.getLong(o + 8),
            p.getLong(o + 32), p.getInt(o + 4));
        if (Long.compareUnsigned(s.fileSize(), s.memSize()) > 0
            || s.fileOffset() < 0 || s.fileSize() < 0 || s.fileOffset() > size - s.fileSize()) {
          throw new ElfFormatException(file, phoff + o,
              "PT_LOAD " + i + " with p_filesz <= p_memsz inside the file (size " + size + "), found p_offset 0x"
                  + Long.toHexString(s.fileOffset()) + " p_filesz 0x" + Long.toHexString(s.fileSize())
                  + " p_memsz 0x" + Long.toHexString(s.memSize()));
        }
        if (s.memSize() != 0 && Long.compareUnsigned(s.vaddr(), -s.memSize()) > 0) {
          throw new ElfFormatException(file, phoff + o + 16, "PT_LOAD " + i + " ending by 2^64, found p_vaddr 0x"
              + Long.toHexString(s.vaddr()) + " + p_memsz 0x" + Long.toHexString(s.memSize()) + " wrapping the address space");
        }
        segs.add(s);
      }
    }
    loads = Collections.unmodifiableList(segs);
    List<ElfSection> secs = new ArrayList<>();
    if (shoff != 0) {
      if (shentsize != Elf.SHDR_SIZE) {
        throw new ElfFormatException(file, 58, "e_shentsize 64, found " + shentsize);
      }
      ByteBuffer s = read(shoff, (long) shnum * Elf.SHDR_SIZE, "e_shoff 0x" + Long.toHexString(shoff) + ": "
          + shnum + " section headers", 40);
      ByteBuffer names = null;
      if (shstrndx != 0 && shstrndx < shnum) {
        int o = shstrndx * Elf.SHDR_SIZE;
        names = read(s.getLong(o + 24), s.getLong(o + 32), "section name table", shoff + o + 24);
      }
      for (int i = 0; i < shnum; i++) {
        int o = i * Elf.SHDR_SIZE;
        String name = names == null ? "" : cString(names, s.getInt(o), shoff + o);
        secs.add(new ElfSection(i, name, s.getInt(o + 4), s.getLong(o + 8), s.getLong(o + 16),
            s.getLong(o + 24), s.getLong(o + 32), s.getInt(o + 40), s.getInt(o + 44),
            s.getLong(o + 56)));
      }
    }
    sections = Collections.unmodifiableList(secs);
  }

  /**
   * Opens {@code file} and reads its ELF, program and section headers.
   *
   * @throws ElfFormatException if it is not a little-endian ELF64 file or a table lies outside it
   */
  public static ElfImage open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      return new ElfImage(file, ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public Path file() {
    return file;
  }

  /** e_type: {@link Elf#ET_EXEC}, {@link Elf#ET_DYN}, {@link Elf#ET_CORE}, ... */
  public int type() {
    return type;
  }

  /** e_machine, {@link Elf#EM_AARCH64} for our images. */
  public int machine() {
    return machine;
  }

  public long entry() {
    return entry;
  }

  /** The PT_LOAD segments in program-header order. */
  public List<Segment> loadSegments() {
    return loads;
  }

  /** Section headers (empty for a kcore copy). */
  public List<ElfSection> sections() {
    return sections;
  }

  public Optional<ElfSection> section(String name) {
    return sections.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The PT_LOAD segment holding {@code address}, if any. */
  public Optional<Segment> segmentAt(long address) {
    for (Segment s : loads) {
      if (s.contains(address)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * Copies {@code len} bytes at virtual address {@code address} of segment {@code s} into {@code
   * dst}; bytes past the segment's file size read as zero.
   */
  public void read(Segment s, long address, byte[] dst, int off, int len) throws IOException {
    long rel = address - s.vaddr();
    if (!s.contains(address) || (len > 0 && Long.compareUnsigned(rel + len, s.memSize()) > 0)) {
      throw new IllegalArgumentException("range 0x" + Long.toHexString(address) + "+" + len
          + " outside segment at 0x" + Long.toHexString(s.vaddr()));
    }
    int fromFile = (int) Math.max(0, Math.min(len, s.fileSize() - rel));
    if (fromFile > 0) {
      ByteBuffer b = ByteBuffer.wrap(dst, off, fromFile);
      long pos = s.fileOffset() + rel;
      while (b.hasRemaining()) {
        if (ch.read(b, pos + (b.position() - off)) < 0) {
          throw new ElfFormatException(file, pos + b.position() - off, "segment bytes (file too short)");
        }
      }
    }
    Arrays.fill(dst, off + fromFile, off + len, (byte) 0);
  }

  /**
   * The bytes of a segment that the file holds (fileSize, at most 2 GiB): the zero-filled rest up
   * to memSize is not materialised, so a header cannot make this allocate more than the file has.
   */
  public byte[] bytes(Segment s) throws IOException {
    if (s.fileSize() > Integer.MAX_VALUE - 8 || s.fileSize() < 0) {
      throw new ElfFormatException(file, s.fileOffset(), "a segment below 2 GiB");
    }
    byte[] b = new byte[(int) s.fileSize()];
    if (b.length > 0) {
      read(s, s.vaddr(), b, 0, b.length);
    }
    return b;
  }

  /** The {@code .symtab} symbols in table order (index 0, the null symbol, omitted). */
  public List<ElfSymbol> symbols() throws IOException {
    if (symbols == null) {
      symbols = Collections.unmodifiableList(readSymbols());
    }
    return symbols;
  }

  private List<ElfSymbol> readSymbols() throws IOException {
    Optional<ElfSection> tab = sections.stream().filter(s -> s.type() == Elf.SHT_SYMTAB).findFirst();
    if (tab.isEmpty()) {
      return List.of();
    }
    ElfSection st = tab.get();
    if (st.link() <= 0 || st.link() >= sections.size()) {
      throw new ElfFormatException(file, sectionHeader(st.index()) + 40, ".symtab sh_link naming its string table"
          + " (1.." + (sections.size() - 1) + "), found " + st.link());
    }
    ElfSection strs = sections.get(st.link());
    ByteBuffer names = read(strs.offset(), strs.size(), "symbol string table", sectionHeader(strs.index()) + 24);
    ByteBuffer t = read(st.offset(), st.size(), ".symtab", sectionHeader(st.index()) + 24);
    int n = (int) (st.size() / Elf.SYM_SIZE);
    List<ElfSymbol> out = new ArrayList<>(Math.max(0, n - 1));
    for (int i = 1; i < n; i++) {
      int o = i * Elf.SYM_SIZE;
      int info = t.get(o + 4) & 0xFF;
      out.add(new ElfSymbol(cString(names, t.getInt(o), st.offset() + o), t.getLong(o + 8),
          t.getLong(o + 16), info & 0xF, info >> 4, Short.toUnsignedInt(t.getShort(o + 6))));
    }
    return out;
  }

  private String cString(ByteBuffer table, int at, long refOffset) throws ElfFormatException {
    if (at < 0 || at >= table.limit()) {
      throw new ElfFormatException(file, refOffset, "a name offset inside the string table");
    }
    int e = at;
    while (e < table.limit() && table.get(e) != 0) {
      e++;
    }
    byte[] b = new byte[e - at];
    table.get(at, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * {@code len} bytes at {@code pos}, checked against the file's size (without overflow) before
   * anything is allocated; an error names {@code field}, the offset of the header field that gave
   * {@code pos}.
   */
  private ByteBuffer read(long pos, long len, String what, long field) throws IOException {
    if (pos < 0 || len < 0 || len > Integer.MAX_VALUE - 8 || pos > size - len) {
      throw new ElfFormatException(file, field, what + " (" + len + " bytes at 0x" + Long.toHexString(pos)
          + ") inside the file of " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new ElfFormatException(file, pos + b.position(), what + " (the file ended while it was read)");
      }
    }
    return b.flip();
  }

  /**
   * {@code length} bytes at file offset {@code offset} (a section's contents), little endian.
   *
   * @throws ElfFormatException if they lie outside the file ({@code what} names them)
   */
  public ByteBuffer readFile(long offset, int length, String what) throws IOException {
    return read(offset, length, what, offset);
  }

  private long sectionHeader(int index) {
    return shoff + (long) index * Elf.SHDR_SIZE;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
