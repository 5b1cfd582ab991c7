package dev.tracepoke.sim.machine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One mapped range of guest memory (little endian). An executable region also holds the
 * predecoded form of each of its words; writes to it go through the machine's text-write path.
 */
public final class Region {
  private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private final String name;
  final long base;
  final long end;
  final byte[] data;
  final boolean executable;
  final int[] ops;
  final long[] as;
  final long[] bs;

  Region(String name, long base, int size, boolean executable) {
    if (size <= 0 || (size & 3) != 0) {
      throw new IllegalArgumentException("region " + name + ": size " + size + " is not a positive multiple of 4");
    }
    if ((base & 3) != 0) {
      throw new IllegalArgumentException(String.format("region %s: base 0x%x is not 4-byte aligned", name, base));
    }
    this.name = name;
    this.base = base;
    this.end = base + size;
    this.data = new byte[size];
    this.executable = executable;
    int words = executable ? size / 4 : 0;
    this.ops = new int[words];
    this.as = new long[words];
    this.bs = new long[words];
  }

  public String name() {
    return name;
  }

  public long base() {
    return base;
  }

  public long size() {
    return end - base;
  }

  public boolean executable() {
    return executable;
  }

  boolean contains(long addr, int size) {
    return addr >= base && addr + size <= end && addr + size > addr;
  }

  long read(long addr, int log2size) {
    int off = (int) (addr - base);
    return switch (log2size) {
      case 0 -> data[off] & 0xFFL;
      case 1 -> (short) I16.get(data, off) & 0xFFFFL;
      case 2 -> (int) I32.get(data, off) & 0xFFFFFFFFL;
      default -> (long) I64.get(data, off);
    };
  }

  void write(long addr, int log2size, long value) {
    int off = (int) (addr - base);
    switch (log2size) {
      case 0 -> data[off] = (byte) value;
      case 1 -> I16.set(data, off, (short) value);
      case 2 -> I32.set(data, off, (int) value);
      default -> I64.set(data, off, value);
    }
  }

  int word(long addr) {
    return (int) I32.get(data, (int) (addr - base));
  }

  @Override
  public String toString() {
    return String.format("%s[0x%x, 0x%x)%s", name, base, end, executable ? " x" : "");
  }
}
