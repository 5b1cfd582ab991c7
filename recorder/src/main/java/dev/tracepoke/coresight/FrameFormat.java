package dev.tracepoke.coresight;

/**
 * Constants of the CoreSight trace formatter's 16-byte frame (CoreSight Architecture, "Trace
 * Formatter"): bytes 0, 2, ..., 14 hold an ID (bit 0 = 1) or data whose bit 0 lives in byte 15;
 * odd bytes 1..13 are always data; byte 15 holds the auxiliary bits.
 */
public final class FrameFormat {
  /** Bytes in one formatter frame. */
  public static final int FRAME_SIZE = 16;
  /** The null source: padding at the end of a buffer. */
  public static final int NULL_ID = 0x00;
  /** Highest trace ID a trace source may use; 0x70..0x7F are reserved. */
  public static final int MAX_SOURCE_ID = 0x6F;
  /** A frame synchronisation word as it lies in memory: FF FF FF 7F (0x7FFFFFFF little endian). */
  public static final int FSYNC_LE = 0x7FFF_FFFF;
  /** A half-word synchronisation as it lies in memory: FF 7F. */
  public static final int HSYNC_LE = 0x7FFF;

  private FrameFormat() {}

  /** True for IDs a trace source may carry (0x01..0x6F). */
  public static boolean isSourceId(int id) {
    return id >= 1 && id <= MAX_SOURCE_ID;
  }

  /** True for the reserved IDs 0x70..0x7F (trigger, flush response and others). */
  public static boolean isReservedId(int id) {
    return id > MAX_SOURCE_ID && id <= 0x7F;
  }
}
