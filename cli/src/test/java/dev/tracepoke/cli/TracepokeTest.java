package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TracepokeTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void helpListsSubcommands() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().contains("demo"), out.toString());
    assertTrue(out.toString().startsWith("Usage: tracepoke"), out.toString());
  }

  @Test
  void versionNamesTheProject() {
    assertEquals(0, run("--version"));
    assertTrue(out.toString().startsWith("tracepoke 0.1.0-SNAPSHOT\n"), out.toString());
  }

  @Test
  void unknownOptionIsUsageErrorWithCode2() {
    assertEquals(2, run("--no-such-option"));
    assertTrue(err.toString().startsWith("Unknown option: '--no-such-option'"), err.toString());
  }
}
