package dev.tracepoke.sim.etm;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/** A growable byte array the trace unit writes its stream into; grows by doubling, never per byte. */
public final class TraceBuffer {
  private byte[] bytes;
  private int size;

  public TraceBuffer(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  public void put(int b) {
    if (size == bytes.length) {
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
    }
    bytes[size++] = (byte) b;
  }

  public int size() {
    return size;
  }

  public int get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("byte " + index + " of a " + size + "-byte trace");
    }
    return bytes[index] & 0xFF;
  }

  /** A copy of the bytes written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, size);
  }
}
