package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The decode output formats on real hardware trace: DESIGN.md's JSONL schema 1 and the text forms. */
class DecodeCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  static Path a57() {
    Path bugfix = BenchDecodeCommand.defaultSnapshot();
    assumeTrue(bugfix != null, "no shared/conformance snapshots");
    return bugfix.resolveSibling("a57_single_step");
  }

  @Test
  void jsonlFollowsSchemaOne() {
    Path a57 = a57();
    assertEquals(0, run("decode", a57.toString(), "--format", "jsonl"), err.toString());
    assertEquals(String.join("\n",
        "{\"type\":\"header\",\"schema\":1,\"source\":\"" + a57 + "\",\"cores\":[0]}",
        "{\"type\":\"context\",\"cpu\":0,\"el\":2,\"sf\":true,\"ns\":true,\"context_id\":\"0x0\",\"vmid\":0,\"offset\":15}",
        "{\"type\":\"range\",\"cpu\":0,\"trace_id\":16,\"start\":\"0xfffeb448\",\"end\":\"0xfffeb44c\",\"instructions\":1,"
            + "\"last\":\"other\",\"taken\":true,\"time\":[null,49369280],\"flag\":null,\"offset\":34}",
        "{\"type\":\"exception\",\"cpu\":0,\"number\":1,\"kind\":\"debug_halt\",\"return\":\"0xfffeb44c\","
            + "\"time\":[null,49369280],\"offset\":34}",
        "{\"type\":\"context\",\"cpu\":0,\"el\":2,\"sf\":true,\"ns\":true,\"context_id\":\"0x0\",\"vmid\":0,\"offset\":45}",
        ""), out.toString());
  }

  @Test
  void textPerRangeAndPerInstruction() {
    Path a57 = a57();
    assertEquals(0, run("decode", a57.toString(), "--ranges"), err.toString());
    assertEquals(String.join("\n",
        "[000]                    -  context el2 aarch64 ns contextid 0x0 vmid 0",
        "[000]                    -  00000000fffeb448-00000000fffeb44c     1  [unknown]                            other    E",
        "[000]                    -  exception debug_halt (0x1) return 00000000fffeb44c [unknown]",
        "[000]                    -  context el2 aarch64 ns contextid 0x0 vmid 0",
        ""), out.toString());
  }

  @Test
  void timeWindowKeepsOnlyElementsWhoseIntervalMeetsIt() {
    Path a57 = a57();
    // every timed element lies in (unknown, 49369280]: a window before that end keeps them all
    assertEquals(0, run("decode", a57.toString(), "--ranges", "--time", "0,100"), err.toString());
    assertEquals(4, out.toString().lines().count(), out.toString());
    out.getBuffer().setLength(0);
    // a window after it keeps nothing, not even the context lines that go with those elements
    assertEquals(0, run("decode", a57.toString(), "--ranges", "--time", "49369281,"), err.toString());
    assertEquals("", out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("decode", a57.toString(), "--ranges", "--time", "0.049369280,"), err.toString());
    assertEquals(4, out.toString().lines().count(), out.toString());
  }

  /**
   * a57_single_step copied into {@code tmp} with its trace buffer's 128 bytes made frame padding
   * (ID 0): the trace source is named, but no byte is its.
   */
  static Path paddingOnly(Path tmp) throws java.io.IOException {
    Path snap = tmp.resolve("padding");
    java.nio.file.Files.createDirectories(snap);
    try (var files = java.nio.file.Files.list(a57())) {
      for (Path f : files.toList()) {
        java.nio.file.Files.copy(f, snap.resolve(f.getFileName()));
      }
    }
    java.nio.file.Files.write(snap.resolve("CSTMC_TRACE_FIFO.bin"), new byte[128]);
    return snap;
  }

  @Test
  void aBufferOfPaddingOnlyDecodesNothingAndSaysSo(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws java.io.IOException {
    Path snap = paddingOnly(tmp);
    assertEquals(1, run("decode", snap.toString()));
    assertEquals("tracepoke decode: " + snap + ": no trace bytes for cpu 0: nothing decoded\n", err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void aPerfettoExportOfPaddingOnlySaysSo(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws java.io.IOException {
    Path snap = paddingOnly(tmp);
    Path json = tmp.resolve("out.json");
    assertEquals(1, run("export", "perfetto", snap.toString(), json.toString()));
    assertEquals(json + ": 0 slices, 0 instants\n", out.toString());
    assertEquals("tracepoke export perfetto: " + snap + ": no trace bytes for cpu 0: nothing decoded\n",
        err.toString());
  }

  @Test
  void aCpuTheRecordingDoesNotHaveIsNamed() {
    Path a57 = a57();
    assertEquals(1, run("decode", a57.toString(), "--cpu", "9"));
    assertEquals("tracepoke decode: " + a57 + ": no trace for cpu 9 (it has cpu 0)\n", err.toString());
  }

  @Test
  void badFormatIsAUsageError() {
    assertEquals(2, run("decode", a57().toString(), "--format", "xml"));
    assertEquals("tracepoke decode: --format must be text or jsonl, not 'xml'\n", err.toString());
  }
}
