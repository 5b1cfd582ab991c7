package dev.tracepoke.perf;

import dev.tracepoke.perf.PerfRecord.Auxtrace;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads a PERFILE2 perf.data file (little endian, as arm64 and x86 write it) by positioned reads:
 * the header, attrs and features at open, records on demand through {@link #fileOrder()} or
 * {@link #timeOrder()}; AUXTRACE payloads are never read unless asked for through
 * {@link #payload}. PERF_RECORD_COMPRESSED ({@code perf record -z}) is expanded: the records inside
 * come back in its place, carrying its file offset (as perf lists them); it is never returned
 * itself. Pipe-mode and big-endian files are refused.
 *
 * <p>Damage: open fails with a {@link PerfDataException} when the header or attrs are unusable.
 * A feature body that does not parse is listed in {@link #warnings()}. A data section that runs
 * past the end of the file (a recording cut short) is read up to the last whole record (and an
 * AUXTRACE record whose payload the end cuts, with the whole 16-byte frames of it that are there),
 * after which the cursor throws a {@link PerfDataException} naming where the file ends; any record
 * damage (size below 8, a record or AUXTRACE payload past the data end, fields that do not fit)
 * is thrown by the cursor after every whole record before it has been returned.
 */
public final class PerfDataReader implements AutoCloseable {

  private static final int WINDOW = 1 << 18;
  /** "PERFFILE", perf's version 1 format. */
  private static final long MAGIC_V1 = 0x454c494646524550L;

  private final Path file;
  private final FileChannel channel;
  private final long fileSize;
  private final PerfFileHeader header;
  private final List<AttrEntry> attrs;
  private final PerfFeatures features;
  private final List<String> warnings = new ArrayList<>();
  private final long dataStart;
  private final long dataEnd;
  /** Where the file ends inside the data section, or -1 when the data section is whole. */
  private final long cutShortAt;
  /** The one trailer layout of all events, or -1 when records are routed by IDENTIFIER. */
  private final long uniformTrailer;
  /** The one sample_type of all events, or -1 when samples are routed by IDENTIFIER. */
  private final long uniformSampleType;

  private PerfDataReader(Path file, FileChannel channel) throws IOException {
    this.file = file;
    this.channel = channel;
    this.fileSize = channel.size();
    this.header = readHeader();
    this.attrs = readAttrs();
    long claimedEnd = header.dataOffset() + header.dataSize();
    this.dataStart = header.dataOffset();
    if (header.dataSize() == 0) {
      warnings.add(file + ": at byte 48: data size field is 0: the recording was not finished; reading to the end of the file");
      this.dataEnd = fileSize;
      this.cutShortAt = fileSize;
    } else if (claimedEnd > fileSize || claimedEnd < 0) {
      warnings.add(file + ": at byte 48: recording cut short: the header says data runs to byte " + claimedEnd
          + " but the file ends at byte " + fileSize);
      this.dataEnd = fileSize;
      this.cutShortAt = fileSize;
    } else {
      this.dataEnd = claimedEnd;
      this.cutShortAt = -1;
    }
    this.features = cutShortAt >= 0 ? noFeatures() : readFeatures(claimedEnd);
    this.attrs.replaceAll(this::named);
    long trailer = -1;
    long sampleType = -1;
    boolean allIdentifier = !attrs.isEmpty();
    for (int i = 0; i < attrs.size(); i++) {
      PerfEventAttr a = attrs.get(i).attr();
      if (i == 0) {
        trailer = a.trailerFields();
        sampleType = a.sampleType();
      } else {
        if (trailer != a.trailerFields()) {
          trailer = -2;
        }
        if (sampleType != a.sampleType()) {
          sampleType = -2;
        }
      }
      allIdentifier &= (a.sampleType() & SampleId.IDENTIFIER) != 0 && a.sampleIdAll();
    }
    if (trailer == -2 && !allIdentifier) {
      throw new PerfDataException(file, header.attrsOffset(),
          "events with different sample_id layouts must all carry IDENTIFIER (non matching sample_type)");
    }
    this.uniformTrailer = attrs.isEmpty() ? 0 : trailer == -2 ? -1 : trailer;
    this.uniformSampleType = sampleType == -2 ? -1 : sampleType;
  }

  /** Opens a perf.data file; the caller closes the reader. */
  public static PerfDataReader open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      return new PerfDataReader(file, ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public Path file() {
    return file;
  }

  public PerfFileHeader header() {
    return header;
  }

  /** The events, named from EVENT_DESC where the file has it. */
  public List<AttrEntry> attrs() {
    return Collections.unmodifiableList(attrs);
  }

  public PerfFeatures features() {
    return features;
  }

  /** Problems that did not stop reading: unparsable features, a cut-short data section. */
  public List<String> warnings() {
    return Collections.unmodifiableList(warnings);
  }

  /** First byte of the data section. */
  public long dataStart() {
    return dataStart;
  }

  /** The byte after the data section as read (the file end when the recording was cut short). */
  public long dataEnd() {
    return dataEnd;
  }

  /** True when the file ends before the data section the header describes. */
  public boolean cutShort() {
    return cutShortAt >= 0;
  }

  /** The event a sample id belongs to. */
  public Optional<AttrEntry> attrForId(long id) {
    for (AttrEntry a : attrs) {
      if (a.hasId(id)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** Records in the order they are stored. */
  public RecordCursor fileOrder() {
    return new FileOrderCursor();
  }

  /**
   * Records in the order perf delivers them (session.c / ordered-events.c of perf 6.1): user
   * records (type &ge; 64) at once in file order; a kernel record without a time, or with time 0,
   * at once; other kernel records are queued and leave the queue sorted by (time, file offset):
   * on each FINISHED_ROUND, after that record itself, every queued record with time &le; the
   * largest time queued before the previous FINISHED_ROUND (nothing at the first round); at the
   * end of the data (or before a damage exception), all of them. Records expanded from a
   * COMPRESSED record carry that record's offset, as in perf's listing. perf's extra flush when its
   * queue exceeds its memory limit is not modelled.
   */
  public RecordCursor timeOrder() {
    return new TimeOrderCursor(new FileOrderCursor());
  }

  /** Every record in file order (for small files and tests; large ones should use a cursor). */
  public List<FileRecord> readAll() throws PerfDataException {
    List<FileRecord> out = new ArrayList<>();
    RecordCursor c = fileOrder();
    for (FileRecord r = c.next(); r != null; r = c.next()) {
      out.add(r);
    }
    return out;
  }

  /** The AUXTRACE buffers grouped into queues by idx, in file order within a queue. */
  public List<AuxtraceQueue> auxtraceQueues() throws PerfDataException {
    SortedMap<Integer, List<Auxtrace>> byIdx = new TreeMap<>();
    RecordCursor c = fileOrder();
    for (FileRecord r = c.next(); r != null; r = c.next()) {
      if (r.record() instanceof Auxtrace a) {
        byIdx.computeIfAbsent(a.idx(), k -> new ArrayList<>()).add(a);
      }
    }
    List<AuxtraceQueue> out = new ArrayList<>();
    byIdx.forEach((idx, l) -> out.add(new AuxtraceQueue(idx, l.get(0).cpu(), l)));
    return out;
  }

  /** The data of one AUXTRACE record, read from the file as the channel is read. */
  public ReadableByteChannel payload(Auxtrace a) {
    return new SliceChannel(a.dataPosition(), a.size());
  }

  /** The data of one AUXTRACE record as a stream. */
  public InputStream payloadStream(Auxtrace a) {
    return Channels.newInputStream(payload(a));
  }

  /** The data of a whole queue, its buffers back to back. */
  public InputStream queueStream(AuxtraceQueue q) {
    List<InputStream> parts = new ArrayList<>();
    for (Auxtrace a : q.buffers()) {
      parts.add(payloadStream(a));
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  // ---- header, attrs, features ---------------------------------------------------------------

  private ByteBuffer readAt(long pos, int len, String what) throws PerfDataException {
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    readFully(b, pos, what);
    return b.flip();
  }

  /** Fills {@code dst} from its position to its limit with the bytes at file offset {@code pos}. */
  private void readFully(ByteBuffer dst, long pos, String what) throws PerfDataException {
    int len = dst.remaining();
    if (pos < 0 || len < 0 || pos > fileSize - len) {
      throw new PerfDataException(file, Math.max(0, Math.min(pos, fileSize)),
          "expected " + what + " (" + len + " bytes at " + pos + "), but the file ends at byte " + fileSize);
    }
    int start = dst.position();
    try {
      while (dst.hasRemaining()) {
        if (channel.read(dst, pos + dst.position() - start) < 0) {
          throw new PerfDataException(file, pos + dst.position() - start, "expected " + what + ", found end of file");
        }
      }
    } catch (PerfDataException e) {
      throw e;
    } catch (IOException e) {
      PerfDataException p = new PerfDataException(file, pos, "reading " + what + ": " + e.getMessage());
      p.initCause(e);
      throw p;
    }
  }

  private PerfFileHeader readHeader() throws PerfDataException {
    if (fileSize < 16) {
      throw new PerfDataException(file, 0,
          "expected a perf.data header starting with magic PERFILE2, but the file has " + fileSize + " bytes");
    }
    ByteBuffer b = readAt(0, 16, "the magic and header size");
    long magic = b.getLong(0);
    if (magic == Long.reverseBytes(PerfFileHeader.MAGIC)) {
      throw new PerfDataException(file, 0, "magic is byte-swapped PERFILE2: big-endian perf.data is not supported");
    }
    if (magic == MAGIC_V1) {
      throw new PerfDataException(file, 0, "magic PERFFILE (perf.data version 1) is not supported, expected PERFILE2");
    }
    if (magic != PerfFileHeader.MAGIC) {
      throw new PerfDataException(file, 0, "expected magic PERFILE2, found 0x" + Long.toHexString(magic));
    }
    long hsize = b.getLong(8);
    if (hsize == 16) {
      throw new PerfDataException(file, 8, "pipe-mode perf.data (header size 16) is not supported");
    }
    if (hsize != PerfFileHeader.SIZE && hsize != PerfFileHeader.SIZE_NO_FEATURES) {
      throw new PerfDataException(file, 8, "header size " + hsize + ", expected 104 (or 72)");
    }
    ByteBuffer h = readAt(0, (int) hsize, "the " + hsize + "-byte file header");
    long[] bits = new long[4];
    if (hsize == PerfFileHeader.SIZE) {
      for (int i = 0; i < 4; i++) {
        bits[i] = h.getLong(72 + 8 * i);
      }
    }
    PerfFileHeader ph = new PerfFileHeader(h.getLong(16), h.getLong(24), h.getLong(32), h.getLong(40),
        h.getLong(48), bits);
    if (ph.attrSize() < PerfEventAttr.SIZE_VER0 + 16 || ph.attrSize() > 4096 + 16) {
      throw new PerfDataException(file, 16, "attr entry size " + ph.attrSize() + ", expected 80..4112 (attr + ids section)");
    }
    if (ph.attrsSize() % ph.attrSize() != 0 || ph.attrsSize() < 0) {
      throw new PerfDataException(file, 32, "attrs section of " + ph.attrsSize()
          + " bytes is not a multiple of the " + ph.attrSize() + "-byte attr entry");
    }
    if (ph.attrsOffset() < 0 || ph.attrsOffset() > fileSize - ph.attrsSize()) {
      throw new PerfDataException(file, 24, "attrs section [" + ph.attrsOffset() + ", +" + ph.attrsSize()
          + ") runs past the end of the file at byte " + fileSize);
    }
    if (ph.dataOffset() < hsize || ph.dataOffset() > fileSize || ph.dataSize() < 0) {
      throw new PerfDataException(file, 40, "data section offset " + ph.dataOffset() + " (size "
          + ph.dataSize() + ") is outside the file (" + fileSize + " bytes) or inside the header");
    }
    return ph;
  }

  private List<AttrEntry> readAttrs() throws PerfDataException {
    int entry = (int) header.attrSize();
    int n = (int) (header.attrsSize() / entry);
    List<AttrEntry> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long pos = header.attrsOffset() + (long) i * entry;
      ByteBuffer b = readAt(pos, entry, "attr entry " + i);
      int size = b.getInt(4);
      if (size != entry - 16) {
        throw new PerfDataException(file, pos + 4, "attr " + i + " size " + size
            + ", expected " + (entry - 16) + " (header attr_size " + entry + " - 16)");
      }
      PerfEventAttr attr = PerfEventAttr.read(b, Math.min(size, PerfEventAttr.SIZE_VER8)).withSize(size);
      b.position(size);
      long idsOff = b.getLong();
      long idsSize = b.getLong();
      if (idsSize % 8 != 0 || idsSize < 0 || idsOff < 0 || idsOff > fileSize - idsSize || idsSize > (1 << 24)) {
        throw new PerfDataException(file, pos + size, "ids section [" + idsOff + ", +" + idsSize
            + ") of attr " + i + " is not a run of u64 inside the file");
      }
      ByteBuffer ib = readAt(idsOff, (int) idsSize, "the ids of attr " + i);
      long[] ids = new long[(int) idsSize / 8];
      for (int k = 0; k < ids.length; k++) {
        ids[k] = ib.getLong();
      }
      out.add(new AttrEntry(attr, ids, ""));
    }
    return out;
  }

  private AttrEntry named(AttrEntry a) {
    for (PerfFeatures.EventDesc d : features.eventDesc()) {
      for (long id : d.ids()) {
        if (a.hasId(id)) {
          return new AttrEntry(a.attr(), a.ids(), d.name());
        }
      }
    }
    return a;
  }

  private PerfFeatures noFeatures() {
    if (header.featureCount() > 0) {
      warnings.add(file + ": at byte 48: feature sections not read: they follow the data section, which the file does not hold whole");
    }
    return PerfFeatures.none();
  }

  private PerfFeatures readFeatures(long tablePos) {
    int n = header.featureCount();
    if (n == 0) {
      return PerfFeatures.none();
    }
    ByteBuffer t;
    try {
      t = readAt(tablePos, 16 * n, "the feature table of " + n + " entries");
    } catch (PerfDataException e) {
      warnings.add("features not read: " + e.getMessage());
      return PerfFeatures.none();
    }
    SortedMap<Integer, PerfFeatures.Section> sections = new TreeMap<>();
    for (int bit = 0; bit < 256; bit++) {
      if (header.feature(bit)) {
        long off = t.getLong();
        long size = t.getLong();
        if (off < 0 || size < 0 || off > fileSize - size) {
          warnings.add(file + ": at byte " + (tablePos + t.position() - 16) + ": feature " + PerfFeatures.name(bit)
              + " section [" + off + ", +" + size + ") runs past the end of the file; ignored");
          continue;
        }
        sections.put(bit, new PerfFeatures.Section(off, size));
      }
    }
    return PerfFeatures.parse(sections, (off, size) -> readAt(off, size, "a feature body"), file, warnings);
  }

  // ---- records -------------------------------------------------------------------------------

  /** Which trailer a kernel record carries: one layout for all events, or routed by IDENTIFIER. */
  private long trailerFields(ByteBuffer rec, int size, long pos) throws PerfDataException {
    if (uniformTrailer >= 0) {
      return uniformTrailer;
    }
    if (size < 16) {
      throw new PerfDataException(file, pos, "record of " + size + " bytes has no room for the IDENTIFIER of its trailer");
    }
    long id = rec.getLong(size - 8);
    for (AttrEntry a : attrs) {
      if (a.hasId(id)) {
        return a.attr().trailerFields();
      }
    }
    throw new PerfDataException(file, pos + size - 8, "trailer IDENTIFIER " + id + " names no event of the file");
  }

  /** The sample_type of a SAMPLE record's event, or -1 when no event matches. */
  private long sampleTypeOf(ByteBuffer rec, int size) {
    if (uniformSampleType >= 0) {
      return uniformSampleType;
    }
    if (size < 16) {
      return -1;
    }
    long id = rec.getLong(8);
    for (AttrEntry a : attrs) {
      if (a.hasId(id)) {
        return a.attr().sampleType();
      }
    }
    return -1;
  }

  private final class FileOrderCursor implements RecordCursor {
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
    private long windowPos = -1;
    private int windowLen;
    private long pos = dataStart;
    /** Records decompressed from a COMPRESSED record, still to be returned. */
    private final ArrayDeque<FileRecord> expanded = new ArrayDeque<>();
    private ZstdRecords zstd;
    /** The last AUXTRACE payload, cut by the end of the file, as far as it was read: said at the end. */
    private PerfDataException cutPayload;
    private PerfDataException failure;
    private boolean done;

    @Override
    public FileRecord next() throws PerfDataException {
      if (failure != null) {
        throw failure;
      }
      if (done) {
        return null;
      }
      try {
        FileRecord r = read();
        if (r == null) {
          done = true;
        }
        return r;
      } catch (PerfDataException e) {
        failure = e;
        throw e;
      }
    }

    private ByteBuffer view(long at, int len) throws PerfDataException {
      if (at < windowPos || at + len > windowPos + windowLen) {
        int n = (int) Math.min(WINDOW, dataEnd - at);
        window.clear().limit(n);
        windowPos = -1;
        readFully(window, at, "record bytes");
        windowPos = at;
        windowLen = n;
      }
      return window.slice((int) (at - windowPos), len).order(ByteOrder.LITTLE_ENDIAN);
    }

    private FileRecord read() throws PerfDataException {
      while (true) {
        if (!expanded.isEmpty()) {
          return expanded.poll();
        }
        if (pos == dataEnd) {
          if (zstd != null) {
            zstd.end(pos);
            zstd = null;
          }
          if (cutPayload != null) {
            throw cutPayload;
          }
          if (cutShortAt >= 0 && header.dataSize() != 0) {
            throw new PerfDataException(file, pos, "the file ends here but the header says the data section runs to byte "
                + (header.dataOffset() + header.dataSize()) + " (recording cut short)");
          }
          return null;
        }
        long left = dataEnd - pos;
        if (left < 8) {
          throw new PerfDataException(file, pos, "expected an 8-byte record header, only " + left
              + " bytes remain before " + endWhat());
        }
        ByteBuffer h = view(pos, 8);
        int type = h.getInt(0);
        int misc = Short.toUnsignedInt(h.getShort(4));
        int size = Short.toUnsignedInt(h.getShort(6));
        if (size < 8) {
          throw new PerfDataException(file, pos, "record size " + size + " is smaller than the 8-byte header");
        }
        if (size > left) {
          throw new PerfDataException(file, pos, "PERF_RECORD_" + RecordCatalogue.name(type) + " of " + size
              + " bytes runs past " + endWhat() + " at byte " + dataEnd + " (" + left + " bytes left)");
        }
        ByteBuffer rec = view(pos, size);
        if (type == PerfRecord.COMPRESSED) {
          if (zstd == null) {
            zstd = new ZstdRecords(file);
          }
          for (ByteBuffer inner : zstd.expand(rec.slice(8, size - 8), pos)) {
            int t = inner.getInt(0);
            if (t == PerfRecord.AUXTRACE || t == PerfRecord.COMPRESSED) {
              throw new PerfDataException(file, pos, "COMPRESSED record holds a PERF_RECORD_"
                  + RecordCatalogue.name(t) + ", which perf never compresses");
            }
            expanded.add(decode(inner, t, Short.toUnsignedInt(inner.getShort(4)), inner.limit(), pos));
          }
          pos += size;
          continue;
        }
        FileRecord out = decode(rec, type, misc, size, pos);
        long next = pos + size;
        if (out.record() instanceof Auxtrace a) {
          if (a.size() < 0 || a.size() > dataEnd - next) {
            String past = "AUXTRACE data of " + Long.toUnsignedString(a.size()) + " bytes at byte " + next
                + " runs past " + endWhat() + " at byte " + dataEnd;
            long present = (dataEnd - next) & -16L;
            if (cutShortAt < 0 || a.size() < 0 || present == 0) {
              throw new PerfDataException(file, pos + 8, past);
            }
            // a recording cut inside its last AUXTRACE payload: the trace before the cut is
            // trace like any other, so the payload comes back as far as the file holds it (in
            // whole 16-byte frames), and the cursor then says where the file ended
            cutPayload = new PerfDataException(file, pos + 8, past + ": its first " + present
                + " bytes are read");
            pos = dataEnd;
            return new FileRecord(out.offset(), out.size(), out.time(), out.cpu(),
                new Auxtrace(present, a.offset(), a.reference(), a.idx(), a.tid(), a.cpu(),
                    a.dataPosition()));
          }
          next += a.size();
        }
        pos = next;
        return out;
      }
    }

    /** Decodes one whole record ({@code rec}: position 0, limit size) found at file offset {@code pos}. */
    private FileRecord decode(ByteBuffer rec, int type, int misc, int size, long pos) throws PerfDataException {
      String name = RecordCatalogue.name(type);
      long fields = 0;
      long time = -1;
      int cpu = -1;
      if (type < PerfRecord.USER_TYPE_START && type != PerfRecord.SAMPLE) {
        fields = trailerFields(rec, size, pos);
      }
      int trailerSize = SampleId.size(fields);
      if (size - 8 < trailerSize) {
        throw new PerfDataException(file, pos, "PERF_RECORD_" + name + " of " + size
            + " bytes is too small for its " + trailerSize + "-byte sample_id trailer");
      }
      SampleId sid = SampleId.NONE;
      if (fields != 0) {
        rec.position(size - trailerSize);
        sid = SampleId.read(fields, rec);
        time = sid.timeOrUnknown();
        cpu = sid.cpuOrUnknown();
      } else if (type == PerfRecord.SAMPLE) {
        long st = sampleTypeOf(rec, size);
        time = sampleField(rec, size, st, SampleId.TIME);
        long c = sampleField(rec, size, st, SampleId.CPU);
        cpu = c == -1 ? -1 : (int) c;
      }
      ByteBuffer body = rec.slice(8, size - 8 - trailerSize).order(ByteOrder.LITTLE_ENDIAN);
      RecordCodec<?> codec = RecordCatalogue.codec(type);
      PerfRecord r;
      if (codec == null) {
        byte[] all = new byte[size - 8];
        rec.get(8, all);
        r = new PerfRecord.Raw(type, misc, all);
      } else {
        r = codec.decode(misc, body, sid, file, pos + 8);
      }
      return new FileRecord(pos, size, time, cpu, r);
    }

    private String endWhat() {
      return cutShortAt >= 0 ? "the end of the file (recording cut short)" : "the end of the data section";
    }

    /** TIME or CPU of a SAMPLE body, laid out by sample_type; -1 when absent. */
    private long sampleField(ByteBuffer rec, int size, long st, long which) {
      if (st < 0 || (st & which) == 0) {
        return -1;
      }
      int off = 8;
      if ((st & SampleId.IDENTIFIER) != 0) off += 8;
      if ((st & PerfEventAttr.SAMPLE_IP) != 0) off += 8;
      if ((st & SampleId.TID) != 0) off += 8;
      if (which == SampleId.CPU) {
        if ((st & SampleId.TIME) != 0) off += 8;
        if ((st & PerfEventAttr.SAMPLE_ADDR) != 0) off += 8;
        if ((st & SampleId.ID) != 0) off += 8;
        if ((st & SampleId.STREAM_ID) != 0) off += 8;
        return off + 4 <= size ? rec.getInt(off) : -1;
      }
      return off + 8 <= size ? rec.getLong(off) : -1;
    }
  }

  /** A queued record and its arrival number (records expanded from one COMPRESSED share an offset). */
  private record Queued(long seq, FileRecord record) {}

  private static final Comparator<Queued> BY_TIME =
      Comparator.<Queued>comparingLong(q -> q.record().time() ^ Long.MIN_VALUE).thenComparingLong(Queued::seq);

  private static final class TimeOrderCursor implements RecordCursor {
    private final RecordCursor in;
    private final ArrayDeque<FileRecord> ready = new ArrayDeque<>();
    private final PriorityQueue<Queued> queued = new PriorityQueue<>(BY_TIME);
    private long seq;
    private long nextFlush;
    private long maxTime;
    private boolean end;
    private PerfDataException failure;

    TimeOrderCursor(RecordCursor in) {
      this.in = in;
    }

    @Override
    public FileRecord next() throws PerfDataException {
      while (ready.isEmpty()) {
        if (end) {
          if (!queued.isEmpty()) {
            flush(-1);
            continue;
          }
          if (failure != null) {
            throw failure;
          }
          return null;
        }
        FileRecord r;
        try {
          r = in.next();
        } catch (PerfDataException e) {
          failure = e;
          end = true;
          continue;
        }
        if (r == null) {
          end = true;
          continue;
        }
        if (r.record().type() >= PerfRecord.USER_TYPE_START) {
          ready.add(r);
          if (r.record().type() == PerfRecord.FINISHED_ROUND) {
            flush(nextFlush);
            nextFlush = maxTime;
          }
        } else if (r.time() == -1 || r.time() == 0) {
          ready.add(r);
        } else {
          queued.add(new Queued(seq++, r));
          if (Long.compareUnsigned(r.time(), maxTime) > 0) {
            maxTime = r.time();
          }
        }
      }
      return ready.poll();
    }

    /** Moves queued records with time &le; limit (unsigned; -1 = all) to the ready list. */
    private void flush(long limit) {
      while (!queued.isEmpty() && Long.compareUnsigned(queued.peek().record().time(), limit) <= 0) {
        ready.add(queued.poll().record());
      }
    }
  }

  /** A read-only window [start, start+size) of the file, read by positioned reads. */
  private final class SliceChannel implements ReadableByteChannel {
    private long pos;
    private final long end;
    private boolean open = true;

    SliceChannel(long start, long size) {
      this.pos = start;
      this.end = start + size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (pos >= end) {
        return -1;
      }
      int want = (int) Math.min(dst.remaining(), end - pos);
      ByteBuffer d = dst.slice();
      d.limit(want);
      int n = channel.read(d, pos);
      if (n < 0) {
        throw new PerfDataException(file, pos, "AUXTRACE data ends early (expected " + (end - pos) + " more bytes)");
      }
      dst.position(dst.position() + n);
      pos += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
