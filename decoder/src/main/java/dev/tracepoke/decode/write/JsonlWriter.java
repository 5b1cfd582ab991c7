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

  // the fixed parts of the objects, copied rather than encoded
  private static final byte[] J_TYPE_CONTEXT_CPU = OutputBuffer.bytes("{\"type\":\"context\",\"cpu\":");
  private static final byte[] J_TYPE_EXCEPTION_CPU = OutputBuffer.bytes("{\"type\":\"exception\",\"cpu\":");
  private static final byte[] J_TYPE_RANGE_CPU = OutputBuffer.bytes("{\"type\":\"range\",\"cpu\":");
  private static final byte[] J_TYPE_GAP_CPU = OutputBuffer.bytes("{\"type\":\"gap\",\"cpu\":");
  private static final byte[] J_TYPE_ERROR_CPU = OutputBuffer.bytes("{\"type\":\"error\",\"cpu\":");
  private static final byte[] J_TYPE_EXCEPTION_RETURN_CPU = OutputBuffer.bytes("{\"type\":\"exception_return\",\"cpu\":");
  private static final byte[] J_TYPE_AMBIGUITY_CPU = OutputBuffer.bytes("{\"type\":\"ambiguity\",\"cpu\":");
  private static final byte[] J_START_0X = OutputBuffer.bytes(",\"start\":\"0x");
  private static final byte[] J_END_0X = OutputBuffer.bytes(",\"end\":\"0x");
  private static final byte[] J_RETURN_0X = OutputBuffer.bytes(",\"return\":\"0x");
  private static final byte[] J_CONTEXT_ID_0X = OutputBuffer.bytes(",\"context_id\":\"0x");
  private static final byte[] J_ADDRESS_0X = OutputBuffer.bytes(",\"address\":\"0x");
  private static final byte[] J_PC_0X = OutputBuffer.bytes(",\"pc\":\"0x");
  private static final byte[] J_TYPE_HEADER_SCHEMA = OutputBuffer.bytes("{\"type\":\"header\",\"schema\":");
  private static final byte[] J_SOURCE = OutputBuffer.bytes(",\"source\":");
  private static final byte[] J_CORES = OutputBuffer.bytes(",\"cores\":[");
  private static final byte[] J_HEADER_END = OutputBuffer.bytes("]}\n");
  private static final byte[] J_TIME = OutputBuffer.bytes(",\"time\":");
  private static final byte[] J_NULL = OutputBuffer.bytes("null");
  private static final byte[] J_OFFSET = OutputBuffer.bytes(",\"offset\":");
  private static final byte[] J_TRACE_ID = OutputBuffer.bytes(",\"trace_id\":");
  private static final byte[] J_INSTRUCTIONS = OutputBuffer.bytes(",\"instructions\":");
  private static final byte[] J_NUMBER = OutputBuffer.bytes(",\"number\":");
  private static final byte[] J_KIND = OutputBuffer.bytes(",\"kind\":\"");
  private static final byte[] J_EL = OutputBuffer.bytes(",\"el\":");
  private static final byte[] J_VMID = OutputBuffer.bytes(",\"vmid\":");
  private static final byte[] J_REASON = OutputBuffer.bytes(",\"reason\":\"");
  private static final byte[] J_CANDIDATES = OutputBuffer.bytes(",\"candidates\":[");
  private static final byte[] J_0X = OutputBuffer.bytes("\"0x");
  private static final byte[] J_RESOLVED = OutputBuffer.bytes("],\"resolved\":");
  private static final byte[] J_AT_OFFSET = OutputBuffer.bytes(",\"at_offset\":");
  private static final byte[] J_PACKET = OutputBuffer.bytes(",\"packet\":");
  private static final byte[] J_MESSAGE = OutputBuffer.bytes(",\"message\":");
  private static final byte[] J_TRUE = OutputBuffer.bytes("true");
  private static final byte[] J_FALSE = OutputBuffer.bytes("false");
  private static final byte[] J_SF_TRUE = OutputBuffer.bytes(",\"sf\":true");
  private static final byte[] J_SF_FALSE = OutputBuffer.bytes(",\"sf\":false");
  private static final byte[] J_NS_TRUE = OutputBuffer.bytes(",\"ns\":true");
  private static final byte[] J_NS_FALSE = OutputBuffer.bytes(",\"ns\":false");

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
    int p = OutputBuffer.put(b, out.pos, J_TYPE_HEADER_SCHEMA);
    p = OutputBuffer.decimal(b, p, SCHEMA);
    p = OutputBuffer.put(b, p, J_SOURCE);
    p = OutputBuffer.put(b, p, s);
    p = OutputBuffer.put(b, p, J_CORES);
    for (int i = 0; i < cores.size(); i++) {
      if (i > 0) {
        b[p++] = ',';
      }
      p = OutputBuffer.decimal(b, p, cores.get(i));
    }
    out.pos = OutputBuffer.put(b, p, J_HEADER_END);
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
  private static int begin(byte[] b, int p, byte[] typeAndCpu, int cpu) {
    return OutputBuffer.decimal(b, OutputBuffer.put(b, p, typeAndCpu), cpu);
  }

  /** {@code ,"<key>":"0x<hex>"}. */
  private static int address(byte[] b, int p, byte[] key, long a) {
    p = OutputBuffer.put(b, p, key);
    p = OutputBuffer.hex(b, p, a);
    b[p++] = '"';
    return p;
  }

  /** {@code ,"time":} then null or {@code [from,to]} with null for an unknown end. */
  private static int time(byte[] b, int p, long from, long to) {
    p = OutputBuffer.put(b, p, J_TIME);
    if (from == NO_TIME && to == NO_TIME) {
      return OutputBuffer.put(b, p, J_NULL);
    }
    b[p++] = '[';
    p = from == NO_TIME ? OutputBuffer.put(b, p, J_NULL) : OutputBuffer.decimal(b, p, from);
    b[p++] = ',';
    p = to == NO_TIME ? OutputBuffer.put(b, p, J_NULL) : OutputBuffer.decimal(b, p, to);
    b[p++] = ']';
    return p;
  }

  /** Closes an element object with the trace offset every element ends with. */
  private static int end(byte[] b, int p, long offset) {
    p = OutputBuffer.put(b, p, J_OFFSET);
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
    int p = begin(b, out.pos, J_TYPE_RANGE_CPU, cpu);
    p = OutputBuffer.put(b, p, J_TRACE_ID);
    p = OutputBuffer.decimal(b, p, id);
    p = address(b, p, J_START_0X, start);
    p = address(b, p, J_END_0X, end);
    p = OutputBuffer.put(b, p, J_INSTRUCTIONS);
    p = OutputBuffer.decimal(b, p, instructions);
    p = OutputBuffer.put(b, p, LAST[lastKind >= 0 && lastKind < 7 ? lastKind : LAST_OTHER]);
    p = OutputBuffer.put(b, p, taken ? J_TRUE : J_FALSE);
    p = time(b, p, timeFrom, timeTo);
    p = OutputBuffer.put(b, p, FLAG[flag >= 0 && flag < 3 ? flag : FLAG_NONE]);
    p = OutputBuffer.decimal(b, p, offset);
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    out.require(320);
    byte[] b = out.buf;
    int p = begin(b, out.pos, J_TYPE_EXCEPTION_CPU, cpu);
    p = OutputBuffer.put(b, p, J_NUMBER);
    p = OutputBuffer.decimal(b, p, number);
    p = OutputBuffer.put(b, p, J_KIND);
    p = OutputBuffer.ascii(b, p, ElementNames.exceptionKind(number));
    b[p++] = '"';
    p = address(b, p, J_RETURN_0X, returnAddress);
    p = time(b, p, timeFrom, timeTo);
    out.pos = end(b, p, offset);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    out.require(200);
    byte[] b = out.buf;
    int p = begin(b, out.pos, J_TYPE_EXCEPTION_RETURN_CPU, cpu);
    p = time(b, p, timeFrom, timeTo);
    out.pos = end(b, p, offset);
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    out.require(240);
    byte[] b = out.buf;
    int p = begin(b, out.pos, J_TYPE_CONTEXT_CPU, cpu);
    p = OutputBuffer.put(b, p, J_EL);
    p = OutputBuffer.decimal(b, p, el);
    p = OutputBuffer.put(b, p, sf ? J_SF_TRUE : J_SF_FALSE);
    p = OutputBuffer.put(b, p, ns ? J_NS_TRUE : J_NS_FALSE);
    p = address(b, p, J_CONTEXT_ID_0X, contextId);
    p = OutputBuffer.put(b, p, J_VMID);
    p = OutputBuffer.decimal(b, p, vmid);
    out.pos = end(b, p, offset);
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    out.require(200);
    byte[] b = out.buf;
    int p = begin(b, out.pos, J_TYPE_GAP_CPU, cpu);
    p = OutputBuffer.put(b, p, J_REASON);
    p = OutputBuffer.ascii(b, p, ElementNames.gapReason(reason));
    b[p++] = '"';
    p = address(b, p, J_ADDRESS_0X, address);
    out.pos = end(b, p, offset);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt,
        resolved ? REASON_NONE : REASON_UNDECIDABLE);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt, int reason) {
    out.require(300 + 13 * candidates.length);
    byte[] b = out.buf;
    int p = begin(b, out.pos, J_TYPE_AMBIGUITY_CPU, cpu);
    p = address(b, p, J_PC_0X, pc);
    p = OutputBuffer.put(b, p, J_CANDIDATES);
    for (int i = 0; i < candidates.length; i++) {
      if (i > 0) {
        b[p++] = ',';
      }
      p = OutputBuffer.put(b, p, J_0X);
      p = OutputBuffer.hex8(b, p, candidates[i]);
      b[p++] = '"';
    }
    p = OutputBuffer.put(b, p, J_RESOLVED);
    if (resolved) {
      p = OutputBuffer.put(b, p, J_0X);
      p = OutputBuffer.hex8(b, p, resolvedWord);
      b[p++] = '"';
    } else {
      p = OutputBuffer.put(b, p, J_NULL);
    }
    p = time(b, p, timeFrom, timeTo);
    p = OutputBuffer.put(b, p, J_AT_OFFSET);
    p = OutputBuffer.decimal(b, p, resolvedAt);
    // why an unresolved execution stayed so: "undecidable" or "gave_up" (null when resolved)
    p = OutputBuffer.ascii(b, p, reason == REASON_GAVE_UP ? ",\"reason\":\"gave_up\""
        : reason == REASON_UNDECIDABLE ? ",\"reason\":\"undecidable\"" : ",\"reason\":null");
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    byte[] m = JsonText.quoted(message);
    out.require(200 + m.length);
    byte[] b = out.buf;
    int p = begin(b, out.pos, J_TYPE_ERROR_CPU, cpu);
    p = OutputBuffer.put(b, p, J_OFFSET);
    p = OutputBuffer.decimal(b, p, offset);
    p = OutputBuffer.put(b, p, J_PACKET);
    p = OutputBuffer.decimal(b, p, packetIndex);
    p = OutputBuffer.put(b, p, J_MESSAGE);
    p = OutputBuffer.put(b, p, m);
    b[p++] = '}';
    b[p++] = '\n';
    out.pos = p;
  }
}
