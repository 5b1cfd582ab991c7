package dev.tracepoke.coresight;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Splits CoreSight formatted trace (16-byte frames) back into per-trace-ID byte runs. Push style:
 * feed any number of bytes with {@link #push}, call {@link #finish()} at the end; or pull style with
 * {@link #deformat(InputStream, Set, Sink, String)}. Nothing is allocated per byte or per frame.
 *
 * <p>Input modes follow OpenCSD's deformatter flags: memory-aligned frames (ETR/ETB dumps, what perf
 * records; the default), optionally treating a frame of four FSYNC words as a decoder reset
 * ({@link Option#RESET_ON_4X_FSYNC}, perf's setting); or a TPIU-style stream with FSYNC words between
 * frames ({@link Option#FSYNCS}, synchronising on the first FSYNC) and/or HSYNC half-words inside
 * frames ({@link Option#HSYNCS}).
 *
 * <p>Bytes of the null ID 0x00, of reserved IDs 0x70..0x7F and bytes seen before any ID are not
 * delivered; they are counted in {@link #stats()}. With {@link Option#STRICT_IDS} data for a
 * reserved ID is an error instead.
 */
public final class FrameDeformatter {

  /** Input format options. */
  public enum Option {
    /**
     * FSYNC words (FF FF FF 7F) may come between frames or on a 32-bit boundary inside one (both are
     * dropped); input is not frame aligned until the first.
     */
    FSYNCS,
    /** HSYNC half-words (FF 7F) may appear on any even position inside a frame. */
    HSYNCS,
    /** Memory-aligned input: a frame made of four FSYNC words resets all sources. */
    RESET_ON_4X_FSYNC,
    /** Data attributed to a reserved ID (0x70..0x7F) is an error rather than counted. */
    STRICT_IDS,
    /**
     * A DSTREAM probe's capture: stored in 512-byte blocks whose last 8 bytes are the probe's own
     * footer, not trace; they are dropped (OpenCSD's {@code -dstream_format}), and offsets and
     * indices count the trace bytes only, as the lister's do.
     */
    DSTREAM_FOOTERS
  }

  /** A DSTREAM capture block and the footer at its end. */
  static final int DSTREAM_BLOCK = 512;

  static final int DSTREAM_FOOTER = 8;

  /** Receives the deformatted data. Buffers passed in are reused after the call returns. */
  public interface Sink {
    /**
     * {@code len} bytes of trace source {@code traceId} (0x01..0x6F), in stream order.
     *
     * @param frameOffset byte offset in the formatted input of the frame that held them
     * @param index OpenCSD's index for the run: the frame offset for the first run of a frame,
     *     else the offset of the ID byte that started it (trc_pkt_lister's "Idx" counts from it)
     */
    void data(int traceId, byte[] buf, int off, int len, long frameOffset, long index);

    /** A four-FSYNC barrier at {@code offset}: every source restarts (OpenCSD resets decoders). */
    default void reset(long offset) {}

    /**
     * An ID byte selected reserved trace ID {@code id} (0x70..0x7F): the byte is damaged, and the
     * data after it (until the next ID byte) is lost to whichever source it belonged to, so a
     * decoder of any source must resynchronise. Called once where the reserved ID takes over;
     * {@code message} says so, naming the stream and the offset of the ID byte. A listing that
     * mirrors OpenCSD (which only drops the bytes) may ignore it.
     */
    default void reservedId(int id, long index, String message) {}
  }

  /** Byte counts over the whole input so far. */
  public record Stats(
      long frames,
      long sourceBytes,
      long nullIdBytes,
      long reservedIdBytes,
      long unknownIdBytes,
      long syncBytes,
      long unsyncedBytes,
      long resets) {}

  private static final int FRAME = FrameFormat.FRAME_SIZE;

  private final boolean fsyncs;
  private final boolean hsyncs;
  private final boolean resetOn4x;
  private final boolean strictIds;
  private final boolean footers;
  private final Sink sink;
  private final String source;

  private final byte[] frame = new byte[FRAME];
  private int frameFill;
  /** Input offset of the first byte of the frame being collected. */
  private long frameStart;
  /** Raw bytes not yet classified (FSYNC/HSYNC detection needs up to 4). */
  private final byte[] unit = new byte[4];
  private int unitFill;
  private long offset;
  private boolean synced;
  /** Consecutive FSYNC bytes matched while searching for the first FSYNC. */
  private int searchMatch;
  private int currentId = -1;

  // runs of the frame being unpacked: at most 8 (one per ID byte) plus the run before the first
  private final byte[] runData = new byte[FRAME];
  private final int[] runId = new int[9];
  private final int[] runStart = new int[9];
  private final int[] runIndex = new int[9];
  private int runs;

  private long frames;
  private long sourceBytes;
  private long nullBytes;
  private long reservedBytes;
  private long unknownBytes;
  private long syncBytes;
  private long unsyncedBytes;
  private long resets;
  /** The reserved ID last reported, so a run of frames under one damaged ID is reported once. */
  private int reportedReserved = -1;
  /** FSYNC words dropped from inside a frame. */
  private long midFrameSyncs;
  /** Bytes of a cut last frame of a TPIU capture, dropped at {@link #finish()}. */
  private int trailingBytes;
  /** Input bytes read, DSTREAM footers included. */
  private long rawOffset;
  private long footerBytes;

  /**
   * @param options input format; FSYNCS/HSYNCS cannot be combined with RESET_ON_4X_FSYNC
   * @param sink receives the per-ID runs
   * @param source name used in error messages (usually the file)
   */
  public FrameDeformatter(Set<Option> options, Sink sink, String source) {
    Set<Option> o = options.isEmpty() ? EnumSet.noneOf(Option.class) : EnumSet.copyOf(options);
    this.fsyncs = o.contains(Option.FSYNCS);
    this.hsyncs = o.contains(Option.HSYNCS);
    this.resetOn4x = o.contains(Option.RESET_ON_4X_FSYNC);
    this.strictIds = o.contains(Option.STRICT_IDS);
    this.footers = o.contains(Option.DSTREAM_FOOTERS);
    if (resetOn4x && (fsyncs || hsyncs)) {
      throw new IllegalArgumentException("RESET_ON_4X_FSYNC applies to memory-aligned input only");
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    this.source = Objects.requireNonNull(source, "source");
    this.synced = !fsyncs; // like OpenCSD: without FSYNCs the input is taken as frame aligned
  }

  /**
   * Reads {@code in} to its end and deformats it.
   *
   * @throws FrameFormatException on a frame-rule violation, naming {@code source} and the offset
   */
  public static Stats deformat(InputStream in, Set<Option> options, Sink sink, String source)
      throws IOException {
    FrameDeformatter d = new FrameDeformatter(options, sink, source);
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      d.push(buf, 0, n);
    }
    d.finish();
    return d.stats();
  }

  /** Consumes formatted bytes; runs complete frames and passes their data to the sink. */
  public void push(byte[] buf, int off, int len) {
    Objects.checkFromIndexSize(off, len, buf.length);
    if (!fsyncs && !hsyncs && !footers) {
      pushAligned(buf, off, len);
      return;
    }
    for (int i = off, end = off + len; i < end; i++) {
      int b = buf[i] & 0xFF;
      if (footers && rawOffset++ % DSTREAM_BLOCK >= DSTREAM_BLOCK - DSTREAM_FOOTER) {
        footerBytes++;
        continue;
      }
      if (!synced) {
        searchFsync(b);
      } else {
        unit[unitFill++] = (byte) b;
        if (unitFill == unitNeeded()) {
          consumeUnit();
        }
      }
      offset++;
    }
  }

  /**
   * Declares the end of input.
   *
   * @throws FrameFormatException if memory-aligned input ends inside a frame (a TPIU capture with
   *     FSYNCs or HSYNCs may end anywhere: its cut last frame is dropped, see {@link #trailingBytes})
   */
  public void finish() {
    if (!synced) {
      // no FSYNC anywhere: every byte was skipped, and the stats must say so
      unsyncedBytes = offset;
    }
    if ((fsyncs || hsyncs) && (frameFill != 0 || unitFill != 0)) {
      // a TPIU capture stops wherever the probe stopped: its last frame may be cut
      trailingBytes = frameFill + unitFill;
      frameFill = 0;
      unitFill = 0;
      return;
    }
    if (frameFill != 0 || unitFill != 0) {
      throw new FrameFormatException(
          source,
          inputOffset(offset),
          "input ends inside a frame ("
              + (frameFill + unitFill)
              + " bytes of a 16-byte frame); expected a whole number of frames");
    }
  }

  /** Counts so far. */
  public Stats stats() {
    return new Stats(
        frames,
        sourceBytes,
        nullBytes,
        reservedBytes,
        unknownBytes,
        syncBytes,
        unsyncedBytes,
        resets);
  }

  /** FSYNC words found (and dropped) inside frames rather than between them. */
  public long midFrameSyncs() {
    return midFrameSyncs;
  }

  /** Bytes of a TPIU capture's last frame that the capture cut (dropped by {@link #finish()}). */
  public int trailingBytes() {
    return trailingBytes;
  }

  /** Bytes consumed so far (DSTREAM footers not counted). */
  public long offset() {
    return offset;
  }

  /** DSTREAM footer bytes dropped so far. */
  public long footerBytes() {
    return footerBytes;
  }

  /** Where trace byte {@code o} (as {@link #offset()} counts) lies in the input file. */
  public long inputOffset(long o) {
    return footers ? o + o / (DSTREAM_BLOCK - DSTREAM_FOOTER) * DSTREAM_FOOTER : o;
  }

  // ---- memory-aligned input

  private void pushAligned(byte[] buf, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      if (frameFill == 0 && end - i >= FRAME) {
        // whole frame straight from the caller's buffer
        frameStart = offset;
        System.arraycopy(buf, i, frame, 0, FRAME);
        i += FRAME;
        offset += FRAME;
        alignedFrame();
      } else {
        int n = Math.min(FRAME - frameFill, end - i);
        if (frameFill == 0) {
          frameStart = offset;
        }
        System.arraycopy(buf, i, frame, frameFill, n);
        frameFill += n;
        i += n;
        offset += n;
        if (frameFill == FRAME) {
          frameFill = 0;
          alignedFrame();
        }
      }
    }
  }

  private void alignedFrame() {
    if (resetOn4x) {
      int words = 0;
      while (words < 4 && le32(frame, 4 * words) == FrameFormat.FSYNC_LE) {
        words++;
      }
      if (words == 4) {
        syncBytes += FRAME;
        resets++;
        currentId = -1;
        sink.reset(frameStart);
        return;
      }
      if (words != 0) {
        throw new FrameFormatException(
            source,
            frameStart,
            words + " FSYNC word(s) at a frame start; expected none or a whole frame of four");
      }
    }
    unpack(frameStart);
  }

  // ---- FSYNC / HSYNC input

  private void searchFsync(int b) {
    // FSYNC = FF FF FF 7F; a partial match of FFs may overlap the real start
    if (b == 0xFF) {
      searchMatch = Math.min(searchMatch + 1, 3);
    } else if (b == 0x7F && searchMatch == 3) {
      unsyncedBytes = offset - 3; // the search runs once, from the start of input
      syncBytes += 4;
      synced = true;
      searchMatch = 0;
    } else {
      searchMatch = 0;
    }
  }

  private int unitNeeded() {
    return frameFill % 4 == 0 ? 4 : 2;
  }

  private void consumeUnit() {
    while (true) {
      long unitStart = offset + 1 - unitFill;
      if (unitFill == 4 && le32(unit, 0) == FrameFormat.FSYNC_LE) {
        if (!fsyncs) {
          throw new FrameFormatException(
              source, inputOffset(unitStart), "FSYNC in a stream configured without FSYNCs");
        }
        // a TPIU inserts its FSYNCs on any 32-bit boundary of its output, inside a frame too
        // (DSTREAM captures show it): drop the word and go on filling the frame
        syncBytes += 4;
        if (frameFill != 0) {
          midFrameSyncs++;
        }
        unitFill = 0;
        return;
      }
      int lo = unit[0] & 0xFF;
      int hi = unit[1] & 0xFF;
      if ((hi << 8 | lo) == FrameFormat.HSYNC_LE) {
        if (!hsyncs) {
          throw new FrameFormatException(
              source, inputOffset(unitStart), "HSYNC in a stream configured without HSYNCs");
        }
        syncBytes += 2;
      } else {
        if (frameFill == 0) {
          frameStart = unitStart;
        }
        frame[frameFill++] = (byte) lo;
        frame[frameFill++] = (byte) hi;
        if (frameFill == FRAME) {
          frameFill = 0;
          unpack(frameStart);
        }
      }
      if (unitFill == 2) {
        unitFill = 0;
        return;
      }
      unit[0] = unit[2];
      unit[1] = unit[3];
      unitFill = 2;
      if (unitNeeded() != 2) {
        return; // at a 4-byte position: wait for two more bytes to test for an FSYNC
      }
    }
  }

  // ---- frame unpacking

  private void unpack(long start) {
    frames++;
    int aux = frame[15] & 0xFF;
    int n = 0;
    runs = 0;
    openRun(currentId, 0, 0);
    for (int i = 0; i < 14; i += 2) {
      int b = frame[i] & 0xFF;
      int auxBit = (aux >> (i >> 1)) & 1;
      boolean oddTaken = false;
      if ((b & 1) != 0) {
        int id = b >> 1;
        if (id != currentId) {
          if (auxBit != 0) {
            runData[n++] = frame[i + 1]; // byte i+1 still belongs to the previous ID
            oddTaken = true;
          }
          currentId = id;
          if (n > runStart[runs - 1]) {
            openRun(id, n, i);
          } else {
            runId[runs - 1] = id;
          }
        }
      } else {
        runData[n++] = (byte) (b | auxBit);
      }
      if (!oddTaken) {
        runData[n++] = frame[i + 1];
      }
    }
    int b14 = frame[14] & 0xFF;
    if ((b14 & 1) != 0) {
      currentId = b14 >> 1; // takes effect with the next frame
    } else {
      runData[n++] = (byte) (b14 | ((aux >> 7) & 1));
    }
    for (int r = 0; r < runs; r++) {
      int from = runStart[r];
      int to = r + 1 < runs ? runStart[r + 1] : n;
      if (to > from) {
        deliver(runId[r], from, to - from, start, start + runIndex[r]);
      }
    }
  }

  private void openRun(int id, int dataStart, int indexInFrame) {
    runId[runs] = id;
    runStart[runs] = dataStart;
    runIndex[runs] = indexInFrame;
    runs++;
  }

  private void deliver(int id, int from, int len, long frameOffset, long index) {
    if (id < 0) {
      unknownBytes += len;
    } else if (id == FrameFormat.NULL_ID) {
      nullBytes += len;
    } else if (FrameFormat.isReservedId(id)) {
      if (strictIds) {
        throw new FrameFormatException(
            source,
            inputOffset(frameOffset),
            len + " data bytes for reserved trace ID 0x" + Integer.toHexString(id)
                + "; expected IDs 0x00..0x6F");
      }
      reservedBytes += len;
      if (id != reportedReserved) {
        reportedReserved = id;
        sink.reservedId(id, index, source + " at byte offset " + inputOffset(index) + ": frame ID byte selects reserved trace ID 0x"
            + Integer.toHexString(id) + ", expected 0x00..0x6F; the data after it is lost to its source, which"
            + " resynchronises at its next A-sync");
      }
    } else {
      reportedReserved = -1;
      sourceBytes += len;
      sink.data(id, runData, from, len, frameOffset, index);
    }
  }

  private static int le32(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
  }
}
