package dev.tracepoke.elf;

/** A section header, with its name resolved. */
public record ElfSection(
    int index, String name, int type, long flags, long addr, long offset, long size, int link,
    int info, long entSize) {}
