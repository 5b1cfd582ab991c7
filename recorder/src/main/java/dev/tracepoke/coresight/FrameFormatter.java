package dev.tracepoke.coresight;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Interleaves the byte streams of several trace sources into CoreSight 16-byte formatter frames,
 * as an ETB/ETR sink stores them in memory.
 *
 * <p>An ID byte is written only when the source changes. A change can only be announced on an even
 * slot, so the formatter holds back the last byte of each source until it knows what follows: when
 * that byte would land on an even slot and a different source follows, it writes the new ID there
 * with the auxiliary bit set ("next byte still belongs to the previous ID") and the held byte in the
 * odd slot — exactly what real Juno ETR buffers show. {@link #pad(int)} ends the stream with the
 * null ID 0x00 followed by zero bytes, and may add whole padding frames (perf 6.1 needs at least
 * one after the last trace byte, see perf-data-cs-etm.md §4.3).
 *
 * <p>Memory-aligned output (ETR/ETB, what perf records) is the default. A TPIU-style stream with
 * periodic FSYNC words and HSYNC half-words can be produced for testing deformatters; the reset
 * barrier (four FSYNC words, one frame) is what Linux drivers insert between blocks.
 *
 * <p>Not thread safe. Errors of the output stream surface as {@link UncheckedIOException}.
 */
public final class FrameFormatter {
  private final OutputStream out;
  private final int fsyncEveryFrames;
  private final int hsyncEveryFrames;
  private final byte[] frame = new byte[FrameFormat.FRAME_SIZE];
  /** FF FF FF 7F: an FSYNC word; its last two bytes are an HSYNC (FF 7F). */
  private final byte[] sync = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
  private int aux;
  /** Next slot to fill, 0..14; always even when a source change is due. */
  private int slot;
  /** ID a deformatter would attribute the next data byte to; -1 before any ID. */
  private int currentId = -1;
  private int heldId = -1;
  private int heldByte;
  private long frames;
  private long bytesOut;

  /** A formatter writing memory-aligned frames (no FSYNC/HSYNC), as ETR/ETB sinks do. */
  public FrameFormatter(OutputStream out) {
    this(out, 0, 0);
  }

  /**
   * A TPIU-style formatter: an FSYNC word before every {@code fsyncEveryFrames}-th frame (starting
   * with the first, so a reader can synchronise) and an HSYNC half-word in the middle of every
   * {@code hsyncEveryFrames}-th frame; 0 disables either.
   */
  public FrameFormatter(OutputStream out, int fsyncEveryFrames, int hsyncEveryFrames) {
    this.out = Objects.requireNonNull(out, "out");
    if (fsyncEveryFrames < 0 || hsyncEveryFrames < 0) {
      throw new IllegalArgumentException("sync periods must be >= 0");
    }
    this.fsyncEveryFrames = fsyncEveryFrames;
    this.hsyncEveryFrames = hsyncEveryFrames;
  }

  /** Appends {@code len} bytes of trace source {@code traceId} (0x01..0x6F). */
  public void write(int traceId, byte[] data, int off, int len) {
    if (!FrameFormat.isSourceId(traceId)) {
      throw new IllegalArgumentException(
          "trace ID 0x" + Integer.toHexString(traceId) + " outside 0x01..0x6F");
    }
    Objects.checkFromIndexSize(off, len, data.length);
    for (int i = off, end = off + len; i < end; i++) {
      if (heldId >= 0) {
        place(heldId, heldByte, traceId);
      }
      heldId = traceId;
      heldByte = data[i] & 0xFF;
    }
  }

  /** Appends all of {@code data} for trace source {@code traceId}. */
  public void write(int traceId, byte[] data) {
    write(traceId, data, 0, data.length);
  }

  /**
   * Completes the current frame with the null ID and zero bytes, then appends {@code extraFrames}
   * whole padding frames. Afterwards the output is frame aligned; writing may continue.
   */
  public void pad(int extraFrames) {
    if (extraFrames < 0) {
      throw new IllegalArgumentException("extraFrames < 0");
    }
    if (heldId >= 0) {
      place(heldId, heldByte, FrameFormat.NULL_ID);
      heldId = -1;
    }
    if (slot != 0) {
      fillWithNull();
    }
    for (int i = 0; i < extraFrames; i++) {
      fillWithNull();
    }
  }

  /**
   * Pads to a frame boundary and writes one frame of four FSYNC words, which makes OpenCSD (with
   * its reset-on-4×FSYNC flag, as perf configures it) reset every decoder. Memory-aligned only.
   */
  public void resetBarrier() {
    if (fsyncEveryFrames != 0 || hsyncEveryFrames != 0) {
      throw new IllegalStateException("reset barrier only exists in memory-aligned output");
    }
    pad(0);
    for (int i = 0; i < 4; i++) {
      frame[4 * i] = (byte) 0xFF;
      frame[4 * i + 1] = (byte) 0xFF;
      frame[4 * i + 2] = (byte) 0xFF;
      frame[4 * i + 3] = (byte) 0x7F;
    }
    emit(frame, 0, FrameFormat.FRAME_SIZE);
    currentId = -1; // the reader forgets the current ID at a reset
  }

  /** Bytes written to the output so far (frames plus any FSYNC/HSYNC). */
  public long bytesWritten() {
    return bytesOut;
  }

  /** Formatter frames written so far (reset barriers not counted). */
  public long framesWritten() {
    return frames;
  }

  private void place(int id, int value, int nextId) {
    if (id != currentId) {
      // slot is even here: announce the new source, its byte follows in the odd slot
      frame[slot] = (byte) ((id << 1) | 1);
      currentId = id;
      if (slot == 14) {
        completeFrame(); // an ID in byte 14 takes effect for the next frame
      } else {
        frame[slot + 1] = (byte) value;
        slot += 2;
        return;
      }
    }
    if ((slot & 1) != 0) {
      frame[slot++] = (byte) value;
    } else if (slot == 14) {
      putEvenData(14, value);
      completeFrame();
    } else if (nextId != id) {
      // last byte of this source on an even slot: switch now, keep the byte for the old ID
      frame[slot] = (byte) ((nextId << 1) | 1);
      aux |= 1 << (slot >> 1);
      frame[slot + 1] = (byte) value;
      currentId = nextId;
      slot += 2;
    } else {
      putEvenData(slot, value);
      slot++;
    }
  }

  private void putEvenData(int s, int value) {
    frame[s] = (byte) (value & 0xFE);
    aux |= (value & 1) << (s >> 1);
  }

  /** Fills the rest of the current frame (slot is even, or 0) with null-ID padding. */
  private void fillWithNull() {
    if (currentId != FrameFormat.NULL_ID) {
      frame[slot++] = (byte) ((FrameFormat.NULL_ID << 1) | 1);
      currentId = FrameFormat.NULL_ID;
    }
    while (slot < 15) {
      frame[slot++] = 0;
    }
    completeFrame();
  }

  private void completeFrame() {
    frame[15] = (byte) aux;
    if (fsyncEveryFrames != 0 && frames % fsyncEveryFrames == 0) {
      emit(sync, 0, 4);
    }
    if (hsyncEveryFrames != 0 && frames % hsyncEveryFrames == hsyncEveryFrames - 1) {
      emit(frame, 0, 8);
      emit(sync, 2, 2);
      emit(frame, 8, 8);
    } else {
      emit(frame, 0, FrameFormat.FRAME_SIZE);
    }
    frames++;
    aux = 0;
    slot = 0;
  }

  private void emit(byte[] b, int off, int len) {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytesOut += len;
  }
}
