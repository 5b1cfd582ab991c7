package dev.tracepoke.sim.asm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Emits A64 words at increasing addresses from a base, with labels resolved by fix-ups when
 * {@link #words()} or {@link #bytes()} is called. Non-label instructions come from {@link A64}
 * through {@link #emit(int)}; the PC-relative forms here take a {@link Label}.
 */
public final class Assembler {

  /** A position in the code, bound once; may be used before it is bound. */
  public static final class Label {
    private long address = -1;
    private final String name;

    private Label(String name) {
      this.name = name;
    }

    public boolean isBound() {
      return address != -1;
    }

    /** The bound address. */
    public long address() {
      if (address == -1) {
        throw new IllegalStateException("label " + name + " is not bound");
      }
      return address;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private enum Kind { B, BL, BCOND, CBZ, CBNZ, TBZ, TBNZ, ADR, ADRP, LDR_LIT, ABS64 }

  private record Fixup(int index, Kind kind, int reg, int extra, Label label) {}

  private final long base;
  private int[] words = new int[256];
  private int size;
  private final List<Fixup> fixups = new ArrayList<>();

  public Assembler(long base) {
    if ((base & 3) != 0) {
      throw new IllegalArgumentException(String.format("base 0x%x is not 4-byte aligned", base));
    }
    this.base = base;
  }

  public long base() {
    return base;
  }

  /** Address of the next word emitted. */
  public long pc() {
    return base + 4L * size;
  }

  /** Number of words emitted so far. */
  public int size() {
    return size;
  }

  public Label newLabel(String name) {
    return new Label(name);
  }

  public Label newLabel() {
    return new Label("L" + fixups.size() + "_" + size);
  }

  /** Binds {@code label} to the current address. */
  public Assembler bind(Label label) {
    if (label.isBound()) {
      throw new IllegalStateException("label " + label + " bound twice");
    }
    label.address = pc();
    return this;
  }

  /** A label bound here. */
  public Label here() {
    Label l = newLabel();
    bind(l);
    return l;
  }

  /** Appends one instruction (or data) word. */
  public Assembler emit(int word) {
    if (size == words.length) {
      words = Arrays.copyOf(words, size * 2);
    }
    words[size++] = word;
    return this;
  }

  /** Appends a 64-bit little-endian data value (two words). */
  public Assembler quad(long value) {
    emit((int) value);
    return emit((int) (value >>> 32));
  }

  /** Pads with NOPs up to an address that is a multiple of {@code alignment} bytes. */
  public Assembler align(int alignment) {
    while (pc() % alignment != 0) {
      emit(A64.nop());
    }
    return this;
  }

  private Assembler fixup(Kind kind, int reg, int extra, Label label) {
    fixups.add(new Fixup(size, kind, reg, extra, label));
    return emit(0);
  }

  public Assembler b(Label target) {
    return fixup(Kind.B, 0, 0, target);
  }

  public Assembler bl(Label target) {
    return fixup(Kind.BL, 0, 0, target);
  }

  public Assembler bcond(Cond cond, Label target) {
    return fixup(Kind.BCOND, 0, cond.code(), target);
  }

  public Assembler cbz(int rt, Label target) {
    return fixup(Kind.CBZ, rt, 0, target);
  }

  public Assembler cbnz(int rt, Label target) {
    return fixup(Kind.CBNZ, rt, 0, target);
  }

  public Assembler tbz(int rt, int bit, Label target) {
    return fixup(Kind.TBZ, rt, bit, target);
  }

  public Assembler tbnz(int rt, int bit, Label target) {
    return fixup(Kind.TBNZ, rt, bit, target);
  }

  public Assembler adr(int rd, Label target) {
    return fixup(Kind.ADR, rd, 0, target);
  }

  /** ADRP of the label's 4 KiB page; pair with {@code add rd, rd, #(label & 0xfff)}. */
  public Assembler adrp(int rd, Label target) {
    return fixup(Kind.ADRP, rd, 0, target);
  }

  public Assembler ldrLiteral(int rt, Label target) {
    return fixup(Kind.LDR_LIT, rt, 0, target);
  }

  /** The label's absolute address as 64-bit little-endian data (two words): for pointer tables. */
  public Assembler address(Label target) {
    fixup(Kind.ABS64, 0, 0, target);
    return emit(0);
  }

  /** Loads a 64-bit constant with MOVZ and as many MOVKs as it needs (at least one word). */
  public Assembler movImm64(int xd, long value) {
    emit(A64.movz(xd, (int) (value & 0xffff), 0));
    for (int shift = 16; shift < 64; shift += 16) {
      int part = (int) ((value >>> shift) & 0xffff);
      if (part != 0) {
        emit(A64.movk(xd, part, shift));
      }
    }
    return this;
  }

  private int resolve(Fixup f) {
    long at = base + 4L * f.index;
    long target = f.label.address();
    long off = target - at;
    return switch (f.kind) {
      case B -> A64.b(off);
      case BL -> A64.bl(off);
      case BCOND -> A64.bcond(Cond.of(f.extra), off);
      case CBZ -> A64.cbz(f.reg, off);
      case CBNZ -> A64.cbnz(f.reg, off);
      case TBZ -> A64.tbz(f.reg, f.extra, off);
      case TBNZ -> A64.tbnz(f.reg, f.extra, off);
      case ADR -> A64.adr(f.reg, off);
      case ADRP -> A64.adrp(f.reg, (target >> 12) - (at >> 12));
      case LDR_LIT -> A64.ldrLiteral(f.reg, off);
      case ABS64 -> (int) target;
    };
  }

  /** The assembled words with every label resolved. */
  public int[] words() {
    int[] out = Arrays.copyOf(words, size);
    for (Fixup f : fixups) {
      out[f.index] = resolve(f);
      if (f.kind == Kind.ABS64) {
        out[f.index + 1] = (int) (f.label.address() >>> 32);
      }
    }
    return out;
  }

  /** The assembled words as little-endian bytes. */
  public byte[] bytes() {
    int[] w = words();
    byte[] out = new byte[w.length * 4];
    for (int i = 0; i < w.length; i++) {
      out[4 * i] = (byte) w[i];
      out[4 * i + 1] = (byte) (w[i] >>> 8);
      out[4 * i + 2] = (byte) (w[i] >>> 16);
      out[4 * i + 3] = (byte) (w[i] >>> 24);
    }
    return out;
  }
}
