package dev.tracepoke.decode.write;

import static dev.tracepoke.decode.flow.FlowSink.FLAG_AMBIGUOUS;
import static dev.tracepoke.decode.flow.FlowSink.FLAG_RESOLVED;
import static dev.tracepoke.decode.flow.FlowSink.GAP_NACC;
import static dev.tracepoke.decode.flow.FlowSink.GAP_NO_PATH;
import static dev.tracepoke.decode.flow.FlowSink.GAP_OVERFLOW;
import static dev.tracepoke.decode.flow.FlowSink.LAST_COND;
import static dev.tracepoke.decode.flow.FlowSink.LAST_DIRECT;
import static dev.tracepoke.decode.flow.FlowSink.LAST_ERET;
import static dev.tracepoke.decode.flow.FlowSink.LAST_INDIRECT;
import static dev.tracepoke.decode.flow.FlowSink.LAST_ISB;
import static dev.tracepoke.decode.flow.FlowSink.LAST_RETURN;
import static dev.tracepoke.decode.flow.FlowSink.NO_TIME;

import java.util.Locale;

/** The words both output formats use for flow element fields (DESIGN.md's JSONL values). */
public final class ElementNames {
  private ElementNames() {}

  /** Kind of a range's last instruction ({@code FlowSink.LAST_*}). */
  public static String lastKind(int k) {
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

  /** A range flag ({@code FlowSink.FLAG_*}); empty for none. */
  public static String flag(int f) {
    return switch (f) {
      case FLAG_AMBIGUOUS -> "ambiguous";
      case FLAG_RESOLVED -> "resolved";
      default -> "";
    };
  }

  /** ETMv4 exception type numbers (A-profile) as DESIGN.md's kinds. */
  public static String exceptionKind(int n) {
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

  /** A transaction kind ({@code FlowSink.TRANS_*}). */
  public static String transaction(int k) {
    return switch (k) {
      case 0 -> "trace_init";
      case 1 -> "start";
      case 2 -> "commit";
      case 3 -> "fail";
      default -> "other";
    };
  }

  /** A gap reason ({@code FlowSink.GAP_*}). */
  public static String gapReason(int r) {
    return switch (r) {
      case GAP_OVERFLOW -> "overflow";
      case GAP_NACC -> "nacc";
      case GAP_NO_PATH -> "no_path";
      default -> "error";
    };
  }

  /** Perf time as seconds with nine decimals ({@code 12.000000345}), or {@code -} without one. */
  public static String time(long t) {
    return t == NO_TIME ? "-" : String.format(Locale.ROOT, "%d.%09d", t / 1_000_000_000L, t % 1_000_000_000L);
  }
}
