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

  /** What one command line prints for args: exit code, stdout, stderr. */
  private static String outcome(CommandLine cl, String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    cl.setOut(new PrintWriter(o, true));
    cl.setErr(new PrintWriter(e, true));
    int rc = cl.execute(args);
    return rc + "\n" + o + "\n---\n" + e;
  }

  @Test
  void aTreeOfOneSubcommandBehavesAsTheWholeTree() {
    String[][] cases = {
      {"decode", "--help"}, {"decode", "--format", "xml", "x"}, {"decode"}, {"bench", "--help"},
      {"bench", "packets", "--help"}, {"golden", "check", "--help"}, {"export", "opencsd"}, {"dump", "--bad"},
      {"simulate", "--help"}, {"diff", "--help"}, {"demo", "--help"}, {"compare-protocols", "--help"},
    };
    for (String[] args : cases) {
      String whole = outcome(Tracepoke.commandLine(), args);
      CommandLine one = Tracepoke.forArgs(args, false);
      assertEquals(1, one.getSubcommands().size(), String.join(" ", args));
      assertEquals(whole, outcome(one, args), String.join(" ", args));
    }
    // not a subcommand (or help, which needs them all): the whole tree
    assertEquals(outcome(Tracepoke.commandLine(), "--version"), outcome(Tracepoke.forArgs(new String[] {"--version"}, false), "--version"));
    assertTrue(Tracepoke.forArgs(new String[] {"help", "decode"}, false).getSubcommands().size() > 1);
  }
}
