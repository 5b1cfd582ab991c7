package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

  @Test
  void demoShowsNoSilentErrorsWhereTheNaiveDecoderHasSome(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    Path rec = dir.resolve("rec");
    int code = cl.execute("demo", "--out", rec.toString());
    String text = out.toString();
    assertEquals(0, code, text + err);
    String[] sections = text.split("naive decoder", 2);
    assertEquals(2, sections.length, text);
    assertEquals(0, count(sections[0], "silent errors\\s+: (\\d+)"), text);
    assertTrue(count(sections[1], "silent errors\\s+: (\\d+)") > 0, text);
    assertTrue(count(sections[0], "ambiguous executions : (\\d+)") > 0, text);
    assertTrue(text.contains("recording: " + rec), text);
    assertTrue(Files.isRegularFile(rec.resolve("data")), "recording left for the user");
    // the page is written next to the recording's data and named as the next step
    Path page = rec.resolve("report.html");
    assertTrue(text.contains("report: " + page + "\n"), text);
    assertTrue(text.contains("next: open " + page), text);
    String html = Files.readString(page);
    assertTrue(html.contains("id=\"ambiguous\">" + count(sections[0], "ambiguous executions : (\\d+)") + "<"), "page numbers");
    assertTrue(html.contains("id=\"silent-errors\">0<"), "page numbers");
    assertTrue(html.contains("Cost of the patching protocol"), "the demo knows the simulator's costs");
    assertTrue(text.lines().count() < 40, "fits a screen: " + text.lines().count() + " lines");
  }

  private static long count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in " + text);
    return Long.parseLong(m.group(1));
  }
}
