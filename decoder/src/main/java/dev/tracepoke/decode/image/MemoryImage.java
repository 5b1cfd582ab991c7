package dev.tracepoke.decode.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A sparse, immutable byte image of the traced address space: non-overlapping segments, each a
 * virtual address and its bytes (kcore PT_LOAD segments, snapshot dumps, an ELF's text).
 *
 * <p>The hot read, {@link #read32(long)}, first tries the segment the previous read hit. That
 * remembered index is the only mutable field; it is a plain int that every reader validates
 * before use, so readers on several threads at worst miss the shortcut, never read wrong bytes.
 */
public final class MemoryImage {
  /** A little-endian int of a byte array at any offset, read at once (the block cache's fill). */
  private static final java.lang.invoke.VarHandle LE32 = java.lang.invoke.MethodHandles
      .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** Returned by {@link #read32(long)} when any of the four bytes is not in the image. */
  public static final long NOT_MAPPED = -1L;

  /**
   * One piece of the image.
   *
   * @param vaddr virtual address of {@code bytes[0]}
   * @param bytes the content (not copied; callers hand over ownership)
   */
  public record Segment(long vaddr, byte[] bytes) {
    public Segment {
      if (bytes.length == 0) {
        throw new IllegalArgumentException(String.format("empty segment at 0x%x", vaddr));
      }
      if (Long.compareUnsigned(vaddr + bytes.length - 1, vaddr) < 0) {
        throw new IllegalArgumentException(String.format("segment at 0x%x wraps the address space", vaddr));
      }
    }

    /** Address one past the last byte (may be 0 for a segment ending at the top of memory). */
    public long end() {
      return vaddr + bytes.length;
    }
  }

  private final long[] starts; // sorted unsigned
  private final long[] lasts; // inclusive last address, so a segment at the top still compares
  private final byte[][] data;
  private int lastHit;

  private MemoryImage(long[] starts, long[] lasts, byte[][] data) {
    this.starts = starts;
    this.lasts = lasts;
    this.data = data;
  }

  /** An image of no bytes. */
  public static MemoryImage empty() {
    return new MemoryImage(new long[0], new long[0], new byte[0][]);
  }

  /**
   * Builds an image from segments in any order.
   *
   * @throws IllegalArgumentException if two segments overlap (naming both)
   */
  public static MemoryImage of(List<Segment> segments) {
    List<Segment> sorted = new ArrayList<>(segments);
    sorted.sort(Comparator.comparing(Segment::vaddr, Long::compareUnsigned));
    int n = sorted.size();
    long[] starts = new long[n];
    long[] lasts = new long[n];
    byte[][] data = new byte[n][];
    for (int i = 0; i < n; i++) {
      Segment s = sorted.get(i);
      starts[i] = s.vaddr();
      lasts[i] = s.vaddr() + s.bytes().length - 1;
      data[i] = s.bytes();
      if (i > 0 && Long.compareUnsigned(starts[i], lasts[i - 1]) <= 0) {
        throw new IllegalArgumentException(
            String.format(
                "segment [0x%x, 0x%x] overlaps segment [0x%x, 0x%x]",
                starts[i], lasts[i], starts[i - 1], lasts[i - 1]));
      }
    }
    return new MemoryImage(starts, lasts, data);
  }

  /** Number of segments. */
  public int segmentCount() {
    return starts.length;
  }

  /** The segments, in address order (the byte arrays are shared, not copied). */
  public List<Segment> segments() {
    List<Segment> out = new ArrayList<>(starts.length);
    for (int i = 0; i < starts.length; i++) {
      out.add(new Segment(starts[i], data[i]));
    }
    return out;
  }

  /** Index of the segment holding {@code addr}, or -1. */
  private int find(long addr) {
    int h = lastHit;
    if (h < starts.length
        && Long.compareUnsigned(addr, starts[h]) >= 0
        && Long.compareUnsigned(addr, lasts[h]) <= 0) {
      return h;
    }
    int lo = 0;
    int hi = starts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(addr, starts[mid]) < 0) {
        hi = mid - 1;
      } else if (Long.compareUnsigned(addr, lasts[mid]) > 0) {
        lo = mid + 1;
      } else {
        lastHit = mid;
        return mid;
      }
    }
    return -1;
  }

  /** True when the byte at {@code addr} is in the image. */
  public boolean isMapped(long addr) {
    return find(addr) >= 0;
  }

  /** True when all four bytes of the word at {@code addr} are in the image. */
  public boolean isWordMapped(long addr) {
    return read32(addr) != NOT_MAPPED;
  }

  /**
   * The little-endian 32-bit word at {@code addr}, zero-extended, or {@link #NOT_MAPPED}. Words
   * that straddle two adjacent segments are read byte by byte.
   */
  public long read32(long addr) {
    int i = find(addr);
    if (i < 0) {
      return NOT_MAPPED;
    }
    long off = addr - starts[i];
    byte[] d = data[i];
    if (off + 4 <= d.length) {
      return (int) LE32.get(d, (int) off) & 0xFFFFFFFFL;
    }
    long w = 0;
    for (int b = 0; b < 4; b++) {
      int v = readByte(addr + b);
      if (v < 0) {
        return NOT_MAPPED;
      }
      w |= (long) v << (8 * b);
    }
    return w;
  }

  /** The byte at {@code addr} (0..255), or -1 when it is not in the image. */
  public int readByte(long addr) {
    int i = find(addr);
    return i < 0 ? -1 : data[i][(int) (addr - starts[i])] & 0xFF;
  }

  /**
   * The word at {@code addr} for callers outside the hot loop.
   *
   * @throws IllegalArgumentException naming the address when it is not mapped
   */
  public int word(long addr) {
    long w = read32(addr);
    if (w == NOT_MAPPED) {
      throw new IllegalArgumentException(String.format("no image bytes at 0x%x", addr));
    }
    return (int) w;
  }
}
