package dev.tracepoke.cli;

import dev.tracepoke.decode.flow.FlowSink;
import java.io.PrintWriter;
import java.util.function.LongFunction;

/**
 * Prints flow elements perf-script style: {@code [cpu] time pc symbol+off kind flag}, one line per
 * instruction, or one per range with {@code ranges}. Events (exceptions, gaps, ambiguities,
 * errors) get a line of their own.
 */
final class FlowText implements FlowSink {
  private final PrintWriter out;
  private final LongFunction<String> symbols;
  private final boolean ranges;
  private final StringBuilder line = new StringBuilder(128);

  FlowText(PrintWriter out, LongFunction<String> symbols, boolean ranges) {
    this.out = out;
    this.symbols = symbols;
    this.ranges = ranges;
  }

  static String time(long t) {
    return t == NO_TIME ? "-" : String.format("%d.%09d", t / 1_000_000_000L, t % 1_000_000_000L);
  }

  static String lastKind(int k) {
    return switch (k) {
      case LAST_DIRECT -> "direct";
      case LAST_COND -> "cond";
      case LAST_INDIRECT -> "indirect";
      case LAST_RETURN -> "return";
      case LAST_ERET -> "eret";
      case LAST_ISB -> "isb";
      default -> "other";
    };
  }

  static String flag(int f) {
    return switch (f) {
      case FLAG_AMBIGUOUS -> "ambiguous";
      case FLAG_RESOLVED -> "resolved";
      default -> "";
    };
  }

  /** ETMv4 exception type numbers (A-profile) as DESIGN.md's kinds. */
  static String exceptionKind(int n) {
    return switch (n) {
      case 0x0 -> "reset";
      case 0x1 -> "debug_halt";
      case 0x2 -> "svc";
      case 0x3 -> "undef";
      case 0x4 -> "serror";
      case 0x6 -> "brk";
      case 0x7 -> "data_debug";
      case 0xA -> "alignment";
      case 0xB -> "inst_fault";
      case 0xC -> "data_fault";
      case 0xE -> "irq";
      case 0xF -> "fiq";
      default -> "other";
    };
  }

  static String gapReason(int r) {
    return switch (r) {
      case GAP_OVERFLOW -> "overflow";
      case GAP_NACC -> "nacc";
      default -> "error";
    };
  }

  private String sym(long pc) {
    String s = symbols.apply(pc);
    return s == null ? "[unknown]" : s;
  }

  private void head(int cpu, long time) {
    line.setLength(0);
    line.append('[').append(String.format("%03d", cpu)).append("] ");
    String t = time(time);
    for (int i = t.length(); i < 20; i++) {
      line.append(' ');
    }
    line.append(t).append("  ");
  }

  private void emit() {
    int n = line.length();
    while (n > 0 && line.charAt(n - 1) == ' ') {
      n--;
    }
    line.setLength(n);
    out.println(line);
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    if (ranges) {
      head(cpu, timeFrom);
      line.append(String.format("%016x-%016x %5d  %-36s %-8s %s  %s", start, end, instructions,
          sym(start), lastKind(lastKind), taken ? "E" : "N", flag(flag)));
      emit();
      return;
    }
    for (int i = 0; i < instructions; i++) {
      long pc = start + 4L * i;
      boolean last = i == instructions - 1;
      head(cpu, timeFrom);
      line.append(String.format("%016x  %-36s %-8s %s  %s", pc, sym(pc),
          last ? lastKind(lastKind) : "other", last ? (taken ? "E" : "N") : " ", flag(flag)));
      emit();
    }
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    head(cpu, timeFrom);
    line.append(String.format("exception %s (0x%x) return %016x %s", exceptionKind(number), number,
        returnAddress, sym(returnAddress)));
    emit();
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    head(cpu, timeFrom);
    line.append("exception-return");
    emit();
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    head(cpu, NO_TIME);
    line.append(String.format("context el%d %s %s contextid 0x%x vmid %d", el, sf ? "aarch64" : "aarch32",
        ns ? "ns" : "s", contextId, vmid));
    emit();
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    head(cpu, NO_TIME);
    line.append(String.format("gap %s address %016x at offset %d", gapReason(reason), address, offset));
    emit();
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    head(cpu, timeFrom);
    StringBuilder c = new StringBuilder();
    for (int w : candidates) {
      c.append(c.length() == 0 ? "" : ",").append(String.format("%08x", w));
    }
    line.append(String.format("ambiguity %016x %s candidates %s %s", pc, sym(pc), c,
        resolved ? String.format("resolved %08x at offset %d", resolvedWord, resolvedAt)
            : "unresolved"));
    emit();
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    head(cpu, NO_TIME);
    line.append(String.format("error at offset %d (packet %d): %s", offset, packetIndex, message));
    emit();
  }
}
