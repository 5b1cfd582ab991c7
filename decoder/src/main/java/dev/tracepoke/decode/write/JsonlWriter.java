package dev.tracepoke.decode.write;

import dev.tracepoke.decode.flow.FlowSink;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The stable machine-readable output of {@code decode --format jsonl} (DESIGN.md, schema 1): a
 * header line, then one JSON object per element, keys in a fixed order. Addresses are hex strings.
 * Objects are formatted as bytes straight into an {@link OutputBuffer}.
 */
public final class JsonlWriter implements FlowSink {
  public static final int SCHEMA = 1;

  private static final byte[][] LAST = new byte[7][];
  private static final byte[][] FLAG = new byte[3][];

  static {
    for (int k = 0; k < 7; k++) {
      LAST[k] = OutputBuffer.bytes(",\"last\":\"" + ElementNames.lastKind(k) + "\",\"taken\":");
    }
    FLAG[FLAG_NONE] = OutputBuffer.bytes(",\"flag\":null,\"offset\":");
    FLAG[FLAG_AMBIGUOUS] = OutputBuffer.bytes(",\"flag\":\"" + ElementNames.flag(FLAG_AMBIGUOUS) + "\",\"offset\":");
    FLAG[FLAG_RESOLVED] = OutputBuffer.bytes(",\"flag\":\"" + ElementNames.flag(FLAG_RESOLVED) + "\",\"offset\":");
  }

  private final OutputBuffer out;
  private final IntUnaryOperator traceIdOf;
  /** Trace IDs by cpu, asked of {@link #traceIdOf} once per cpu. */
  private int[] traceIds = new int[0];
  private boolean[] known = new boolean[0];

  /** @param traceIdOf the CoreSight trace ID of each cpu's trace unit */
  public JsonlWriter(OutputBuffer out, IntUnaryOperator traceIdOf) {
    this.out = out;
    this.traceIdOf = traceIdOf;
  }

  /** The first line: what was decoded and which cores. */
  public void header(String source, List<Integer> cores) {
    byte[] s = JsonText.quoted(source);
    out.require(64 + s.length + 12 * cores.size());
    byte[] b = out.buf;
    int p = OutputBuffer.ascii(b, out.pos, "{\"type\":\"header\",\"schema\":");
    p = OutputBuffer.decimal(b, p, SCHEMA);
    p = OutputBuffer.ascii(b, p, ",\"source\":");
    p = OutputBuffer.put(b, p, s);
    p = OutputBuffer.ascii(b, p, ",\"cores\":[");
    for (int i = 0; i < cores.size(); i++) {
      if (i > 0) {
        b[p++] = ',';
      }
      p = OutputBuffer.decimal(b, p, cores.get(i));
    }
    out.pos = OutputBuffer.ascii(b, p, "]}\n");
  }

  private int traceId(int cpu) {
    if (cpu >= 0 && cpu < known.length && known[cpu]) {
      return traceIds[cpu];
    }
    int id = traceIdOf.applyAsInt(cpu);
    if (cpu >= 0 && cpu < 4096) {
      if (cpu >= known.length) {
        traceIds = Arrays.copyOf(traceIds, cpu + 1);
        known = Arrays.copyOf(known, cpu + 1);
      }
      traceIds[cpu] = id;
      known[cpu] = true;
    }
    return id;
  }

  /** Opens an element object: its type and cpu come first in every element. */
  private static int begin(byte[] b, int p, String type, int cpu) {
    p = OutputBuffer.ascii(b, p, "{\"type\":\"");
    p = OutputBuffer.ascii(b, p, type);
    p = OutputBuffer.ascii(b, p, "\",\"cpu\":");
    return OutputBuffer.decimal(b, p, cpu);
  }

  /** {@code ,"<key>":"0x<hex>"}. */
  private static int address(byte[] b, int p, String key, long a) {
    p = OutputBuffer.ascii(b, p, key);
    p = OutputBuffer.hex(b, p, a);
    b[p++] = '"';
    return p;
  }

  /** {@code ,"time":} then null or {@code [from,to]} with null for an unknown end. */
  private static int time(byte[] b, int p, long from, long to) {
    p = OutputBuffer.ascii(b, p, ",\"time\":");
    if (from == NO_TIME && to == NO_TIME) {
      return OutputBuffer.ascii(b, p, "null");
    }
    b[p++] = '[';
    p = from == NO_TIME ? OutputBuffer.ascii(b, p, "null") : OutputBuffer.decimal(b, p, from);
    b[p++] = ',';
    p = to == NO_TIME ? OutputBuffer.ascii(b, p, "null") : OutputBuffer.decimal(b, p, to);
    b[p++] = ']';
    return p;
  }

  /** Closes an element object with the trace offset every element ends with. */
  private static int end(byte[] b, int p, long offset) {
    p = OutputBuffer.ascii(b, p, ",\"offset\":");
    p = OutputBuffer.decimal(b, p, offset);
    b[p++] = '}';
    b[p++] = '\n';
    return p;
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    int id = traceId(cpu);
    out.require(320);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "range", cpu);
    p = OutputBuffer.ascii(b, p, ",\"trace_id\":");
    p = OutputBuffer.decimal(b, p, id);
    p = address(b, p, ",\"start\":\"0x", start);
    p = address(b, p, ",\"end\":\"0x", end);
    p = OutputBuffer.ascii(b, p, ",\"instructions\":");
    p = OutputBuffer.decimal(b, p, instructions);
    p = OutputBuffer.put(b, p, LAST[lastKind >= 0 && lastKind < 7 ? lastKind : LAST_OTHER]);
    p = OutputBuffer.ascii(b, p, taken ? "true" : "false");
    p = time(b, p, timeFrom, timeTo);
    p = OutputBuffer.put(b, p, FLAG[flag >= 0 && flag < 3 ? flag : FLAG_NONE]);
    p = OutputBuffer.decimal(b, p, offset);
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }

  /** A range with its cycle count: the same object with {@code "cycles"} last. */
  @Override
  public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
      boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
    out.require(320 + 12 + 20); // range's own require then keeps the object in the buffer
    range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
    byte[] b = out.buf;
    int p = out.pos - 2; // over the closing brace and newline
    p = OutputBuffer.ascii(b, p, ",\"cycles\":");
    p = OutputBuffer.decimal(b, p, cycles);
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }

  /** ETE transactional memory: {@code {"type":"transaction","cpu":N,"kind":"start",...}}. */
  @Override
  public void transaction(int cpu, int kind, long offset) {
    out.require(120);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "transaction", cpu);
    p = OutputBuffer.ascii(b, p, ",\"kind\":\"");
    p = OutputBuffer.ascii(b, p, ElementNames.transaction(kind));
    b[p++] = '"';
    out.pos = end(b, p, offset);
  }

  /**
   * Instructions without a known path (a Q element): a gap object, reason {@code no_path}, with
   * where execution went on and how many instructions ran (0 = unknown).
   */
  @Override
  public void noPath(int cpu, long start, long next, long instructions, long offset) {
    out.require(260);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "gap", cpu);
    p = OutputBuffer.ascii(b, p, ",\"reason\":\"");
    p = OutputBuffer.ascii(b, p, ElementNames.gapReason(GAP_NO_PATH));
    b[p++] = '"';
    p = address(b, p, ",\"address\":\"0x", start);
    p = address(b, p, ",\"next\":\"0x", next);
    p = OutputBuffer.ascii(b, p, ",\"instructions\":");
    p = OutputBuffer.decimal(b, p, instructions);
    out.pos = end(b, p, offset);
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    out.require(320);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "exception", cpu);
    p = OutputBuffer.ascii(b, p, ",\"number\":");
    p = OutputBuffer.decimal(b, p, number);
    p = OutputBuffer.ascii(b, p, ",\"kind\":\"");
    p = OutputBuffer.ascii(b, p, ElementNames.exceptionKind(number));
    b[p++] = '"';
    p = address(b, p, ",\"return\":\"0x", returnAddress);
    p = time(b, p, timeFrom, timeTo);
    out.pos = end(b, p, offset);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    out.require(200);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "exception_return", cpu);
    p = time(b, p, timeFrom, timeTo);
    out.pos = end(b, p, offset);
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    out.require(240);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "context", cpu);
    p = OutputBuffer.ascii(b, p, ",\"el\":");
    p = OutputBuffer.decimal(b, p, el);
    p = OutputBuffer.ascii(b, p, sf ? ",\"sf\":true" : ",\"sf\":false");
    p = OutputBuffer.ascii(b, p, ns ? ",\"ns\":true" : ",\"ns\":false");
    p = address(b, p, ",\"context_id\":\"0x", contextId);
    p = OutputBuffer.ascii(b, p, ",\"vmid\":");
    p = OutputBuffer.decimal(b, p, vmid);
    out.pos = end(b, p, offset);
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    out.require(200);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "gap", cpu);
    p = OutputBuffer.ascii(b, p, ",\"reason\":\"");
    p = OutputBuffer.ascii(b, p, ElementNames.gapReason(reason));
    b[p++] = '"';
    p = address(b, p, ",\"address\":\"0x", address);
    out.pos = end(b, p, offset);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    out.require(300 + 13 * candidates.length);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "ambiguity", cpu);
    p = address(b, p, ",\"pc\":\"0x", pc);
    p = OutputBuffer.ascii(b, p, ",\"candidates\":[");
    for (int i = 0; i < candidates.length; i++) {
      if (i > 0) {
        b[p++] = ',';
      }
      p = OutputBuffer.ascii(b, p, "\"0x");
      p = OutputBuffer.hex8(b, p, candidates[i]);
      b[p++] = '"';
    }
    p = OutputBuffer.ascii(b, p, "],\"resolved\":");
    if (resolved) {
      p = OutputBuffer.ascii(b, p, "\"0x");
      p = OutputBuffer.hex8(b, p, resolvedWord);
      b[p++] = '"';
    } else {
      p = OutputBuffer.ascii(b, p, "null");
    }
    p = time(b, p, timeFrom, timeTo);
    p = OutputBuffer.ascii(b, p, ",\"at_offset\":");
    p = OutputBuffer.decimal(b, p, resolvedAt);
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    byte[] m = JsonText.quoted(message);
    out.require(200 + m.length);
    byte[] b = out.buf;
    int p = begin(b, out.pos, "error", cpu);
    p = OutputBuffer.ascii(b, p, ",\"offset\":");
    p = OutputBuffer.decimal(b, p, offset);
    p = OutputBuffer.ascii(b, p, ",\"packet\":");
    p = OutputBuffer.decimal(b, p, packetIndex);
    p = OutputBuffer.ascii(b, p, ",\"message\":");
    p = OutputBuffer.put(b, p, m);
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }
}
