package dev.tracepoke.decode.image;

import java.util.Arrays;

/**
 * One text-poke record as the decoder needs it (independent of the perf reader).
 *
 * @param time perf time of the record (ns)
 * @param address first patched byte
 * @param oldBytes the bytes before the write
 * @param newBytes the bytes after it (same length)
 * @param kind LANDED, PRE or POST
 * @param cpu the core that wrote the record (perf's sample_id cpu; -1 when not recorded)
 */
public record TextPoke(long time, long address, byte[] oldBytes, byte[] newBytes, PokeKind kind, int cpu) {
  public TextPoke {
    if (oldBytes.length != newBytes.length || newBytes.length == 0) {
      throw new IllegalArgumentException(
          String.format(
              "text poke at 0x%x (time %d): old length %d, new length %d; expected equal and > 0",
              address, time, oldBytes.length, newBytes.length));
    }
  }

  /** A record whose writer is not known. */
  public TextPoke(long time, long address, byte[] oldBytes, byte[] newBytes, PokeKind kind) {
    this(time, address, oldBytes, newBytes, kind, -1);
  }

  /** True when {@code other} patches the same bytes from the same old to the same new content. */
  public boolean sameWrite(TextPoke other) {
    return address == other.address
        && Arrays.equals(oldBytes, other.oldBytes)
        && Arrays.equals(newBytes, other.newBytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TextPoke p && time == p.time && kind == p.kind && sameWrite(p);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(time) * 31 + Long.hashCode(address) * 7 + Arrays.hashCode(newBytes);
  }

  @Override
  public String toString() {
    return String.format("TextPoke[%s t=%d 0x%x %s -> %s]", kind, time, address,
        hex(oldBytes), hex(newBytes));
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x & 0xFF));
    }
    return s.toString();
  }
}
