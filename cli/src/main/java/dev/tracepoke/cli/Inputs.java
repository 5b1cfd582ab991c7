package dev.tracepoke.cli;

import dev.tracepoke.decode.input.ImageOptions;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens what the user named: a perf recording directory, a perf.data file with --image, or an
 * OpenCSD snapshot directory (recognised by its snapshot.ini).
 */
final class Inputs {
  private Inputs() {}

  static TraceInput open(Path path, Path image) throws IOException {
    return open(path, image, ImageOptions.none());
  }

  static TraceInput open(Path path, Path image, ImageOptions options) throws IOException {
    if (SnapshotInput.isSnapshot(path)) {
      return SnapshotInput.open(path);
    }
    return RecordingInput.open(path, image, options);
  }

  /** As {@link #open(Path, Path, picocli.CommandLine.Model.CommandSpec)} with perf's image options. */
  static TraceInput open(Path path, InputOptions options, picocli.CommandLine.Model.CommandSpec spec)
      throws IOException {
    return warn(open(path, options.kernelImage(), options.imageOptions()), spec);
  }

  /** As {@link #open(Path, Path)}, telling the user on stderr what was wrong but still readable. */
  static TraceInput open(Path path, Path image, picocli.CommandLine.Model.CommandSpec spec) throws IOException {
    return warn(open(path, image), spec);
  }

  private static TraceInput warn(TraceInput in, picocli.CommandLine.Model.CommandSpec spec) {
    for (String w : in.warnings()) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": warning: " + w);
    }
    spec.commandLine().getErr().flush();
    return in;
  }
}
