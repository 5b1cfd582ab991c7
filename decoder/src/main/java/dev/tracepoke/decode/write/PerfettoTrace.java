package dev.tracepoke.decode.write;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PokeKind;
import dev.tracepoke.decode.image.TextPoke;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * A decode as Chrome's JSON trace-event format, which Perfetto's UI and chrome://tracing load: one
 * track per core ({@code tid} = cpu), function slices ({@code ph:"X"}) rebuilt from calls and
 * returns, exceptions as slices from entry to return, and instants ({@code ph:"i"}) for text-poke
 * records ({@code cat:"poke"}) and every ambiguous execution ({@code cat:"ambiguity"}). Written as
 * the elements stream by: each slice is written when it ends, so memory holds only each core's
 * open call stack (at most {@link #MAX_DEPTH} frames).
 */
public final class PerfettoTrace implements FlowSink, AutoCloseable {
  /** Deeper than this, the outermost open frame is written (ended here) to bound memory. */
  static final int MAX_DEPTH = 256;
  private static final int PID = 1;

  /**
   * One open slice. Times between timestamps are only known to lie in an interval, so a slice is
   * kept inside its parent and after its earlier siblings ({@code cursor}: where the last closed
   * child ended), which the trace-event format needs on one track.
   */
  private static final class Frame {
    final String name;
    final String cat;
    final long start;
    long cursor;

    Frame(String name, String cat, long start) {
      this.name = name;
      this.cat = cat;
      this.start = start;
      cursor = start;
    }

    String cat() {
      return cat;
    }
  }

  /** What one core's track needs between elements. */
  private static final class Track {
    final List<Frame> stack = new ArrayList<>();
    long cursor = Long.MIN_VALUE; // where the last closed outermost slice ended
    // A range is only known to lie in [timeFrom, timeTo], often microseconds holding hundreds of
    // calls; a clock advanced per instruction at the rate of the previous interval spreads them
    // inside it (never outside the bounds the trace gives).
    long intervalFrom = FlowSink.NO_TIME;
    long intervalTo;
    long intervalInsns;
    double nanosPerInsn = 1;
    double clock = Double.NEGATIVE_INFINITY;
    long rangeEnd;

    /** Places a range of {@code n} instructions in {@code [from, to]}: returns its start, sets {@link #rangeEnd}. */
    long place(long from, long to, int n) {
      if (from != intervalFrom) {
        // short intervals (timestamps around a CSE) say little about the rate
        if (intervalInsns >= 256 && intervalTo > intervalFrom && intervalFrom != FlowSink.NO_TIME) {
          nanosPerInsn = (double) (intervalTo - intervalFrom) / intervalInsns;
        }
        intervalFrom = from;
        intervalTo = to;
        intervalInsns = 0;
      }
      intervalInsns += n;
      clock = Math.max(clock, from);
      long start = Math.min(to, (long) clock);
      clock += n * nanosPerInsn;
      rangeEnd = Math.min(to, (long) clock);
      return start;
    }
    boolean calling; // the last range ended in a taken BL/BLR: the next range starts a function
    long lastTime = FlowSink.NO_TIME;
  }

  private final Writer out;
  private final ImageTimeline timeline;
  private final LongFunction<String> symbols;
  private final Map<Integer, Track> tracks = new TreeMap<>();
  private final StringBuilder line = new StringBuilder(256);
  private boolean first = true;
  private long slices;
  private long instants;

  /**
   * Writes the header, the track names and the text-poke instants.
   *
   * @param timeline the image over time (tells calls from branches at a range's end)
   */
  public PerfettoTrace(Writer out, String source, List<Integer> cpus, List<TextPoke> pokes, ImageTimeline timeline,
      LongFunction<String> symbols) throws IOException {
    this.out = out;
    this.timeline = timeline;
    this.symbols = symbols;
    out.write("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":" + ReportPage.json(source)
        + ",\"generator\":\"tracepoke\"},\"traceEvents\":[\n");
    event().append("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":").append(PID)
        .append(",\"tid\":0,\"args\":{\"name\":").append(ReportPage.json("tracepoke " + source)).append("}}");
    emit();
    for (int cpu : cpus) {
      tracks.put(cpu, new Track());
      event().append("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":").append(PID).append(",\"tid\":").append(cpu)
          .append(",\"args\":{\"name\":\"cpu ").append(cpu).append("\"}}");
      emit();
      event().append("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":").append(PID).append(",\"tid\":")
          .append(cpu).append(",\"args\":{\"sort_index\":").append(cpu).append("}}");
      emit();
    }
    for (TextPoke p : pokes) {
      event().append("{\"ph\":\"i\",\"cat\":\"poke\",\"name\":\"text poke ")
          .append(p.kind() == PokeKind.LANDED ? "" : p.kind().name() + " ").append(hex(p.address()))
          .append("\",\"s\":\"").append(p.cpu() >= 0 ? "t" : "g").append("\",\"ts\":").append(micros(p.time()))
          .append(",\"pid\":").append(PID).append(",\"tid\":").append(Math.max(0, p.cpu()))
          .append(",\"args\":{\"address\":\"").append(hex(p.address())).append("\",\"symbol\":")
          .append(ReportPage.json(sym(p.address()))).append(",\"kind\":\"").append(p.kind().name().toLowerCase(Locale.ROOT))
          .append("\",\"old\":\"").append(bytes(p.oldBytes())).append("\",\"new\":\"").append(bytes(p.newBytes()))
          .append("\",\"writer\":").append(p.cpu()).append("}}");
      emit();
      instants++;
    }
  }

  /** Slices written so far. */
  public long slices() {
    return slices;
  }

  /** Instants written so far (pokes and ambiguities). */
  public long instants() {
    return instants;
  }

  private Track track(int cpu) {
    return tracks.computeIfAbsent(cpu, c -> new Track());
  }

  /** {@code time}, or where it is unknown the core's latest time so far. */
  private static long at(Track t, long time) {
    if (time == FlowSink.NO_TIME) {
      return t.lastTime;
    }
    t.lastTime = t.lastTime == FlowSink.NO_TIME ? time : Math.max(t.lastTime, time);
    return time;
  }

  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    Track t = track(cpu);
    long from = at(t, timeFrom);
    long to = at(t, timeTo);
    if (from != FlowSink.NO_TIME && to != FlowSink.NO_TIME && to >= from) {
      from = t.place(from, to, instructions);
      to = t.rangeEnd;
    }
    if (t.calling && from != FlowSink.NO_TIME) {
      push(cpu, t, new Frame(function(start), "function", from));
    }
    t.calling = false;
    if (!taken) {
      return;
    }
    if (lastKind == FlowSink.LAST_RETURN) {
      if (!t.stack.isEmpty() && t.stack.get(t.stack.size() - 1).cat().equals("function")) {
        slice(cpu, t, t.stack.remove(t.stack.size() - 1), to);
      }
    } else if (lastKind == FlowSink.LAST_DIRECT || lastKind == FlowSink.LAST_INDIRECT) {
      long last = end - 4;
      long word = timeline.read32(last, timeline.versionAt(to == FlowSink.NO_TIME ? Long.MIN_VALUE : to));
      t.calling = word != MemoryImage.NOT_MAPPED && (A64.classify((int) word) & A64.F_LINK) != 0;
    }
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    Track t = track(cpu);
    long at = at(t, timeFrom != FlowSink.NO_TIME ? timeFrom : timeTo);
    at(t, timeTo);
    t.calling = false;
    if (at != FlowSink.NO_TIME) {
      at = Math.max(at, Math.min(timeTo == FlowSink.NO_TIME ? at : timeTo, (long) t.clock));
      push(cpu, t, new Frame("exception " + exceptionName(number), "exception", at));
    }
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    Track t = track(cpu);
    long at = at(t, timeTo != FlowSink.NO_TIME ? timeTo : timeFrom);
    if (at != FlowSink.NO_TIME && timeFrom != FlowSink.NO_TIME) {
      at = Math.max(timeFrom, Math.min(at, (long) t.clock));
    }
    t.calling = false;
    // the handler's own calls end with it; frames outside any exception are the interrupted code's
    for (int i = t.stack.size() - 1; i >= 0; i--) {
      if (t.stack.get(i).cat().equals("exception")) {
        while (t.stack.size() > i) {
          slice(cpu, t, t.stack.remove(t.stack.size() - 1), at);
        }
        break;
      }
    }
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {}

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    Track t = track(cpu);
    closeAll(cpu, t, t.lastTime); // the flow restarts from an address: the old stack is unknown
    t.calling = false;
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    Track t = track(cpu);
    long ts = at(t, timeFrom != FlowSink.NO_TIME ? timeFrom : timeTo);
    at(t, timeTo);
    if (ts == FlowSink.NO_TIME) {
      ts = 0; // no timestamp yet on this core: still one instant per ambiguous execution
    }
    event().append("{\"ph\":\"i\",\"cat\":\"ambiguity\",\"name\":\"")
        .append(resolved ? "resolved " : "unresolved ").append(hex(pc)).append("\",\"s\":\"t\",\"ts\":")
        .append(micros(ts)).append(",\"pid\":").append(PID).append(",\"tid\":").append(cpu)
        .append(",\"args\":{\"pc\":\"").append(hex(pc)).append("\",\"symbol\":").append(ReportPage.json(sym(pc)))
        .append(",\"candidates\":[");
    for (int i = 0; i < candidates.length; i++) {
      line.append(i == 0 ? "\"" : ",\"").append(String.format("0x%08x", candidates[i])).append('"');
    }
    line.append("],\"outcome\":\"").append(resolved ? "resolved" : "unresolved").append("\",\"resolved\":")
        .append(resolved ? "\"" + String.format("0x%08x", resolvedWord) + "\"" : "null").append("}}");
    emit();
    instants++;
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    gap(cpu, FlowSink.GAP_ERROR, 0, offset);
  }

  /** Ends every core's open slices at its last time and closes the JSON. */
  @Override
  public void close() throws IOException {
    for (var e : tracks.entrySet()) {
      closeAll(e.getKey(), e.getValue(), e.getValue().lastTime);
    }
    out.write("\n]}\n");
    out.flush();
  }

  private void push(int cpu, Track t, Frame f) {
    if (t.stack.size() == MAX_DEPTH) {
      slice(cpu, t, t.stack.remove(0), f.start);
    }
    long floor = t.stack.isEmpty() ? t.cursor : t.stack.get(t.stack.size() - 1).cursor;
    t.stack.add(f.start >= floor ? f : new Frame(f.name, f.cat, floor));
  }

  private void closeAll(int cpu, Track t, long at) {
    while (!t.stack.isEmpty()) {
      slice(cpu, t, t.stack.remove(t.stack.size() - 1), at);
    }
  }

  /** Writes {@code f} (just taken off the stack), ending no earlier than its children. */
  private void slice(int cpu, Track t, Frame f, long end) {
    long stop = end == FlowSink.NO_TIME ? f.cursor : Math.max(end, f.cursor);
    if (t.stack.isEmpty()) {
      t.cursor = stop;
    } else {
      Frame parent = t.stack.get(t.stack.size() - 1);
      parent.cursor = Math.max(parent.cursor, stop);
    }
    long dur = stop - f.start;
    event().append("{\"ph\":\"X\",\"cat\":\"").append(f.cat).append("\",\"name\":").append(ReportPage.json(f.name))
        .append(",\"ts\":").append(micros(f.start)).append(",\"dur\":").append(micros(dur)).append(",\"pid\":")
        .append(PID).append(",\"tid\":").append(cpu).append('}');
    emit();
    slices++;
  }

  private StringBuilder event() {
    line.setLength(0);
    line.append(first ? "" : ",\n");
    first = false;
    return line;
  }

  private void emit() {
    try {
      out.append(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // FlowSink calls cannot throw; the caller unwraps
    }
  }

  /** A function's name: its symbol without the offset, else its address. */
  private String function(long pc) {
    String s = symbols.apply(pc);
    if (s == null) {
      return hex(pc);
    }
    int plus = s.indexOf('+');
    return plus > 0 ? s.substring(0, plus) : s;
  }

  private String sym(long pc) {
    String s = symbols.apply(pc);
    return s == null ? "" : s;
  }

  /** Trace-event times are microseconds; keep the nanoseconds as three decimals. */
  static String micros(long ns) {
    long a = Math.abs(ns);
    return (ns < 0 ? "-" : "") + a / 1000 + "." + String.format("%03d", a % 1000);
  }

  private static String hex(long a) {
    return String.format("0x%x", a);
  }

  private static String bytes(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x & 0xFF));
    }
    return s.toString();
  }

  private static String exceptionName(int n) {
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
      default -> String.format("0x%x", n);
    };
  }
}
