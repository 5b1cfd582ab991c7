package dev.tracepoke.decode.write;

import dev.tracepoke.decode.diff.CoreDiff;
import dev.tracepoke.decode.diff.DiffReport;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.PokeWindow;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report as one HTML page: header, summary numbers with stable ids, a canvas of per-core
 * lanes drawn by the inline script from the inline data (time bins, never one node per
 * instruction), the patch-site table, and with truth the diff and the cost report.
 */
final class ReportPage {
  private final TraceInput input;
  private final ImageTimeline timeline;
  private final long[] done;
  private final List<ReportLane> lanes;
  private final DiffReport diff;
  private final Map<String, String> costs;
  private final RecordingReport.Summary summary;
  private final String title;
  /** Times in tables are shown from here (the first timestamp). */
  private long origin;
  /** Patch sites (word addresses) with the windows touching each, ascending. */
  private final TreeMap<Long, List<PokeWindow>> sites = new TreeMap<>(Long::compareUnsigned);

  ReportPage(TraceInput input, ImageTimeline timeline, long[] done, List<ReportLane> lanes, DiffReport diff,
      Map<String, String> costs, RecordingReport.Summary summary, String title) {
    this.input = input;
    this.timeline = timeline;
    this.done = done;
    this.lanes = lanes;
    this.diff = diff;
    this.costs = costs;
    this.summary = summary;
    this.title = title;
    for (PokeWindow w : timeline.windows()) {
      for (long a = w.address() & ~3L; Long.compareUnsigned(a, w.address() + w.length()) < 0; a += 4) {
        sites.computeIfAbsent(a, k -> new ArrayList<>()).add(w);
      }
    }
  }

  void write(Writer w) throws IOException {
    long first = Long.MAX_VALUE, last = Long.MIN_VALUE, insns = 0;
    for (ReportLane l : lanes) {
      insns += l.instructions;
      if (!l.bins.isEmpty()) {
        first = Math.min(first, l.firstTime);
        double[] s = l.bins.series(ReportLane.INSNS);
        for (int b = s.length - 1; b >= 0; b--) {
          if (s[b] != 0 || l.bins.series(ReportLane.CSES)[b] != 0) {
            last = Math.max(last, l.bins.base() + (b + 1) * l.bins.width());
            break;
          }
        }
      }
    }
    StringBuilder h = new StringBuilder(1 << 16);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(title)).append("</title>\n<style>\n").append(resource("report.css")).append("</style>\n")
        // installed first so it also hears errors of the scripts below (tests read it)
        .append("<script>window.__errors=[];window.addEventListener('error',function(e){")
        .append("window.__errors.push(String(e.message));var p=document.getElementById('js-errors');")
        .append("if(p){p.textContent=window.__errors.join('\\n');p.hidden=false;}});</script>\n")
        .append("</head><body>\n");
    h.append("<header><h1>tracepoke report</h1><dl class=\"facts\">");
    fact(h, "source", esc(input.source()));
    StringBuilder cores = new StringBuilder();
    for (ReportLane l : lanes) {
      cores.append(cores.length() == 0 ? "" : " ").append(l.cpu);
    }
    fact(h, "cores", lanes.size() + " (" + cores + ")");
    fact(h, "time span", first == Long.MAX_VALUE ? "no timestamps"
        : time(first) + " – " + time(last) + " (" + micros(last - first) + ")");
    fact(h, "instructions", String.format(Locale.ROOT, "%,d decoded", insns));
    fact(h, "records", String.format(Locale.ROOT, "%d text-poke record%s, %d patch window%s", input.pokes().size(),
        input.pokes().size() == 1 ? "" : "s", timeline.windows().size(), timeline.windows().size() == 1 ? "" : "s"));
    fact(h, "patch sites", !sites.isEmpty() || input.sites().isEmpty() ? sites.size() + " written by the records"
        : input.sites().sites().size() + " in the kernel's tables" + input.sites().source().map(x -> " (" + esc(x) + ")")
            .orElse(""));
    h.append("</dl></header>\n");

    h.append("<section class=\"summary\">");
    number(h, "ambiguous", "ambiguous executions", summary.ambiguous());
    number(h, "resolved", "resolved", summary.resolved());
    number(h, "unresolved", "unresolved", summary.unresolved());
    if (summary.silentErrors() >= 0) {
      number(h, "silent-errors", "silent errors", summary.silentErrors());
    } else {
      h.append("<div class=\"num na\"><span class=\"v\">–</span><span class=\"k\">silent errors (no truth)</span></div>");
    }
    h.append("</section>\n<pre id=\"js-errors\" hidden></pre>\n");

    h.append("<section class=\"timeline\"><h2>Cores over time</h2>")
        .append("<div class=\"tools\"><button id=\"reset\">whole run</button> <span id=\"view\"></span>")
        .append(" <span class=\"hint\">wheel: zoom · drag: pan · double-click: whole run</span></div>")
        .append("<div id=\"lanes-box\"><canvas id=\"lanes\"></canvas><div id=\"tip\" hidden></div></div>")
        .append("<div class=\"legend\">")
        .append("<span><i class=\"sw density\"></i>decoded instructions (darker: denser)</span>")
        .append("<span><i class=\"sw flagged\"></i>flagged (unresolved) instructions</span>")
        .append("<span><i class=\"sw exc\"></i>exception</span><span><i class=\"sw irq\"></i>interrupt</span>")
        .append("<span><i class=\"sw cse\"></i>context-synchronization event</span>")
        .append("<span><i class=\"sw win1\"></i>patch window: record → maintenance done</span>")
        .append("<span><i class=\"sw win2\"></i>… → closed on this core</span>")
        .append("<span><i class=\"mk resolved\"></i>resolved").append(diff != null ? " (right)" : "").append("</span>");
    if (diff != null) {
      h.append("<span><i class=\"mk wrong\"></i>resolved wrong</span>");
    }
    h.append("<span><i class=\"mk unresolved\"></i>unresolved</span>");
    if (diff != null) {
      h.append("<span><i class=\"mk silent\"></i>silent error</span>");
    }
    h.append("</div></section>\n");

    origin = first == Long.MAX_VALUE ? 0 : first;
    siteTable(h);
    if (diff != null) {
      diffTable(h);
    }
    if (!costs.isEmpty()) {
      h.append("<section><h2>Cost of the patching protocol (simulator)</h2><table class=\"kv\">");
      for (var e : costs.entrySet()) {
        h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>");
      }
      h.append("</table></section>\n");
    }
    w.write(h.toString());
    h.setLength(0);
    w.write("<script type=\"application/json\" id=\"data\">");
    data(w, first, last);
    w.write("</script>\n<script>\n");
    w.write(resource("report.js"));
    w.write("</script>\n</body></html>\n");
    w.flush();
  }

  private void siteTable(StringBuilder h) {
    h.append("<section><h2>Patch sites</h2>");
    if (sites.isEmpty() && lanes.stream().allMatch(l -> l.perSite.isEmpty())) {
      h.append("<p>No text-poke records and no ambiguous execution: the image did not change.</p></section>\n");
      return;
    }
    h.append("<p>Times in µs from the first timestamp (").append(time(origin)).append(").</p>")
        .append("<div class=\"scroll\"><table class=\"sites\"><thead><tr><th>site</th><th>symbol</th><th>window</th><th>records</th>")
        .append("<th>words</th><th>record</th><th>maintenance done</th>");
    for (ReportLane l : lanes) {
      h.append("<th>closed on cpu ").append(l.cpu).append("</th>");
    }
    h.append("<th>resolved").append(diff != null ? " right" : "").append("</th>");
    if (diff != null) {
      h.append("<th>wrong</th>");
    }
    h.append("<th>unresolved</th>");
    if (diff != null) {
      h.append("<th>silent</th>");
    }
    h.append("</tr></thead><tbody>");
    for (var e : sites.entrySet()) {
      long pc = e.getKey();
      long[] out = new long[4];
      for (ReportLane l : lanes) {
        long[] o = l.perSite.get(pc);
        if (o != null) {
          for (int i = 0; i < 4; i++) {
            out[i] += o[i];
          }
        }
      }
      List<PokeWindow> ws = e.getValue();
      boolean firstRow = true;
      for (PokeWindow pw : ws) {
        h.append("<tr").append(firstRow ? " class=\"site\"" : "").append(">");
        if (firstRow) {
          String rs = " rowspan=\"" + ws.size() + "\"";
          h.append("<td").append(rs).append(" class=\"mono\">").append(hex(pc)).append("</td><td").append(rs)
              .append(">").append(esc(sym(pc))).append("</td>");
        }
        h.append("<td>#").append(pw.index()).append("</td><td>").append(style(pw.style())).append("</td>")
            .append("<td class=\"mono\">").append(word(pw, pc, true)).append(" → ").append(word(pw, pc, false))
            .append("</td><td class=\"n\">").append(rel(pw.start())).append("</td><td class=\"n\">")
            .append(rel(done[pw.index()])).append("</td>");
        for (ReportLane l : lanes) {
          h.append("<td class=\"n\">").append(rel(l.closes[pw.index()])).append("</td>");
        }
        if (firstRow) {
          String rs = " rowspan=\"" + ws.size() + "\"";
          h.append("<td").append(rs).append(" class=\"n\">").append(out[0]).append("</td>");
          if (diff != null) {
            h.append("<td").append(rs).append(" class=\"n\">").append(out[1]).append("</td>");
          }
          h.append("<td").append(rs).append(" class=\"n\">").append(out[2]).append("</td>");
          if (diff != null) {
            h.append("<td").append(rs).append(" class=\"n\">").append(out[3]).append("</td>");
          }
        }
        h.append("</tr>");
        firstRow = false;
      }
    }
    extraSites(h);
    h.append("</tbody></table></div></section>\n");
  }

  /**
   * Sites with ambiguous executions but no text-poke window (a recording without records: the
   * kernel's patch-site tables or a kprobe's BRK named them), one row each.
   */
  private void extraSites(StringBuilder h) {
    TreeMap<Long, long[]> extra = new TreeMap<>(Long::compareUnsigned);
    for (ReportLane l : lanes) {
      for (var e : l.perSite.long2ObjectEntrySet()) {
        long[] o = e.getValue();
        if (!sites.containsKey(e.getLongKey()) && o[0] + o[1] + o[2] > 0) { // silent errors alone are no site
          long[] into = extra.computeIfAbsent(e.getLongKey(), k -> new long[4]);
          for (int i = 0; i < 4; i++) {
            into[i] += e.getValue()[i];
          }
        }
      }
    }
    java.util.Map<Long, dev.tracepoke.decode.image.PatchSites.Site> tables = new java.util.HashMap<>();
    if (!extra.isEmpty()) {
      for (var t : input.sites().sites()) {
        if (extra.containsKey(t.address())) {
          tables.put(t.address(), t);
        }
      }
    }
    for (var e : extra.entrySet()) {
      long pc = e.getKey();
      long[] out = e.getValue();
      var t = tables.get(pc);
      StringBuilder words = new StringBuilder();
      if (t != null) {
        for (int w : t.words()) {
          words.append(words.length() == 0 ? "" : " / ").append(String.format("%08x", w));
        }
      }
      h.append("<tr class=\"site\"><td class=\"mono\">").append(hex(pc)).append("</td><td>").append(esc(sym(pc)))
          .append("</td><td>–</td><td>").append(t == null ? "no record" : esc(t.kind().id()) + " table")
          .append("</td><td class=\"mono\">").append(words).append("</td><td></td><td></td>");
      for (int i = 0; i < lanes.size(); i++) {
        h.append("<td></td>");
      }
      h.append("<td class=\"n\">").append(out[0]).append("</td>");
      if (diff != null) {
        h.append("<td class=\"n\">").append(out[1]).append("</td>");
      }
      h.append("<td class=\"n\">").append(out[2]).append("</td>");
      if (diff != null) {
        h.append("<td class=\"n\">").append(out[3]).append("</td>");
      }
      h.append("</tr>");
    }
  }

  private void diffTable(StringBuilder h) {
    h.append("<section><h2>Diff against ground truth</h2><table class=\"diff\"><thead><tr><th>cpu</th>")
        .append("<th>truth</th><th>decoded</th><th>matched</th><th>silent</th><th>ambiguous</th>")
        .append("<th>resolved right</th><th>resolved wrong</th><th>unresolved</th></tr></thead><tbody>");
    for (CoreDiff c : diff.cores()) {
      diffRow(h, Integer.toString(c.cpu()), c);
    }
    diffRow(h, "all", diff.total());
    h.append("</tbody></table>");
    CoreDiff.Divergence d = diff.total().firstDivergence();
    h.append("<p>first divergence: ").append(d == null ? "none" : String.format(Locale.ROOT,
        "cpu %d, time %s, pc %s %s", d.cpu(), time(d.time()), hex(d.pc()), esc(d.symbol() == null ? "" : d.symbol())))
        .append("</p></section>\n");
  }

  private static void diffRow(StringBuilder h, String cpu, CoreDiff c) {
    h.append("<tr><th>").append(cpu).append("</th>");
    for (long v : new long[] {c.instructionsTruth(), c.instructionsDecoded(), c.matched(), c.silentErrors(),
        c.ambiguous(), c.resolvedRight(), c.resolvedWrong(), c.unresolved()}) {
      h.append("<td class=\"n\">").append(String.format(Locale.ROOT, "%,d", v)).append("</td>");
    }
    h.append("</tr>");
  }

  /** The inline data the script draws: the bin grid, every lane's series and examples, the sites. */
  private void data(Writer w, long first, long last) throws IOException {
    StringBuilder j = new StringBuilder(1 << 16);
    TimeBins grid = null;
    for (ReportLane l : lanes) {
      if (!l.bins.isEmpty()) {
        grid = l.bins;
        break;
      }
    }
    j.append("{\"truth\":").append(diff != null);
    j.append(",\"first\":").append(first == Long.MAX_VALUE ? "null" : Long.toString(first));
    j.append(",\"last\":").append(last == Long.MIN_VALUE ? "null" : Long.toString(last));
    j.append(",\"base\":").append(grid == null ? 0 : grid.base());
    j.append(",\"width\":").append(grid == null ? 1 : grid.width());
    j.append(",\"bins\":").append(RecordingReport.BINS);
    j.append(",\"lanes\":[");
    String[] names = {"insns", "flagged", "exc", "irq", "cse", "gap", "err", "resolved", "wrong", "unresolved",
        "silent"};
    for (int li = 0; li < lanes.size(); li++) {
      ReportLane l = lanes.get(li);
      j.append(li == 0 ? "" : ",").append("{\"cpu\":").append(l.cpu).append(",\"s\":{");
      for (int s = 0; s < names.length; s++) {
        j.append(s == 0 ? "" : ",").append('"').append(names[s]).append("\":");
        if (l.bins.isEmpty()) {
          j.append("null");
          continue;
        }
        // sparse: [bin, count, bin, count, ...]; most bins of most series are empty
        double[] v = l.bins.series(s);
        j.append('[');
        boolean any = false;
        for (int b = 0; b < v.length; b++) {
          if (v[b] != 0) {
            j.append(any ? "," : "").append(b).append(',').append(count(v[b]));
            any = true;
          }
        }
        j.append(']');
      }
      j.append("},\"ex\":{");
      boolean any = false;
      for (int b = 0; !l.bins.isEmpty() && b < RecordingReport.BINS; b++) {
        List<ReportLane.Sample> ss = l.samples(b);
        if (ss.isEmpty()) {
          continue;
        }
        j.append(any ? "," : "").append('"').append(b).append("\":[");
        any = true;
        for (int k = 0; k < ss.size(); k++) {
          ReportLane.Sample x = ss.get(k);
          j.append(k == 0 ? "" : ",").append("{\"t\":").append(x.time).append(",\"pc\":\"").append(hex(x.pc))
              .append("\",\"sym\":").append(json(sym(x.pc))).append(",\"cand\":[");
          for (int c = 0; c < x.candidates.length; c++) {
            j.append(c == 0 ? "" : ",").append('"').append(String.format("%08x", x.candidates[c])).append('"');
          }
          j.append("],\"word\":").append(x.series == ReportLane.RESOLVED || x.series == ReportLane.WRONG
              ? "\"" + String.format("%08x", x.word) + "\"" : "null");
          j.append(",\"o\":\"").append(names[x.series]).append("\",\"n\":").append(x.count).append('}');
        }
        j.append(']');
      }
      j.append("}}");
      w.write(j.toString());
      j.setLength(0);
    }
    j.append("],\"sites\":[");
    boolean firstSite = true;
    for (var e : sites.entrySet()) {
      j.append(firstSite ? "" : ",").append("{\"pc\":\"").append(hex(e.getKey())).append("\",\"sym\":")
          .append(json(sym(e.getKey()))).append(",\"w\":[");
      firstSite = false;
      boolean fw = true;
      for (PokeWindow pw : e.getValue()) {
        j.append(fw ? "" : ",").append("{\"i\":").append(pw.index()).append(",\"style\":\"")
            .append(style(pw.style())).append("\",\"old\":\"").append(word(pw, e.getKey(), true))
            .append("\",\"new\":\"").append(word(pw, e.getKey(), false)).append("\",\"start\":")
            .append(num(pw.start())).append(",\"done\":").append(num(done[pw.index()])).append(",\"close\":[");
        fw = false;
        for (int li = 0; li < lanes.size(); li++) {
          j.append(li == 0 ? "" : ",").append(num(lanes.get(li).closes[pw.index()]));
        }
        j.append("]}");
      }
      j.append("]}");
    }
    j.append("]}");
    w.write(j.toString().replace("</", "<\\/"));
  }

  /** A bin's count: whole where it is (events), else to two decimals (spread instructions). */
  private static String count(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private String sym(long pc) {
    String s = input.symbols().apply(pc);
    return s == null ? "" : s;
  }

  /** The word at {@code site} before or after a window's write, as hex in memory order of a LE word. */
  private static String word(PokeWindow w, long site, boolean before) {
    byte[] bytes = before ? w.oldBytes() : w.newBytes();
    int v = 0;
    boolean whole = true;
    for (int b = 0; b < 4; b++) {
      long off = site + b - w.address();
      if (off >= 0 && off < bytes.length) {
        v |= (bytes[(int) off] & 0xFF) << (8 * b);
      } else {
        whole = false;
      }
    }
    return whole ? String.format("%08x", v) : bytesHex(bytes);
  }

  private static String style(PokeWindow.Style s) {
    return switch (s) {
      case LANDED -> "flagless";
      case PAIRED -> "PRE/POST";
      case PRE_ONLY -> "PRE only";
      case POST_ONLY -> "POST only";
    };
  }

  private static String num(long t) {
    return t == Long.MAX_VALUE || t == Long.MIN_VALUE ? "null" : Long.toString(t);
  }

  private String rel(long t) {
    return t == Long.MAX_VALUE ? "open" : t == Long.MIN_VALUE ? "unknown"
        : String.format(Locale.ROOT, "%.3f", (t - origin) / 1e3);
  }

  private static void fact(StringBuilder h, String k, String v) {
    h.append("<dt>").append(k).append("</dt><dd>").append(v).append("</dd>");
  }

  private static void number(StringBuilder h, String id, String label, long v) {
    h.append("<div class=\"num ").append(id).append("\"><span class=\"v\" id=\"").append(id).append("\">")
        .append(v).append("</span><span class=\"k\">").append(label).append("</span></div>");
  }

  /** Perf time as seconds with nanoseconds, as decode prints it. */
  static String time(long ns) {
    return String.format(Locale.ROOT, "%d.%09d", ns / 1_000_000_000L, ns % 1_000_000_000L);
  }

  private static String micros(long ns) {
    return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
  }

  private static String hex(long pc) {
    return String.format("0x%x", pc);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static String resource(String name) {
    try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " beside " + ReportPage.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes as hex in memory order. */
  private static String bytesHex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x & 0xFF));
    }
    return s.toString();
  }
}
