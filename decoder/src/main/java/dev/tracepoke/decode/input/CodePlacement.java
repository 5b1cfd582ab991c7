package dev.tracepoke.decode.input;

import dev.tracepoke.decode.image.AddressSpaces;
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
    return placement(base, maps, List.of(), Map.of(), traced, buildIds, options, warnings).image();
  }

  /** A process created by FORK (a new process, not a thread), with the time it was made. */
  public record Fork(long time, int pid, int parent) {}

  /**
   * The code of a recording: one image with every traced process's final maps (for trace whose
   * process is not known) and, per process, its code over time.
   */
  public record Placement(MemoryImage image, AddressSpaces spaces) {}

  /**
   * As {@link #place}, and each process's own code over time: its maps applied in time order (a
   * later map cuts what it overlaps, a FORK copies the parent's maps at that time), one image per
   * change of its executable maps, the shared code (kernel, modules, images given) in each.
   *
   * @param forks FORK records of new processes
   * @param pidOfTid thread → process, from the records that name both
   */
  public static Placement placement(MemoryImage base, List<MapRecord> maps, List<Fork> forks,
      Map<Integer, Integer> pidOfTid, Set<Integer> traced, Map<String, byte[]> buildIds, ImageOptions options,
      List<String> warnings) throws IOException {
    CodePlacement p = new CodePlacement(options, warnings);
    for (MemoryImage.Segment s : base.segments()) {
      p.add(s.vaddr(), s.bytes(), "the recording's image");
    }
    for (ImageOptions.Placed i : options.images()) {
      p.elf(i);
    }
    p.kernel(maps);
    p.modules(maps, buildIds);
    TreeMap<Long, byte[]> shared = new TreeMap<>(p.placed);
    p.user(maps, traced, buildIds);
    AddressSpaces spaces = p.spaces(shared, maps, forks, pidOfTid, buildIds);
    p.reportMissing();
    p.clashes.forEach((k, v) -> warnings.add(k + ": " + v));
    return new Placement(image(p.placed), spaces);
  }

  private static MemoryImage image(TreeMap<Long, byte[]> placed) {
    List<MemoryImage.Segment> segs = new ArrayList<>();
    placed.forEach((start, bytes) -> segs.add(new MemoryImage.Segment(start, bytes)));
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

  /**
   * Kernel modules: kernel-mode map records other than the kernel's own ({@code /...ko} or
   * {@code [name]}) place the module's {@code .text} at the map's start, as perf does once it loads
   * the module (it assumes {@code .text} sits at the base). The file is found like a user file
   * (build-id cache, then symfs + recorded path). Without it, and for a kernel known only from
   * its map record, trace there is a gap naming the address; both are named once.
   */
  private void modules(List<MapRecord> maps, Map<String, byte[]> buildIds) throws IOException {
    Set<String> absent = new java.util.TreeSet<>();
    boolean kernelMap = false;
    long kernelStart = 0;
    for (MapRecord m : maps) {
      PerfRecord r = m.record();
      int cpumode = r.misc() & PerfRecord.MISC_CPUMODE_MASK;
      String name = name(r);
      if (name.startsWith("[kernel.kallsyms]")) {
        kernelMap = true;
        kernelStart = r instanceof PerfRecord.Mmap mm ? mm.start() : ((PerfRecord.Mmap2) r).start();
        continue;
      }
      if (cpumode != PerfRecord.MISC_KERNEL || !(name.startsWith("/") || name.startsWith("["))) {
        continue;
      }
      long start = r instanceof PerfRecord.Mmap mm ? mm.start() : ((PerfRecord.Mmap2) r).start();
      long len = r instanceof PerfRecord.Mmap mm ? mm.len() : ((PerfRecord.Mmap2) r).len();
      Optional<Path> file = name.startsWith("/") ? find(name, buildIds.get(name)) : Optional.empty();
      if (file.isEmpty()) {
        absent.add(String.format("%s at 0x%x", name, start));
        continue;
      }
      try (ElfImage e = ElfImage.open(file.get())) {
        Optional<ElfSection> text = e.section(".text");
        if (text.isEmpty() || text.get().size() == 0) {
          absent.add(String.format("%s at 0x%x (no .text)", name, start));
          continue;
        }
        int n = (int) Math.min(Math.min(text.get().size(), len), Integer.MAX_VALUE - 8);
        ByteBuffer b = e.readFile(text.get().offset(), n, name + " .text");
        byte[] bytes = new byte[n];
        b.get(bytes);
        add(start, bytes, name);
      }
    }
    if (!absent.isEmpty()) {
      List<String> names = new ArrayList<>(absent);
      warnings.add(absent.size() + " kernel module map(s) have no file here, so their code is not placed"
          + " (trace there decodes to a gap naming the address; give --symfs DIR or --buildid-dir DIR): "
          + String.join(", ", names.subList(0, Math.min(6, names.size()))) + (names.size() > 6 ? ", ..." : ""));
    }
    if (kernelMap && placed.isEmpty() && options.vmlinux().isEmpty()) {
      warnings.add(String.format("the kernel (mapped at 0x%x) has no code here, only its map record (kallsyms"
          + " names symbols, not bytes): trace in it decodes to gaps naming the addresses; give --vmlinux ELF"
          + " or record with --kcore", kernelStart));
    }
  }

  /** User-space maps of the traced processes (perf's final map state per process). */
  private void user(List<MapRecord> maps, Set<Integer> traced, Map<String, byte[]> buildIds) throws IOException {
    Map<Integer, List<MapRecord>> byPid = new LinkedHashMap<>();
    for (MapRecord m : maps) {
      PerfRecord r = m.record();
      if (isKernel(r)) {
        continue;
      }
      int pid = r instanceof PerfRecord.Mmap mm ? mm.pid() : ((PerfRecord.Mmap2) r).pid();
      if (!traced.isEmpty() && !traced.contains(pid)) {
        continue;
      }
      byPid.computeIfAbsent(pid, k -> new ArrayList<>()).add(m);
    }
    for (Map.Entry<Integer, List<MapRecord>> e : byPid.entrySet()) {
      for (long[] piece : finalMaps(e.getValue())) {
        byte[] bytes = pieceBytes(e.getValue().get((int) piece[3]).record(), piece, buildIds);
        if (bytes != null) {
          add(piece[0], bytes, name(e.getValue().get((int) piece[3]).record()) + " of pid " + e.getKey());
        }
      }
    }
  }

  /** Names the executable mappings whose file was not found, once. */
  private void reportMissing() {
    if (!missing.isEmpty()) {
      List<String> names = new ArrayList<>(missing);
      warnings.add(missing.size() + " executable mapping(s) of traced processes have no file here, so their"
          + " code is not placed (trace there decodes to a gap; give --symfs DIR or --buildid-dir DIR): "
          + String.join(", ", names.subList(0, Math.min(6, names.size())))
          + (names.size() > 6 ? ", ..." : ""));
    }
  }

  private final Set<String> missing = new java.util.TreeSet<>();
  private final Map<String, Optional<Path>> found = new LinkedHashMap<>();
  private final Map<String, byte[]> read = new java.util.HashMap<>();

  /**
   * The file bytes of one executable piece {start, length, file offset, ...} of map record {@code
   * r}, or null (not code, no file holds it, or the file is not here: then named in {@link
   * #missing}). Each distinct piece is read once.
   */
  private byte[] pieceBytes(PerfRecord r, long[] piece, Map<String, byte[]> buildIds) throws IOException {
    if (!executable(r)) {
      return null;
    }
    String name = name(r);
    if (name.startsWith("[") || name.startsWith("//anon") || name.isEmpty()) {
      return null; // [vdso], [stack], anonymous memory: no file holds their bytes
    }
    byte[] id = r instanceof PerfRecord.Mmap2 m2 && m2.buildId() != null ? m2.buildId() : buildIds.get(name);
    Optional<Path> file = found.computeIfAbsent(name + "\0" + (id == null ? "" : HEX.formatHex(id)), k -> find(name, id));
    if (file.isEmpty()) {
      missing.add(String.format("%s at 0x%x", name, piece[0]));
      return null;
    }
    long off = piece[2];
    long size = Files.size(file.get());
    long n = Math.min(piece[1], Math.max(0, size - off));
    if (n <= 0 || n > Integer.MAX_VALUE - 8) {
      return null;
    }
    String key = file.get() + "\0" + off + "\0" + n;
    byte[] bytes = read.get(key);
    if (bytes == null) {
      bytes = new byte[(int) n];
      try (FileChannel ch = FileChannel.open(file.get(), StandardOpenOption.READ)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining() && ch.read(b, off + b.position()) > 0) {
          // fill
        }
      }
      read.put(key, bytes);
    }
    return bytes;
  }

  private static boolean isKernel(PerfRecord r) {
    int cpumode = r.misc() & PerfRecord.MISC_CPUMODE_MASK;
    return cpumode == PerfRecord.MISC_KERNEL || name(r).startsWith("[kernel.kallsyms]");
  }

  private static int pid(PerfRecord r) {
    return r instanceof PerfRecord.Mmap mm ? mm.pid() : ((PerfRecord.Mmap2) r).pid();
  }

  /**
   * Every process's code over time. Map records and forks are applied in time order (records
   * without a time count from the start; ties keep file order); after each, the process's
   * executable pieces are compared with its last epoch and a changed set starts a new epoch.
   */
  private AddressSpaces spaces(TreeMap<Long, byte[]> shared, List<MapRecord> maps, List<Fork> forks,
      Map<Integer, Integer> pidOfTid, Map<String, byte[]> buildIds) throws IOException {
    record Event(long time, int order, MapRecord map, Fork fork) {}
    List<Event> events = new ArrayList<>();
    for (MapRecord m : maps) {
      if (!isKernel(m.record())) {
        events.add(new Event(m.time() == -1 ? Long.MIN_VALUE : m.time(), events.size(), m, null));
      }
    }
    if (events.isEmpty()) {
      return AddressSpaces.NONE; // no user maps: the one image serves every context
    }
    for (Fork f : forks) {
      events.add(new Event(f.time() == -1 ? Long.MIN_VALUE : f.time(), events.size(), null, f));
    }
    events.sort(java.util.Comparator.comparingLong(Event::time).thenComparingInt(Event::order));
    Map<Integer, List<long[]>> live = new java.util.HashMap<>(); // pid -> {start, len, off, record#}
    List<MapRecord> byIndex = new ArrayList<>();
    Map<Integer, List<Long>> epochStarts = new java.util.TreeMap<>();
    Map<Integer, List<List<long[]>>> epochPieces = new java.util.HashMap<>();
    for (Event e : events) {
      int pid;
      List<long[]> next;
      if (e.map() != null) {
        pid = pid(e.map().record());
        byIndex.add(e.map());
        next = cut(live.getOrDefault(pid, List.of()), e.map().record(), byIndex.size() - 1);
      } else {
        pid = e.fork().pid();
        next = new ArrayList<>(live.getOrDefault(e.fork().parent(), List.of()));
      }
      live.put(pid, next);
      List<long[]> code = new ArrayList<>();
      for (long[] piece : next) {
        if (executable(byIndex.get((int) piece[3]).record())) {
          code.add(piece);
        }
      }
      code.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
      List<List<long[]>> had = epochPieces.computeIfAbsent(pid, k -> new ArrayList<>());
      if (!had.isEmpty() && samePieces(had.get(had.size() - 1), code, byIndex)) {
        continue;
      }
      List<Long> starts = epochStarts.computeIfAbsent(pid, k -> new ArrayList<>());
      if (!starts.isEmpty() && starts.get(starts.size() - 1) == e.time()) {
        had.set(had.size() - 1, code); // same instant: only the state after both counts
      } else {
        starts.add(e.time());
        had.add(code);
      }
    }
    Map<Integer, AddressSpaces.Space> spaces = new LinkedHashMap<>();
    for (Map.Entry<Integer, List<Long>> e : epochStarts.entrySet()) {
      int pid = e.getKey();
      List<List<long[]>> pieces = epochPieces.get(pid);
      long[] starts = new long[pieces.size()];
      MemoryImage[] images = new MemoryImage[pieces.size()];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = e.getValue().get(i);
        CodePlacement epoch = new CodePlacement(options, warnings);
        epoch.placed.putAll(shared);
        for (long[] piece : pieces.get(i)) {
          PerfRecord r = byIndex.get((int) piece[3]).record();
          byte[] bytes = pieceBytes(r, piece, buildIds);
          if (bytes != null) {
            epoch.add(piece[0], bytes, name(r) + " of pid " + pid);
          }
        }
        images[i] = image(epoch.placed);
      }
      spaces.put(pid, new AddressSpaces.Space(pid, starts, images));
    }
    return new AddressSpaces(image(shared), spaces, pidOfTid);
  }

  private static boolean samePieces(List<long[]> a, List<long[]> b, List<MapRecord> byIndex) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      long[] x = a.get(i);
      long[] y = b.get(i);
      if (x[0] != y[0] || x[1] != y[1] || x[2] != y[2]
          || !name(byIndex.get((int) x[3]).record()).equals(name(byIndex.get((int) y[3]).record()))) {
        return false;
      }
    }
    return true;
  }

  /** {@code live} after map record {@code r} (number {@code index}) cut what it overlaps (perf's rule). */
  private static List<long[]> cut(List<long[]> live, PerfRecord r, int index) {
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
    next.add(new long[] {start, len, pgoff, index});
    return next;
  }

  /**
   * The maps of one process after every later map has cut the earlier ones it overlaps: {start,
   * length, file offset, index of the record}.
   */
  private static List<long[]> finalMaps(List<MapRecord> records) {
    List<long[]> live = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      live = cut(live, records.get(i).record(), i);
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
