package dev.tracepoke.cli;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.OpenCsdIndex;
import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.perf.AuxtraceQueue;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support for OpenCSD 1.3.3 as an oracle on our recordings: exports a perf recording as a
 * snapshot directory ({@code tracepoke export opencsd}), runs {@code trc_pkt_lister} on it and parses its listing into packet lines
 * (the normal form of {@link OpenCsdPacketText}) and generic elements (one-line forms below, which
 * {@link #elementSink} also produces from our decoder's flow).
 */
final class OpenCsdOracle {
  private OpenCsdOracle() {}

  /** The trc_pkt_lister on PATH, if any. */
  static Optional<Path> lister() {
    return onPath("trc_pkt_lister");
  }

  static Optional<Path> onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path c = Path.of(d, exe);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** A snapshot made from a recording: its one buffer and the trace ID of each cpu. */
  record Export(Path dir, String buffer, Map<Integer, Integer> traceIdOfCpu) {}

  /**
   * Writes {@code rec} as an OpenCSD snapshot in {@code out} with {@code tracepoke export opencsd
   * REC OUT}: one buffer of CoreSight frames holding every cpu's stream under its trace ID, a core
   * and an ETMv4 device per cpu, the kcore image as memory dumps.
   */
  static Export export(Path rec, Path out) throws IOException {
    java.io.StringWriter text = new java.io.StringWriter();
    picocli.CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new java.io.PrintWriter(text));
    cl.setErr(new java.io.PrintWriter(text));
    int rc = cl.execute("export", "opencsd", rec.toString(), out.toString());
    if (rc != 0) {
      throw new IOException("tracepoke export opencsd " + rec + " " + out + " exited " + rc + ": " + text);
    }
    Map<Integer, Integer> ids = new TreeMap<>();
    for (dev.tracepoke.decode.input.CoreTrace c : dev.tracepoke.decode.input.RecordingInput.open(rec, null)
        .cores()) {
      ids.put(c.cpu(), c.traceId());
    }
    return new Export(out, dev.tracepoke.decode.pipeline.SnapshotExport.BUFFER, ids);
  }

  /** Per trace ID, stream offsets → the lister's Idx in the snapshot's buffer. */
  static Map<Integer, LongUnaryOperator> indices(Export e) throws IOException {
    dev.tracepoke.snapshot.Snapshot snap = dev.tracepoke.snapshot.SnapshotReader.read(e.dir());
    TraceBuffer b = snap.buffers().stream().filter(x -> x.name().equals(e.buffer())).findFirst()
        .orElseThrow(() -> new IOException(e.dir() + ": no buffer " + e.buffer()));
    Map<Integer, OpenCsdIndex> ix = new TreeMap<>();
    Map<Integer, long[]> at = new TreeMap<>();
    try (InputStream in = Files.newInputStream(snap.path(b))) {
      FrameDeformatter.deformat(in, EnumSet.noneOf(FrameDeformatter.Option.class),
          (id, buf, off, len, frameOffset, index) -> {
            long[] a = at.computeIfAbsent(id, k -> new long[1]);
            ix.computeIfAbsent(id, k -> new OpenCsdIndex()).run(a[0], index);
            a[0] += len;
          }, snap.path(b).toString());
    }
    return new TreeMap<Integer, LongUnaryOperator>(ix);
  }

  /**
   * Per trace ID, stream offsets → Idx in that cpu's AUX data as recorded ({@code perf report -D}
   * and a snapshot made by {@link #export} both count Idx there).
   */
  static Map<Integer, LongUnaryOperator> indices(Path rec) throws IOException {
    Map<Integer, LongUnaryOperator> out = new TreeMap<>();
    try (Recording r = Recording.open(rec)) {
      PerfDataReader data = r.data();
      for (AuxtraceQueue q : data.auxtraceQueues()) {
        OpenCsdIndex ix = new OpenCsdIndex();
        long[] at = new long[1];
        int[] id = {-1};
        try (InputStream in = data.queueStream(q)) {
          FrameDeformatter.deformat(in, EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC),
              (traceId, buf, off, len, frameOffset, index) -> {
                if (id[0] >= 0 && traceId != id[0]) {
                  throw new IllegalStateException("AUX queue " + q.idx() + " holds trace IDs " + id[0] + " and " + traceId);
                }
                id[0] = traceId;
                ix.run(at[0], index);
                at[0] += len;
              }, data.file() + " queue " + q.idx());
        }
        if (id[0] >= 0) {
          out.put(id[0], ix);
        }
      }
    }
    return out;
  }

  /** What the lister printed for one buffer, split by trace ID (hex as printed). */
  record Listing(Map<String, List<String>> packets, Map<String, List<String>> elements, List<String> errors,
      boolean finished) {
    List<String> packets(int traceId) {
      return packets.getOrDefault(Integer.toHexString(traceId), List.of());
    }

    List<String> elements(int traceId) {
      return elements.getOrDefault(Integer.toHexString(traceId), List.of());
    }
  }

  /**
   * Runs {@code trc_pkt_lister -ss_dir DIR -src_name BUFFER [-decode] -logstdout -logfilename
   * /dev/null} and parses its output.
   */
  static Listing list(Path lister, Path snapshot, String buffer, boolean decode) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(lister.toString(), "-ss_dir", snapshot.toString(), "-src_name", buffer));
    // one buffer per run (the lister decodes only the selected one)
    if (decode) {
      cmd.add("-decode");
    }
    cmd.addAll(List.of("-logstdout", "-logfilename", "/dev/null"));
    Process p = new ProcessBuilder(cmd).directory(snapshot.toFile()).redirectErrorStream(true).start();
    Map<String, List<String>> packets = new TreeMap<>();
    Map<String, List<String>> elements = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    boolean done = false;
    // a cycle count belongs to the range before it (since the previous count), as OpenCSD says
    Map<String, Integer> lastRange = new TreeMap<>();
    java.util.Set<Long> unknownCounts = new java.util.HashSet<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8),
        1 << 16)) {
      for (String line; (line = r.readLine()) != null; ) {
        done |= line.contains("Trace buffer done");
        if (line.contains("OCSD_ERR") || line.contains("ERROR") || line.contains("Error")) {
          errors.add(line);
        }
        Matcher e = ELEMENT.matcher(line);
        if (e.matches()) {
          List<String> list = elements.computeIfAbsent(e.group(2), k -> new ArrayList<>());
          if (e.group(3).equals("CYCLE_COUNT")) {
            Matcher cc = CC.matcher(e.group(4));
            if (!cc.matches()) {
              throw new IOException("unexpected cycle count: " + line);
            }
            Integer at = lastRange.remove(e.group(2));
            // format 1 with U = 1 ("count unknown") is printed as 0: no count
            if (at != null && !unknownCounts.contains(Long.parseLong(e.group(1)))) {
              list.set(at, list.get(at) + " cyc=" + cc.group(1));
            }
            continue;
          }
          String s = element(Long.parseLong(e.group(1)), e.group(3), e.group(4), line);
          if (s != null) {
            list.add(s);
            if (s.startsWith("range ")) {
              lastRange.put(e.group(2), list.size() - 1);
            }
          }
          continue;
        }
        Matcher u = UNKNOWN_COUNT.matcher(line);
        if (u.matches()) {
          unknownCounts.add(Long.parseLong(u.group(1)));
        }
        String[] pk = OpenCsdPacketText.parseListerLine(line);
        if (pk != null) {
          packets.computeIfAbsent(pk[0], k -> new ArrayList<>()).add(pk[1]);
        }
      }
    }
    try {
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("trc_pkt_lister timed out on " + snapshot);
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IOException(ex);
    }
    if (p.exitValue() != 0) {
      throw new IOException("trc_pkt_lister exit status " + p.exitValue() + " on " + snapshot);
    }
    return new Listing(packets, elements, errors, done);
  }

  // ------------------------------------------------------------------ generic elements

  static final String[] KINDS = {"other", "direct", "cond", "indirect", "return", "eret", "isb"};

  static String range(long start, long end, int n, String kind, boolean taken, long idx) {
    return String.format("range 0x%x-0x%x n=%d %s %s @%d", start, end, n, kind, taken ? "E" : "N", idx);
  }

  static String exception(int number, long ret, long idx) {
    return String.format("exception 0x%x ret=0x%x @%d", number, ret, idx);
  }

  static String exceptionReturn(long idx) {
    return "eret @" + idx;
  }

  static String context(int el, boolean ns, boolean sf, long contextId, int vmid, long idx) {
    return String.format("context EL%d%s %s cid=0x%x vmid=0x%x @%d", el, ns ? "N" : "S", sf ? "64" : "32",
        contextId, vmid & 0xFFFFFFFFL, idx);
  }

  static String nacc(long address, long idx) {
    return String.format("nacc 0x%x @%d", address, idx);
  }

  private static final Pattern ELEMENT =
      Pattern.compile("^Idx:(\\d+); ID:([0-9a-f]+); OCSD_GEN_TRC_ELEM_(\\w+)\\((.*)\\)$");
  private static final Pattern RANGE = Pattern.compile(
      "exec range=0x([0-9a-f]+):\\[0x([0-9a-f]+)\\] num_i\\((\\d+)\\) last_sz\\(4\\) \\(ISA=A64\\) ([EN]) (.*)$");
  private static final Pattern EXC = Pattern.compile("pref ret addr:0x([0-9a-f]+).*excep num \\(0x([0-9a-f]+)\\)");
  private static final Pattern NACC = Pattern.compile("^\\s*0x([0-9a-f]+)");
  private static final Pattern CC = Pattern.compile("^ \\[CC=(\\d+)\\]; $");
  private static final Pattern UNKNOWN_COUNT = Pattern.compile("^Idx:(\\d+); ID:[0-9a-f]+; \\[0x0f \\];\\tI_CCNT_F1 .*");
  private static final Pattern PE_CONTEXT = Pattern.compile(
      "^\\(ISA=A64\\) EL(\\d)([NS]); (64|32)-bit; (?:VMID=0x([0-9a-f]+); )?(?:CTXTID=0x([0-9a-f]+); )?$");

  /** The one-line form of a range, exception, exception return, context or nacc; null for others. */
  static String element(long idx, String type, String body, String line) throws IOException {
    switch (type) {
      case "INSTR_RANGE" -> {
        Matcher m = RANGE.matcher(body);
        if (!m.find()) {
          throw new IOException("unexpected range: " + line);
        }
        String[] t = m.group(5).trim().split("\\s+");
        String kind = switch (t[0]) {
          case "BR" -> body.contains("<cond>") ? "cond" : "direct";
          case "iBR" -> body.contains("A64:eret") ? "eret" : body.contains("A64:ret") ? "return" : "indirect";
          case "ISB" -> "isb";
          case "---" -> "other";
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
        return exception(Integer.parseInt(m.group(2), 16), Long.parseUnsignedLong(m.group(1), 16), idx);
      }
      case "EXCEPTION_RET" -> {
        return exceptionReturn(idx);
      }
      case "PE_CONTEXT" -> {
        Matcher m = PE_CONTEXT.matcher(body);
        if (!m.find()) {
          throw new IOException("unexpected context: " + line);
        }
        return context(Integer.parseInt(m.group(1)), m.group(2).equals("N"), m.group(3).equals("64"),
            m.group(5) == null ? 0 : Long.parseLong(m.group(5), 16),
            m.group(4) == null ? 0 : (int) Long.parseLong(m.group(4), 16), idx);
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

  /**
   * Our flow in the same one-line forms, OpenCSD's way: a context is only emitted when a range,
   * exception, exception return or gap follows it (1.3.3 reports a context with the next P0
   * element), so contexts after the last such element stay in {@code trailing}.
   */
  static final class ElementLines implements FlowSink {
    final List<String> lines = new ArrayList<>();
    final List<String> trailing = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    private final LongUnaryOperator index;

    ElementLines(LongUnaryOperator index) {
      this.index = index;
    }

    private void emit(String s) {
      lines.addAll(trailing);
      trailing.clear();
      lines.add(s);
    }

    @Override
    public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken, long timeFrom,
        long timeTo, int flag, long offset) {
      emit(OpenCsdOracle.range(start, end, instructions, KINDS[lastKind], taken, index.applyAsLong(offset)));
    }

    /** A range with its cycle count: the lister's form with {@code " cyc=N"} appended. */
    @Override
    public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
        boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
      emit(OpenCsdOracle.range(start, end, instructions, KINDS[lastKind], taken,
          index.applyAsLong(offset)) + " cyc=" + cycles);
    }

    @Override
    public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
      emit(OpenCsdOracle.exception(number, returnAddress, index.applyAsLong(offset)));
    }

    @Override
    public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
      emit(OpenCsdOracle.exceptionReturn(index.applyAsLong(offset)));
    }

    @Override
    public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
      trailing.add(OpenCsdOracle.context(el, ns, sf, contextId, vmid, index.applyAsLong(offset)));
    }

    @Override
    public void gap(int cpu, int reason, long address, long offset) {
      if (reason == GAP_NACC) {
        emit(nacc(address, index.applyAsLong(offset)));
      } else {
        errors.add("gap " + reason + " at " + offset);
      }
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord, long timeFrom,
        long timeTo, long resolvedAt) {
      errors.add(String.format("ambiguity at 0x%x", pc));
    }

    @Override
    public void error(int cpu, long offset, long packetIndex, String message) {
      errors.add("error at " + offset + ": " + message);
    }
  }

  /** Runs {@code consumer} over every element line of a listing that is a range. */
  static void ranges(List<String> elements, Consumer<long[]> consumer) {
    for (String s : elements) {
      if (s.startsWith("range ")) {
        String[] f = s.split(" ");
        String[] se = f[1].split("-");
        consumer.accept(new long[] {Long.parseUnsignedLong(se[0].substring(2), 16),
            Long.parseUnsignedLong(se[1].substring(2), 16)});
      }
    }
  }
}
