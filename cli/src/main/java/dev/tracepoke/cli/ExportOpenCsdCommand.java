package dev.tracepoke.cli;

import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.pipeline.SnapshotExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tracepoke export opencsd REC OUTDIR}: the recording as an OpenCSD snapshot directory. */
@Command(name = "opencsd", mixinStandardHelpOptions = true, description = {
    "Write REC as an OpenCSD snapshot directory (snapshot.ini, trace.ini with one buffer of",
    "CoreSight frames, a core and an ETMv4 device file per core, the base image as memory dumps)",
    "that trc_pkt_lister -ss_dir OUTDIR -decode decodes and tracepoke reads back. Text-poke",
    "records are left out: a snapshot's image is static."})
final class ExportOpenCsdCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REC", description = "A perf directory, a perf.data file (with --image), or a snapshot directory.")
  Path recording;

  @Parameters(index = "1", paramLabel = "OUTDIR", description = "Directory to write (must be empty or not exist).")
  Path out;

  @picocli.CommandLine.Mixin InputOptions input = new InputOptions();

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (Files.exists(out) && (!Files.isDirectory(out) || hasEntries(out))) {
      err.println("tracepoke export opencsd: " + out + " exists and is not an empty directory");
      return 2;
    }
    try {
      TraceInput in = Inputs.open(recording, input, spec);
      SnapshotExport.Result r = SnapshotExport.write(in, out, "exported by tracepoke from " + recording.getFileName());
      long image = in.image().segments().stream().mapToLong(s -> s.bytes().length).sum();
      o.printf("%s: %d core%s, %d trace bytes in %d bytes of frames (%s), image %d segment%s %d bytes%n", out,
          in.cores().size(), in.cores().size() == 1 ? "" : "s", LongStream.of(r.streamBytes()).sum(),
          r.bufferBytes(), SnapshotExport.BUFFER, in.image().segmentCount(), in.image().segmentCount() == 1 ? "" : "s",
          image);
      if (r.pokesLeftOut() > 0) {
        o.printf("%d text-poke record%s left out: the snapshot holds the image as it was before them%n",
            r.pokesLeftOut(), r.pokesLeftOut() == 1 ? "" : "s");
      }
      o.flush();
      return 0;
    } catch (IOException e) {
      err.println("tracepoke export opencsd: " + e.getMessage());
      return 1;
    }
  }

  private static boolean hasEntries(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isPresent();
    }
  }
}
