package dev.tracepoke.elf;

/** A {@code .symtab} entry. {@code type} and {@code binding} are the STT_ and STB_ values. */
public record ElfSymbol(String name, long value, long size, int type, int binding, int section) {}
