package dev.tracepoke.kallsyms;

import dev.tracepoke.storage.WholeFile;

import it.unimi.dsi.fastutil.ints.IntArrays;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@code /proc/kallsyms} table: lines {@code <hex address> <type> <name>[\t[<module>]]}, e.g.
 * {@code ffff800008000000 T _stext}. Symbols keep file order (index {@code 0..size()-1}); address
 * lookup uses a sorted primitive array and binary search. Addresses compare unsigned.
 *
 * <p>Where several symbols share an address (e.g. {@code _text} and {@code _stext}), lookup returns
 * a global one (upper-case type) before a local one, then the one with fewer leading underscores,
 * then the first in file order.
 */
public final class Kallsyms {

  /** The symbol covering an address: its index, name and the address's offset from it. */
  public record Hit(int index, String name, long offset) {}

  /** A symbol to add. {@code module} is null for the kernel image itself. */
  public record Symbol(long address, char type, String name, String module) {
    public Symbol {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || name.indexOf(' ') >= 0 || name.indexOf('\t') >= 0 || name.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("symbol name must be non-empty without blanks: '" + name + "'");
      }
      if (type <= ' ' || type > '~') {
        throw new IllegalArgumentException("symbol type must be a printable character");
      }
    }
  }

  private final long[] address;
  private final char[] type;
  private final String[] name;
  private final String[] module;
  /** Distinct addresses, sign-flipped so signed order is unsigned order, ascending. */
  private final long[] starts;
  /** For each entry of {@link #starts}, the preferred symbol index at that address. */
  private final int[] best;
  private final Object2IntOpenHashMap<String> byName;

  private Kallsyms(List<Symbol> symbols) {
    int n = symbols.size();
    address = new long[n];
    type = new char[n];
    name = new String[n];
    module = new String[n];
    byName = new Object2IntOpenHashMap<>(n);
    byName.defaultReturnValue(-1);
    for (int i = 0; i < n; i++) {
      Symbol s = symbols.get(i);
      address[i] = s.address();
      type[i] = s.type();
      name[i] = s.name();
      module[i] = s.module();
      byName.putIfAbsent(s.name(), i);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // stable sort by unsigned address keeps file order among equal addresses
    IntArrays.mergeSort(order, (a, b) -> Long.compareUnsigned(address[a], address[b]));
    long[] st = new long[n];
    int[] be = new int[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      long key = address[i] ^ Long.MIN_VALUE;
      if (m > 0 && st[m - 1] == key) {
        if (preferred(i, be[m - 1])) {
          be[m - 1] = i;
        }
      } else {
        st[m] = key;
        be[m] = i;
        m++;
      }
    }
    starts = Arrays.copyOf(st, m);
    best = Arrays.copyOf(be, m);
  }

  private boolean preferred(int cand, int current) {
    boolean g1 = Character.isUpperCase(type[cand]);
    boolean g0 = Character.isUpperCase(type[current]);
    if (g1 != g0) {
      return g1;
    }
    return leadingUnderscores(name[cand]) < leadingUnderscores(name[current]);
  }

  private static int leadingUnderscores(String s) {
    int k = 0;
    while (k < s.length() && s.charAt(k) == '_') {
      k++;
    }
    return k;
  }

  /** A table of the given symbols, in the given order. */
  public static Kallsyms of(List<Symbol> symbols) {
    return new Kallsyms(List.copyOf(symbols));
  }

  /** Reads a kallsyms file. */
  public static Kallsyms read(Path file) throws IOException {
    // lines are split as bytes so a byte that is not UTF-8 is named by its offset
    String source = file.toString();
    List<Symbol> out = new ArrayList<>();
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    byte[] line = new byte[256];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      long offset = 0;
      int lineNo = 0;
      int n = 0;
      for (int b = in.read(); ; b = in.read()) {
        if (b >= 0 && b != '\n') {
          if (n == line.length) {
            line = Arrays.copyOf(line, 2 * n);
          }
          line[n++] = (byte) b;
          continue;
        }
        if (b < 0 && n == 0) {
          break;
        }
        lineNo++;
        int len = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        if (len > 0) {
          out.add(parseLine(decode(utf8, line, len, source, lineNo, offset), source, lineNo, offset));
        }
        offset += n + 1;
        n = 0;
        if (b < 0) {
          break;
        }
      }
    }
    return new Kallsyms(out);
  }

  private static String decode(CharsetDecoder utf8, byte[] line, int len, String source, int lineNo, long offset)
      throws KallsymsFormatException {
    ByteBuffer in = ByteBuffer.wrap(line, 0, len);
    CharBuffer chars = CharBuffer.allocate(len);
    utf8.reset();
    CoderResult r = utf8.decode(in, chars, true);
    if (r.isError()) {
      throw new KallsymsFormatException(source, lineNo, offset + in.position(),
          String.format("UTF-8 text, found byte 0x%02x", line[in.position()] & 0xFF));
    }
    return chars.flip().toString();
  }

  /**
   * Parses kallsyms text.
   *
   * @param source name for error messages
   * @throws KallsymsFormatException for a malformed line, naming source, line and byte offset
   */
  public static Kallsyms read(Reader in, String source) throws IOException {
    BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
    List<Symbol> out = new ArrayList<>();
    long offset = 0;
    int lineNo = 0;
    for (String line; (line = r.readLine()) != null; ) {
      lineNo++;
      if (!line.isEmpty()) {
        out.add(parseLine(line, source, lineNo, offset));
      }
      offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    return new Kallsyms(out);
  }

  private static Symbol parseLine(String line, String source, int lineNo, long offset)
      throws KallsymsFormatException {
    int sp1 = line.indexOf(' ');
    if (sp1 <= 0 || sp1 > 16) {
      throw new KallsymsFormatException(source, lineNo, offset, "a hex address of 1..16 digits then a space");
    }
    long addr;
    try {
      addr = Long.parseUnsignedLong(line, 0, sp1, 16);
    } catch (NumberFormatException e) {
      throw new KallsymsFormatException(source, lineNo, offset, "a hex address of 1..16 digits then a space");
    }
    if (line.length() < sp1 + 4 || line.charAt(sp1 + 2) != ' ' || line.charAt(sp1 + 1) <= ' ') {
      throw new KallsymsFormatException(source, lineNo, offset + sp1 + 1, "'<type> <name>' after the address");
    }
    char t = line.charAt(sp1 + 1);
    if (t > '~') {
      throw new KallsymsFormatException(source, lineNo, offset + sp1 + 1, String.format(
          "a symbol type letter after the address, found U+%04X", (int) t));
    }
    int nameStart = sp1 + 3;
    int tab = line.indexOf('\t', nameStart);
    String nm = tab < 0 ? line.substring(nameStart) : line.substring(nameStart, tab);
    String mod = null;
    if (tab >= 0) {
      String m = line.substring(tab + 1);
      if (m.length() < 3 || m.charAt(0) != '[' || m.charAt(m.length() - 1) != ']') {
        throw new KallsymsFormatException(source, lineNo, offset + tab + 1, "'[module]' after the tab");
      }
      mod = m.substring(1, m.length() - 1);
    }
    if (nm.isEmpty() || nm.indexOf(' ') >= 0) {
      throw new KallsymsFormatException(source, lineNo, offset + nameStart, "a symbol name without blanks");
    }
    return new Symbol(addr, t, nm, mod);
  }

  /** Writes the table in kallsyms format (16 hex digits, as on 64-bit kernels), file order. */
  public void write(Writer w) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    for (int i = 0; i < address.length; i++) {
      sb.setLength(0);
      String hex = Long.toHexString(address[i]);
      for (int k = hex.length(); k < 16; k++) {
        sb.append('0');
      }
      sb.append(hex).append(' ').append(type[i]).append(' ').append(name[i]);
      if (module[i] != null) {
        sb.append("\t[").append(module[i]).append(']');
      }
      sb.append('\n');
      w.append(sb);
    }
  }

  /** Writes the table to {@code file} under a temporary name, then renames it. */
  public void write(Path file) throws IOException {
    WholeFile.write(file, out -> {
      Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
      write(w);
      w.flush();
    });
  }

  public int size() {
    return address.length;
  }

  public long address(int i) {
    return address[i];
  }

  public char type(int i) {
    return type[i];
  }

  public String name(int i) {
    return name[i];
  }

  /** The module in brackets, or null for the kernel image. */
  public String module(int i) {
    return module[i];
  }

  /**
   * Index of the symbol at the greatest address {@code <= address} (unsigned), -1 if every symbol
   * lies above it. Allocation free.
   */
  public int indexAt(long address) {
    int pos = Arrays.binarySearch(starts, address ^ Long.MIN_VALUE);
    if (pos < 0) {
      pos = -pos - 2;
    }
    return pos < 0 ? -1 : best[pos];
  }

  /**
   * The lowest symbol address above {@code address} (unsigned), or 0 if no symbol lies above it:
   * up to there the symbol covering {@code address} covers every address. Allocation free.
   */
  public long nextAddressAbove(long address) {
    int pos = Arrays.binarySearch(starts, address ^ Long.MIN_VALUE);
    int next = pos < 0 ? -pos - 1 : pos + 1;
    return next < starts.length ? starts[next] ^ Long.MIN_VALUE : 0;
  }

  /** The symbol at or below {@code address} and the offset into it. */
  public Optional<Hit> lookup(long address) {
    int i = indexAt(address);
    return i < 0 ? Optional.empty() : Optional.of(new Hit(i, name[i], address - this.address[i]));
  }

  /** Address of the first symbol called {@code name} in file order. */
  public OptionalLong addressOf(String name) {
    int i = byName.getInt(name);
    return i < 0 ? OptionalLong.empty() : OptionalLong.of(address[i]);
  }

  /** Index of the first symbol called {@code name}, -1 if none. */
  public int indexOf(String name) {
    return byName.getInt(name);
  }
}
