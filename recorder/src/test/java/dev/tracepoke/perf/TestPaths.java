package dev.tracepoke.perf;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository root is: {@code tracepoke.root}, else the directory above holding .ci/run. */
final class TestPaths {
  private TestPaths() {}

  static Path root() {
    String p = System.getProperty("tracepoke.root");
    if (p != null && Files.isDirectory(Path.of(p, "testdata"))) {
      return Path.of(p);
    }
    for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.exists(d.resolve(".ci/run"))) {
        return d;
      }
    }
    throw new IllegalStateException("repository root not found from " + System.getProperty("user.dir"));
  }

  static Path testdata(String sub) {
    return root().resolve("testdata").resolve(sub);
  }
}
