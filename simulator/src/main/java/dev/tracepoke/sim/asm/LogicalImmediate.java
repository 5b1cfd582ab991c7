package dev.tracepoke.sim.asm;

/**
 * The A64 bitmask immediate: a run of ones rotated within an element of 2..64 bits, replicated to
 * the register width. Encodes a value into N:immr:imms and decodes it back (DecodeBitMasks).
 */
public final class LogicalImmediate {
  private LogicalImmediate() {}

  private static long ones(int n) {
    return n == 64 ? -1L : (1L << n) - 1;
  }

  private static long rotateRight(long v, int r, int size) {
    if (r == 0) {
      return v;
    }
    long mask = ones(size);
    return ((v >>> r) | (v << (size - r))) & mask;
  }

  /**
   * The 13-bit N:immr:imms field for {@code value} at register width {@code width} (32 or 64).
   *
   * @throws IllegalArgumentException when the value is not a bitmask immediate
   */
  public static int encode(long value, int width) {
    if (width == 32) {
      if ((value >>> 32) != 0 && (value >>> 32) != 0xffffffffL) {
        throw new IllegalArgumentException(String.format("0x%x is not a 32-bit value", value));
      }
      value &= 0xffffffffL;
      value |= value << 32;
    } else if (width != 64) {
      throw new IllegalArgumentException("width " + width + " is not 32 or 64");
    }
    for (int size = 2; size <= width; size <<= 1) {
      long elem = value & ones(size);
      boolean replicated = true;
      for (int i = size; i < 64; i += size) {
        if (((value >>> i) & ones(size)) != elem) {
          replicated = false;
          break;
        }
      }
      if (!replicated) {
        continue;
      }
      int count = Long.bitCount(elem);
      if (count == 0 || count == size) {
        break;
      }
      long run = ones(count);
      for (int r = 0; r < size; r++) {
        if (rotateRight(run, r, size) == elem) {
          int n = size == 64 ? 1 : 0;
          int imms = ((~(size * 2 - 1)) & 0x3f) | (count - 1);
          return n << 12 | r << 6 | imms;
        }
      }
      break;
    }
    throw new IllegalArgumentException(String.format("0x%x is not a %d-bit bitmask immediate", value, width));
  }

  /**
   * DecodeBitMasks(N, imms, immr) for the logical-immediate case: the replicated wmask, or
   * {@code null}-free failure signalled by throwing when the encoding is reserved.
   *
   * @throws IllegalArgumentException for reserved encodings
   */
  public static long decode(int n, int immr, int imms, int width) {
    int combined = (n << 6) | (~imms & 0x3f);
    if (combined == 0) {
      throw new IllegalArgumentException("reserved bitmask encoding");
    }
    int len = 31 - Integer.numberOfLeadingZeros(combined);
    if (len < 1 || (width == 32 && n == 1)) {
      throw new IllegalArgumentException("reserved bitmask encoding");
    }
    int levels = (1 << len) - 1;
    int s = imms & levels;
    int r = immr & levels;
    if (s == levels) {
      throw new IllegalArgumentException("reserved bitmask encoding (all ones)");
    }
    int esize = 1 << len;
    long elem = rotateRight(ones(s + 1), r, esize);
    long result = 0;
    for (int i = 0; i < 64; i += esize) {
      result |= elem << i;
    }
    return width == 32 ? result & 0xffffffffL : result;
  }
}
