package dev.tracepoke.elf;

/** ELF64 constants used by tracepoke (System V ABI, AArch64 supplement). */
public final class Elf {
  public static final int ET_EXEC = 2;
  public static final int ET_DYN = 3;
  public static final int ET_CORE = 4;
  public static final int EM_AARCH64 = 183;

  public static final int PT_LOAD = 1;
  public static final int PT_NOTE = 4;
  public static final int PF_X = 1;
  public static final int PF_W = 2;
  public static final int PF_R = 4;

  public static final int SHT_PROGBITS = 1;
  public static final int SHT_SYMTAB = 2;
  public static final int SHT_STRTAB = 3;
  public static final int SHT_RELA = 4;
  public static final int SHT_NOTE = 7;
  public static final int SHT_NOBITS = 8;
  /** {@code Elf64_Rela} size. */
  public static final int RELA_SIZE = 24;
  /** AArch64 relocation types (ELF for the Arm 64-bit Architecture). */
  public static final int R_AARCH64_ABS64 = 257;
  public static final int R_AARCH64_RELATIVE = 1027;
  /** GNU build-id note type. */
  public static final int NT_GNU_BUILD_ID = 3;
  public static final long SHF_WRITE = 1;
  public static final long SHF_ALLOC = 2;
  public static final long SHF_EXECINSTR = 4;

  public static final int STT_NOTYPE = 0;
  public static final int STT_OBJECT = 1;
  public static final int STT_FUNC = 2;
  public static final int STB_LOCAL = 0;
  public static final int STB_GLOBAL = 1;
  public static final int SHN_UNDEF = 0;
  public static final int SHN_ABS = 0xFFF1;

  static final int EHDR_SIZE = 64;
  static final int PHDR_SIZE = 56;
  static final int SHDR_SIZE = 64;
  static final int SYM_SIZE = 24;

  private Elf() {}
}
