package dev.tracepoke.decode.write;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * A comparison of runs as one offline HTML page: the table, then one bar chart per charted column
 * (inline SVG, no script), what a protocol costs on the left and what a decoder can know on the
 * right. The page knows nothing of protocols: its caller names the columns.
 */
public final class ComparisonPage {
  /**
   * One column. {@code side} places its chart: {@link Side#LABEL} columns name a row (joined as the
   * row's label), {@link Side#COST} and {@link Side#DECODE} are charted, {@link Side#TABLE} only tabled.
   */
  public record Column(String label, Side side) {}

  public enum Side { LABEL, COST, DECODE, TABLE }

  private static final int BAR = 14;
  private static final int CHART_W = 520;
  private static final int LABEL_W = 210;

  private ComparisonPage() {}

  /** Writes the page; each row holds one value per column (strings for labels, numbers else). */
  public static void write(Writer w, String title, List<String> notes, List<Column> columns, List<List<Object>> rows)
      throws IOException {
    StringBuilder h = new StringBuilder(1 << 15);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(ReportPage.esc(title))
        .append("</title>\n<style>\n").append(ReportPage.resource("report.css"))
        .append(".charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }\n")
        .append(".charts h3 { font-size: 14px; margin: 14px 0 4px; }\n#rows td:nth-child(-n+2) { white-space: nowrap; }\n")
        .append("svg text { font: 11px system-ui, sans-serif; fill: #333; }\n</style></head><body>\n")
        .append("<header><h1>").append(ReportPage.esc(title)).append("</h1>");
    for (String n : notes) {
      h.append("<p>").append(ReportPage.esc(n)).append("</p>");
    }
    h.append("</header>\n<section><h2>Every protocol and event style</h2><div class=\"scroll\"><table id=\"rows\"><thead><tr>");
    for (Column c : columns) {
      h.append("<th>").append(ReportPage.esc(c.label())).append("</th>");
    }
    h.append("</tr></thead><tbody>");
    for (List<Object> r : rows) {
      h.append("<tr>");
      for (int i = 0; i < columns.size(); i++) {
        Object v = r.get(i);
        boolean num = v instanceof Number;
        h.append(num ? "<td class=\"n\">" : "<td>").append(num ? format((Number) v) : ReportPage.esc(String.valueOf(v)))
            .append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</tbody></table></div></section>\n<section><h2>What it costs, what a decoder can know</h2>")
        .append("<div class=\"charts\"><div><h2>cost</h2>");
    charts(h, columns, rows, Side.COST);
    h.append("</div><div><h2>decode</h2>");
    charts(h, columns, rows, Side.DECODE);
    h.append("</div></div></section>\n</body></html>\n");
    w.write(h.toString());
    w.flush();
  }

  private static void charts(StringBuilder h, List<Column> columns, List<List<Object>> rows, Side side) {
    for (int c = 0; c < columns.size(); c++) {
      if (columns.get(c).side() != side) {
        continue;
      }
      double max = 0;
      for (List<Object> r : rows) {
        max = Math.max(max, ((Number) r.get(c)).doubleValue());
      }
      int height = rows.size() * (BAR + 4) + 6;
      h.append("<h3>").append(ReportPage.esc(columns.get(c).label())).append("</h3>")
          .append("<svg width=\"").append(CHART_W).append("\" height=\"").append(height).append("\" role=\"img\">");
      for (int i = 0; i < rows.size(); i++) {
        List<Object> r = rows.get(i);
        double v = ((Number) r.get(c)).doubleValue();
        int y = 3 + i * (BAR + 4);
        int len = max > 0 ? (int) Math.round((CHART_W - LABEL_W - 70) * v / max) : 0;
        String fill = side == Side.COST ? "#2b6cb0" : "#e0a000";
        h.append("<text x=\"").append(LABEL_W - 6).append("\" y=\"").append(y + BAR - 3)
            .append("\" text-anchor=\"end\">").append(ReportPage.esc(label(columns, r))).append("</text>")
            .append("<rect x=\"").append(LABEL_W).append("\" y=\"").append(y).append("\" width=\"").append(Math.max(len, v > 0 ? 1 : 0))
            .append("\" height=\"").append(BAR).append("\" fill=\"").append(fill).append("\"/>")
            .append("<text x=\"").append(LABEL_W + len + 4).append("\" y=\"").append(y + BAR - 3).append("\">")
            .append(format((Number) r.get(c))).append("</text>");
      }
      h.append("</svg>");
    }
  }

  private static String label(List<Column> columns, List<Object> r) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).side() == Side.LABEL) {
        s.append(s.length() == 0 ? "" : " / ").append(r.get(i));
      }
    }
    return s.toString();
  }

  private static String format(Number n) {
    if (n instanceof Double || n instanceof Float) {
      return String.format(Locale.ROOT, "%.2f", n.doubleValue());
    }
    return String.format(Locale.ROOT, "%,d", n.longValue());
  }
}
