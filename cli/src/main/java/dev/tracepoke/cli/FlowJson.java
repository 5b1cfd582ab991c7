package dev.tracepoke.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tracepoke.decode.flow.FlowSink;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The stable machine-readable output of {@code decode --format jsonl} (DESIGN.md, schema 1): a
 * header line, then one JSON object per element. Addresses are hex strings.
 */
final class FlowJson implements FlowSink, AutoCloseable {
  static final int SCHEMA = 1;
  private final JsonGenerator g;
  private final java.util.function.IntUnaryOperator traceIdOf;

  /** @param traceIdOf the CoreSight trace ID of each cpu's trace unit */
  FlowJson(OutputStream out, java.util.function.IntUnaryOperator traceIdOf) throws IOException {
    this.traceIdOf = traceIdOf;
    g = new JsonFactory().createGenerator(out);
    g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  }

  void header(String source, List<Integer> cores) {
    try {
      g.writeStartObject();
      g.writeStringField("type", "header");
      g.writeNumberField("schema", SCHEMA);
      g.writeStringField("source", source);
      g.writeArrayFieldStart("cores");
      for (int c : cores) {
        g.writeNumber(c);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens an element object: its type and cpu come first in every element. */
  private void begin(String type, int cpu) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", type);
    g.writeNumberField("cpu", cpu);
  }

  /** Closes an element object with the trace offset every element ends with. */
  private void end(long offset) throws IOException {
    g.writeNumberField("offset", offset);
    g.writeEndObject();
  }

  private static String hex(long a) {
    return "0x" + Long.toHexString(a);
  }

  private void time(long from, long to) throws IOException {
    if (from == NO_TIME && to == NO_TIME) {
      g.writeNullField("time");
      return;
    }
    g.writeArrayFieldStart("time");
    if (from == NO_TIME) {
      g.writeNull();
    } else {
      g.writeNumber(from);
    }
    if (to == NO_TIME) {
      g.writeNull();
    } else {
      g.writeNumber(to);
    }
    g.writeEndArray();
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    try {
      begin("range", cpu);
      g.writeNumberField("trace_id", traceIdOf.applyAsInt(cpu));
      g.writeStringField("start", hex(start));
      g.writeStringField("end", hex(end));
      g.writeNumberField("instructions", instructions);
      g.writeStringField("last", FlowText.lastKind(lastKind));
      g.writeBooleanField("taken", taken);
      time(timeFrom, timeTo);
      if (flag == FLAG_NONE) {
        g.writeNullField("flag");
      } else {
        g.writeStringField("flag", FlowText.flag(flag));
      }
      end(offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    try {
      begin("exception", cpu);
      g.writeNumberField("number", number);
      g.writeStringField("kind", FlowText.exceptionKind(number));
      g.writeStringField("return", hex(returnAddress));
      time(timeFrom, timeTo);
      end(offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    try {
      begin("exception_return", cpu);
      time(timeFrom, timeTo);
      end(offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    try {
      begin("context", cpu);
      g.writeNumberField("el", el);
      g.writeBooleanField("sf", sf);
      g.writeBooleanField("ns", ns);
      g.writeStringField("context_id", hex(contextId));
      g.writeNumberField("vmid", vmid);
      end(offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    try {
      begin("gap", cpu);
      g.writeStringField("reason", FlowText.gapReason(reason));
      g.writeStringField("address", hex(address));
      end(offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    try {
      begin("ambiguity", cpu);
      g.writeStringField("pc", hex(pc));
      g.writeArrayFieldStart("candidates");
      for (int w : candidates) {
        g.writeString(String.format("0x%08x", w));
      }
      g.writeEndArray();
      if (resolved) {
        g.writeStringField("resolved", String.format("0x%08x", resolvedWord));
      } else {
        g.writeNullField("resolved");
      }
      time(timeFrom, timeTo);
      g.writeNumberField("at_offset", resolvedAt);
      // why an unresolved execution stayed so: "undecidable" or "gave_up" (null when resolved)
      g.writeStringField("reason", FlowSink.reasonName(reason));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    try {
      begin("error", cpu);
      g.writeNumberField("offset", offset);
      g.writeNumberField("packet", packetIndex);
      g.writeStringField("message", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    g.writeRaw('\n');
    g.close();
  }
}
