package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracepoke report} and {@code export perfetto} on a simulated recording: the page's
 * numbers are {@code diff --json}'s, the page renders in a real browser (headless Chromium)
 * without a script error, and the Perfetto file has the structure its viewers need.
 */
class ReportCommandTest {
  /** Where the browser test leaves its screenshot for people to look at. */
  static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");

  @TempDir static Path dir;
  static Path rec;
  static JsonNode diff;

  @BeforeAll
  static void record() throws Exception {
    rec = dir.resolve("rec");
    SimRecordings.record(SimRecordings.scenario("default", 1, 1_000_000), rec);
    StringWriter out = new StringWriter();
    assertEquals(0, run(out, "diff", "--json", rec.toString()));
    diff = new ObjectMapper().readTree(out.toString());
    assertTrue(diff.get("ambiguous").asLong() > 0, "the run must have ambiguous executions: " + diff);
  }

  @Test
  void pageCarriesDiffNumbersAndNeedsNoNetwork() throws Exception {
    Path page = dir.resolve("page.html");
    StringWriter out = new StringWriter();
    assertEquals(0, run(out, "report", rec.toString(), "--out", page.toString()));
    assertTrue(out.toString().startsWith(page + ": ambiguous " + diff.get("ambiguous").asLong()), out.toString());
    String html = Files.readString(page);
    assertEquals(expected(), numbers(html));
    // self-contained: nothing loaded from anywhere else
    assertFalse(Pattern.compile("<(script|img|link|iframe)[^>]*(src|href)=", Pattern.CASE_INSENSITIVE).matcher(html).find());
    assertFalse(html.contains("http://") || html.contains("https://"), "no network address in the page");
    // per core lanes drawn from time bins: the page does not grow with the instruction count
    long insns = diff.get("instructions_decoded").asLong();
    assertTrue(html.length() < insns / 4, html.length() + " bytes for " + insns + " instructions");
  }

  @Test
  void defaultPageIsInsideTheRecording() throws Exception {
    StringWriter out = new StringWriter();
    assertEquals(0, run(out, "report", rec.toString()));
    assertTrue(Files.isRegularFile(rec.resolve("report.html")), out.toString());
  }

  @Test
  void pageRendersInHeadlessChromiumWithoutScriptErrors() throws Exception {
    Optional<Path> chromium = chromium();
    if (chromium.isEmpty()) {
      System.out.println("ReportCommandTest: skipped, chromium not installed (Debian package chromium)");
    }
    assumeTrue(chromium.isPresent(), "chromium not installed");
    Path page = dir.resolve("browser.html");
    assertEquals(0, run(new StringWriter(), "report", rec.toString(), "--out", page.toString()));
    String url = page.toUri() + "#selftest";

    Browser dom = browser(chromium.get(), "--dump-dom", url);
    assertEquals(0, dom.code(), dom.err());
    String html = dom.out();
    // the script hears every error (installed before the page's own script); none may have happened
    Matcher errors = Pattern.compile("<pre id=\"js-errors\"([^>]*)>(.*?)</pre>", Pattern.DOTALL).matcher(html);
    assertTrue(errors.find(), html);
    assertEquals("", errors.group(2), "JavaScript errors: " + errors.group(2));
    assertTrue(errors.group(1).contains("hidden"));
    for (String line : dom.err().split("\n")) {
      assertFalse(line.contains("Uncaught"), line);
    }
    int cores = diff.get("cores").size();
    assertEquals(Integer.toString(cores), attribute(html, "data-rendered"), "every lane drawn");
    assertTrue(attribute(html, "data-selftest").startsWith("ok "), "zoom, pan and tooltip ran: " + attribute(html, "data-selftest"));
    assertEquals(expected(), numbers(html));
    System.out.println("ReportCommandTest: page ready " + attribute(html, "data-ready-ms") + " ms after navigation"
        + " (drawing " + attribute(html, "data-draw-ms") + " ms)");

    Path shot = SCREENSHOT.toAbsolutePath();
    Files.createDirectories(shot.getParent());
    Files.deleteIfExists(shot);
    Browser s = browser(chromium.get(), "--screenshot=" + shot, page.toUri().toString());
    assertEquals(0, s.code(), s.err());
    byte[] png = Files.readAllBytes(shot);
    assertTrue(png.length > 10_000, "screenshot " + png.length + " bytes");
    assertEquals(0x89, png[0] & 0xFF);
    assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
    System.out.println("ReportCommandTest: screenshot " + shot);
  }

  @Test
  void perfettoFileHasSlicesOnEveryCoreAndOneInstantPerAmbiguousExecution() throws Exception {
    Path json = dir.resolve("trace.json");
    StringWriter out = new StringWriter();
    assertEquals(0, run(out, "export", "perfetto", rec.toString(), json.toString()));
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("ns", root.get("displayTimeUnit").asText());
    Map<Integer, Integer> slices = new TreeMap<>();
    Map<Integer, Integer> exceptions = new TreeMap<>();
    int ambiguities = 0;
    int pokes = 0;
    for (JsonNode e : root.get("traceEvents")) {
      String ph = e.get("ph").asText();
      assertTrue(e.has("pid") && e.has("tid") && e.has("name"), e.toString());
      if (ph.equals("X")) {
        assertTrue(e.get("dur").asDouble() >= 0, e.toString());
        assertTrue(e.get("ts").asDouble() > 0, e.toString());
        (e.get("cat").asText().equals("exception") ? exceptions : slices).merge(e.get("tid").asInt(), 1, Integer::sum);
      } else if (ph.equals("i")) {
        String cat = e.get("cat").asText();
        if (cat.equals("ambiguity")) {
          ambiguities++;
          JsonNode a = e.get("args");
          assertTrue(a.get("pc").asText().startsWith("0x"), e.toString());
          assertTrue(a.get("candidates").size() >= 2, e.toString());
          String outcome = a.get("outcome").asText();
          assertTrue(outcome.equals("resolved") || outcome.equals("unresolved"), e.toString());
        } else {
          assertEquals("poke", cat, e.toString());
          pokes++;
        }
      }
    }
    List<Integer> cpus = new ArrayList<>();
    for (JsonNode c : diff.get("cores")) {
      cpus.add(c.get("cpu").asInt());
    }
    assertEquals(cpus, new ArrayList<>(slices.keySet()), "function slices on every cpu");
    assertEquals(cpus, new ArrayList<>(exceptions.keySet()), "exception slices on every cpu");
    assertEquals(diff.get("ambiguous").asLong(), ambiguities);
    assertTrue(pokes > 0);
    assertTrue(out.toString().contains(ambiguities + pokes + " instants"), out.toString());
  }

  private static Map<String, Long> expected() {
    Map<String, Long> m = new TreeMap<>();
    m.put("ambiguous", diff.get("ambiguous").asLong());
    m.put("resolved", diff.get("resolved_right").asLong() + diff.get("resolved_wrong").asLong());
    m.put("unresolved", diff.get("unresolved").asLong());
    m.put("silent-errors", diff.get("silent_errors").asLong());
    return m;
  }

  /** The text of each element with one of the four stable ids, as numbers. */
  private static Map<String, Long> numbers(String html) {
    Map<String, Long> m = new TreeMap<>();
    for (String id : List.of("ambiguous", "resolved", "unresolved", "silent-errors")) {
      Matcher x = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(html);
      assertTrue(x.find(), "id " + id);
      m.put(id, Long.parseLong(x.group(1).trim()));
      assertFalse(x.find(), "id " + id + " twice");
    }
    return m;
  }

  private static String attribute(String html, String name) {
    Matcher m = Pattern.compile("<body[^>]*\\s" + name + "=\"([^\"]*)\"").matcher(html);
    assertTrue(m.find(), name + " on body");
    return m.group(1);
  }

  private record Browser(int code, String out, String err) {}

  /** Runs headless Chromium once (its own profile, nothing from the network). */
  private static Browser browser(Path chromium, String what, String url) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-");
    List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1400,1000", "--enable-logging=stderr", "--v=0", what, url));
    Path outFile = dir.resolve(profile.getFileName() + ".out");
    Path errFile = dir.resolve(profile.getFileName() + ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s: " + cmd);
    }
    return new Browser(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
  }

  private static Optional<Path> chromium() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(d, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static int run(StringWriter out, String... args) {
    StringWriter err = new StringWriter();
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    if (code != 0) {
      System.err.println(String.join(" ", args) + ": " + err);
    }
    return code;
  }
}
