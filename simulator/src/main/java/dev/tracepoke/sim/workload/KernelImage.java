package dev.tracepoke.sim.workload;

import dev.tracepoke.elf.ElfWriter;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.vmlinux.PatchTables;
import it.unimi.dsi.fastutil.ints.Int2IntLinkedOpenHashMap;
import java.util.List;

/**
 * A generated kernel: text at {@link Layout#KERNEL_BASE} (vector table first), the EL0 program at
 * {@link Layout#USER_BASE}, the initial data region at {@link Layout#DATA_BASE} (without the patch
 * queue), symbols for kallsyms and the patch sites. Arrays are copied out; the image is immutable.
 */
public final class KernelImage {
  private final int[] text;
  private final int[] userText;
  private final byte[] data;
  private final List<Kallsyms.Symbol> symbols;
  private final List<PatchSite> sites;
  private final long bootEntry;
  private final long userEntry;
  private final int cores;
  private final int functions;

  KernelImage(int[] text, int[] userText, byte[] data, List<Kallsyms.Symbol> symbols, List<PatchSite> sites,
      long bootEntry, long userEntry, int cores, int functions) {
    this.text = text;
    this.userText = userText;
    this.data = data;
    this.symbols = List.copyOf(symbols);
    this.sites = List.copyOf(sites);
    this.bootEntry = bootEntry;
    this.userEntry = userEntry;
    this.cores = cores;
    this.functions = functions;
  }

  public long base() {
    return Layout.KERNEL_BASE;
  }

  /** VBAR_EL1 value: the vector table is the first 2 KiB of text. */
  public long vectors() {
    return Layout.KERNEL_BASE;
  }

  /** The kernel text words from {@link #base()}. */
  public int[] text() {
    return text.clone();
  }

  public int textWords() {
    return text.length;
  }

  /** Word at a kernel text address in the base image. */
  public int word(long address) {
    long off = address - Layout.KERNEL_BASE;
    if (off < 0 || off >= 4L * text.length || (off & 3) != 0) {
      throw new IllegalArgumentException(String.format("0x%x is not a text word of the image", address));
    }
    return text[(int) (off >>> 2)];
  }

  public byte[] textBytes() {
    return toBytes(text);
  }

  public int[] userText() {
    return userText.clone();
  }

  public byte[] userTextBytes() {
    return toBytes(userText);
  }

  /** The initial data region (globals, per-cpu areas, tables), {@link Layout#DATA_FIXED_SIZE} bytes. */
  public byte[] data() {
    return data.clone();
  }

  /** kallsyms entries, in address order, including {@code _text} and {@code _etext}. */
  public List<Kallsyms.Symbol> symbols() {
    return symbols;
  }

  public Kallsyms kallsyms() {
    return Kallsyms.of(symbols);
  }

  public List<PatchSite> sites() {
    return sites;
  }

  /**
   * The kernel's vmlinux, as arm64 links it (PIE, ftrace entries relocated through {@code
   * .rela.dyn}): the text with every kallsyms symbol plus {@code _stext}, and the patch-site tables
   * listing exactly this kernel's jump-label sites (one static key per site group, NOP by default,
   * so the branch bit is clear) and ftrace call sites (the patched word, as {@code __mcount_loc}
   * names it). kprobes have no table: they show in the trace as BRK exceptions.
   */
  public ElfWriter vmlinux() {
    return vmlinux(base());
  }

  /**
   * The vmlinux linked at {@code linkBase} instead of where this kernel runs: what a KASLR kernel
   * ships, whose kallsyms ({@link #kallsyms()}) are its link addresses plus the offset {@code
   * base() - linkBase}. The text is the same bytes (its branches are PC-relative).
   */
  public ElfWriter vmlinux(long linkBase) {
    long d = linkBase - base();
    PatchTables.Writer w = PatchTables.writer(linkBase, textBytes());
    w.symbol("_stext", linkBase, false);
    for (Kallsyms.Symbol s : symbols) {
      boolean marker = s.name().equals("_text") || s.name().equals("_etext");
      w.symbol(s.name(), s.address() + d, !marker);
    }
    Int2IntLinkedOpenHashMap keys = new Int2IntLinkedOpenHashMap();
    for (PatchSite s : sites) {
      switch (s.kind()) {
        case STATIC_KEY -> {
          int key = keys.computeIfAbsent(s.group(), g -> keys.size());
          w.jump(s.address() + d, s.emulationTarget(s.newWord()) + d, key, false);
        }
        case FTRACE -> w.ftrace(s.address() + d);
        case KPROBE -> { }
      }
    }
    return w.toElf();
  }

  /** Where each cpu starts (X0 = cpu number): sets up its state and ERETs to the EL0 program. */
  public long bootEntry() {
    return bootEntry;
  }

  public long userEntry() {
    return userEntry;
  }

  public int cores() {
    return cores;
  }

  /** Number of generated kernel functions (handlers and helpers not included). */
  public int functions() {
    return functions;
  }

  static byte[] toBytes(int[] words) {
    byte[] out = new byte[words.length * 4];
    for (int i = 0; i < words.length; i++) {
      out[4 * i] = (byte) words[i];
      out[4 * i + 1] = (byte) (words[i] >>> 8);
      out[4 * i + 2] = (byte) (words[i] >>> 16);
      out[4 * i + 3] = (byte) (words[i] >>> 24);
    }
    return out;
  }
}
