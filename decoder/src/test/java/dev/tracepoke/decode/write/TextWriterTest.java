package dev.tracepoke.decode.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.SymbolNames;
import dev.tracepoke.kallsyms.Kallsyms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The text format, byte for byte, with symbols that change inside a range and a buffer that drains. */
class TextWriterTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private OutputBuffer buffer(int size) {
    return new OutputBuffer(Channels.newChannel(bytes), size, "test output");
  }

  private static final Kallsyms SYMS = Kallsyms.of(List.of(
      new Kallsyms.Symbol(0xffff800008001000L, 'T', "first", null),
      new Kallsyms.Symbol(0xffff800008001008L, 'T', "second_function_with_a_long_name_over_36", null)));

  @Test
  void perInstructionLinesFollowTheSymbolAcrossItsEnd() {
    OutputBuffer out = buffer(64); // smaller than one line: every line drains the one before
    TextWriter w = new TextWriter(out, SymbolNames.of(SYMS), false);
    w.range(1, 0xffff800008000ffcL, 0xffff80000800100cL, 4, FlowSink.LAST_COND, true,
        12_000_000_345L, 12_000_000_400L, FlowSink.FLAG_RESOLVED, 7);
    w.exceptionReturn(1, FlowSink.NO_TIME, FlowSink.NO_TIME, 9);
    out.flush();
    assertEquals(String.join("\n",
        "[001]         12.000000345  ffff800008000ffc  [unknown]                            other       resolved",
        "[001]         12.000000345  ffff800008001000  first                                other       resolved",
        "[001]         12.000000345  ffff800008001004  first+0x4                            other       resolved",
        "[001]         12.000000345  ffff800008001008  second_function_with_a_long_name_over_36 cond     E  resolved",
        "[001]                    -  exception-return",
        ""), bytes.toString(StandardCharsets.UTF_8));
    assertEquals(bytes.size(), out.written());
  }

  @Test
  void rangesAndEventLines() {
    OutputBuffer out = buffer(1 << 10);
    TextWriter w = new TextWriter(out, SymbolNames.of(SYMS), true);
    w.range(0, 0xffff800008001004L, 0xffff800008001008L, 1, FlowSink.LAST_INDIRECT, false,
        FlowSink.NO_TIME, FlowSink.NO_TIME, FlowSink.FLAG_NONE, 3);
    w.exception(12, 0xE, 0xffff800008001008L, 5, 6, 4);
    w.exception(12, -2, 0x10, 5, 6, 4);
    w.context(3, 1, true, false, 0xabcL, 7, 0);
    w.gap(3, FlowSink.GAP_NACC, 0x1234, 99);
    w.ambiguity(2, 0xffff800008001004L, new int[] {0xd503201f, 0x14000010}, true, 0x14000010, 1, 2, 88);
    w.ambiguity(2, 0x4, new int[] {0xd503201f}, false, 0, 1, 2, 88);
    w.error(1000, 5, 6, "bad \u00e9 header  ");
    out.flush();
    assertEquals(String.join("\n",
        "[000]                    -  ffff800008001004-ffff800008001008     1  first+0x4                            indirect N",
        "[012]          0.000000005  exception irq (0xe) return ffff800008001008 second_function_with_a_long_name_over_36",
        "[012]          0.000000005  exception other (0xfffffffe) return 0000000000000010 [unknown]",
        "[003]                    -  context el1 aarch64 s contextid 0xabc vmid 7",
        "[003]                    -  gap nacc address 0000000000001234 at offset 99",
        "[002]          0.000000001  ambiguity ffff800008001004 first+0x4 candidates d503201f,14000010 resolved 14000010 at offset 88",
        "[002]          0.000000001  ambiguity 0000000000000004 [unknown] candidates d503201f unresolved",
        "[1000]                    -  error at offset 5 (packet 6): bad \u00e9 header",
        ""), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void cycleCountsEndTheRangesLastLineAndNoPathHasALine() {
    OutputBuffer out = buffer(64); // every line drains the one before: the count must still fit
    TextWriter w = new TextWriter(out, SymbolNames.of(SYMS), false);
    w.rangeWithCycles(1, 0xffff800008001000L, 0xffff800008001008L, 2, FlowSink.LAST_DIRECT, true,
        FlowSink.NO_TIME, FlowSink.NO_TIME, FlowSink.FLAG_NONE, 7, 1234567890123L);
    w.noPath(1, 0x6951c, 0x63830, 4, 395);
    w.transaction(1, FlowSink.TRANS_COMMIT, 24);
    TextWriter r = new TextWriter(out, SymbolNames.of(SYMS), true);
    r.rangeWithCycles(0, 0xffff800008001004L, 0xffff800008001008L, 1, FlowSink.LAST_COND, false,
        FlowSink.NO_TIME, FlowSink.NO_TIME, FlowSink.FLAG_AMBIGUOUS, 3, 0);
    r.range(0, 0xffff800008001004L, 0xffff800008001008L, 1, FlowSink.LAST_COND, false,
        FlowSink.NO_TIME, FlowSink.NO_TIME, FlowSink.FLAG_NONE, 3);
    out.flush();
    assertEquals(String.join("\n",
        "[001]                    -  ffff800008001000  first                                other",
        "[001]                    -  ffff800008001004  first+0x4                            direct   E  cyc=1234567890123",
        "[001]                    -  no-path 4 instructions from 000000000006951c next 0000000000063830 at offset 395",
        "[001]                    -  transaction commit",
        "[000]                    -  ffff800008001004-ffff800008001008     1  first+0x4                            cond     N  ambiguous  cyc=0",
        "[000]                    -  ffff800008001004-ffff800008001008     1  first+0x4                            cond     N",
        ""), bytes.toString(StandardCharsets.UTF_8));
    assertEquals(bytes.size(), out.written());
  }

  /** The per-instruction line as the format strings of the first implementation wrote it. */
  private static String reference(int cpu, long time, long pc, String sym, String kind, String taken, String flag) {
    String t = time == FlowSink.NO_TIME ? "-"
        : String.format(Locale.ROOT, "%d.%09d", time / 1_000_000_000L, time % 1_000_000_000L);
    return (String.format(Locale.ROOT, "[%03d] %20s  ", cpu, t)
        + String.format(Locale.ROOT, "%016x  %-36s %-8s %s  %s", pc, sym, kind, taken, flag)).stripTrailing();
  }

  @Test
  void agreesWithFormatStringsOnRandomRanges() {
    SplittableRandom r = new SplittableRandom(11);
    OutputBuffer out = buffer(200);
    LongFunctionNames names = new LongFunctionNames();
    TextWriter w = new TextWriter(out, names, false);
    StringBuilder expected = new StringBuilder();
    for (int k = 0; k < 500; k++) {
      int cpu = r.nextInt(1200);
      long time = r.nextInt(4) == 0 ? FlowSink.NO_TIME : r.nextLong(Long.MAX_VALUE);
      long start = r.nextLong() & ~3L;
      int n = 1 + r.nextInt(5);
      int kind = r.nextInt(7);
      boolean taken = r.nextBoolean();
      int flag = r.nextInt(3);
      w.range(cpu, start, start + 4L * n, n, kind, taken, time, time, flag, 0);
      for (int i = 0; i < n; i++) {
        boolean last = i == n - 1;
        long pc = start + 4L * i;
        String sym = names.apply(pc);
        expected.append(reference(cpu, time, pc, sym == null ? "[unknown]" : sym, last ? ElementNames.lastKind(kind) : "other",
            last ? (taken ? "E" : "N") : " ", ElementNames.flag(flag))).append('\n');
      }
    }
    out.flush();
    assertEquals(expected.toString(), bytes.toString(StandardCharsets.UTF_8));
  }

  /** A plain function (not a {@link SymbolNames}): asked for every address. */
  private static final class LongFunctionNames implements java.util.function.LongFunction<String> {
    @Override
    public String apply(long pc) {
      return (pc & 8) == 0 ? null : "sym" + (pc & 0x70) + "+0x" + Long.toHexString(pc & 0xfff);
    }
  }

  @Test
  void aFailedWriteSaysWhetherTheReaderWentAway() {
    WritableByteChannel pipeClosed = new FailingChannel("Broken pipe");
    OutputBuffer out = new OutputBuffer(pipeClosed, 16, "standard output");
    TextWriter w = new TextWriter(out, SymbolNames.NONE, true);
    OutputFailed gone = assertThrows(OutputFailed.class, () -> {
      for (int i = 0; i < 3; i++) {
        w.exceptionReturn(0, 1, 1, 0);
      }
    });
    assertTrue(gone.readerGone());
    OutputBuffer full = new OutputBuffer(new FailingChannel("No space left on device"), 16, "standard output");
    new TextWriter(full, SymbolNames.NONE, true).exceptionReturn(0, 1, 1, 0);
    OutputFailed disk = assertThrows(OutputFailed.class, full::flush);
    assertFalse(disk.readerGone());
    assertEquals("writing standard output: No space left on device", disk.getMessage());
  }

  private record FailingChannel(String message) implements WritableByteChannel {
    @Override
    public int write(ByteBuffer src) throws IOException {
      throw new IOException(message);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
