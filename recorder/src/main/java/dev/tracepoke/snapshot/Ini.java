package dev.tracepoke.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An INI file as the snapshot format defines it: {@code [section]} headers, {@code key=value}
 * lines, and comments starting with {@code ;} or {@code #} anywhere in a line (so values can never
 * contain them). Keys and values are trimmed; sections and keys keep their order and case.
 *
 * @param file where it was read from (for error messages)
 * @param sections the sections in file order
 */
public record Ini(Path file, List<Section> sections) {

  /** One {@code key=value} line. */
  public record Entry(String key, String value, int line) {}

  /** One {@code [name]} section and its entries. */
  public record Section(String name, List<Entry> entries, int line) {
    public Section {
      entries = List.copyOf(entries);
    }

    /** The value of the first entry named {@code key} (case-insensitive). */
    public Optional<String> get(String key) {
      for (Entry e : entries) {
        if (e.key().equalsIgnoreCase(key)) {
          return Optional.of(e.value());
        }
      }
      return Optional.empty();
    }
  }

  public Ini {
    sections = List.copyOf(sections);
  }

  /** Reads and parses {@code file}. */
  public static Ini read(Path file) throws IOException {
    return parse(file, Files.readString(file, StandardCharsets.ISO_8859_1));
  }

  /** Parses {@code text}; {@code file} only names it in errors. */
  public static Ini parse(Path file, String text) {
    List<Section> sections = new ArrayList<>();
    String name = null;
    int sectionLine = 0;
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = stripComment(lines[i]).trim();
      if (line.isEmpty()) {
        continue;
      }
      int number = i + 1;
      if (line.startsWith("[")) {
        if (!line.endsWith("]")) {
          throw new SnapshotFormatException(file, number, "section header '" + line + "' lacks ']'");
        }
        if (name != null) {
          sections.add(new Section(name, entries, sectionLine));
        }
        name = line.substring(1, line.length() - 1).trim();
        sectionLine = number;
        entries = new ArrayList<>();
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new SnapshotFormatException(file, number, "expected 'key=value' or '[section]', found '" + line + "'");
      }
      if (name == null) {
        throw new SnapshotFormatException(file, number, "entry before the first [section]");
      }
      entries.add(new Entry(line.substring(0, eq).trim(), line.substring(eq + 1).trim(), number));
    }
    if (name != null) {
      sections.add(new Section(name, entries, sectionLine));
    }
    return new Ini(file, sections);
  }

  private static String stripComment(String line) {
    int cut = line.length();
    int semi = line.indexOf(';');
    int hash = line.indexOf('#');
    if (semi >= 0) {
      cut = semi;
    }
    if (hash >= 0 && hash < cut) {
      cut = hash;
    }
    return line.substring(0, cut);
  }

  /** The first section named {@code name} (case-insensitive). */
  public Optional<Section> section(String name) {
    for (Section s : sections) {
      if (s.name().equalsIgnoreCase(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The section, or an error naming the file and what was expected. */
  public Section require(String name) {
    return section(name)
        .orElseThrow(() -> new SnapshotFormatException(file, 0, "missing section [" + name + "]"));
  }

  /** The value of {@code key} in {@code section}, or an error naming the file and line. */
  public String require(Section section, String key) {
    return section
        .get(key)
        .orElseThrow(
            () ->
                new SnapshotFormatException(
                    file, section.line(), "section [" + section.name() + "] lacks '" + key + "='"));
  }

  /** Parses a number the way the snapshot parser does ({@code strtoul(v, 0)}: 0x.., 0.., decimal). */
  public long number(Entry e) {
    return number(file, e.line(), e.value());
  }

  static long number(Path file, int line, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("0x")) {
        return Long.parseUnsignedLong(v.substring(2), 16);
      }
      if (v.length() > 1 && v.startsWith("0")) {
        return Long.parseUnsignedLong(v.substring(1), 8);
      }
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new SnapshotFormatException(file, line, "expected a number, found '" + value + "'");
    }
  }
}
