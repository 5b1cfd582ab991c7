package dev.tracepoke.decode.image;

import dev.tracepoke.kallsyms.Kallsyms;
import java.util.function.LongFunction;

/**
 * Names code addresses {@code symbol+0xoff} and says how far each name reaches, so a writer that
 * names every instruction resolves a symbol once per span rather than once per instruction.
 */
public interface SymbolNames extends LongFunction<String> {

  /**
   * The addresses {@code [start, end)} (unsigned; {@code end} 0 = to the top of the address space)
   * that {@code name} covers; {@code name} is null where no symbol covers them.
   */
  record Span(String name, long start, long end) {
    public boolean covers(long pc) {
      return Long.compareUnsigned(pc, start) >= 0 && (end == 0 || Long.compareUnsigned(pc, end) < 0);
    }
  }

  /** The span holding {@code pc}. */
  Span span(long pc);

  /** {@code symbol} at a symbol's start, {@code symbol+0xoff} inside it, null without a symbol. */
  @Override
  default String apply(long pc) {
    Span s = span(pc);
    if (s.name() == null) {
      return null;
    }
    return pc == s.start() ? s.name() : s.name() + "+0x" + Long.toHexString(pc - s.start());
  }

  /** No symbols at all: every address is unnamed. */
  SymbolNames NONE = pc -> new Span(null, 0, 0);

  /** Names from a kallsyms table (none without one). */
  static SymbolNames of(Kallsyms k) {
    if (k == null) {
      return NONE;
    }
    return pc -> {
      int i = k.indexAt(pc);
      return new Span(i < 0 ? null : k.name(i), i < 0 ? 0 : k.address(i), k.nextAddressAbove(pc));
    };
  }
}
