package dev.tracepoke.vmlinux;

import dev.tracepoke.elf.Elf;
import dev.tracepoke.elf.ElfFormatException;
import dev.tracepoke.elf.ElfImage;
import dev.tracepoke.elf.ElfSection;
import dev.tracepoke.elf.ElfSymbol;
import dev.tracepoke.elf.ElfWriter;
import dev.tracepoke.elf.Segment;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The patch-site tables of one vmlinux, at its link addresses: the jump-label entries, the ftrace
 * call sites (the patched words, as {@code __mcount_loc} names them), the symbols and the GNU
 * build id. Reads both links: entries already absolute (a static link) and entries left zero with
 * an {@code R_AARCH64_RELATIVE} relocation in a {@code SHT_RELA} section giving the value (arm64's
 * {@code -pie --no-apply-dynamic-relocs}); and both jump-entry layouts, 16-byte relative (4.20+)
 * and 24-byte absolute (older), by the table's size and, where both divide it, by which reading
 * puts every site and target in code (the relative one when both do).
 *
 * @param file the vmlinux
 * @param jumpEntries {@code __jump_table}, in table order
 * @param jumpEntrySize the layout the table was read in: {@link JumpEntry#SIZE} (relative, 4.20+),
 *     {@link JumpEntry#ABSOLUTE_SIZE} (absolute, older), 0 when it is empty or absent
 * @param ftraceSites the ftrace call-site table, in table order
 * @param symbols {@code .symtab} name to value (the first definition of a name wins)
 * @param buildId the GNU build id as lowercase hex, or empty
 * @param relocated how many ftrace entries came from {@code .rela.dyn} rather than the file bytes
 * @param missing table bounds the file does not define (e.g. {@code __start_mcount_loc}); those
 *     tables read as empty
 */
public record PatchTables(
    Path file,
    List<JumpEntry> jumpEntries,
    int jumpEntrySize,
    long[] ftraceSites,
    Map<String, Long> symbols,
    String buildId,
    int relocated,
    List<String> missing) {

  public static final String START_JUMP = "__start___jump_table";
  public static final String STOP_JUMP = "__stop___jump_table";
  public static final String START_MCOUNT = "__start_mcount_loc";
  public static final String STOP_MCOUNT = "__stop_mcount_loc";

  public PatchTables {
    jumpEntries = List.copyOf(jumpEntries);
    ftraceSites = ftraceSites.clone();
    symbols = Map.copyOf(symbols);
    missing = List.copyOf(missing);
  }

  public Optional<Long> symbol(String name) {
    return Optional.ofNullable(symbols.get(name));
  }

  /** Reads {@code file}. */
  public static PatchTables read(Path file) throws IOException {
    try (ElfImage elf = ElfImage.open(file)) {
      return read(elf);
    }
  }

  /**
   * Reads the tables of an open vmlinux.
   *
   * @throws ElfFormatException when a table's bounds are not whole entries or lie outside the
   *     file's loaded segments
   */
  public static PatchTables read(ElfImage elf) throws IOException {
    Map<String, Long> syms = new HashMap<>();
    for (ElfSymbol s : elf.symbols()) {
      if (!s.name().isEmpty() && s.section() != Elf.SHN_UNDEF) {
        syms.putIfAbsent(s.name(), s.value());
      }
    }
    List<String> missing = new ArrayList<>();
    Long2LongOpenHashMap relative = relativeRelocations(elf);
    List<JumpEntry> jumps = List.of();
    int jumpSize = 0;
    byte[] jt = table(elf, syms, START_JUMP, STOP_JUMP, 8, missing);
    if (jt != null && jt.length > 0) {
      long base = syms.get(START_JUMP);
      List<JumpEntry> rel = jt.length % JumpEntry.SIZE == 0 ? relativeEntries(jt, base) : null;
      List<JumpEntry> abs = jt.length % JumpEntry.ABSOLUTE_SIZE == 0 ? absoluteEntries(jt, base, relative) : null;
      boolean relOk = rel != null && inText(elf, rel);
      boolean absOk = abs != null && inText(elf, abs);
      if (!relOk && !absOk) {
        throw new ElfFormatException(elf.file(), fileOffset(elf, base), String.format(
            "%s .. %s (0x%x..0x%x, %d bytes): jump entries whose sites and targets lie in executable"
                + " segments, as 16-byte relative (s32 code, s32 target, s64 key) or 24-byte absolute"
                + " (u64 code, target, key) entries", START_JUMP, STOP_JUMP, base, base + jt.length, jt.length));
      }
      // a size both layouts divide where both also point into text: the relative one (4.20+)
      jumps = relOk ? rel : abs;
      jumpSize = relOk ? JumpEntry.SIZE : JumpEntry.ABSOLUTE_SIZE;
    }
    long[] ftrace = new long[0];
    int relocated = 0;
    byte[] mt = table(elf, syms, START_MCOUNT, STOP_MCOUNT, 8, missing);
    if (mt != null) {
      ByteBuffer b = ByteBuffer.wrap(mt).order(ByteOrder.LITTLE_ENDIAN);
      long base = syms.get(START_MCOUNT);
      ftrace = new long[mt.length / 8];
      for (int i = 0; i < ftrace.length; i++) {
        long v = b.getLong(8 * i);
        long at = base + 8L * i;
        if (v == 0 && relative.containsKey(at)) {
          v = relative.get(at);
          relocated++;
        }
        if (v == 0) {
          throw new ElfFormatException(elf.file(), fileOffset(elf, at),
              "ftrace call-site entry " + i + " at 0x" + Long.toHexString(at)
                  + ": an address, or an R_AARCH64_RELATIVE relocation giving it");
        }
        ftrace[i] = v;
      }
    }
    return new PatchTables(elf.file(), jumps, jumpSize, ftrace, syms, buildId(elf), relocated, missing);
  }

  /** arm64 since 4.20: s32 code, s32 target, s64 key, each relative to its own field. */
  private static List<JumpEntry> relativeEntries(byte[] jt, long base) {
    ByteBuffer b = ByteBuffer.wrap(jt).order(ByteOrder.LITTLE_ENDIAN);
    List<JumpEntry> out = new ArrayList<>();
    for (int o = 0; o < jt.length; o += JumpEntry.SIZE) {
      long e = base + o;
      long k = b.getLong(o + 8);
      out.add(new JumpEntry(e, e + b.getInt(o), e + 4 + b.getInt(o + 4), e + 8 + (k & ~3L), (k & 1) != 0,
          (k & 2) != 0));
    }
    return out;
  }

  /**
   * Before 4.20 (no CONFIG_HAVE_ARCH_JUMP_LABEL_RELATIVE): u64 code, u64 target, u64 key, absolute
   * (the asm's {@code .quad 1b, l_yes, key + branch}); in a PIE link without applied dynamic
   * relocations a field is zero and its R_AARCH64_RELATIVE addend is the value.
   */
  private static List<JumpEntry> absoluteEntries(byte[] jt, long base, Long2LongOpenHashMap relative) {
    ByteBuffer b = ByteBuffer.wrap(jt).order(ByteOrder.LITTLE_ENDIAN);
    List<JumpEntry> out = new ArrayList<>();
    for (int o = 0; o < jt.length; o += JumpEntry.ABSOLUTE_SIZE) {
      long e = base + o;
      long[] f = new long[3];
      for (int i = 0; i < 3; i++) {
        f[i] = b.getLong(o + 8 * i);
        if (f[i] == 0) {
          f[i] = relative.getOrDefault(e + 8L * i, 0L);
        }
      }
      out.add(new JumpEntry(e, f[0], f[1], f[2] & ~3L, (f[2] & 1) != 0, (f[2] & 2) != 0));
    }
    return out;
  }

  /**
   * Whether every entry's site and target are words of code: of SHF_EXECINSTR sections when the
   * file has section headers (a linker script may put .rodata in an executable segment), else of
   * executable segments.
   */
  private static boolean inText(ElfImage elf, List<JumpEntry> entries) throws IOException {
    List<long[]> code = new ArrayList<>();
    for (ElfSection s : elf.sections()) {
      if ((s.flags() & Elf.SHF_EXECINSTR) != 0 && (s.flags() & Elf.SHF_ALLOC) != 0 && s.size() > 0) {
        code.add(new long[] {s.addr(), s.addr() + s.size()});
      }
    }
    if (code.isEmpty()) {
      for (Segment s : elf.loadSegments()) {
        if (s.executable()) {
          code.add(new long[] {s.vaddr(), s.vaddr() + s.memSize()});
        }
      }
    }
    for (JumpEntry j : entries) {
      for (long a : new long[] {j.code(), j.target()}) {
        boolean in = false;
        for (long[] r : code) {
          in |= Long.compareUnsigned(a, r[0]) >= 0 && Long.compareUnsigned(a + 4, r[1]) <= 0;
        }
        if ((a & 3) != 0 || !in) {
          return false;
        }
      }
    }
    return true;
  }

  /** The bytes between two bounding symbols, null (and the names in {@code missing}) when absent. */
  private static byte[] table(ElfImage elf, Map<String, Long> syms, String start, String stop,
      int entry, List<String> missing) throws IOException {
    Long from = syms.get(start);
    Long to = syms.get(stop);
    if (from == null || to == null) {
      if (from == null) {
        missing.add(start);
      }
      if (to == null) {
        missing.add(stop);
      }
      return null;
    }
    long len = to - from;
    if (len < 0 || len % entry != 0 || len > Integer.MAX_VALUE - 8) {
      throw new ElfFormatException(elf.file(), 0, String.format(
          "%s (0x%x) .. %s (0x%x) spanning whole %d-byte entries", start, from, stop, to, entry));
    }
    byte[] out = new byte[(int) len];
    if (len > 0) {
      Optional<Segment> seg = elf.segmentAt(from);
      if (seg.isEmpty() || !seg.get().contains(to - 1)) {
        throw new ElfFormatException(elf.file(), 0, String.format(
            "%s .. %s (0x%x..0x%x) inside one loaded segment", start, stop, from, to));
      }
      elf.read(seg.get(), from, out, 0, out.length);
    }
    return out;
  }

  /** r_offset to r_addend of every R_AARCH64_RELATIVE entry in the file's SHT_RELA sections. */
  private static Long2LongOpenHashMap relativeRelocations(ElfImage elf) throws IOException {
    Long2LongOpenHashMap out = new Long2LongOpenHashMap();
    for (ElfSection s : elf.sections()) {
      if (s.type() != Elf.SHT_RELA || s.size() == 0) {
        continue;
      }
      if (s.size() % Elf.RELA_SIZE != 0 || s.size() > Integer.MAX_VALUE - 8) {
        throw new ElfFormatException(elf.file(), s.offset(),
            s.name() + " of whole 24-byte Elf64_Rela entries, found " + s.size() + " bytes");
      }
      ByteBuffer b = elf.readFile(s.offset(), (int) s.size(), s.name());
      for (int o = 0; o < s.size(); o += Elf.RELA_SIZE) {
        if ((int) b.getLong(o + 8) == Elf.R_AARCH64_RELATIVE) {
          out.put(b.getLong(o), b.getLong(o + 16));
        }
      }
    }
    return out;
  }

  private static long fileOffset(ElfImage elf, long address) {
    return elf.segmentAt(address).map(s -> s.fileOffset() + (address - s.vaddr())).orElse(0L);
  }

  /** The descriptor of the first NT_GNU_BUILD_ID note named "GNU", as hex; empty if none. */
  private static String buildId(ElfImage elf) throws IOException {
    for (ElfSection s : elf.sections()) {
      if (s.type() != Elf.SHT_NOTE || s.size() < 12 || s.size() > 1 << 20) {
        continue;
      }
      ByteBuffer b = elf.readFile(s.offset(), (int) s.size(), s.name());
      int o = 0;
      while (o + 12 <= b.limit()) {
        int nameSize = b.getInt(o);
        int descSize = b.getInt(o + 4);
        int type = b.getInt(o + 8);
        int name = o + 12;
        int desc = name + align4(nameSize);
        if (nameSize < 0 || descSize < 0 || desc + descSize > b.limit()) {
          break;
        }
        if (type == Elf.NT_GNU_BUILD_ID && nameSize == 4 && b.get(name) == 'G' && b.get(name + 1) == 'N'
            && b.get(name + 2) == 'U') {
          byte[] id = new byte[descSize];
          b.get(desc, id);
          return HexFormat.of().formatHex(id);
        }
        o = desc + align4(descSize);
      }
    }
    return "";
  }

  private static int align4(int n) {
    return (n + 3) & ~3;
  }

  // ---------------------------------------------------------------- writing

  /** Lays out a vmlinux for a kernel whose text is {@code text} at {@code base}. */
  public static Writer writer(long base, byte[] text) {
    return new Writer(base, text);
  }

  /**
   * A vmlinux as arm64 links one ({@code -pie --no-apply-dynamic-relocs}, ET_DYN): {@code .text}
   * at the kernel base; {@code .rodata} with {@code __jump_table}; {@code .notes} with the GNU
   * build id; {@code .data} with the static keys; {@code .init.data} with the ftrace call-site
   * table (zero in the file); {@code .rela.dyn} with one R_AARCH64_RELATIVE entry per call site.
   * Each section is page-aligned after the previous one and is its own PT_LOAD segment.
   */
  public static final class Writer {
    private record Jump(long site, long target, int key, boolean branch) {}

    private record Sym(String name, long value, int type) {}

    private final long base;
    private final byte[] text;
    private final List<Jump> jumps = new ArrayList<>();
    private final List<Long> ftrace = new ArrayList<>();
    private final List<Sym> syms = new ArrayList<>();
    private int keys;

    private Writer(long base, byte[] text) {
      this.base = base;
      this.text = text.clone();
    }

    /** A text symbol ({@code STT_FUNC}, or {@code STT_NOTYPE} for markers like {@code _text}). */
    public Writer symbol(String name, long value, boolean function) {
      syms.add(new Sym(name, value, function ? Elf.STT_FUNC : Elf.STT_NOTYPE));
      return this;
    }

    /** A jump-label site of static key {@code key} (0-based; one {@code struct static_key} each). */
    public Writer jump(long site, long target, int key, boolean branch) {
      jumps.add(new Jump(site, target, key, branch));
      keys = Math.max(keys, key + 1);
      return this;
    }

    /** An ftrace call site (the patched word). */
    public Writer ftrace(long site) {
      ftrace.add(site);
      return this;
    }

    public ElfWriter toElf() {
      long rodata = alignUp(base + text.length, 0x1000);
      ByteBuffer jt = le(JumpEntry.SIZE * jumps.size());
      long notes = alignUp(rodata + Math.max(jt.capacity(), 1), 0x1000);
      long data = notes + 0x1000;
      long init = alignUp(data + 16L * Math.max(keys, 1), 0x1000);
      long rela = alignUp(init + 8L * Math.max(ftrace.size(), 1), 0x1000);
      for (int i = 0; i < jumps.size(); i++) {
        Jump j = jumps.get(i);
        long e = rodata + (long) JumpEntry.SIZE * i;
        jt.putInt((int) (j.site() - e)).putInt((int) (j.target() - (e + 4)));
        jt.putLong(data + 16L * j.key() - (e + 8) + (j.branch() ? 1 : 0));
      }
      ByteBuffer rd = le(Elf.RELA_SIZE * ftrace.size());
      for (int i = 0; i < ftrace.size(); i++) {
        rd.putLong(init + 8L * i).putLong(Elf.R_AARCH64_RELATIVE).putLong(ftrace.get(i));
      }
      byte[] keyBytes = new byte[16 * Math.max(keys, 1)];
      byte[] mcount = new byte[8 * ftrace.size()]; // zero: .rela.dyn gives the values
      byte[] id = buildId(jt.array());
      ByteBuffer note = le(16 + id.length);
      note.putInt(4).putInt(id.length).putInt(Elf.NT_GNU_BUILD_ID).put("GNU\0".getBytes(StandardCharsets.US_ASCII))
          .put(id);

      ElfWriter w = ElfWriter.pie(base)
          .load(".text", base, text, Elf.PF_R | Elf.PF_X)
          .load(".rodata", rodata, jt.array(), Elf.PF_R)
          .load(".notes", notes, note.array(), Elf.PF_R, Elf.SHT_NOTE, 0)
          .load(".data", data, keyBytes, Elf.PF_R | Elf.PF_W)
          .load(".init.data", init, mcount, Elf.PF_R | Elf.PF_W)
          .load(".rela.dyn", rela, rd.array(), Elf.PF_R, Elf.SHT_RELA, Elf.RELA_SIZE);
      List<Sym> all = new ArrayList<>(syms);
      all.add(new Sym(START_JUMP, rodata, Elf.STT_NOTYPE));
      all.add(new Sym(STOP_JUMP, rodata + jt.capacity(), Elf.STT_NOTYPE));
      all.add(new Sym(START_MCOUNT, init, Elf.STT_NOTYPE));
      all.add(new Sym(STOP_MCOUNT, init + mcount.length, Elf.STT_NOTYPE));
      for (int k = 0; k < keys; k++) {
        all.add(new Sym("static_key_" + k, data + 16L * k, Elf.STT_OBJECT));
      }
      all.sort(Comparator.comparingLong(Sym::value).thenComparing(Sym::name)); // unsigned order within the kernel half
      for (Sym s : all) {
        w.symbol(s.name(), s.value(), 0, s.type(), Elf.STB_GLOBAL);
      }
      return w;
    }

    /**
     * A GNU build id (SHA-1, 20 bytes, as GNU ld's --build-id=sha1) over what the file holds,
     * every address taken relative to the base: the same kernel linked at another base (standing
     * in for one KASLR moved at boot) keeps its id, as a real kernel keeps its vmlinux's.
     */
    private byte[] buildId(byte[] jumpTable) {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        ByteBuffer v = ByteBuffer.allocate(8);
        md.update(text);
        md.update(jumpTable); // PC-relative entries
        for (long f : ftrace) {
          md.update(v.clear().putLong(f - base).array());
        }
        for (Sym s : syms) {
          md.update(s.name().getBytes(StandardCharsets.UTF_8));
          md.update(v.clear().putLong(s.value() - base).array());
        }
        return md.digest();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is required of every Java platform", e);
      }
    }

    private static ByteBuffer le(int n) {
      return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long alignUp(long v, long a) {
      return (v + a - 1) & -a;
    }
  }
}
