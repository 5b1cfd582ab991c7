package dev.tracepoke.decode.input;

import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.elf.ElfImage;
import dev.tracepoke.elf.ElfSection;
import dev.tracepoke.elf.ElfSymbol;
import dev.tracepoke.elf.Segment;
import dev.tracepoke.perf.PerfFeatures;
import dev.tracepoke.perf.PerfRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Places code the way perf does when it decodes CoreSight trace: MMAP/MMAP2 records say which file
 * (and which file offset) is at which address of which process; the file is found in perf's
 * build-id cache or under {@code --symfs}; the kernel comes from the recording's kcore or {@code
 * --vmlinux}; {@code --image ELF[@ADDR]} adds more. The bytes at an address are the file's bytes
 * at {@code address - start + pgoff}, as perf reads them (an execute-only mapping is code too).
 *
 * <p>All places go into one image: within a process a later map cuts the earlier ones it overlaps
 * (perf's rule); maps of different processes are merged where they agree, and where two disagree
 * the first placed wins and the clash is named. Addresses nothing places stay unmapped, which the
 * decoder reports as a gap naming the address.
 */
public final class CodePlacement {

  /** A map record, with where it was in the file. */
  public record MapRecord(long fileOffset, long time, PerfRecord record) {}

  private static final HexFormat HEX = HexFormat.of();
  private static final int PROT_EXEC = 4;
  private static final int MISC_MMAP_DATA = 1 << 13;

  private final ImageOptions options;
  private final List<String> warnings;
  /** start (unsigned order) → bytes placed there; never overlapping. */
  private final TreeMap<Long, byte[]> placed = new TreeMap<>(Long::compareUnsigned);
  private final Map<String, String> clashes = new LinkedHashMap<>();

  private CodePlacement(ImageOptions options, List<String> warnings) {
    this.options = options;
    this.warnings = warnings;
  }

  /**
   * The image of a perf recording.
   *
   * @param base the recording's own image (kcore_dir), possibly empty
   * @param maps every MMAP and MMAP2 record, in file order
   * @param traced the processes whose maps count (those the trace follows); empty: every process
   * @param buildIds HEADER_BUILD_ID: recorded file name → build-id
   * @param warnings receives what could not be placed
   */
  public static MemoryImage place(MemoryImage base, List<MapRecord> maps, Set<Integer> traced,
      Map<String, byte[]> buildIds, ImageOptions options, List<String> warnings) throws IOException {
    CodePlacement p = new CodePlacement(options, warnings);
    for (MemoryImage.Segment s : base.segments()) {
      p.add(s.vaddr(), s.bytes(), "the recording's image");
    }
    for (ImageOptions.Placed i : options.images()) {
      p.elf(i);
    }
    p.kernel(maps);
    p.user(maps, traced, buildIds);
    p.clashes.forEach((k, v) -> warnings.add(k + ": " + v));
    List<MemoryImage.Segment> segs = new ArrayList<>();
    p.placed.forEach((start, bytes) -> segs.add(new MemoryImage.Segment(start, bytes)));
    return MemoryImage.of(segs);
  }

  /**
   * HEADER_BUILD_ID (feature 2) of a perf.data file: file name → build-id (20 bytes unless the
   * entry gives its size; simpleperf pads shorter ids with zeros).
   */
  public static Map<String, byte[]> buildIds(Path file, long offset, long size) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (size <= 0 || size > (64 << 20)) {
      return out;
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
        // fill
      }
    }
    b.flip();
    for (PerfFeatures.BuildId e : PerfFeatures.decodeBuildIds(b)) {
      out.putIfAbsent(e.name(), e.id());
    }
    return out;
  }

  // ---- sources of code

  private void elf(ImageOptions.Placed i) throws IOException {
    try (ElfImage e = ElfImage.open(i.elf())) {
      long low = -1;
      for (Segment s : e.loadSegments()) {
        if (s.fileSize() > 0 && (low == -1 || Long.compareUnsigned(s.vaddr(), low) < 0)) {
          low = s.vaddr();
        }
      }
      long bias = i.address().isPresent() && low != -1 ? i.address().getAsLong() - low : 0;
      for (Segment s : e.loadSegments()) {
        if (s.fileSize() > 0) {
          add(s.vaddr() + bias, e.bytes(s), i.elf().toString());
        }
      }
    }
  }

  /** The kernel map with {@code --vmlinux}: its PT_LOADs, moved by KASLR's offset when known. */
  private void kernel(List<MapRecord> maps) throws IOException {
    if (options.vmlinux().isEmpty()) {
      return;
    }
    long delta = 0;
    Path vmlinux = options.vmlinux().get();
    try (ElfImage e = ElfImage.open(vmlinux)) {
      for (MapRecord m : maps) {
        String name = name(m.record());
        long pgoff = m.record() instanceof PerfRecord.Mmap mm ? mm.pgoff()
            : m.record() instanceof PerfRecord.Mmap2 m2 ? m2.pgoff() : 0;
        if (name.startsWith("[kernel.kallsyms]") && pgoff != 0) {
          // pgoff is the runtime address of the symbol named after "]" (_text or _stext)
          String ref = name.substring("[kernel.kallsyms]".length());
          for (ElfSymbol sym : e.symbols()) {
            if (sym.name().equals(ref)) {
              delta = pgoff - sym.value();
              break;
            }
          }
          break;
        }
      }
      for (Segment s : e.loadSegments()) {
        if (s.fileSize() > 0) {
          add(s.vaddr() + delta, e.bytes(s), vmlinux.toString());
        }
      }
    }
  }

  /** User-space maps of the traced processes (perf's final map state per process). */
  private void user(List<MapRecord> maps, Set<Integer> traced, Map<String, byte[]> buildIds) throws IOException {
    Map<Integer, List<MapRecord>> byPid = new LinkedHashMap<>();
    for (MapRecord m : maps) {
      PerfRecord r = m.record();
      int cpumode = r.misc() & PerfRecord.MISC_CPUMODE_MASK;
      if (cpumode == PerfRecord.MISC_KERNEL || name(r).startsWith("[kernel.kallsyms]")) {
        continue;
      }
      int pid = r instanceof PerfRecord.Mmap mm ? mm.pid() : ((PerfRecord.Mmap2) r).pid();
      if (!traced.isEmpty() && !traced.contains(pid)) {
        continue;
      }
      byPid.computeIfAbsent(pid, k -> new ArrayList<>()).add(m);
    }
    Set<String> missing = new java.util.TreeSet<>();
    Map<String, Optional<Path>> found = new LinkedHashMap<>();
    for (Map.Entry<Integer, List<MapRecord>> e : byPid.entrySet()) {
      for (long[] piece : finalMaps(e.getValue())) {
        MapRecord m = e.getValue().get((int) piece[3]);
        PerfRecord r = m.record();
        if (!executable(r)) {
          continue;
        }
        String name = name(r);
        if (name.startsWith("[") || name.startsWith("//anon") || name.isEmpty()) {
          continue; // [vdso], [stack], anonymous memory: no file holds their bytes
        }
        byte[] id = r instanceof PerfRecord.Mmap2 m2 && m2.buildId() != null ? m2.buildId() : buildIds.get(name);
        Optional<Path> file = found.computeIfAbsent(name + "\0" + (id == null ? "" : HEX.formatHex(id)), k -> find(name, id));
        if (file.isEmpty()) {
          missing.add(String.format("%s at 0x%x", name, piece[0]));
          continue;
        }
        long start = piece[0];
        long len = piece[1];
        long off = piece[2];
        long size = Files.size(file.get());
        long n = Math.min(len, Math.max(0, size - off));
        if (n <= 0 || n > Integer.MAX_VALUE - 8) {
          continue;
        }
        byte[] bytes = new byte[(int) n];
        try (FileChannel ch = FileChannel.open(file.get(), StandardOpenOption.READ)) {
          ByteBuffer b = ByteBuffer.wrap(bytes);
          while (b.hasRemaining() && ch.read(b, off + b.position()) > 0) {
            // fill
          }
        }
        add(start, bytes, name + " of pid " + e.getKey());
      }
    }
    if (!missing.isEmpty()) {
      List<String> names = new ArrayList<>(missing);
      warnings.add(missing.size() + " executable mapping(s) of traced processes have no file here, so their"
          + " code is not placed (trace there decodes to a gap; give --symfs DIR or --buildid-dir DIR): "
          + String.join(", ", names.subList(0, Math.min(6, names.size())))
          + (names.size() > 6 ? ", ..." : ""));
    }
  }

  /**
   * The maps of one process after every later map has cut the earlier ones it overlaps: {start,
   * length, file offset, index of the record}.
   */
  private static List<long[]> finalMaps(List<MapRecord> records) {
    List<long[]> live = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      PerfRecord r = records.get(i).record();
      long start = r instanceof PerfRecord.Mmap mm ? mm.start() : ((PerfRecord.Mmap2) r).start();
      long len = r instanceof PerfRecord.Mmap mm ? mm.len() : ((PerfRecord.Mmap2) r).len();
      long pgoff = r instanceof PerfRecord.Mmap mm ? mm.pgoff() : ((PerfRecord.Mmap2) r).pgoff();
      long end = start + len;
      List<long[]> next = new ArrayList<>();
      for (long[] p : live) {
        long pe = p[0] + p[1];
        if (Long.compareUnsigned(pe, start) <= 0 || Long.compareUnsigned(end, p[0]) <= 0) {
          next.add(p);
          continue;
        }
        if (Long.compareUnsigned(p[0], start) < 0) {
          next.add(new long[] {p[0], start - p[0], p[2], p[3]});
        }
        if (Long.compareUnsigned(end, pe) < 0) {
          next.add(new long[] {end, pe - end, p[2] + (end - p[0]), p[3]});
        }
      }
      next.add(new long[] {start, len, pgoff, i});
      live = next;
    }
    return live;
  }

  /** Code is what the process may execute: PROT_EXEC (execute-only too); MMAP records lack prot. */
  private static boolean executable(PerfRecord r) {
    if (r instanceof PerfRecord.Mmap2 m2) {
      return (m2.prot() & PROT_EXEC) != 0;
    }
    return (r.misc() & MISC_MMAP_DATA) == 0;
  }

  private static String name(PerfRecord r) {
    if (r instanceof PerfRecord.Mmap m) {
      return m.filename();
    }
    if (r instanceof PerfRecord.Mmap2 m) {
      return m.filename();
    }
    return "";
  }

  /** A build-id without the zeros simpleperf pads it with to 20 bytes. */
  static byte[] trim(byte[] id) {
    int n = id.length;
    while (n > 0 && id[n - 1] == 0) {
      n--;
    }
    return java.util.Arrays.copyOf(id, n);
  }

  /**
   * The file for a recorded name, as perf looks for code bytes: the build-id cache ({@code
   * .build-id/xx/rest}: a directory holding {@code elf}, or the file itself in older caches; the
   * id as recorded and without trailing zero padding), then {@code symfs} + the recorded path.
   * A file whose ELF build-id contradicts the recorded one is not used.
   */
  Optional<Path> find(String name, byte[] id) {
    if (id != null) {
      Optional<Path> cached = inBuildIdCache(options.buildIdDir(), id);
      if (cached.isPresent()) {
        return cached;
      }
    }
    Path f = options.symfs().map(d -> d.resolve(name.startsWith("/") ? name.substring(1) : name)).orElse(Path.of(name));
    if (Files.isRegularFile(f) && (id == null || matches(f, id))) {
      return Optional.of(f);
    }
    if (Files.isRegularFile(f)) {
      warnings.add(f + ": its build-id is not " + HEX.formatHex(trim(id)) + ", the one recorded for " + name + "; not used");
    }
    return Optional.empty();
  }

  /**
   * The ELF file perf's build-id cache {@code dir} holds for {@code id}: {@code
   * .build-id/xx/rest} is a directory holding {@code elf} (what {@code perf buildid-cache -a}
   * makes), or the file itself in older caches; the id is tried as recorded and without trailing
   * zero padding. A file whose ELF build-id is another is not taken.
   */
  public static Optional<Path> inBuildIdCache(Path dir, byte[] id) {
    Set<String> spellings = new LinkedHashSet<>();
    spellings.add(HEX.formatHex(id));
    spellings.add(HEX.formatHex(trim(id)));
    for (String hex : spellings) {
      if (hex.length() < 3) {
        continue;
      }
      Path link = dir.resolve(".build-id").resolve(hex.substring(0, 2)).resolve(hex.substring(2));
      Path f = Files.isDirectory(link) ? link.resolve("elf") : link;
      if (Files.isRegularFile(f) && matches(f, id)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Whether the ELF's NT_GNU_BUILD_ID equals {@code id} (true when the file has none). */
  private static boolean matches(Path f, byte[] id) {
    try (ElfImage e = ElfImage.open(f); FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      Optional<ElfSection> note = e.section(".note.gnu.build-id");
      if (note.isEmpty() || note.get().size() < 16 || note.get().size() > 4096) {
        return true;
      }
      ByteBuffer b = ByteBuffer.allocate((int) note.get().size()).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining() && ch.read(b, note.get().offset() + b.position()) > 0) {
        // fill
      }
      int nameSize = b.getInt(0);
      int descSize = b.getInt(4);
      int desc = 12 + ((nameSize + 3) & ~3);
      if (desc + descSize > b.capacity()) {
        return true;
      }
      byte[] have = new byte[descSize];
      b.get(desc, have);
      return java.util.Arrays.equals(trim(have), trim(id));
    } catch (IOException | RuntimeException notElf) {
      return false;
    }
  }

  // ---- the one image

  /** Places {@code bytes} at {@code start} where nothing is yet; names a clash with different bytes. */
  private void add(long start, byte[] bytes, String what) {
    long end = start + bytes.length;
    long at = start;
    // walk the placed pieces that overlap [start, end) in address order
    Map.Entry<Long, byte[]> e = placed.floorEntry(start);
    if (e == null || Long.compareUnsigned(e.getKey() + e.getValue().length, start) <= 0) {
      e = placed.higherEntry(start);
    }
    while (e != null && Long.compareUnsigned(e.getKey(), end) < 0) {
      long ps = e.getKey();
      long pe = ps + e.getValue().length;
      if (Long.compareUnsigned(at, ps) < 0) {
        put(at, bytes, start, ps);
      }
      long from = Long.compareUnsigned(ps, start) > 0 ? ps : start;
      long to = Long.compareUnsigned(pe, end) < 0 ? pe : end;
      if (!java.util.Arrays.equals(bytes, (int) (from - start), (int) (to - start), e.getValue(),
          (int) (from - ps), (int) (to - ps))) {
        clashes.putIfAbsent(String.format("0x%x..0x%x", from, to),
            what + " differs from what was placed there first; decoding uses the first");
      }
      at = to;
      e = placed.higherEntry(ps);
    }
    if (Long.compareUnsigned(at, end) < 0) {
      put(at, bytes, start, end);
    }
  }

  private void put(long from, byte[] bytes, long start, long to) {
    placed.put(from, java.util.Arrays.copyOfRange(bytes, (int) (from - start), (int) (to - start)));
  }
}
