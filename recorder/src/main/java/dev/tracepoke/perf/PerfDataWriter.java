package dev.tracepoke.perf;

import dev.tracepoke.storage.WholeFile;

import dev.tracepoke.perf.PerfRecord.Auxtrace;
import dev.tracepoke.perf.PerfRecord.AuxtraceInfo;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes a PERFILE2 perf.data file that perf 6.1 reads: header, ids, attrs (size 128 unless told
 * otherwise), the data section, then the feature table and bodies: ARCH ({@code aarch64} unless
 * told otherwise), NRCPUS (as given, else the highest cpu the records name + 1), EVENT_DESC,
 * PMU_MAPPINGS and HOSTNAME/OSRELEASE/VERSION when given, and the AUXTRACE index when the file
 * has an AUXTRACE_INFO.
 *
 * <p>Crash safety: everything goes to {@code NAME.tmp}; {@link #close()} writes the features,
 * then the header last, forces the file to disk and renames it to {@code NAME}. A writer that is
 * never closed leaves only the .tmp file (with a zero header), never a half-valid NAME.
 *
 * <p>Records are checked as they are written: every record is a multiple of 8 bytes, a kernel
 * record's {@link SampleId} has exactly the fields of its event's trailer, TEXT_POKE has cpumode
 * KERNEL, AUXTRACE needs an AUXTRACE_INFO before it.
 */
public final class PerfDataWriter implements AutoCloseable {

  private static final int BUFFER = 1 << 20;

  private final Path target;
  private final Path tmp;
  private final FileChannel channel;
  private final List<AttrEntry> attrs;
  private final Builder meta;
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
  private final long attrsOffset;
  private final long dataOffset;
  private final long uniformTrailer;
  private final List<PerfFeatures.AuxtraceIndexEntry> index = new ArrayList<>();
  /** File position of the next byte written. */
  private long pos;
  private boolean auxtraceInfoSeen;
  /** Highest cpu number met in trailers, CS_ETM blocks and AUXTRACE records, for NRCPUS. */
  private int maxCpu;
  private boolean closed;

  private PerfDataWriter(Builder b) throws IOException {
    if (b.attrs.isEmpty()) {
      throw new IllegalArgumentException("a perf.data file needs at least one event");
    }
    this.target = b.target;
    this.tmp = WholeFile.temporary(b.target);
    this.attrs = List.copyOf(b.attrs);
    this.meta = b;
    int attrSize = attrs.get(0).attr().size();
    long trailer = attrs.get(0).attr().trailerFields();
    for (AttrEntry a : attrs) {
      if (a.attr().size() != attrSize) {
        throw new IllegalArgumentException("all attrs must have one size (the header has one attr_size)");
      }
      if (a.ids().length == 0) {
        throw new IllegalArgumentException("event " + a.name() + " needs at least one id");
      }
      if (a.attr().trailerFields() != trailer) {
        trailer = -1;
      }
    }
    this.uniformTrailer = trailer;
    this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    // The header stays zero until close(): a reader of a crashed .tmp sees no valid magic.
    buf.put(new byte[PerfFileHeader.SIZE]);
    pos = PerfFileHeader.SIZE;
    long[] idsOffsets = new long[attrs.size()];
    for (int i = 0; i < attrs.size(); i++) {
      idsOffsets[i] = pos;
      for (long id : attrs.get(i).ids()) {
        putLong(id);
      }
    }
    attrsOffset = pos;
    for (int i = 0; i < attrs.size(); i++) {
      AttrEntry a = attrs.get(i);
      ensure(attrSize + 16);
      a.attr().write(buf);
      buf.putLong(idsOffsets[i]).putLong(8L * a.ids().length);
      pos += attrSize + 16;
    }
    dataOffset = pos;
  }

  /** Starts describing a file to be written at {@code target}. */
  public static Builder builder(Path target) {
    return new Builder(target);
  }

  /** The final path (the file is written under {@code target + ".tmp"} until close). */
  public Path target() {
    return target;
  }

  /** File offset the next record will get. */
  public long position() {
    return pos;
  }

  /**
   * Writes one record (not {@link Auxtrace}: use {@link #writeAuxtrace}).
   *
   * @return the record's file offset
   */
  public long write(PerfRecord r) throws IOException {
    checkOpen();
    if (r instanceof Auxtrace) {
      throw new IllegalArgumentException("AUXTRACE records carry data: use writeAuxtrace");
    }
    if (r instanceof AuxtraceInfo info) {
      auxtraceInfoSeen = true;
      if (info.priv() instanceof CsEtmInfo cs) {
        for (EtmV4Params p : cs.cpus()) {
          maxCpu = Math.max(maxCpu, p.cpu());
        }
      }
    }
    if (r.sampleId().has(SampleId.CPU)) {
      maxCpu = Math.max(maxCpu, r.sampleId().cpu());
    }
    if (r instanceof TextPoke t && (t.misc() & PerfRecord.MISC_CPUMODE_MASK) != PerfRecord.MISC_KERNEL) {
      throw new IllegalArgumentException("TEXT_POKE cpumode must be KERNEL: " + t);
    }
    if (!(r instanceof PerfRecord.Raw)) {
      checkTrailer(r);
    }
    int body = RecordCatalogue.bodySize(r);
    int size = 8 + body + r.sampleId().size();
    if (size % 8 != 0 || size > 0xffff) {
      throw new IllegalArgumentException("record size " + size + " must be a multiple of 8 up to 65528: " + r);
    }
    long at = pos;
    ensure(size);
    int start = buf.position();
    buf.putInt(r.type()).putShort((short) r.misc()).putShort((short) size);
    RecordCatalogue.encode(r, buf);
    r.sampleId().write(buf);
    if (buf.position() - start != size) {
      throw new IllegalStateException("codec for " + RecordCatalogue.name(r.type()) + " wrote "
          + (buf.position() - start) + " bytes, announced " + size);
    }
    pos += size;
    return at;
  }

  /**
   * Writes an AUXTRACE record followed by {@code data} (padded with zeros to 8 bytes; the size
   * field counts the padding, as perf record does) and indexes it in the AUXTRACE feature.
   *
   * @return the record as a reader will return it (dataPosition set)
   */
  public Auxtrace writeAuxtrace(long offset, long reference, int idx, int tid, int cpu, ByteBuffer data)
      throws IOException {
    long len = data.remaining();
    return writeAuxtrace(offset, reference, idx, tid, cpu, len, new ReadableByteChannel() {
      public int read(ByteBuffer dst) {
        if (!data.hasRemaining()) {
          return -1;
        }
        int n = Math.min(dst.remaining(), data.remaining());
        ByteBuffer s = data.slice();
        s.limit(n);
        dst.put(s);
        data.position(data.position() + n);
        return n;
      }

      public boolean isOpen() {
        return true;
      }

      public void close() {}
    });
  }

  /** As {@link #writeAuxtrace(long, long, int, int, int, ByteBuffer)}, streaming {@code length} bytes from {@code src}. */
  public Auxtrace writeAuxtrace(long offset, long reference, int idx, int tid, int cpu, long length,
      ReadableByteChannel src) throws IOException {
    checkOpen();
    if (!auxtraceInfoSeen) {
      throw new IllegalStateException("write the AUXTRACE_INFO record before any AUXTRACE");
    }
    maxCpu = Math.max(maxCpu, cpu);
    long padded = (length + 7) & ~7L;
    long at = pos;
    Auxtrace a = new Auxtrace(padded, offset, reference, idx, tid, cpu, at + 48);
    ensure(48);
    buf.putInt(PerfRecord.AUXTRACE).putShort((short) 0).putShort((short) 48);
    RecordCatalogue.encode(a, buf);
    pos += 48;
    long left = length;
    while (left > 0) {
      if (!buf.hasRemaining()) {
        drain();
      }
      ByteBuffer d = buf.slice();
      d.limit((int) Math.min(d.remaining(), left));
      int n = src.read(d);
      if (n < 0) {
        throw new IOException("AUXTRACE source ended " + left + " bytes early");
      }
      buf.position(buf.position() + n);
      left -= n;
      pos += n;
    }
    int pad = (int) (padded - length);
    ensure(pad);
    buf.put(new byte[pad]);
    pos += pad;
    index.add(new PerfFeatures.AuxtraceIndexEntry(at, 48));
    return a;
  }

  /**
   * Finishes the file: features, then the header, fsync, rename NAME.tmp to NAME.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    long dataSize = pos - dataOffset;
    SortedMap<Integer, byte[]> bodies = new TreeMap<>();
    if (meta.hostname != null) bodies.put(PerfFeatures.HOSTNAME, PerfFeatures.encodeString(meta.hostname));
    if (meta.osRelease != null) bodies.put(PerfFeatures.OSRELEASE, PerfFeatures.encodeString(meta.osRelease));
    if (meta.version != null) bodies.put(PerfFeatures.VERSION, PerfFeatures.encodeString(meta.version));
    if (meta.arch != null) bodies.put(PerfFeatures.ARCH, PerfFeatures.encodeString(meta.arch));
    if (meta.nrCpusAvailable > 0) {
      bodies.put(PerfFeatures.NRCPUS, PerfFeatures.encodeNrCpus(meta.nrCpusAvailable, meta.nrCpusOnline));
    } else {
      bodies.put(PerfFeatures.NRCPUS, PerfFeatures.encodeNrCpus(maxCpu + 1, maxCpu + 1));
    }
    bodies.put(PerfFeatures.EVENT_DESC, PerfFeatures.encodeEventDesc(attrs));
    if (!meta.pmuMappings.isEmpty()) {
      bodies.put(PerfFeatures.PMU_MAPPINGS, PerfFeatures.encodePmuMappings(meta.pmuMappings));
    }
    if (auxtraceInfoSeen) {
      bodies.put(PerfFeatures.AUXTRACE, PerfFeatures.encodeAuxtraceIndex(index));
    }
    long bodyPos = pos + 16L * bodies.size();
    for (byte[] body : bodies.values()) {
      ensure(16);
      buf.putLong(bodyPos).putLong(body.length);
      pos += 16;
      bodyPos += body.length;
    }
    for (byte[] body : bodies.values()) {
      int off = 0;
      while (off < body.length) {
        if (!buf.hasRemaining()) {
          drain();
        }
        int n = Math.min(buf.remaining(), body.length - off);
        buf.put(body, off, n);
        off += n;
        pos += n;
      }
    }
    drain();
    long[] bits = new long[4];
    for (int bit : bodies.keySet()) {
      bits[bit / 64] |= 1L << (bit % 64);
    }
    ByteBuffer h = ByteBuffer.allocate(PerfFileHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    h.putLong(PerfFileHeader.MAGIC).putLong(PerfFileHeader.SIZE)
        .putLong(attrs.get(0).attr().size() + 16L)
        .putLong(attrsOffset).putLong(dataOffset - attrsOffset)
        .putLong(dataOffset).putLong(dataSize)
        .putLong(0).putLong(0);
    for (long w : bits) {
      h.putLong(w);
    }
    h.flip();
    while (h.hasRemaining()) {
      channel.write(h, h.position());
    }
    channel.close();
    closed = true;
    WholeFile.commit(tmp, target);
  }

  /** Gives up: closes and deletes the .tmp file; NAME is not touched. */
  public void abort() throws IOException {
    if (!closed) {
      closed = true;
      channel.close();
      Files.deleteIfExists(tmp);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("writer closed");
    }
  }

  private void checkTrailer(PerfRecord r) {
    long want;
    if (r.type() >= PerfRecord.USER_TYPE_START) {
      want = 0;
    } else {
      long id = r.sampleId().eventIdOrUnknown();
      AttrEntry owner = null;
      if (id != -1 || uniformTrailer < 0) {
        for (AttrEntry a : attrs) {
          if (a.hasId(id)) {
            owner = a;
          }
        }
        if (owner == null) {
          throw new IllegalArgumentException("record's sample id names no event (id " + id + "): " + r);
        }
        want = owner.attr().trailerFields();
      } else {
        want = uniformTrailer;
      }
    }
    if (r.sampleId().fields() != want) {
      throw new IllegalArgumentException("record's sample id has fields 0x" + Long.toHexString(r.sampleId().fields())
          + " but its event lays out 0x" + Long.toHexString(want) + ": " + r);
    }
  }

  private void putLong(long v) throws IOException {
    ensure(8);
    buf.putLong(v);
    pos += 8;
  }

  private void ensure(int n) throws IOException {
    if (buf.remaining() < n) {
      drain();
    }
  }

  private void drain() throws IOException {
    buf.flip();
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      // a full disk says only "No space left on device": name the file
      throw WholeFile.failed(target, e);
    }
    buf.clear();
  }

  /** What goes into the file besides records: events and the feature values. */
  public static final class Builder {
    private final Path target;
    private final List<AttrEntry> attrs = new ArrayList<>();
    private final SortedMap<Integer, String> pmuMappings = new TreeMap<>();
    private String hostname;
    private String osRelease;
    private String version;
    private String arch = "aarch64";
    private int nrCpusAvailable;
    private int nrCpusOnline;

    private Builder(Path target) {
      this.target = target;
    }

    /** Adds an event; records name it through the ids. */
    public Builder event(String name, PerfEventAttr attr, long... ids) {
      attrs.add(new AttrEntry(attr, ids, name));
      return this;
    }

    /** HEADER_ARCH (default {@code aarch64}; null leaves the feature out). */
    public Builder arch(String v) { arch = v; return this; }
    public Builder nrCpus(int available, int online) { nrCpusAvailable = available; nrCpusOnline = online; return this; }
    public Builder hostname(String v) { hostname = v; return this; }
    public Builder osRelease(String v) { osRelease = v; return this; }
    /** HEADER_VERSION: the perf version string. */
    public Builder perfVersion(String v) { version = v; return this; }
    public Builder pmuMapping(int type, String name) { pmuMappings.put(type, name); return this; }

    /** Creates {@code target.tmp} and writes the events; records follow. */
    public PerfDataWriter open() throws IOException {
      return new PerfDataWriter(this);
    }
  }
}
