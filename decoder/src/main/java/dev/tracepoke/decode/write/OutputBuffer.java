package dev.tracepoke.decode.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Output bytes gathered in one large array and drained to a channel when full, so the writers format
 * straight into memory (no per-element objects, no encoder) and the channel sees few large writes.
 * The writers fill {@link #buf} at {@link #pos} themselves after {@link #require}; the put methods
 * here are the shared pieces (hex by table, decimal by hand). Not thread safe: one writer owns it.
 */
public final class OutputBuffer {
  /** The size that keeps a pipe or file busy with few system calls. */
  public static final int DEFAULT_SIZE = 1 << 20;

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /** Two hex digits per byte value, so a 64-bit value is eight table copies. */
  private static final byte[] HEX_PAIRS = new byte[512];

  static {
    for (int i = 0; i < 256; i++) {
      HEX_PAIRS[2 * i] = HEX[i >>> 4];
      HEX_PAIRS[2 * i + 1] = HEX[i & 15];
    }
  }

  private final WritableByteChannel out;
  private final String what;
  byte[] buf;
  int pos;
  private long drained;

  /** @param what names the output in errors ("standard output") */
  public OutputBuffer(WritableByteChannel out, int size, String what) {
    this.out = out;
    this.what = what;
    this.buf = new byte[size];
  }

  /** A channel that counts and drops what it is given (benchmarks of the writers). */
  public static WritableByteChannel discarding() {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  /** Makes room for {@code n} more bytes in {@link #buf} at {@link #pos}, draining first if needed. */
  void require(int n) {
    if (pos + n > buf.length) {
      drain();
      if (n > buf.length) {
        buf = new byte[Math.max(n, 2 * buf.length)]; // one line longer than the buffer
      }
    }
  }

  /** Drains what is buffered to the channel. */
  public void flush() {
    drain();
  }

  /** Bytes written so far, drained or not. */
  public long written() {
    return drained + pos;
  }

  private void drain() {
    if (pos == 0) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(buf, 0, pos);
    try {
      while (b.hasRemaining()) {
        out.write(b);
      }
    } catch (IOException e) {
      throw new OutputFailed("writing " + what, e);
    }
    drained += pos;
    pos = 0;
  }

  // ---- formatting into buf at p (callers have required the room); each returns the new position

  /** 16 hex digits, zero padded. */
  static int hex16(byte[] b, int p, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      int i = (int) (v >>> shift) & 0xff;
      b[p] = HEX_PAIRS[2 * i];
      b[p + 1] = HEX_PAIRS[2 * i + 1];
      p += 2;
    }
    return p;
  }

  /** 8 hex digits, zero padded (a 32-bit word, unsigned). */
  static int hex8(byte[] b, int p, int v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      int i = (v >>> shift) & 0xff;
      b[p] = HEX_PAIRS[2 * i];
      b[p + 1] = HEX_PAIRS[2 * i + 1];
      p += 2;
    }
    return p;
  }

  /** Hex without leading zeros ({@link Long#toHexString}). */
  static int hex(byte[] b, int p, long v) {
    int digits = v == 0 ? 1 : (67 - Long.numberOfLeadingZeros(v)) >> 2;
    for (int k = digits - 1; k >= 0; k--) {
      b[p + k] = HEX[(int) v & 15];
      v >>>= 4;
    }
    return p + digits;
  }

  /** Decimal ({@link Long#toString}); at most 20 bytes. */
  static int decimal(byte[] b, int p, long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        return ascii(b, p, "-9223372036854775808");
      }
      b[p++] = '-';
      v = -v;
    }
    int end = p + digits(v);
    int q = end;
    // two digits per division, in int arithmetic once the value fits
    while (v > Integer.MAX_VALUE) {
      long d = v / 100;
      int r = (int) (v - d * 100);
      v = d;
      b[--q] = DIGIT_PAIRS[2 * r + 1];
      b[--q] = DIGIT_PAIRS[2 * r];
    }
    int i = (int) v;
    while (i >= 100) {
      int d = i / 100;
      int r = i - d * 100;
      i = d;
      b[--q] = DIGIT_PAIRS[2 * r + 1];
      b[--q] = DIGIT_PAIRS[2 * r];
    }
    if (i >= 10) {
      b[--q] = DIGIT_PAIRS[2 * i + 1];
      b[--q] = DIGIT_PAIRS[2 * i];
    } else {
      b[--q] = (byte) ('0' + i);
    }
    return end;
  }

  /** Decimal right-aligned in {@code width} columns ({@code %<width>d}), v >= 0. */
  static int decimal(byte[] b, int p, long v, int width, byte fill) {
    for (int k = digits(v); k < width; k++) {
      b[p++] = fill;
    }
    return decimal(b, p, v);
  }

  /** Number of decimal digits of v >= 0. */
  static int digits(long v) {
    int d = 1;
    while (d < 19 && v >= POWERS_OF_TEN[d]) {
      d++;
    }
    return d;
  }

  private static final long[] POWERS_OF_TEN = new long[19];
  /** "00" to "99". */
  private static final byte[] DIGIT_PAIRS = new byte[200];

  static {
    long t = 1;
    for (int i = 0; i < 19; i++) {
      POWERS_OF_TEN[i] = t;
      t *= 10;
    }
    for (int i = 0; i < 100; i++) {
      DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
      DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  static int put(byte[] b, int p, byte[] s) {
    System.arraycopy(s, 0, b, p, s.length);
    return p + s.length;
  }

  /** An ASCII string (constant texts of the formats). */
  static int ascii(byte[] b, int p, String s) {
    for (int i = 0; i < s.length(); i++) {
      b[p++] = (byte) s.charAt(i);
    }
    return p;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
