package dev.tracepoke.coresight;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Locates the shared folder and external oracle programs for tests; runs them. */
final class Oracle {
  private Oracle() {}

  /** The repository root: system property tracepoke.root, else up from user.dir to .ci/run. */
  static Path root() {
    String p = System.getProperty("tracepoke.root");
    if (p != null && !p.isBlank()) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null;
        d = d.getParent()) {
      if (Files.isRegularFile(d.resolve(".ci/run"))) {
        return d;
      }
    }
    throw new IllegalStateException("repository root not found from " + System.getProperty("user.dir"));
  }

  /** {@code <root>/../shared}; from a worktree the nearest ancestor holding {@code shared/}. */
  static Optional<Path> shared() {
    for (Path d = root().getParent(); d != null; d = d.getParent()) {
      Path s = d.resolve("shared");
      if (Files.isDirectory(s.resolve("conformance"))) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  static Optional<Path> onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path c = Path.of(dir, exe);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** Runs a command in {@code dir}; returns its stdout+stderr lines; fails on a non-zero exit. */
  static List<String> run(Path dir, String... cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "oracle", ".txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(log));
    Files.delete(log);
    if (p.exitValue() != 0) {
      throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n"
          + String.join("\n", lines.subList(0, Math.min(lines.size(), 40))));
    }
    return lines;
  }
}
