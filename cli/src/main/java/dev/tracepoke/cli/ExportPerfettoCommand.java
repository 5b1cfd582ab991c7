package dev.tracepoke.cli;

import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.decode.write.PerfettoTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke export perfetto REC OUT.json}: the decode as Chrome JSON trace events. */
@Command(name = "perfetto", mixinStandardHelpOptions = true, description = "Write the window-aware decode of REC "
    + "as Chrome's JSON trace-event format (load it in ui.perfetto.dev or chrome://tracing): one track per cpu with "
    + "function slices rebuilt from calls and returns, exceptions as slices, and instants for text-poke records "
    + "(cat poke) and every ambiguous execution (cat ambiguity: pc, candidates, outcome). Streamed as it decodes.")
final class ExportPerfettoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REC", description = "A perf directory, a perf.data file (with --image), or a snapshot directory.")
  Path recording;

  @Parameters(index = "1", paramLabel = "OUT.json", description = "File to write.")
  Path out;

  @Mixin InputOptions input;

  @Mixin ProgressBars.Switch progress = new ProgressBars.Switch();

  @picocli.CommandLine.Mixin SharedOptions.Threads threading = new SharedOptions.Threads();

  @Override
  public Integer call() throws IOException {
    TraceInput in = Inputs.open(recording, input, spec);
    PerfettoTrace trace;
    java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
    try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      trace = new PerfettoTrace(w, in.source(), Decoding.cpus(in, null), in.pokes(),
          Decoding.timeline(in, CoreDecoderFactory.WINDOWS), in.symbols());
      try (ProgressBars.Bar bar = Inputs.decodeBar(progress, recording, "export")) {
        Decoding.stream(Inputs.counted(in, bar, bytes), CoreDecoderFactory.WINDOWS, null, threading.threads, trace,
            Long.MIN_VALUE, Long.MAX_VALUE);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      trace.close(); // ends the slices still open: counted below
    }
    long slices = trace.slices();
    long instants = trace.instants();
    spec.commandLine().getOut().printf("%s: %d slices, %d instants%n", out, slices, instants);
    spec.commandLine().getOut().flush();
    return Inputs.nothingRead(bytes, in, null, recording, spec) ? 1 : 0;
  }
}
