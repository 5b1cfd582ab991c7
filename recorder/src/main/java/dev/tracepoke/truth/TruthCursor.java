package dev.tracepoke.truth;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Streams the events of one core. {@link #next()} returns a {@link TruthEvent} code and fills the
 * accessors that belong to it; nothing is allocated per event. After END, {@code next()} keeps
 * returning END.
 *
 * <pre>{@code
 * for (int k; (k = c.next()) != TruthEvent.END; ) {
 *   if (k == TruthEvent.RUN) use(c.startPc(), c.count(), c.time());
 * }
 * }</pre>
 */
public final class TruthCursor implements Closeable {
  private final Path file;
  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  /** Event-stream bytes consumed before {@code buf[0]}. */
  private long base;
  /** Event-stream offset of the event being read, for messages. */
  private long eventOffset;
  private long events;
  private boolean ended;

  private long nextPc;
  private long lastTime;

  private long startPc;
  private int count;
  private long time;
  private long pc;
  private int word;
  private boolean newest;
  private int type;
  private long preferredReturn;
  private long vector;
  private int fromEl;
  private int toEl;
  private long target;
  private long fromTime;
  private long toTime;

  TruthCursor(Path file, int core) throws IOException {
    this.file = file;
    if (!Files.isRegularFile(file)) {
      throw new TruthFormatException(file, 0, "expected the event file of core " + core + ", found "
          + (Files.exists(file) ? "a directory" : "no such file"), null);
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      byte[] prefix = raw.readNBytes(TruthLayout.PREFIX);
      if (prefix.length < TruthLayout.PREFIX
          || !Arrays.equals(prefix, 0, TruthLayout.MAGIC.length, TruthLayout.MAGIC, 0,
              TruthLayout.MAGIC.length)) {
        throw new TruthFormatException(file, 0,
            "expected the magic TPTRUTH\\1 and a compressor byte (file offset 0)", null);
      }
      Compression c = Compression.ofId(prefix[TruthLayout.MAGIC.length] & 0xFF);
      if (c == null) {
        throw new TruthFormatException(file, 0,
            "unknown compressor id " + (prefix[TruthLayout.MAGIC.length] & 0xFF)
                + " at file offset 8", null);
      }
      this.in = c.decompress(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      if (e instanceof TruthFormatException t) {
        throw t;
      }
      throw new TruthFormatException(file, 0, "cannot start decompression: " + e, e);
    }
    long stored;
    try {
      stored = varint();
    } catch (IOException e) {
      in.close();
      throw e;
    }
    if (stored != core) {
      in.close();
      throw new TruthFormatException(file, 0, "expected the stream of core " + core
          + ", found core " + stored, null);
    }
  }

  /**
   * Reads the next event.
   *
   * @return its kind, {@link TruthEvent#END} at the end
   * @throws TruthFormatException if the file is truncated or corrupt (naming file and offset)
   */
  public int next() throws IOException {
    if (ended) {
      return TruthEvent.END;
    }
    eventOffset = offset();
    int tag = u8();
    int kind = tag & 0x07;
    if ((tag & ~0x0F) != 0 || ((tag & TruthLayout.NEWEST) != 0 && kind != TruthEvent.PATCH_SITE)) {
      throw corrupt("bad event tag 0x" + Integer.toHexString(tag));
    }
    switch (kind) {
      case TruthEvent.END -> {
        ended = true;
        return TruthEvent.END;
      }
      case TruthEvent.RUN -> {
        startPc = nextPc + signed();
        long n = varint();
        if (n <= 0 || n > Integer.MAX_VALUE) {
          throw corrupt("run count 1.." + Integer.MAX_VALUE + ", found " + n);
        }
        count = (int) n;
        time = readTime();
        nextPc = startPc + 4L * count;
      }
      case TruthEvent.PATCH_SITE -> {
        pc = nextPc + signed();
        word = u8() | u8() << 8 | u8() << 16 | u8() << 24;
        newest = (tag & TruthLayout.NEWEST) != 0;
        time = readTime();
      }
      case TruthEvent.EXCEPTION -> {
        type = (int) varint();
        int els = u8();
        fromEl = els >> 4;
        toEl = els & 0xF;
        preferredReturn = nextPc + signed();
        vector = preferredReturn + signed();
        time = readTime();
        nextPc = vector;
      }
      case TruthEvent.EXCEPTION_RETURN -> {
        toEl = u8();
        pc = nextPc + signed();
        target = pc + signed();
        time = readTime();
        nextPc = target;
      }
      case TruthEvent.UNTRACED -> {
        fromTime = lastTime + signed();
        toTime = fromTime + varint();
      }
      default -> throw corrupt("unknown event kind " + kind);
    }
    events++;
    return kind;
  }

  private TruthFormatException corrupt(String what) {
    return new TruthFormatException(file, eventOffset,
        "event " + events + ": expected a valid event, found " + what, null);
  }

  /** RUN: address of the first instruction. */
  public long startPc() {
    return startPc;
  }

  /** RUN: number of instructions. */
  public int count() {
    return count;
  }

  /** Time (ns of perf time) of RUN, PATCH_SITE, EXCEPTION, EXCEPTION_RETURN. */
  public long time() {
    return time;
  }

  /** PATCH_SITE: the site; EXCEPTION_RETURN: the ERET's address. */
  public long pc() {
    return pc;
  }

  /** PATCH_SITE: the word executed. */
  public int word() {
    return word;
  }

  /** PATCH_SITE: whether that word was the newest written. */
  public boolean newest() {
    return newest;
  }

  /** EXCEPTION: its type code. */
  public int type() {
    return type;
  }

  public long preferredReturn() {
    return preferredReturn;
  }

  public long vector() {
    return vector;
  }

  public int fromEl() {
    return fromEl;
  }

  /** EXCEPTION and EXCEPTION_RETURN: the EL after the event. */
  public int toEl() {
    return toEl;
  }

  /** EXCEPTION_RETURN: where execution continued. */
  public long target() {
    return target;
  }

  /** UNTRACED: start of the stretch. */
  public long fromTime() {
    return fromTime;
  }

  /** UNTRACED: end of the stretch. */
  public long toTime() {
    return toTime;
  }

  /** Events returned so far (END not counted). */
  public long events() {
    return events;
  }

  /** Bytes of the decompressed event stream consumed so far. */
  public long offset() {
    return base + pos;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private long readTime() throws IOException {
    lastTime += signed();
    return lastTime;
  }

  private long signed() throws IOException {
    long v = varint();
    return (v >>> 1) ^ -(v & 1);
  }

  private long varint() throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw corrupt("a varint longer than 10 bytes");
  }

  private int u8() throws IOException {
    if (pos == lim && !fill()) {
      throw new TruthFormatException(file, offset(),
          "truncated after " + events + " events; expected more event bytes or END", null);
    }
    return buf[pos++] & 0xFF;
  }

  private boolean fill() throws IOException {
    base += lim;
    pos = 0;
    lim = 0;
    int n;
    try {
      n = in.read(buf, 0, buf.length);
    } catch (IOException e) {
      throw new TruthFormatException(file, base,
          "truncated or corrupt compressed data after " + events + " events (" + e.getMessage() + ")",
          e);
    }
    if (n <= 0) {
      return false;
    }
    lim = n;
    return true;
  }
}
