package dev.tracepoke.sim.machine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Sparse guest memory: a handful of non-overlapping regions (text, data, stacks). */
public final class Memory {
  private final List<Region> regions = new ArrayList<>();
  private Region[] lookup = new Region[0];

  /** Maps a new zero-filled region. */
  public Region map(String name, long base, int size, boolean executable) {
    Region r = new Region(name, base, size, executable);
    for (Region o : regions) {
      if (r.base < o.end && o.base < r.end) {
        throw new IllegalArgumentException("region " + r + " overlaps " + o);
      }
    }
    regions.add(r);
    lookup = regions.toArray(new Region[0]);
    return r;
  }

  public List<Region> regions() {
    return Collections.unmodifiableList(regions);
  }

  /** The region holding [addr, addr+size), or null. */
  public Region find(long addr, int size) {
    for (Region r : lookup) {
      if (r.contains(addr, size)) {
        return r;
      }
    }
    return null;
  }

  private Region need(long addr, int size) {
    Region r = find(addr, size);
    if (r == null) {
      throw new IllegalArgumentException(String.format("no region maps [0x%x, 0x%x)", addr, addr + size));
    }
    return r;
  }

  /**
   * Host-side load (no text-write tracking): for setting up images before a run.
   *
   * @throws IllegalStateException when it overlaps a registered or already patched text word
   */
  public void load(long addr, byte[] bytes) {
    Region r = need(addr, bytes.length);
    System.arraycopy(bytes, 0, r.data, (int) (addr - r.base), bytes.length);
    if (r.executable) {
      int first = (int) ((addr - r.base) >>> 2);
      int last = (int) ((addr + bytes.length - 1 - r.base) >>> 2);
      for (int i = first; i <= last; i++) {
        if (r.ops[i] == Op.WATCHED) {
          // a watched word's history starts from the word it held when it was registered
          throw new IllegalStateException(String.format(
              "host load over patch site 0x%x in %s: load images before registering sites", r.base + 4L * i, r));
        }
      }
      java.util.Arrays.fill(r.ops, first, last + 1, Op.UNDECODED);
    }
  }

  /** Host-side load of instruction words at {@code addr}. */
  public void loadWords(long addr, int[] words) {
    byte[] b = new byte[words.length * 4];
    for (int i = 0; i < words.length; i++) {
      b[4 * i] = (byte) words[i];
      b[4 * i + 1] = (byte) (words[i] >>> 8);
      b[4 * i + 2] = (byte) (words[i] >>> 16);
      b[4 * i + 3] = (byte) (words[i] >>> 24);
    }
    load(addr, b);
  }

  public long read64(long addr) {
    return need(addr, 8).read(addr, 3);
  }

  public int read32(long addr) {
    return (int) need(addr, 4).read(addr, 2);
  }

  public int read8(long addr) {
    return (int) need(addr, 1).read(addr, 0);
  }

  /** Host-side store into a data region (text goes through {@link #load} or a guest store). */
  public void write64(long addr, long value) {
    Region r = need(addr, 8);
    if (r.executable) {
      throw new IllegalArgumentException("host write64 into text region " + r + ": use load()");
    }
    r.write(addr, 3, value);
  }
}
