package dev.tracepoke.cli;

import dev.tracepoke.decode.pipeline.RecordingInput;
import dev.tracepoke.decode.pipeline.TraceInput;
import java.io.IOException;
import java.nio.file.Path;

/** Opens what the user named: a perf recording directory, or a perf.data file with --image. */
final class Inputs {
  private Inputs() {}

  static TraceInput open(Path path, Path image) throws IOException {
    return RecordingInput.open(path, image);
  }
}
