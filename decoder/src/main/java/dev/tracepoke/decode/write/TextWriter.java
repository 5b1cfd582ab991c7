package dev.tracepoke.decode.write;

import dev.tracepoke.decode.flow.FlowSink;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * The text format of {@code decode}, perf-script style: {@code [cpu] time pc symbol+off kind flag},
 * one line per instruction, or one per range with {@code ranges}. Events (exceptions, gaps,
 * ambiguities, errors) get a line of their own; trailing blanks are trimmed from every line.
 * Lines are formatted as bytes straight into an {@link OutputBuffer}; a range's line head and its
 * symbol are worked out once, not per instruction.
 */
public final class TextWriter implements FlowSink {
  private static final int SYMBOL_WIDTH = 36;
  private static final int KIND_WIDTH = 8;
  private static final int TIME_WIDTH = 20;

  private final OutputBuffer out;
  private final SymbolCache symbols;
  private final boolean ranges;

  /** {@code [cpu] time  } of the current line; reused while cpu and time stay the same. */
  private final byte[] head = new byte[64];
  private int headLength;
  private int headCpu = Integer.MIN_VALUE;
  private long headTime;

  /**
   * The end of a range's last line ({@code kind E|N  flag}, trimmed) by [kind][taken][flag], and of
   * any other instruction's line by [flag].
   */
  private static final byte[][][][] LAST_TAIL = new byte[7][2][3][];
  private static final byte[][] INNER_TAIL = new byte[3][];

  static {
    for (int flag = 0; flag < 3; flag++) {
      for (int kind = 0; kind < 7; kind++) {
        for (int taken = 0; taken < 2; taken++) {
          LAST_TAIL[kind][taken][flag] = tail(ElementNames.lastKind(kind), taken == 1 ? "E" : "N", flag);
        }
      }
      INNER_TAIL[flag] = tail(ElementNames.lastKind(LAST_OTHER), " ", flag);
    }
  }

  private static byte[] tail(String kind, String taken, int flag) {
    StringBuilder s = new StringBuilder(kind);
    while (s.length() < KIND_WIDTH) {
      s.append(' ');
    }
    s.append(' ').append(taken).append("  ").append(ElementNames.flag(flag));
    return OutputBuffer.bytes(s.toString().stripTrailing());
  }

  /** @param symbols names addresses ({@link dev.tracepoke.decode.image.SymbolNames} for speed) */
  public TextWriter(OutputBuffer out, LongFunction<String> symbols, boolean ranges) {
    this.out = out;
    this.symbols = new SymbolCache(symbols);
    this.ranges = ranges;
  }

  /** Sets {@link #head} to {@code [cpu] time  }, time right-aligned. */
  private void head(int cpu, long time) {
    if (cpu == headCpu && time == headTime && headLength > 0) {
      return;
    }
    byte[] h = head;
    int p = 0;
    h[p++] = '[';
    if (cpu >= 0) {
      p = OutputBuffer.decimal(h, p, cpu, 3, (byte) '0');
    } else {
      p = OutputBuffer.ascii(h, p, String.format(Locale.ROOT, "%03d", cpu));
    }
    h[p++] = ']';
    h[p++] = ' ';
    if (time == NO_TIME) {
      for (int k = 1; k < TIME_WIDTH; k++) {
        h[p++] = ' ';
      }
      h[p++] = '-';
    } else if (time >= 0) {
      long s = time / 1_000_000_000L;
      int width = OutputBuffer.digits(s) + 10;
      for (int k = width; k < TIME_WIDTH; k++) {
        h[p++] = ' ';
      }
      p = OutputBuffer.decimal(h, p, s);
      h[p++] = '.';
      p = OutputBuffer.decimal(h, p, time % 1_000_000_000L, 9, (byte) '0');
    } else {
      String t = ElementNames.time(time);
      for (int k = t.length(); k < TIME_WIDTH; k++) {
        h[p++] = ' ';
      }
      p = OutputBuffer.ascii(h, p, t);
    }
    h[p++] = ' ';
    h[p++] = ' ';
    headLength = p;
    headCpu = cpu;
    headTime = time;
  }

  /** Starts a line of at most {@code max} bytes after the head; returns the position after the head. */
  private int begin(int max) {
    out.require(headLength + max + 1);
    System.arraycopy(head, 0, out.buf, out.pos, headLength);
    return out.pos + headLength;
  }

  /** Ends the line at {@code p}: trailing blanks go, a newline comes. */
  private void end(int p) {
    byte[] b = out.buf;
    int start = out.pos;
    while (p > start && b[p - 1] == ' ') {
      p--;
    }
    b[p++] = '\n';
    out.pos = p;
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    head(cpu, timeFrom);
    int kind = lastKind >= 0 && lastKind < 7 ? lastKind : LAST_OTHER;
    int f = flag >= 0 && flag < 3 ? flag : FLAG_NONE;
    byte[] lastTail = LAST_TAIL[kind][taken ? 1 : 0][f];
    if (ranges) {
      int p = begin(16 + 1 + 16 + 1 + 11 + 2 + symbols.maxBytes(start) + 1 + lastTail.length
          + CYC_BYTES);
      byte[] b = out.buf;
      p = OutputBuffer.hex16(b, p, start);
      b[p++] = '-';
      p = OutputBuffer.hex16(b, p, end);
      b[p++] = ' ';
      if (instructions >= 0) {
        p = OutputBuffer.decimal(b, p, instructions, 5, (byte) ' ');
      } else {
        p = OutputBuffer.ascii(b, p, String.format(Locale.ROOT, "%5d", instructions));
      }
      b[p++] = ' ';
      b[p++] = ' ';
      p = symbols.put(b, p, start, SYMBOL_WIDTH);
      b[p++] = ' ';
      end(cycles(b, OutputBuffer.put(b, p, lastTail)));
      return;
    }
    byte[] innerTail = INNER_TAIL[f];
    for (int i = 0; i < instructions; i++) {
      long pc = start + 4L * i;
      byte[] tail = i == instructions - 1 ? lastTail : innerTail;
      int p = begin(16 + 2 + symbols.maxBytes(pc) + 1 + tail.length + CYC_BYTES);
      byte[] b = out.buf;
      p = OutputBuffer.hex16(b, p, pc);
      b[p++] = ' ';
      b[p++] = ' ';
      p = symbols.put(b, p, pc, SYMBOL_WIDTH);
      b[p++] = ' ';
      p = OutputBuffer.put(b, p, tail);
      end(i == instructions - 1 ? cycles(b, p) : p);
    }
  }

  /**
   * A range with its cycle count: the range's last line (the range's own line with {@code
   * ranges}) ends in {@code cyc=N}, perf's name for cycles in its IPC and branch-stack fields.
   */
  @Override
  public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
      boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
    pendingCycles = cycles;
    range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
    pendingCycles = -1;
  }

  /** Room a cycle count takes at the end of a line. */
  private static final int CYC_BYTES = 6 + 20;
  /** The count {@link #rangeWithCycles} gives the range being written, else -1. */
  private long pendingCycles = -1;

  /** Appends {@code  cyc=N} at {@code p} when the range being written has a count. */
  private int cycles(byte[] b, int p) {
    if (pendingCycles < 0) {
      return p;
    }
    p = OutputBuffer.ascii(b, p, "  cyc=");
    return OutputBuffer.decimal(b, p, pendingCycles);
  }

  /** ETE transactional memory: {@code transaction start|commit|fail|trace_init}. */
  @Override
  public void transaction(int cpu, int kind, long offset) {
    head(cpu, NO_TIME);
    int p = begin(12 + 10);
    p = OutputBuffer.ascii(out.buf, p, "transaction ");
    end(OutputBuffer.ascii(out.buf, p, ElementNames.transaction(kind)));
  }

  /** Instructions without a known path (a Q element): a line of their own. */
  @Override
  public void noPath(int cpu, long start, long next, long instructions, long offset) {
    head(cpu, NO_TIME);
    int p = begin(8 + 20 + 24 + 16 + 9 + 16 + 11 + 20);
    byte[] b = out.buf;
    p = OutputBuffer.ascii(b, p, "no-path ");
    p = OutputBuffer.decimal(b, p, instructions);
    p = OutputBuffer.ascii(b, p, " instructions from ");
    p = OutputBuffer.hex16(b, p, start);
    p = OutputBuffer.ascii(b, p, " next ");
    p = OutputBuffer.hex16(b, p, next);
    p = OutputBuffer.ascii(b, p, " at offset ");
    end(OutputBuffer.decimal(b, p, offset));
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    head(cpu, timeFrom);
    int p = begin(10 + 12 + 4 + 8 + 9 + 16 + 1 + symbols.maxBytes(returnAddress));
    byte[] b = out.buf;
    p = OutputBuffer.ascii(b, p, "exception ");
    p = OutputBuffer.ascii(b, p, ElementNames.exceptionKind(number));
    p = OutputBuffer.ascii(b, p, " (0x");
    p = OutputBuffer.hex(b, p, number & 0xffffffffL);
    p = OutputBuffer.ascii(b, p, ") return ");
    p = OutputBuffer.hex16(b, p, returnAddress);
    b[p++] = ' ';
    end(symbols.put(b, p, returnAddress, 0));
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    head(cpu, timeFrom);
    int p = begin(16);
    end(OutputBuffer.ascii(out.buf, p, "exception-return"));
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    head(cpu, NO_TIME);
    int p = begin(10 + 11 + 8 + 3 + 12 + 16 + 6 + 11);
    byte[] b = out.buf;
    p = OutputBuffer.ascii(b, p, "context el");
    p = OutputBuffer.decimal(b, p, el);
    p = OutputBuffer.ascii(b, p, sf ? " aarch64" : " aarch32");
    p = OutputBuffer.ascii(b, p, ns ? " ns" : " s");
    p = OutputBuffer.ascii(b, p, " contextid 0x");
    p = OutputBuffer.hex(b, p, contextId);
    p = OutputBuffer.ascii(b, p, " vmid ");
    end(OutputBuffer.decimal(b, p, vmid));
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    head(cpu, NO_TIME);
    int p = begin(4 + 8 + 9 + 16 + 11 + 20);
    byte[] b = out.buf;
    p = OutputBuffer.ascii(b, p, "gap ");
    p = OutputBuffer.ascii(b, p, ElementNames.gapReason(reason));
    p = OutputBuffer.ascii(b, p, " address ");
    p = OutputBuffer.hex16(b, p, address);
    p = OutputBuffer.ascii(b, p, " at offset ");
    end(OutputBuffer.decimal(b, p, offset));
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    head(cpu, timeFrom);
    int p = begin(10 + 16 + 1 + symbols.maxBytes(pc) + 12 + 9 * candidates.length + 1 + 9 + 8 + 11 + 20);
    byte[] b = out.buf;
    p = OutputBuffer.ascii(b, p, "ambiguity ");
    p = OutputBuffer.hex16(b, p, pc);
    b[p++] = ' ';
    p = symbols.put(b, p, pc, 0);
    p = OutputBuffer.ascii(b, p, " candidates ");
    for (int i = 0; i < candidates.length; i++) {
      if (i > 0) {
        b[p++] = ',';
      }
      p = OutputBuffer.hex8(b, p, candidates[i]);
    }
    b[p++] = ' ';
    if (resolved) {
      p = OutputBuffer.ascii(b, p, "resolved ");
      p = OutputBuffer.hex8(b, p, resolvedWord);
      p = OutputBuffer.ascii(b, p, " at offset ");
      p = OutputBuffer.decimal(b, p, resolvedAt);
    } else {
      p = OutputBuffer.ascii(b, p, "unresolved");
    }
    end(p);
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    head(cpu, NO_TIME);
    byte[] m = OutputBuffer.bytes(message);
    int p = begin(16 + 20 + 9 + 20 + 3 + m.length);
    byte[] b = out.buf;
    p = OutputBuffer.ascii(b, p, "error at offset ");
    p = OutputBuffer.decimal(b, p, offset);
    p = OutputBuffer.ascii(b, p, " (packet ");
    p = OutputBuffer.decimal(b, p, packetIndex);
    p = OutputBuffer.ascii(b, p, "): ");
    end(OutputBuffer.put(b, p, m));
  }
}
