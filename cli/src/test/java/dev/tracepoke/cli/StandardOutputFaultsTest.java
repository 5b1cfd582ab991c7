package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@code tracepoke decode} does when its standard output fails, in a child JVM running the
 * real {@link Tracepoke#main} (stdout is file descriptor 1 there, not a test's writer): a reader that
 * goes away ({@code | head}) ends it quietly with exit 0; a full disk is one line and exit 1.
 */
class StandardOutputFaultsTest {

  private static Path bugfix() {
    Path p = BenchDecodeCommand.defaultSnapshot();
    assumeTrue(p != null, "no shared/conformance/opencsd-snapshots/bugfix-exact-match");
    return p;
  }

  private static ProcessBuilder tracepoke(String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Tracepoke.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  @Test
  void aReaderThatGoesAwayEndsTheDecodeQuietly() throws Exception {
    Path rec = bugfix();
    Process p = tracepoke("decode", "--format", "jsonl", rec.toString()).start();
    try (InputStream out = p.getInputStream()) {
      byte[] head = out.readNBytes(4096); // what `| head` reads before it exits
      assertEquals(4096, head.length);
    }
    assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "decode did not stop after its reader went away");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), err);
    // the decode's own warning about this trace, and nothing about the closed output
    assertEquals(List.of(
        "tracepoke decode: " + rec + ": cpu 1 trace byte 0 (packet 0): 261 trace bytes before the first A-sync"
            + " (at byte 261) not decoded: expected the stream to begin with an A-sync",
        "tracepoke decode: " + rec + ": cpu 1 trace byte 276 (packet 3): 1 atom(s) dropped:"
            + " no address or context known yet"), err.lines().toList());
  }

  @Test
  void aFullDiskIsOneErrorLine() throws Exception {
    Path rec = bugfix();
    File full = new File("/dev/full");
    assumeTrue(full.exists(), "no /dev/full on this system");
    Process p = tracepoke("decode", "--ranges", rec.toString()).redirectOutput(full).start();
    assertEquals(true, p.waitFor(120, TimeUnit.SECONDS));
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, p.exitValue(), err);
    assertEquals("tracepoke decode: writing standard output: No space left on device",
        err.lines().reduce((a, b) -> b).orElse(""), err);
    assertEquals(false, err.contains("\tat "), "a stack trace: " + err);
  }

  @Test
  void aSmallDecodeWritesTheSameBytesToFileDescriptorOne() throws IOException, InterruptedException {
    Path a57 = bugfix().resolveSibling("a57_single_step");
    Path file = Files.createTempFile("tracepoke-stdout", ".txt");
    try {
      Process p = tracepoke("decode", "--ranges", a57.toString()).redirectOutput(file.toFile()).start();
      assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue());
      assertEquals(String.join("\n",
          "[000]                    -  context el2 aarch64 ns contextid 0x0 vmid 0",
          "[000]                    -  00000000fffeb448-00000000fffeb44c     1  [unknown]                            other    E",
          "[000]                    -  exception debug_halt (0x1) return 00000000fffeb44c [unknown]",
          "[000]                    -  context el2 aarch64 ns contextid 0x0 vmid 0",
          ""), Files.readString(file));
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
