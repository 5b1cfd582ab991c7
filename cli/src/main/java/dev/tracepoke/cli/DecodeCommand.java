package dev.tracepoke.cli;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.write.JsonlWriter;
import dev.tracepoke.decode.write.OutputBuffer;
import dev.tracepoke.decode.write.TextWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke decode REC}: every core's instruction flow, merged by time. */
@Command(name = "decode", mixinStandardHelpOptions = true, description = "Decode each core's ETMv4 trace to instruction flow.",
    footer = {"",
        "Patch-site tables: from --vmlinux ELF, else REC's vmlinux, else the vmlinux with the recorded kernel"
            + " build-id in perf's build-id cache (--buildid-dir, default ~/.debug): the kernel's __jump_table (jump"
            + " labels: NOP or B target; relative or pre-4.20 absolute entries) and ftrace call-site table (NOP or BL"
            + " ftrace_caller; entries relocated through .rela.dyn in a PIE vmlinux), moved by the KASLR offset"
            + " (kallsyms _stext minus the vmlinux's). They are read when the"
            + " recording has no text-poke records: every listed site may then hold either word at any execution,"
            + " the trace resolves it or it is flagged; a BRK exception where kcore holds no BRK is an armed kprobe"
            + " (an ambiguity resolved to BRK #4)."
            + " With records, the records' windows apply. Without a vmlinux, a warning says the sites are unknown.",
        "",
        "Cycle counts (trace units with TRCCONFIGR.CCI, perf's cycacc): a count belongs to the range before it, as"
            + " OpenCSD reports it; text ends that range's last line in cyc=N, jsonl gives the range a \"cycles\" key"
            + " (absent where no count was traced). ETMv4/ETE speculation (commit, cancel, mispredict) is resolved;"
            + " Q elements whose path cannot be followed are no-path gaps (jsonl reason no_path, with next and"
            + " instructions). ETE transactions are lines of their own (jsonl type transaction, kind start, commit,"
            + " fail or trace_init)."})
final class DecodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REC",
      description = "A perf directory, a perf.data file (with --image), or an OpenCSD snapshot directory (has snapshot.ini).")
  Path recording;

  @picocli.CommandLine.Mixin InputOptions input = new InputOptions();

  @picocli.CommandLine.Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

  @picocli.CommandLine.Mixin SharedOptions.Selection selection = new SharedOptions.Selection();

  /** What {@code --format} takes. */
  enum Format {
    TEXT, JSONL;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT); // as typed and as help lists them
    }

    /** Converts an argument; anything else is a usage error in the words decode always used. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<Format> {
      @Override
      public Format convert(String value) {
        for (Format f : values()) {
          if (f.toString().equalsIgnoreCase(value)) {
            return f;
          }
        }
        throw new Tracepoke.UsageError("--format must be text or jsonl, not '" + value + "'");
      }
    }
  }

  @Option(names = "--format", paramLabel = "FMT", defaultValue = "text", converter = Format.Converter.class,
      description = "Output: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--ranges", description = "Text output: one line per range instead of per instruction.")
  boolean ranges;

  @Option(names = "--naive",
      description = "Switch the image at each text-poke record's time and never flag: what a decoder without window analysis reports.")
  boolean naive;

  

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    long[] window = selection.window();
    int[] cpus = selection.cpus;
    TraceInput in = Inputs.open(recording, input, spec);
    if (in.cores().isEmpty()) {
      // the warnings above say why (trace not decoded, AUX data lost)
      err.println("tracepoke decode: " + recording + ": no trace that tracepoke can decode");
      return 1;
    }
    java.util.List<Integer> selected = Decoding.cpus(in, cpus);
    if (selected.isEmpty()) {
      err.println("tracepoke decode: " + recording + ": no trace for cpu " + Inputs.joined(java.util.Arrays.stream(cpus).boxed().toList())
          + " (it has cpu " + Inputs.joined(Decoding.cpus(in, null)) + ")");
      return 1;
    }
    CoreDecoderFactory factory = naive ? CoreDecoderFactory.NAIVE : CoreDecoderFactory.WINDOWS;
    int[] errors = new int[1];
    OutputBuffer out = new OutputBuffer(StandardOutput.of(spec), OutputBuffer.DEFAULT_SIZE, "standard output");
    FlowSink writer;
    if (format == Format.JSONL) {
      java.util.Map<Integer, Integer> ids = new java.util.HashMap<>();
      for (dev.tracepoke.decode.input.CoreTrace c : in.cores()) {
        ids.put(c.cpu(), c.traceId());
      }
      JsonlWriter json = new JsonlWriter(out, cpu -> ids.getOrDefault(cpu, -1));
      json.header(in.source(), selected);
      writer = json;
    } else {
      writer = new TextWriter(out, in.symbols(), ranges);
    }
    java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
    try (ProgressBars.Bar bar = Inputs.decodeBar(progress, recording, "decode")) {
      Decoding.stream(Inputs.counted(in, bar, bytes), factory, cpus, threading.threads, new ErrorsToStderr(writer, err, recording, errors),
          window[0], window[1]);
    }
    out.flush();
    err.flush();
    return Inputs.nothingRead(bytes, in, cpus, recording, spec) ? 1 : 0;
  }

  /** Parses {@code FROM,TO}: integers are ns, numbers with a '.' are seconds. */
  static long[] parseTime(String s) {
    long[] w = {Long.MIN_VALUE, Long.MAX_VALUE};
    if (s == null) {
      return w;
    }
    String[] p = s.split(",", -1);
    if (p.length != 2) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(new DecodeCommand()), "--time takes FROM,TO, got '" + s + "'");
    }
    if (!p[0].isBlank()) {
      w[0] = parseNanos(p[0].trim());
    }
    if (!p[1].isBlank()) {
      w[1] = parseNanos(p[1].trim());
    }
    return w;
  }

  private static long parseNanos(String v) {
    if (v.contains(".")) {
      return new java.math.BigDecimal(v).movePointRight(9).longValueExact();
    }
    return Long.parseLong(v);
  }

  /** Errors go to stderr with the file, byte offset and packet index; everything else passes. */
  static final class ErrorsToStderr implements FlowSink {
    private final FlowSink next;
    private final PrintWriter err;
    private final Path file;
    private final int[] count;

    ErrorsToStderr(FlowSink next, PrintWriter err, Path file, int[] count) {
      this.next = next;
      this.err = err;
      this.file = file;
      this.count = count;
    }

    @Override
    public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
        long timeFrom, long timeTo, int flag, long offset) {
      next.range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
    }

    @Override
    public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
        boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
      next.rangeWithCycles(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag,
          offset, cycles);
    }

    @Override
    public void transaction(int cpu, int kind, long offset) {
      next.transaction(cpu, kind, offset);
    }

    @Override
    public void noPath(int cpu, long start, long next, long instructions, long offset) {
      this.next.noPath(cpu, start, next, instructions, offset);
    }

    @Override
    public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
      next.exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
    }

    @Override
    public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
      next.exceptionReturn(cpu, timeFrom, timeTo, offset);
    }

    @Override
    public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
      next.context(cpu, el, sf, ns, contextId, vmid, offset);
    }

    @Override
    public void gap(int cpu, int reason, long address, long offset) {
      next.gap(cpu, reason, address, offset);
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt) {
      next.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt, int reason) {
      next.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt,
          reason);
    }

    @Override
    public void error(int cpu, long offset, long packetIndex, String message) {
      count[0]++;
      err.printf("tracepoke decode: %s: cpu %d trace byte %d (packet %d): %s%n",
          file, cpu, offset, packetIndex, message);
    }
  }
}
