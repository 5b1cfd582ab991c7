package dev.tracepoke.elf;

/**
 * One PT_LOAD segment: {@code memSize} bytes at virtual address {@code vaddr}, of which the first
 * {@code fileSize} come from the file at {@code fileOffset} and the rest read as zero. Read its
 * bytes through the {@link ElfImage} it came from.
 */
public record Segment(long vaddr, long memSize, long fileOffset, long fileSize, int flags) {

  /** First address after the segment (unsigned arithmetic; kernel addresses are "negative"). */
  public long end() {
    return vaddr + memSize;
  }

  /** True if {@code address} lies inside the segment (unsigned comparison). */
  public boolean contains(long address) {
    return Long.compareUnsigned(address, vaddr) >= 0
        && Long.compareUnsigned(address - vaddr, memSize) < 0;
  }

  public boolean executable() {
    return (flags & Elf.PF_X) != 0;
  }
}
