package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {

  @Test
  void barShowsWorkDoneRateAndTask() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream to = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (ProgressBars.Bar bar = ProgressBars.draw(to, 100, "golden check", 20, " cases", 1)) {
      bar.say("nosync--pre-post");
      bar.step(5);
      bar.stepTo(12);
    }
    String drawn = bytes.toString(StandardCharsets.UTF_8);
    String last = drawn.substring(drawn.lastIndexOf('\r') + 1).strip();
    assertTrue(last.startsWith("golden check 100%"), last);
    assertTrue(last.contains("20/20 cases"), last);
    assertTrue(last.contains("cases/s"), last);
    assertTrue(last.length() <= 100, last);
  }

  @Test
  void noProgressDrawsNothing() {
    ProgressBars.Switch off = new ProgressBars.Switch();
    off.off = true;
    assertSame(ProgressBars.NONE, off.start("decode", 100, "MB", 1 << 20));
  }

  @Test
  void stdoutOfACommandCarriesNoBar(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // under the test runner stderr is not a terminal: no bar anywhere, and stdout is the command's alone
    assertTrue(!ProgressBars.stderrIsTerminal());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertEquals(1, cl.execute("golden", "check", dir.toString())); // an empty corpus fails
    assertEquals("0 passed, 0 failed\n", out.toString());
  }
}
