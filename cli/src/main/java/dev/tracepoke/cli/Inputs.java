package dev.tracepoke.cli;

import dev.tracepoke.decode.input.ImageOptions;
import dev.tracepoke.decode.input.RecordingInput;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import dev.tracepoke.decode.input.CoreTrace;
import java.io.IOException;
import java.nio.file.Files;
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
    if (Files.isDirectory(path) && !Files.exists(path.resolve(dev.tracepoke.recording.Recording.DATA))) {
      // say what a directory is expected to hold, not only the perf half of it
      throw new IOException(path + ": neither an OpenCSD snapshot (snapshot.ini) nor a perf recording (data)");
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
      spec.commandLine().getErr().println(spec.qualifiedName() + ": warning: " + naming(w, in.source()));
    }
    spec.commandLine().getErr().flush();
    return in;
  }

  /** {@code warning}, ending with {@code source} where it does not name it: every message names what it is about. */
  static String naming(String warning, String source) {
    return warning.contains(source) ? warning : warning + " (" + source + ")";
  }

  /**
   * Whether the decode of {@code cpus} (null: all) of {@code in} read no trace byte ({@code bytes},
   * counted by {@link #counted(TraceInput, ProgressBars.Bar, java.util.concurrent.atomic.AtomicLong)}):
   * then it says so on stderr, and the command exits 1 (nothing decodable).
   */
  static boolean nothingRead(java.util.concurrent.atomic.AtomicLong bytes, TraceInput in, int[] cpus,
      Path recording, picocli.CommandLine.Model.CommandSpec spec) {
    if (bytes.get() > 0) {
      return false;
    }
    // e.g. a buffer of frame padding only: the trace sources were named, but none sent a byte
    spec.commandLine().getErr().println(spec.qualifiedName() + ": " + recording
        + ": no trace bytes for cpu " + joined(dev.tracepoke.decode.pipeline.Decoding.cpus(in, cpus))
        + ": nothing decoded");
    spec.commandLine().getErr().flush();
    return true;
  }

  /** Cpu numbers as {@code 0,1,3}. */
  static String joined(java.util.List<Integer> cpus) {
    return cpus.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  /** Inputs smaller than this decode in moments: no bar for them. */
  static final long LARGE = 8L << 20;

  /** A bar for decoding {@code rec} when it is large (its trace bytes, in MB), else one that draws nothing. */
  static ProgressBars.Bar decodeBar(ProgressBars.Switch progress, Path rec, String task) {
    long size = size(rec);
    return size < LARGE ? ProgressBars.NONE : progress.start(task, size, "MB", 1L << 20);
  }

  /** {@code in} with each core's bytes counted on {@code bar} as the decoders read them. */
  static TraceInput counted(TraceInput in, ProgressBars.Bar bar) {
    return counted(in, bar, null);
  }

  /** {@link #counted(TraceInput, ProgressBars.Bar)}, the bytes read also added to {@code bytes} (null: not). */
  static TraceInput counted(TraceInput in, ProgressBars.Bar bar,
      java.util.concurrent.atomic.AtomicLong bytes) {
    if (bar == ProgressBars.NONE && bytes == null) {
      return in;
    }
    java.util.List<CoreTrace> cores = new java.util.ArrayList<>();
    for (CoreTrace c : in.cores()) {
      cores.add(new CoreTrace(c.cpu(), c.config(), sink -> c.bytes().pushTo(new CoreTrace.ByteSink() {
        @Override
        public void accept(byte[] buf, int off, int len) {
          bar.step(len);
          if (bytes != null) {
            bytes.addAndGet(len);
          }
          sink.accept(buf, off, len);
        }

        @Override
        public void broken(String what) {
          sink.broken(what);
        }

        @Override
        public void restart() {
          sink.restart();
        }
      })));
    }
    return in.withCores(cores);
  }

  /** What a decode of {@code rec} reads, about: its perf.data, or every file of a snapshot. */
  private static long size(Path rec) {
    try {
      if (Files.isRegularFile(rec)) {
        return Files.size(rec);
      }
      if (Files.isRegularFile(rec.resolve("data"))) {
        return Files.size(rec.resolve("data"));
      }
      try (var s = Files.walk(rec, 1)) {
        return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
    } catch (IOException e) {
      return 0;
    }
  }
}
