package dev.tracepoke.decode.flow;

import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.PacketError;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.image.MemoryImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support: reads an OpenCSD snapshot directory (memory dumps, trace IDs) and a {@code
 * trc_pkt_lister -decode} listing. The listing's packet lines are replayed as {@link PacketSink}
 * calls (fields as the lister decoded them; exception info from the raw bytes), and its generic
 * elements become the expected output, in the same one-line form {@link #range} and friends
 * produce for our decoder.
 */
final class OpenCsdListing {
  private OpenCsdListing() {}

  // ------------------------------------------------------------------ snapshot directories

  /** Sections of an INI file; keys trimmed, a "(...)" suffix on a key dropped, ; and # comments. */
  static Map<String, Map<String, String>> ini(Path file) throws IOException {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    Map<String, String> section = null;
    for (String raw : Files.readAllLines(file)) {
      String line = raw;
      int c = indexOfAny(line, ";#");
      if (c >= 0) {
        line = line.substring(0, c);
      }
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = out.computeIfAbsent(line.substring(1, line.length() - 1).trim(),
            k -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      if (section == null || eq < 0) {
        throw new IOException(file + ": expected 'key=value' in a section: " + raw);
      }
      String key = line.substring(0, eq).trim();
      int paren = key.indexOf('(');
      if (paren >= 0) {
        key = key.substring(0, paren).trim();
      }
      section.put(key, line.substring(eq + 1).trim());
    }
    return out;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** The traced core of trace ID {@code traceId}: its type and its memory dumps as an image. */
  record Core(String name, String type, MemoryImage image) {}

  static Core core(Path dir, int traceId) throws IOException {
    Map<String, Map<String, String>> snapshot = ini(dir.resolve("snapshot.ini"));
    Map<String, Map<String, Map<String, String>>> devices = new LinkedHashMap<>();
    for (String f : snapshot.get("device_list").values()) {
      Map<String, Map<String, String>> dev = ini(dir.resolve(f));
      devices.put(dev.get("device").get("name"), dev);
    }
    String traceIni = snapshot.containsKey("trace")
        ? snapshot.get("trace").get("metadata") : "trace.ini";
    Map<String, Map<String, String>> trace = ini(dir.resolve(traceIni));
    for (Map.Entry<String, String> e : trace.get("core_trace_sources").entrySet()) {
      Map<String, Map<String, String>> source = devices.get(e.getValue());
      int id = (int) (Long.decode(source.get("regs").get("TRCTRACEIDR")) & 0x7F);
      if (id != traceId) {
        continue;
      }
      Map<String, Map<String, String>> core = devices.get(e.getKey());
      List<MemoryImage.Segment> segments = new ArrayList<>();
      for (Map.Entry<String, Map<String, String>> s : core.entrySet()) {
        if (!s.getKey().startsWith("dump")) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(s.getValue().get("file")));
        long offset = Long.decode(s.getValue().getOrDefault("offset", "0"));
        long length = s.getValue().containsKey("length")
            ? Long.decode(s.getValue().get("length")) : bytes.length - offset;
        byte[] part = java.util.Arrays.copyOfRange(bytes, (int) offset, (int) (offset + length));
        segments.add(new MemoryImage.Segment(Long.decode(s.getValue().get("address")), part));
      }
      return new Core(e.getKey(), core.get("device").get("type"), MemoryImage.of(segments));
    }
    throw new IOException(dir + ": no core is traced with trace ID 0x" + Integer.toHexString(traceId));
  }

  // ------------------------------------------------------------------ one-line element forms

  static final String[] KINDS = {"other", "direct", "cond", "indirect", "return", "eret", "isb"};

  static String range(long start, long end, int n, String kind, boolean taken, long offset) {
    return String.format("range 0x%x-0x%x n=%d %s %s @%d", start, end, n, kind, taken ? "E" : "N",
        offset);
  }

  static String exception(int number, long ret, long offset) {
    return String.format("exception 0x%x ret=0x%x @%d", number, ret, offset);
  }

  static String nacc(long address, long offset) {
    return String.format("nacc 0x%x @%d", address, offset);
  }

  /** Instructions without a known path (a Q element): first address, next address, count. */
  static String noPath(long start, long next, long n, long offset) {
    return String.format("nopath 0x%x-0x%x n=%d @%d", start, next, n, offset);
  }

  static String exceptionReturn(long offset) {
    return String.format("eret @%d", offset);
  }

  /** A PE context: EL, security state, 64-bit state, and the IDs (0 where the trace gave none). */
  static String context(int el, boolean ns, boolean sf, long contextId, int vmid, long offset) {
    return String.format("context EL%d%s %s cid=0x%x vmid=0x%x @%d", el, ns ? "N" : "S",
        sf ? "64" : "32", contextId, vmid & 0xFFFFFFFFL, offset);
  }

  /** Our decoder's output in the comparison form (contexts, errors and other gaps left out). */
  static FlowSink sink(Consumer<String> out) {
    return sink(out, false, java.util.function.LongUnaryOperator.identity());
  }

  /**
   * Our decoder's output in the comparison form; with {@code full}, PE contexts and exception
   * returns too. {@code index} maps our stream offsets to the lister's {@code Idx} (framed buffers).
   */
  static FlowSink sink(Consumer<String> out, boolean full,
      java.util.function.LongUnaryOperator index) {
    return sink(out, full, index, false);
  }

  /** As {@link #sink(Consumer, boolean, java.util.function.LongUnaryOperator)}; with {@code
   * cycles}, a range's cycle count is appended as {@code " cyc=N"}. */
  static FlowSink sink(Consumer<String> out, boolean full,
      java.util.function.LongUnaryOperator index, boolean cycles) {
    return new FlowSink() {
      @Override
      public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
          boolean taken, long timeFrom, long timeTo, int flag, long offset, long count) {
        out.accept(OpenCsdListing.range(start, end, instructions, KINDS[lastKind], taken,
            index.applyAsLong(offset)) + (cycles ? " cyc=" + count : ""));
      }

      @Override
      public void transaction(int cpu, int kind, long offset) {
        String[] kinds = {"init", "start", "commit", "fail"};
        out.accept("trans " + kinds[kind] + " @" + index.applyAsLong(offset));
      }

      @Override
      public void noPath(int cpu, long start, long next, long instructions, long offset) {
        out.accept(OpenCsdListing.noPath(start, next, instructions, index.applyAsLong(offset)));
      }

      @Override
      public void range(int cpu, long start, long end, int instructions, int lastKind,
          boolean taken, long timeFrom, long timeTo, int flag, long offset) {
        out.accept(OpenCsdListing.range(start, end, instructions, KINDS[lastKind], taken,
            index.applyAsLong(offset)));
      }

      @Override
      public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
          long offset) {
        out.accept(OpenCsdListing.exception(number, returnAddress, index.applyAsLong(offset)));
      }

      @Override
      public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
        if (full) {
          out.accept(OpenCsdListing.exceptionReturn(index.applyAsLong(offset)));
        }
      }

      @Override
      public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
          long offset) {
        if (full) {
          out.accept(OpenCsdListing.context(el, ns, sf, contextId, vmid,
              index.applyAsLong(offset)));
        }
      }

      @Override
      public void gap(int cpu, int reason, long address, long offset) {
        if (reason == GAP_NACC) {
          out.accept(nacc(address, index.applyAsLong(offset)));
        }
      }

      @Override
      public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved,
          int resolvedWord, long timeFrom, long timeTo, long resolvedAt) {
        out.accept("ambiguity");
      }

      @Override
      public void error(int cpu, long offset, long packetIndex, String message) {}
    };
  }

  // ------------------------------------------------------------------ the listing

  private static final Pattern PACKET =
      Pattern.compile("^Idx:(\\d+); ID:([0-9a-f]+); \\[([^\\]]*)\\];\\t(\\w+) : (.*)$");
  private static final Pattern ELEMENT =
      Pattern.compile("^Idx:(\\d+); ID:([0-9a-f]+); OCSD_GEN_TRC_ELEM_(\\w+)\\((.*)\\)$");
  private static final Pattern ADDR = Pattern.compile("Addr=0x([0-9A-Fa-f]+)");
  private static final Pattern CTXT = Pattern.compile("Ctxt: (AArch64|AArch32),EL(\\d), (NS|S);");
  private static final Pattern CID = Pattern.compile("CID=0x([0-9A-Fa-f]+)");
  private static final Pattern VMID = Pattern.compile("VMID=0x([0-9A-Fa-f]+)");
  private static final Pattern TS = Pattern.compile("Updated val = 0x([0-9A-Fa-f]+)");
  private static final Pattern RANGE =
      Pattern.compile("exec range=0x([0-9a-f]+):\\[0x([0-9a-f]+)\\] num_i\\((\\d+)\\) last_sz\\(4\\)"
          + " \\(ISA=A64\\) ([EN]) (.*)$");
  private static final Pattern EXC =
      Pattern.compile("pref ret addr:0x([0-9a-f]+).*excep num \\(0x([0-9a-f]+)\\)");
  private static final Pattern NACC = Pattern.compile("^\\s*0x([0-9a-f]+)");
  private static final Pattern NOPATH =
      Pattern.compile("^first 0x([0-9a-f]+):\\[next 0x([0-9a-f]+)\\] num_i\\((\\d+)\\)");
  private static final Pattern CC = Pattern.compile("^ \\[CC=(\\d+)\\]; $");

  /** The count of a {@code CYCLE_COUNT} element line, or -1 for any other line. */
  static long cycleCount(String line) throws IOException {
    Matcher e = ELEMENT.matcher(line);
    if (!e.matches() || !e.group(3).equals("CYCLE_COUNT")) {
      return -1;
    }
    Matcher m = CC.matcher(e.group(4));
    if (!m.matches()) {
      throw new IOException("unexpected cycle count: " + line);
    }
    return Long.parseLong(m.group(1));
  }

  /** Counts of what {@link #replay} saw. */
  static final class Stats {
    long packets;
    long elements;
  }

  /**
   * Replays the listing's packets for {@code traceId} into {@code packets} and hands every
   * compared element to {@code expected}, both in listing order.
   */
  static Stats replay(Path listing, int traceId, PacketSink packets, Consumer<String> expected)
      throws IOException {
    String id = Integer.toHexString(traceId);
    Stats stats = new Stats();
    long[] lastIdx = {0};
    try (var lines = Files.lines(listing)) {
      for (var it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        Matcher p = PACKET.matcher(line);
        if (p.matches()) {
          if (p.group(2).equals(id)) {
            long idx = Long.parseLong(p.group(1));
            lastIdx[0] = idx;
            packet(packets, idx, stats.packets++, bytes(p.group(3)), p.group(4), p.group(5));
          }
          continue;
        }
        Matcher e = ELEMENT.matcher(line);
        if (e.matches() && e.group(2).equals(id)) {
          String s = element(Long.parseLong(e.group(1)), e.group(3), e.group(4), line, false);
          if (s != null) {
            stats.elements++;
            expected.accept(s);
          }
        }
      }
    }
    packets.end(lastIdx[0], stats.packets);
    return stats;
  }

  private static int[] bytes(String list) {
    String[] parts = list.trim().split("\\s+");
    int[] b = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = Integer.decode(parts[i]);
    }
    return b;
  }

  private static long hex(Pattern p, String s, String line) throws IOException {
    Matcher m = p.matcher(s);
    if (!m.find()) {
      throw new IOException("expected " + p.pattern() + " in: " + line);
    }
    return Long.parseUnsignedLong(m.group(1), 16);
  }

  private static void packet(PacketSink d, long idx, long n, int[] raw, String type, String text)
      throws IOException {
    String line = type + " : " + text;
    switch (type) {
      case "I_ASYNC" -> d.async(idx, n);
      case "I_TRACE_INFO" -> d.traceInfo(idx, n, 0, 0, 0, 0, 0);
      case "I_TRACE_ON" -> d.traceOn(idx, n);
      case "I_TIMESTAMP" -> d.timestamp(idx, n, hex(TS, text, line), 64, false, 0);
      case "I_ATOM_F1", "I_ATOM_F2", "I_ATOM_F3", "I_ATOM_F4", "I_ATOM_F5", "I_ATOM_F6" -> {
        String atoms = text.substring(text.lastIndexOf(';') + 1).trim();
        int bits = 0;
        for (int i = 0; i < atoms.length(); i++) {
          if (atoms.charAt(i) == 'E') {
            bits |= 1 << i;
          }
        }
        d.atoms(idx, n, type.charAt(type.length() - 1) - '0', bits, atoms.length());
      }
      case "I_ADDR_S_IS0", "I_ADDR_L_32IS0", "I_ADDR_L_64IS0", "I_ADDR_MATCH" ->
          d.address(idx, n, hex(ADDR, text, line), 0, AddressForm.LONG_64, -1, 64);
      case "I_ADDR_CTXT_L_64IS0", "I_ADDR_CTXT_L_32IS0" -> {
        Matcher c = context(text, line);
        d.addressWithContext(idx, n, hex(ADDR, text, line), 0, AddressForm.LONG_64, 64,
            Integer.parseInt(c.group(2)), c.group(1).equals("AArch64"), c.group(3).equals("NS"),
            text.contains("VMID="), text.contains("VMID=") ? (int) hex(VMID, text, line) : 0,
            text.contains("CID="), text.contains("CID=") ? (int) hex(CID, text, line) : 0);
      }
      case "I_CTXT" -> {
        if (raw[0] == 0x80) {
          d.context(idx, n, false, 0, false, false, false, 0, false, 0);
        } else {
          Matcher c = context(text, line);
          d.context(idx, n, true, Integer.parseInt(c.group(2)), c.group(1).equals("AArch64"),
              c.group(3).equals("NS"), text.contains("VMID="),
              text.contains("VMID=") ? (int) hex(VMID, text, line) : 0, text.contains("CID="),
              text.contains("CID=") ? (int) hex(CID, text, line) : 0);
        }
      }
      case "I_EXCEPT" -> {
        // info byte: bit 0 E0, bits [5:1] TYPE[4:0], bit 6 E1, bit 7 another byte (TYPE[9:5])
        int info = raw[1];
        int excType = (info >>> 1) & 0x1F;
        if ((info & 0x80) != 0) {
          excType |= (raw[2] & 0x1F) << 5;
        }
        int addressInfo = ((info >>> 6) & 1) << 1 | (info & 1);
        d.exception(idx, n, excType, addressInfo, false);
      }
      case "I_EXCEPT_RTN" -> d.exceptionReturn(idx, n);
      case "I_OVERFLOW" -> d.overflow(idx, n);
      case "I_DISCARD" -> d.discard(idx, n);
      case "I_BAD_SEQUENCE", "I_BAD_TRACEMODE", "I_RESERVED", "I_INCOMPLETE_EOT" ->
          d.error(idx, n, raw[0], raw.length, PacketError.RESERVED_HEADER);
      case "I_NOT_SYNC", "I_EVENT", "I_IGNORE", "I_COMMIT" -> { }
      default -> throw new IOException("packet type the harness does not replay: " + line);
    }
  }

  private static Matcher context(String text, String line) throws IOException {
    Matcher c = CTXT.matcher(text);
    if (!c.find()) {
      throw new IOException("expected a context in: " + line);
    }
    return c;
  }

  private static final Pattern PE_CONTEXT =
      Pattern.compile("^\\(ISA=(?:A64|A32|T32)\\) EL(\\d)([NS]); (64|32)-bit; (?:VMID=0x([0-9a-f]+); )?"
          + "(?:CTXTID=0x([0-9a-f]+); )?$");

  /**
   * The compared element (range, exception, exception return, PE context, inaccessible memory) of
   * one listing line, handed to {@code out} with the trace ID as the lister prints it; other lines
   * are ignored.
   */
  static void element(String line, java.util.function.BiConsumer<String, String> out)
      throws IOException {
    Matcher e = ELEMENT.matcher(line);
    if (e.matches()) {
      String s = element(Long.parseLong(e.group(1)), e.group(3), e.group(4), line, true);
      if (s != null) {
        out.accept(e.group(2), s);
      }
    }
  }

  private static String element(long idx, String type, String body, String line, boolean full)
      throws IOException {
    switch (type) {
      case "PE_CONTEXT" -> {
        if (!full) {
          return null;
        }
        Matcher m = PE_CONTEXT.matcher(body);
        if (!m.matches()) {
          throw new IOException("unexpected context: " + line);
        }
        return context(Integer.parseInt(m.group(1)), m.group(2).equals("N"),
            m.group(3).equals("64"), m.group(5) == null ? 0 : Long.parseLong(m.group(5), 16),
            m.group(4) == null ? 0 : (int) Long.parseLong(m.group(4), 16), idx);
      }
      case "EXCEPTION_RET" -> {
        return full ? exceptionReturn(idx) : null;
      }
      case "INSTR_RANGE" -> {
        Matcher m = RANGE.matcher(body);
        if (!m.find()) {
          throw new IOException("unexpected range: " + line);
        }
        String[] t = m.group(5).trim().split("\\s+");
        String kind = switch (t[0]) {
          case "BR" -> body.contains("<cond>") ? "cond" : "direct";
          case "iBR" -> body.contains("A64:eret") ? "eret"
              : body.contains("A64:ret") ? "return" : "indirect";
          case "ISB" -> "isb";
          case "---" -> "other";
          // a WFI/WFE waypoint (ETMv4.3+ with WFXMODE): our ranges call its kind "other"
          case "WFI.WFE" -> "other";
          // TSTART (a waypoint on AA64 cores in OpenCSD 1.3.3): likewise "other"
          case "TSTART" -> "other";
          default -> throw new IOException("unexpected instruction type: " + line);
        };
        return range(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
            Integer.parseInt(m.group(3)), kind, m.group(4).equals("E"), idx);
      }
      case "EXCEPTION" -> {
        Matcher m = EXC.matcher(body);
        if (!m.find()) {
          throw new IOException("unexpected exception: " + line);
        }
        return exception(Integer.parseInt(m.group(2), 16), Long.parseUnsignedLong(m.group(1), 16),
            idx);
      }
      case "MEMTRANS" -> {
        // OpenCSD 1.3.3 prints Init, Start, Commit or Fail
        return "trans " + body.trim().toLowerCase(java.util.Locale.ROOT) + " @" + idx;
      }
      case "I_RANGE_NOPATH" -> {
        Matcher m = NOPATH.matcher(body);
        if (!m.find()) {
          throw new IOException("unexpected no-path range: " + line);
        }
        return noPath(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
            Long.parseLong(m.group(3)), idx);
      }
      case "ADDR_NACC" -> {
        Matcher m = NACC.matcher(body);
        if (!m.find()) {
          throw new IOException("unexpected nacc: " + line);
        }
        return nacc(Long.parseUnsignedLong(m.group(1), 16), idx);
      }
      default -> {
        return null;
      }
    }
  }
}
