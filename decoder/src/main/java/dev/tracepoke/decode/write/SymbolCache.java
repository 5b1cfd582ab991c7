package dev.tracepoke.decode.write;

import dev.tracepoke.decode.image.SymbolNames;
import java.util.function.LongFunction;

/**
 * The symbol column of the text format: {@code symbol+0xoff} (or {@code [unknown]}) written as
 * bytes, with the covering symbol looked up once per span ({@link SymbolNames}) and kept while
 * consecutive addresses stay inside it. A plain function is asked for every address.
 */
final class SymbolCache {
  private static final byte[] UNKNOWN = OutputBuffer.bytes("[unknown]");

  private final LongFunction<String> plain;
  private final SymbolNames names;
  private long start;
  private long end;
  private boolean valid;
  /** The name's bytes (UTF-8) and its length in chars, which is what {@code %-36s} pads by. */
  private byte[] name = UNKNOWN;
  private int nameChars;
  private boolean named;
  /** The last name bytes a plain function gave, and for which string. */
  private String plainLast;

  SymbolCache(LongFunction<String> symbols) {
    this.names = symbols instanceof SymbolNames n ? n : null;
    this.plain = symbols;
  }

  /** An upper bound of the bytes {@link #put} writes for {@code pc}; call it first. */
  int maxBytes(long pc) {
    resolve(pc);
    return name.length + 19 + 36; // "+0x" and 16 digits, and padding
  }

  /**
   * Writes the name of {@code pc} at {@code p}, padded with spaces to {@code width} chars (0: no
   * padding); returns the new position.
   */
  int put(byte[] b, int p, long pc, int width) {
    System.arraycopy(name, 0, b, p, name.length);
    p += name.length;
    int chars = nameChars;
    if (named && pc != start) {
      int q = p;
      b[p++] = '+';
      b[p++] = '0';
      b[p++] = 'x';
      p = OutputBuffer.hex(b, p, pc - start);
      chars += p - q;
    }
    for (; chars < width; chars++) {
      b[p++] = ' ';
    }
    return p;
  }

  private void resolve(long pc) {
    if (names == null) {
      String s = plain.apply(pc);
      if (s == null) {
        name = UNKNOWN;
        nameChars = UNKNOWN.length;
        plainLast = null;
      } else if (!s.equals(plainLast)) {
        name = OutputBuffer.bytes(s);
        nameChars = s.length();
        plainLast = s;
      }
      return;
    }
    if (valid && Long.compareUnsigned(pc, start) >= 0 && (end == 0 || Long.compareUnsigned(pc, end) < 0)) {
      return;
    }
    SymbolNames.Span s = names.span(pc);
    start = s.start();
    end = s.end();
    valid = true;
    named = s.name() != null;
    name = named ? OutputBuffer.bytes(s.name()) : UNKNOWN;
    nameChars = named ? s.name().length() : UNKNOWN.length;
  }
}
