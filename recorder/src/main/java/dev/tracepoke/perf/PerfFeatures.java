package dev.tracepoke.perf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The feature sections of a perf.data file: where each set feature bit's body lies, and the bodies
 * tracepoke reads typed (strings, NRCPUS, CMDLINE, EVENT_DESC, PMU_MAPPINGS, the AUXTRACE index).
 * Reading and writing of each body sit side by side here.
 */
public final class PerfFeatures {

  public static final int TRACING_DATA = 1;
  public static final int BUILD_ID = 2;
  public static final int HOSTNAME = 3;
  public static final int OSRELEASE = 4;
  public static final int VERSION = 5;
  public static final int ARCH = 6;
  public static final int NRCPUS = 7;
  public static final int CPUDESC = 8;
  public static final int CPUID = 9;
  public static final int TOTAL_MEM = 10;
  public static final int CMDLINE = 11;
  public static final int EVENT_DESC = 12;
  public static final int PMU_MAPPINGS = 16;
  public static final int AUXTRACE = 18;
  public static final int DIR_FORMAT = 24;
  public static final int COMPRESSED = 27;

  private static final String[] NAMES = {"RESERVED", "TRACING_DATA", "BUILD_ID", "HOSTNAME",
      "OSRELEASE", "VERSION", "ARCH", "NRCPUS", "CPUDESC", "CPUID", "TOTAL_MEM", "CMDLINE",
      "EVENT_DESC", "CPU_TOPOLOGY", "NUMA_TOPOLOGY", "BRANCH_STACK", "PMU_MAPPINGS", "GROUP_DESC",
      "AUXTRACE", "STAT", "CACHE", "SAMPLE_TIME", "MEM_TOPOLOGY", "CLOCKID", "DIR_FORMAT",
      "BPF_PROG_INFO", "BPF_BTF", "COMPRESSED", "CPU_PMU_CAPS", "CLOCK_DATA", "HYBRID_TOPOLOGY",
      "PMU_CAPS"};

  /** perf pads strings in feature bodies to this many bytes. */
  static final int NAME_ALIGN = 64;

  /** Where one feature's body lies in the file. */
  public record Section(long offset, long size) {}

  /** The NRCPUS body: CPUs available (highest present + 1) and online. */
  public record NrCpus(int available, int online) {}

  /** One AUXTRACE index entry: absolute file offset of an AUXTRACE record and its header size. */
  public record AuxtraceIndexEntry(long fileOffset, long size) {}

  /**
   * One HEADER_BUILD_ID entry (perf's {@code struct perf_record_header_build_id}): the file a
   * process (pid; -1 for the host kernel) mapped, by the name perf recorded ({@code
   * [kernel.kallsyms]} for the kernel), with its build-id.
   *
   * @param misc the entry's header misc: cpumode ({@link PerfRecord#MISC_KERNEL} for the kernel),
   *     plus {@link #BUILD_ID_SIZE} when the id's length is given
   */
  public record BuildId(int pid, int misc, byte[] id, String name) {
    public BuildId {
      if (id.length > 20) {
        throw new IllegalArgumentException("a build-id has at most 20 bytes, got " + id.length);
      }
      id = id.clone();
    }

    @Override
    public byte[] id() {
      return id.clone();
    }
  }

  /** HEADER_BUILD_ID entry misc bit: the id's length is in the byte after its 20 data bytes. */
  public static final int BUILD_ID_SIZE = 1 << 15;

  /** The name perf records for the host kernel's build-id. */
  public static final String KERNEL_NAME = "[kernel.kallsyms]";

  /** One EVENT_DESC entry. */
  public record EventDesc(PerfEventAttr attr, String name, long[] ids) {}

  private final SortedMap<Integer, Section> sections;
  private final Map<Integer, String> strings;
  private final NrCpus nrCpus;
  private final List<String> cmdline;
  private final List<EventDesc> eventDesc;
  private final SortedMap<Integer, String> pmuMappings;
  private final List<AuxtraceIndexEntry> auxtraceIndex;
  private final long dirFormat;
  private final List<BuildId> buildIds;

  PerfFeatures(SortedMap<Integer, Section> sections, Map<Integer, String> strings, NrCpus nrCpus,
      List<String> cmdline, List<EventDesc> eventDesc, SortedMap<Integer, String> pmuMappings,
      List<AuxtraceIndexEntry> auxtraceIndex, long dirFormat, List<BuildId> buildIds) {
    this.sections = Collections.unmodifiableSortedMap(new TreeMap<>(sections));
    this.strings = Map.copyOf(strings);
    this.nrCpus = nrCpus;
    this.cmdline = List.copyOf(cmdline);
    this.eventDesc = List.copyOf(eventDesc);
    this.pmuMappings = Collections.unmodifiableSortedMap(new TreeMap<>(pmuMappings));
    this.auxtraceIndex = List.copyOf(auxtraceIndex);
    this.dirFormat = dirFormat;
    this.buildIds = List.copyOf(buildIds);
  }

  static PerfFeatures none() {
    return new PerfFeatures(new TreeMap<>(), Map.of(), null, List.of(), List.of(), new TreeMap<>(), List.of(), -1, List.of());
  }

  /** The feature's name as perf spells it (HEADER_ prefix dropped), or {@code "feature N"}. */
  public static String name(int bit) {
    return bit >= 0 && bit < NAMES.length ? NAMES[bit] : "feature " + bit;
  }

  /** Every feature bit set in the header, with its body's place (bits perf does not know too). */
  public SortedMap<Integer, Section> sections() {
    return sections;
  }

  public boolean has(int bit) {
    return sections.containsKey(bit);
  }

  public Optional<String> hostname() { return Optional.ofNullable(strings.get(HOSTNAME)); }
  public Optional<String> osRelease() { return Optional.ofNullable(strings.get(OSRELEASE)); }
  public Optional<String> version() { return Optional.ofNullable(strings.get(VERSION)); }
  public Optional<String> arch() { return Optional.ofNullable(strings.get(ARCH)); }
  public Optional<String> cpuDesc() { return Optional.ofNullable(strings.get(CPUDESC)); }
  public Optional<String> cpuId() { return Optional.ofNullable(strings.get(CPUID)); }
  public Optional<NrCpus> nrCpus() { return Optional.ofNullable(nrCpus); }
  public List<String> cmdline() { return cmdline; }
  public List<EventDesc> eventDesc() { return eventDesc; }
  public SortedMap<Integer, String> pmuMappings() { return pmuMappings; }
  public List<AuxtraceIndexEntry> auxtraceIndex() { return auxtraceIndex; }
  /** HEADER_DIR_FORMAT's version (present in perf directories), or -1. */
  public long dirFormat() { return dirFormat; }
  /** HEADER_BUILD_ID's entries, in file order. */
  public List<BuildId> buildIds() { return buildIds; }

  // ---- reading -------------------------------------------------------------------------------

  /**
   * Parses the bodies tracepoke knows. A body that does not parse is reported in {@code warnings}
   * and otherwise ignored, as perf does; unknown bits keep only their section.
   */
  static PerfFeatures parse(SortedMap<Integer, Section> sections, BodySource src, Path file,
      List<String> warnings) {
    Map<Integer, String> strings = new java.util.HashMap<>();
    NrCpus nr = null;
    List<String> cmd = List.of();
    List<EventDesc> desc = List.of();
    SortedMap<Integer, String> pmus = new TreeMap<>();
    List<AuxtraceIndexEntry> index = List.of();
    long dir = -1;
    List<BuildId> ids = List.of();
    for (Map.Entry<Integer, Section> e : sections.entrySet()) {
      int bit = e.getKey();
      Section s = e.getValue();
      boolean typed = switch (bit) {
        case HOSTNAME, OSRELEASE, VERSION, ARCH, CPUDESC, CPUID, NRCPUS, CMDLINE, EVENT_DESC,
            PMU_MAPPINGS, AUXTRACE, DIR_FORMAT, BUILD_ID -> true;
        default -> false;
      };
      if (!typed) {
        continue;
      }
      try {
        if (s.size() > (64L << 20)) {
          throw new PerfDataException(file, s.offset(), name(bit) + " body of " + s.size() + " bytes is implausibly large");
        }
        ByteBuffer b = src.read(s.offset(), (int) s.size());
        Body body = new Body(b, file, s.offset(), name(bit));
        switch (bit) {
          case NRCPUS -> nr = new NrCpus(body.u32(), body.u32());
          case DIR_FORMAT -> dir = body.u64();
          case BUILD_ID -> ids = decodeBuildIds(b);
          case CMDLINE -> cmd = body.stringList();
          case EVENT_DESC -> desc = body.eventDesc();
          case PMU_MAPPINGS -> {
            int n = body.count(8);
            for (int i = 0; i < n; i++) {
              int type = body.u32();
              pmus.put(type, body.string());
            }
          }
          case AUXTRACE -> {
            // Linux perf writes a count, then {offset, size} pairs (an odd number of u64s);
            // simpleperf writes the pairs alone (an even number), as its reader expects
            long n;
            if ((s.size() / 8) % 2 == 0) {
              n = s.size() / 16;
            } else {
              n = body.u64();
              if (n < 0 || n > b.remaining() / 16) {
                throw body.error("AUXTRACE index of " + n + " entries does not fit its " + s.size() + "-byte body");
              }
            }
            List<AuxtraceIndexEntry> l = new ArrayList<>();
            for (long i = 0; i < n; i++) {
              l.add(new AuxtraceIndexEntry(body.u64(), body.u64()));
            }
            index = l;
          }
          default -> strings.put(bit, body.string());
        }
      } catch (PerfDataException ex) {
        warnings.add("feature " + name(bit) + " ignored: " + ex.getMessage());
      }
    }
    return new PerfFeatures(sections, strings, nr, cmd, desc, pmus, index, dir, ids);
  }

  /** Reads feature bodies from the file. */
  interface BodySource {
    ByteBuffer read(long offset, int size) throws PerfDataException;
  }

  /** A cursor over one feature body that names the feature and byte in its errors. */
  private static final class Body {
    final ByteBuffer b;
    final Path file;
    final long base;
    final String what;

    Body(ByteBuffer b, Path file, long base, String what) {
      this.b = b;
      this.file = file;
      this.base = base;
      this.what = what;
    }

    PerfDataException error(String msg) {
      return new PerfDataException(file, base + b.position(), what + ": " + msg);
    }

    void need(int n, String field) throws PerfDataException {
      if (b.remaining() < n) {
        throw error("expected " + field + " (" + n + " bytes), " + b.remaining() + " bytes left in the body");
      }
    }

    int u32() throws PerfDataException {
      need(4, "a u32");
      return b.getInt();
    }

    long u64() throws PerfDataException {
      need(8, "a u64");
      return b.getLong();
    }

    /** A count of items each at least {@code minItem} bytes long. */
    int count(int minItem) throws PerfDataException {
      int n = u32();
      if (n < 0 || (long) n * minItem > b.remaining()) {
        throw error("count " + Integer.toUnsignedString(n) + " does not fit the body");
      }
      return n;
    }

    String string() throws PerfDataException {
      int len = u32();
      if (len < 0 || len > b.remaining()) {
        throw error("string length " + Integer.toUnsignedString(len) + " runs past the body");
      }
      byte[] s = new byte[len];
      b.get(s);
      int end = 0;
      while (end < len && s[end] != 0) {
        end++;
      }
      return new String(s, 0, end, StandardCharsets.UTF_8);
    }

    List<String> stringList() throws PerfDataException {
      int n = count(4);
      List<String> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(string());
      }
      return l;
    }

    List<EventDesc> eventDesc() throws PerfDataException {
      int n = count(8);
      int attrSize = u32();
      if (attrSize < PerfEventAttr.SIZE_VER0 || attrSize > 4096) {
        throw error("attr size " + attrSize + ", expected 64..4096");
      }
      List<EventDesc> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        need(attrSize, "an attr");
        int start = b.position();
        PerfEventAttr attr = PerfEventAttr.read(b, Math.min(attrSize, PerfEventAttr.SIZE_VER8));
        b.position(start + attrSize);
        int nrIds = count(8);
        String name = string();
        need(8 * nrIds, "the ids");
        long[] ids = new long[nrIds];
        for (int k = 0; k < nrIds; k++) {
          ids[k] = b.getLong();
        }
        l.add(new EventDesc(attr.withSize(attrSize), name, ids));
      }
      return l;
    }
  }

  /**
   * The entries of a HEADER_BUILD_ID body (from its position to its limit): each a perf event
   * header (size covers the entry), pid, 20 id bytes, the id's length byte (used when misc has
   * {@link #BUILD_ID_SIZE}; else 20), 3 reserved bytes, then the NUL-terminated name padded to 64.
   * A damaged entry ends the list: the entries before it are kept (perf stops there too).
   */
  public static List<BuildId> decodeBuildIds(ByteBuffer body) {
    ByteBuffer b = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<BuildId> out = new ArrayList<>();
    int end = b.limit();
    for (int at = b.position(); at + 36 <= end; ) {
      int misc = Short.toUnsignedInt(b.getShort(at + 4));
      int len = Short.toUnsignedInt(b.getShort(at + 6));
      if (len < 36 || at + len > end) {
        break;
      }
      int idLen = (misc & BUILD_ID_SIZE) != 0 ? Math.min(20, b.get(at + 12 + 20) & 0xFF) : 20;
      byte[] id = new byte[idLen];
      b.get(at + 12, id);
      int nameEnd = at + 36;
      while (nameEnd < at + len && b.get(nameEnd) != 0) {
        nameEnd++;
      }
      byte[] name = new byte[nameEnd - at - 36];
      b.get(at + 36, name);
      out.add(new BuildId(b.getInt(at + 8), misc, id, new String(name, StandardCharsets.UTF_8)));
      at += len;
    }
    return out;
  }

  // ---- writing -------------------------------------------------------------------------------

  /** A perf string: u32 length (incl. NUL, padded to 64) then the zero-padded bytes. */
  static byte[] encodeString(String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    int len = (raw.length + 1 + NAME_ALIGN - 1) / NAME_ALIGN * NAME_ALIGN;
    ByteBuffer b = ByteBuffer.allocate(4 + len).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(len).put(raw);
    return b.array();
  }

  /** HEADER_BUILD_ID as perf writes it: entries with the id's length given, names padded to 64. */
  static byte[] encodeBuildIds(List<BuildId> ids) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (BuildId e : ids) {
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      int nameLen = (name.length + 1 + NAME_ALIGN - 1) / NAME_ALIGN * NAME_ALIGN;
      ByteBuffer b = ByteBuffer.allocate(36 + nameLen).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(0).putShort((short) (e.misc() | BUILD_ID_SIZE)).putShort((short) (36 + nameLen));
      b.putInt(e.pid()).put(e.id()).position(32);
      b.put((byte) e.id().length).position(36);
      b.put(name);
      out.writeBytes(b.array());
    }
    return out.toByteArray();
  }

  static byte[] encodeNrCpus(int available, int online) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(available).putInt(online).array();
  }

  static byte[] encodeAuxtraceIndex(List<AuxtraceIndexEntry> entries) {
    ByteBuffer b = ByteBuffer.allocate(8 + 16 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(entries.size());
    for (AuxtraceIndexEntry e : entries) {
      b.putLong(e.fileOffset()).putLong(e.size());
    }
    return b.array();
  }

  static byte[] encodeEventDesc(List<AttrEntry> attrs) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    head.putInt(attrs.size()).putInt(attrs.isEmpty() ? PerfEventAttr.SIZE_VER7 : attrs.get(0).attr().size());
    out.writeBytes(head.array());
    for (AttrEntry a : attrs) {
      ByteBuffer b = ByteBuffer.allocate(a.attr().size() + 4).order(ByteOrder.LITTLE_ENDIAN);
      a.attr().write(b);
      b.putInt(a.ids().length);
      out.writeBytes(b.array());
      out.writeBytes(encodeString(a.name()));
      ByteBuffer ids = ByteBuffer.allocate(8 * a.ids().length).order(ByteOrder.LITTLE_ENDIAN);
      for (long id : a.ids()) {
        ids.putLong(id);
      }
      out.writeBytes(ids.array());
    }
    return out.toByteArray();
  }

  static byte[] encodePmuMappings(SortedMap<Integer, String> pmus) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(pmus.size()).array());
    for (Map.Entry<Integer, String> e : pmus.entrySet()) {
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.getKey()).array());
      out.writeBytes(encodeString(e.getValue()));
    }
    return out.toByteArray();
  }
}
