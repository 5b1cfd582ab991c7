/**
 * ELF64 little-endian images: {@link dev.tracepoke.elf.ElfImage} reads kcore copies
 * ({@code ET_CORE}) and executables / vmlinux ({@code ET_EXEC}, {@code ET_DYN}) as PT_LOAD
 * {@link dev.tracepoke.elf.Segment}s, sections and {@code .symtab}; {@link
 * dev.tracepoke.elf.ElfWriter} writes kcore-style cores and small AArch64 executables.
 */
package dev.tracepoke.elf;
