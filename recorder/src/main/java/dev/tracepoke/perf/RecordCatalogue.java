package dev.tracepoke.perf;

import dev.tracepoke.perf.PerfRecord.Aux;
import dev.tracepoke.perf.PerfRecord.AuxOutputHwId;
import dev.tracepoke.perf.PerfRecord.Mmap;
import dev.tracepoke.perf.PerfRecord.Auxtrace;
import dev.tracepoke.perf.PerfRecord.AuxtraceInfo;
import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.FinishedRound;
import dev.tracepoke.perf.PerfRecord.ItraceStart;
import dev.tracepoke.perf.PerfRecord.Mmap2;
import dev.tracepoke.perf.PerfRecord.OpaquePriv;
import dev.tracepoke.perf.PerfRecord.Raw;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import dev.tracepoke.perf.PerfRecord.TimeConv;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** perf's record catalogue as data: every type's name, and the codec of the types tracepoke types. */
public final class RecordCatalogue {
  private RecordCatalogue() {}

  /** PERF_RECORD_* names as {@code perf report -D} prints them, indexed by type (6.1: 1..82). */
  private static final String[] NAMES = new String[83];

  static {
    String[] kernel = {null, "MMAP", "LOST", "COMM", "EXIT", "THROTTLE", "UNTHROTTLE", "FORK",
        "READ", "SAMPLE", "MMAP2", "AUX", "ITRACE_START", "LOST_SAMPLES", "SWITCH",
        "SWITCH_CPU_WIDE", "NAMESPACES", "KSYMBOL", "BPF_EVENT", "CGROUP", "TEXT_POKE",
        "AUX_OUTPUT_HW_ID"};
    System.arraycopy(kernel, 0, NAMES, 0, kernel.length);
    String[] user = {"ATTR", "EVENT_TYPE", "TRACING_DATA", "BUILD_ID", "FINISHED_ROUND",
        "ID_INDEX", "AUXTRACE_INFO", "AUXTRACE", "AUXTRACE_ERROR", "THREAD_MAP", "CPU_MAP",
        "STAT_CONFIG", "STAT", "STAT_ROUND", "EVENT_UPDATE", "TIME_CONV", "FEATURE", "COMPRESSED",
        "FINISHED_INIT"};
    System.arraycopy(user, 0, NAMES, 64, user.length);
  }

  /** The record name without the PERF_RECORD_ prefix, or {@code "UNKNOWN(N)"} for unknown types. */
  public static String name(int type) {
    String n = type >= 0 && type < NAMES.length ? NAMES[type] : null;
    return n != null ? n : "UNKNOWN(" + type + ")";
  }

  private static final Map<Integer, RecordCodec<?>> CODECS = Map.ofEntries(
      Map.entry(PerfRecord.MMAP, new MmapCodec()),
      Map.entry(PerfRecord.AUX_OUTPUT_HW_ID, new AuxOutputHwIdCodec()),
      Map.entry(PerfRecord.COMM, new CommCodec()),
      Map.entry(PerfRecord.MMAP2, new Mmap2Codec()),
      Map.entry(PerfRecord.ITRACE_START, new ItraceStartCodec()),
      Map.entry(PerfRecord.AUX, new AuxCodec()),
      Map.entry(PerfRecord.TEXT_POKE, new TextPokeCodec()),
      Map.entry(PerfRecord.AUXTRACE_INFO, new AuxtraceInfoCodec()),
      Map.entry(PerfRecord.AUXTRACE, new AuxtraceCodec()),
      Map.entry(PerfRecord.TIME_CONV, new TimeConvCodec()),
      Map.entry(PerfRecord.FINISHED_ROUND, new FinishedRoundCodec()));

  /** The codec for a type, or null when the type is delivered raw. */
  static RecordCodec<?> codec(int type) {
    return CODECS.get(type);
  }

  /** Body size of any record (Raw: its body, which then includes any trailer). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int bodySize(PerfRecord r) {
    if (r instanceof Raw raw) {
      return raw.body().length;
    }
    return ((RecordCodec) CODECS.get(r.type())).bodySize(r);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void encode(PerfRecord r, ByteBuffer out) {
    if (r instanceof Raw raw) {
      out.put(raw.body());
      return;
    }
    ((RecordCodec) CODECS.get(r.type())).encode(r, out);
  }

  static int align8(int n) {
    return (n + 7) & ~7;
  }

  static PerfDataException tooShort(Path file, long pos, String what, int need, int have) {
    return new PerfDataException(file, pos,
        what + " body of " + have + " bytes is shorter than its " + need + " bytes of fields");
  }

  /** A NUL-terminated string in a zero-padded field that runs to the body's limit. */
  static String cString(ByteBuffer b, Path file, long pos, String what) throws PerfDataException {
    int start = b.position();
    int end = start;
    while (end < b.limit() && b.get(end) != 0) {
      end++;
    }
    if (end == b.limit()) {
      throw new PerfDataException(file, pos + start, what + ": expected a NUL-terminated string");
    }
    byte[] s = new byte[end - start];
    b.get(s);
    b.position(b.limit());
    return new String(s, StandardCharsets.UTF_8);
  }

  static void putCString(ByteBuffer b, byte[] s) {
    int padded = align8(s.length + 1);
    b.put(s);
    for (int i = s.length; i < padded; i++) {
      b.put((byte) 0);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static final class MmapCodec implements RecordCodec<Mmap> {
    public int bodySize(Mmap r) {
      return 32 + align8(utf8(r.filename()).length + 1);
    }

    public void encode(Mmap r, ByteBuffer b) {
      b.putInt(r.pid()).putInt(r.tid()).putLong(r.start()).putLong(r.len()).putLong(r.pgoff());
      putCString(b, utf8(r.filename()));
    }

    public Mmap decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 33) {
        throw tooShort(file, pos, "MMAP", 33, b.remaining());
      }
      int pid = b.getInt();
      int tid = b.getInt();
      long start = b.getLong();
      long len = b.getLong();
      long pgoff = b.getLong();
      return new Mmap(misc, pid, tid, start, len, pgoff, cString(b, file, pos, "MMAP filename"), sid);
    }
  }

  static final class AuxOutputHwIdCodec implements RecordCodec<AuxOutputHwId> {
    public int bodySize(AuxOutputHwId r) {
      return 8;
    }

    public void encode(AuxOutputHwId r, ByteBuffer b) {
      b.putLong(r.hwId());
    }

    public AuxOutputHwId decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 8) {
        throw tooShort(file, pos, "AUX_OUTPUT_HW_ID", 8, b.remaining());
      }
      return new AuxOutputHwId(misc, b.getLong(), sid);
    }
  }

  static final class CommCodec implements RecordCodec<Comm> {
    public int bodySize(Comm r) {
      return 8 + align8(utf8(r.comm()).length + 1);
    }

    public void encode(Comm r, ByteBuffer b) {
      b.putInt(r.pid()).putInt(r.tid());
      putCString(b, utf8(r.comm()));
    }

    public Comm decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 9) {
        throw tooShort(file, pos, "COMM", 9, b.remaining());
      }
      int pid = b.getInt();
      int tid = b.getInt();
      return new Comm(misc, pid, tid, cString(b, file, pos, "COMM comm"), sid);
    }
  }

  static final class Mmap2Codec implements RecordCodec<Mmap2> {
    public int bodySize(Mmap2 r) {
      return 64 + align8(utf8(r.filename()).length + 1);
    }

    public void encode(Mmap2 r, ByteBuffer b) {
      b.putInt(r.pid()).putInt(r.tid()).putLong(r.start()).putLong(r.len()).putLong(r.pgoff());
      byte[] bid = r.buildId();
      if (bid != null) {
        b.put((byte) bid.length).put((byte) 0).putShort((short) 0).put(bid);
        for (int i = bid.length; i < 20; i++) {
          b.put((byte) 0);
        }
      } else {
        b.putInt(r.maj()).putInt(r.min()).putLong(r.ino()).putLong(r.inoGeneration());
      }
      b.putInt(r.prot()).putInt(r.flags());
      putCString(b, utf8(r.filename()));
    }

    public Mmap2 decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 65) {
        throw tooShort(file, pos, "MMAP2", 65, b.remaining());
      }
      int pid = b.getInt();
      int tid = b.getInt();
      long start = b.getLong();
      long len = b.getLong();
      long pgoff = b.getLong();
      int maj = 0, min = 0;
      long ino = 0, gen = 0;
      byte[] bid = null;
      if ((misc & PerfRecord.MISC_BIT14) != 0) {
        int n = Byte.toUnsignedInt(b.get());
        if (n > 20) {
          throw new PerfDataException(file, pos + 32, "MMAP2 build id size " + n + ", expected at most 20");
        }
        b.get();
        b.getShort();
        byte[] all = new byte[20];
        b.get(all);
        bid = java.util.Arrays.copyOf(all, n);
      } else {
        maj = b.getInt();
        min = b.getInt();
        ino = b.getLong();
        gen = b.getLong();
      }
      int prot = b.getInt();
      int flags = b.getInt();
      String name = cString(b, file, pos, "MMAP2 filename");
      return new Mmap2(misc, pid, tid, start, len, pgoff, maj, min, ino, gen, bid, prot, flags, name, sid);
    }
  }

  static final class ItraceStartCodec implements RecordCodec<ItraceStart> {
    public int bodySize(ItraceStart r) {
      return 8;
    }

    public void encode(ItraceStart r, ByteBuffer b) {
      b.putInt(r.pid()).putInt(r.tid());
    }

    public ItraceStart decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 8) {
        throw tooShort(file, pos, "ITRACE_START", 8, b.remaining());
      }
      return new ItraceStart(misc, b.getInt(), b.getInt(), sid);
    }
  }

  static final class AuxCodec implements RecordCodec<Aux> {
    public int bodySize(Aux r) {
      return 24;
    }

    public void encode(Aux r, ByteBuffer b) {
      b.putLong(r.auxOffset()).putLong(r.auxSize()).putLong(r.flags());
    }

    public Aux decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 24) {
        throw tooShort(file, pos, "AUX", 24, b.remaining());
      }
      return new Aux(misc, b.getLong(), b.getLong(), b.getLong(), sid);
    }
  }

  static final class TextPokeCodec implements RecordCodec<TextPoke> {
    public int bodySize(TextPoke r) {
      return 8 + align8(4 + r.oldBytes().length + r.newBytes().length);
    }

    public void encode(TextPoke r, ByteBuffer b) {
      byte[] o = r.oldBytes();
      byte[] n = r.newBytes();
      b.putLong(r.addr()).putShort((short) o.length).putShort((short) n.length).put(o).put(n);
      for (int i = 4 + o.length + n.length; i < align8(4 + o.length + n.length); i++) {
        b.put((byte) 0);
      }
    }

    public TextPoke decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 12) {
        throw tooShort(file, pos, "TEXT_POKE", 12, b.remaining());
      }
      long addr = b.getLong();
      int oldLen = Short.toUnsignedInt(b.getShort());
      int newLen = Short.toUnsignedInt(b.getShort());
      if (oldLen + newLen > b.remaining()) {
        throw new PerfDataException(file, pos + 8, "TEXT_POKE old len " + oldLen + " + new len "
            + newLen + " bytes, but only " + b.remaining() + " bytes remain before the trailer");
      }
      if ((misc & (PerfRecord.MISC_BIT13 | PerfRecord.MISC_BIT14))
          == (PerfRecord.MISC_BIT13 | PerfRecord.MISC_BIT14)) {
        throw new PerfDataException(file, pos - 8, "TEXT_POKE misc with PRE or POST, not both");
      }
      byte[] o = new byte[oldLen];
      byte[] n = new byte[newLen];
      b.get(o).get(n);
      return new TextPoke(misc, addr, o, n, sid);
    }
  }

  static final class AuxtraceInfoCodec implements RecordCodec<AuxtraceInfo> {
    public int bodySize(AuxtraceInfo r) {
      return 8 + 8 * r.priv().words().length;
    }

    public void encode(AuxtraceInfo r, ByteBuffer b) {
      b.putInt(r.auxType()).putInt(0);
      for (long w : r.priv().words()) {
        b.putLong(w);
      }
    }

    public AuxtraceInfo decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 8 || b.remaining() % 8 != 0) {
        throw new PerfDataException(file, pos, "AUXTRACE_INFO body of " + b.remaining()
            + " bytes, expected 8 + a multiple of 8");
      }
      int type = b.getInt();
      b.getInt();
      long[] w = new long[b.remaining() / 8];
      for (int i = 0; i < w.length; i++) {
        w[i] = b.getLong();
      }
      if (type == AuxtraceInfo.TYPE_CS_ETM) {
        return new AuxtraceInfo(type, CsEtmInfo.parse(w, file, pos + 8));
      }
      return new AuxtraceInfo(type, new OpaquePriv(w));
    }
  }

  static final class AuxtraceCodec implements RecordCodec<Auxtrace> {
    public int bodySize(Auxtrace r) {
      return 40;
    }

    public void encode(Auxtrace r, ByteBuffer b) {
      b.putLong(r.size()).putLong(r.offset()).putLong(r.reference()).putInt(r.idx())
          .putInt(r.tid()).putInt(r.cpu()).putInt(0);
    }

    /** dataPosition = the byte after the 48-byte record. */
    public Auxtrace decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() != 40) {
        throw new PerfDataException(file, pos - 8,
            "AUXTRACE record of " + (b.remaining() + 8) + " bytes, expected 48");
      }
      return new Auxtrace(b.getLong(), b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getInt(), pos + 40);
    }
  }

  static final class TimeConvCodec implements RecordCodec<TimeConv> {
    public int bodySize(TimeConv r) {
      return r.extended() ? 48 : 24;
    }

    public void encode(TimeConv r, ByteBuffer b) {
      b.putLong(r.timeShift()).putLong(r.timeMult()).putLong(r.timeZero());
      if (r.extended()) {
        b.putLong(r.timeCycles()).putLong(r.timeMask());
        b.put((byte) (r.capUserTimeZero() ? 1 : 0)).put((byte) (r.capUserTimeShort() ? 1 : 0));
        b.put(new byte[6]);
      }
    }

    public TimeConv decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) throws PerfDataException {
      if (b.remaining() < 24) {
        throw tooShort(file, pos, "TIME_CONV", 24, b.remaining());
      }
      long shift = b.getLong();
      long mult = b.getLong();
      long zero = b.getLong();
      if (b.remaining() < 24) {
        return new TimeConv(shift, mult, zero, 0, 0, false, false, false);
      }
      long cycles = b.getLong();
      long mask = b.getLong();
      boolean capZero = b.get() != 0;
      boolean capShort = b.get() != 0;
      return new TimeConv(shift, mult, zero, cycles, mask, capZero, capShort, true);
    }
  }

  static final class FinishedRoundCodec implements RecordCodec<FinishedRound> {
    public int bodySize(FinishedRound r) {
      return 0;
    }

    public void encode(FinishedRound r, ByteBuffer b) {}

    public FinishedRound decode(int misc, ByteBuffer b, SampleId sid, Path file, long pos) {
      return new FinishedRound();
    }
  }
}
