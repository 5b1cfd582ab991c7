package dev.tracepoke.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The mutation campaign of issue 16, as a program (it takes minutes, so it is no CI test): every
 * kind of damage below, applied to every file of every input, then every command on the damaged
 * copy, in process. Each case is classified:
 *
 * <ul>
 *   <li>{@code crash}: an exception that is not one of the readers' format exceptions (an internal
 *       error reduced to its message), or a stack trace on stderr;
 *   <li>{@code hang}: no answer within the time limit; {@code oom}: OutOfMemoryError;
 *   <li>{@code unnamed}: an error (the last line on stderr) that names no file of the input;
 *       {@code warned-unnamed}: exit 0 with a warning that names none;
 *   <li>{@code silent-loss}: exit 0, nothing on stderr, and the output lost more than half of the
 *       undamaged run's lines;
 *   <li>{@code error} (exit 1, one line naming the file), {@code warned} (exit 0 with stderr),
 *       {@code same} (output identical), {@code changed} (exit 0, silent, other output: damage the
 *       format cannot reveal, e.g. a flipped atom bit that is still a valid trace).
 * </ul>
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * java -Xmx768m -cp cli/target/test-classes:cli/target/tracepoke.jar dev.tracepoke.cli.MutationCampaign \
 *     OUTDIR CASES_PER_FILE INPUT...
 * </pre>
 *
 * An INPUT is a perf directory or an OpenCSD snapshot directory; a directory with {@code truth/} also
 * gets {@code diff}. Prints one line per case that is not {@code error}, {@code warned}, {@code same}
 * or {@code changed}, then a table of outcomes by kind of damage.
 */
public final class MutationCampaign {
  private MutationCampaign() {}

  /** Kinds of damage. */
  enum Kind {
    BIT_FLIP, BYTE_ZERO, BYTE_FF, TRUNCATE, APPEND_GARBAGE, DELETE_CHUNK, DUPLICATE_CHUNK,
    U64_HUGE, U32_INTERESTING, INI_NUMBER_HUGE, INI_DROP_LINE, INI_DROP_HEADER, INI_RENAME_FILE,
    FILE_MISSING, FILE_IS_DIRECTORY, FILE_EMPTY
  }

  static final long[] INTERESTING_U64 = {-1L, Long.MAX_VALUE, 0x40000000L, 0x7FFFFFFFFFFFFFF0L, 1L << 40, 0};
  static final int[] INTERESTING_U32 = {-1, 0x7FFFFFFF, 0x80000000, 0x40000000, 0xFFFF, 0};
  static final String[] HUGE_NUMBERS = {"0xFFFFFFFFFFFFFFFF", "0x40000000", "0x7FFFFFFFFFFFFFFF", "-1", "2640", "0x"};

  record Outcome(String kind, String detail) {}

  /** -Dcampaign.verbose=true also prints every {@code changed} case. */
  static final boolean VERBOSE = Boolean.getBoolean("campaign.verbose");

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int perFile = Integer.parseInt(args[1]);
    long seed = 16;
    Map<String, Map<String, Integer>> table = new TreeMap<>();
    int cases = 0;
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    for (int a = 2; a < args.length; a++) {
      Path input = Path.of(args[a]);
      List<String[]> commands = commands(input);
      List<Path> files;
      try (Stream<Path> s = Files.walk(input)) {
        files = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
      }
      // the undamaged run, at the same path as the damaged copies (outputs name the path)
      Map<String, String> baseline = new TreeMap<>();
      Path clean = work.resolve("case");
      deleteTree(clean);
      copyTree(input, clean);
      for (String[] c : commands) {
        baseline.put(String.join(" ", c), run(pool, c, clean, work.resolve("out")).out);
      }
      Random rnd = new Random(seed++);
      for (Path file : files) {
        boolean ini = file.toString().endsWith(".ini");
        for (Kind kind : Kind.values()) {
          if (kind.name().startsWith("INI_") != ini && kind.name().startsWith("INI_")) {
            continue;
          }
          int n = kind.name().startsWith("FILE_") ? 1 : perFile;
          for (int i = 0; i < n; i++) {
            Path copy = work.resolve("case");
            deleteTree(copy);
            copyTree(input, copy);
            Path target = copy.resolve(input.relativize(file).toString());
            String what = damage(kind, target, rnd);
            if (what == null) {
              continue;
            }
            for (String[] c : commands) {
              cases++;
              Result r = run(pool, c, copy, work.resolve("out"));
              Outcome o = classify(r, baseline.get(String.join(" ", c)), copy);
              table.computeIfAbsent(kind.name(), k -> new TreeMap<>()).merge(o.kind(), 1, Integer::sum);
              table.computeIfAbsent("all", k -> new TreeMap<>()).merge(o.kind(), 1, Integer::sum);
              if (List.of("crash", "hang", "oom", "unnamed", "warned-unnamed", "silent-loss").contains(o.kind())
                  || (VERBOSE && o.kind().equals("changed"))) {
                System.out.printf("%s %s | %s %s | %s | %s%n", o.kind(), input.getFileName(), kind,
                    input.relativize(file) + " " + what, String.join(" ", c), o.detail());
              }
            }
          }
        }
      }
    }
    System.out.println("cases " + cases);
    for (var e : table.entrySet()) {
      System.out.println(e.getKey() + " " + e.getValue());
    }
    System.exit(0);
  }

  static List<String[]> commands(Path input) {
    List<String[]> c = new ArrayList<>();
    boolean snapshot = Files.isRegularFile(input.resolve("snapshot.ini"));
    if (!snapshot) {
      c.add(new String[] {"dump", "REC"});
    }
    c.add(new String[] {"dump", "--packets", "REC"});
    c.add(new String[] {"decode", "REC"});
    if (Files.isDirectory(input.resolve("truth"))) {
      c.add(new String[] {"diff", "REC"});
    }
    c.add(new String[] {"export", "opencsd", "REC", "OUT"});
    return c;
  }

  record Result(int code, String out, String err, Throwable thrown, boolean hung) {}

  static Result run(ExecutorService pool, String[] command, Path rec, Path outDir) throws IOException {
    deleteTree(outDir);
    String[] args = new String[command.length];
    for (int i = 0; i < command.length; i++) {
      args[i] = command[i].equals("REC") ? rec.toString() : command[i].equals("OUT") ? outDir.toString() : command[i];
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Throwable[] thrown = new Throwable[1];
    Future<Integer> f = pool.submit(() -> {
      var cl = Tracepoke.commandLine();
      var standard = cl.getExecutionExceptionHandler();
      cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
        thrown[0] = ex;
        return standard.handleExecutionException(ex, cmd, parsed);
      });
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      try {
        return cl.execute(args);
      } catch (OutOfMemoryError e) {
        thrown[0] = e;
        return -3;
      } catch (Throwable e) {
        thrown[0] = e;
        return -1;
      }
    });
    try {
      int code = f.get(60, TimeUnit.SECONDS);
      return new Result(code, out.toString(), err.toString(), thrown[0], false);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Result(-2, out.toString(), err.toString(), null, true);
    } catch (Exception e) {
      return new Result(-1, out.toString(), err.toString(), e, false);
    }
  }

  /** The readers' documented errors: anything else reaching the command line is an internal error. */
  static boolean documented(Throwable t) {
    if (t == null) {
      return true;
    }
    String n = t.getClass().getName();
    return n.endsWith("PerfDataException") || n.endsWith("SnapshotFormatException")
        || n.endsWith("ElfFormatException") || n.endsWith("KallsymsFormatException")
        || n.endsWith("TruthFormatException") || n.endsWith("FrameFormatException")
        || t.getClass() == IOException.class || t instanceof java.nio.file.FileSystemException;
  }

  static Outcome classify(Result r, String baseline, Path copy) {
    if (r.hung()) {
      return new Outcome("hang", "");
    }
    if (r.thrown() instanceof OutOfMemoryError || r.err().contains("OutOfMemoryError")) {
      return new Outcome("oom", firstLine(r.err()));
    }
    if (!documented(r.thrown()) || r.err().contains("\tat ") || r.code() == -1) {
      return new Outcome("crash", (r.thrown() == null ? "" : r.thrown().getClass().getSimpleName() + ": ")
          + firstLine(r.err()));
    }
    if (r.code() != 0) {
      // the error is the last line; lines before it are warnings that lead to it
      List<String> lines = r.err().lines().toList();
      String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
      if (!last.contains(copy.toString())) {
        return new Outcome("unnamed", last);
      }
      return new Outcome("error", "");
    }
    if (!r.err().isEmpty()) {
      for (String line : r.err().lines().toList()) {
        // dump --packets ends with a summary per stream ("N packets in M bytes"): no warning
        if (!line.contains(copy.toString()) && !line.matches(".*: \\d+ packets in \\d+ bytes")) {
          return new Outcome("warned-unnamed", line);
        }
      }
      return new Outcome("warned", "");
    }
    if (r.out().equals(baseline)) {
      return new Outcome("same", "");
    }
    long had = baseline.lines().count();
    long has = r.out().lines().count();
    if (has * 2 < had) {
      return new Outcome("silent-loss", has + " of " + had + " lines");
    }
    return new Outcome("changed", has + " of " + had + " lines");
  }

  static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Damages {@code f}; returns what was done (null when the kind does not apply). */
  static String damage(Kind kind, Path f, Random rnd) throws IOException {
    byte[] b = Files.readAllBytes(f);
    switch (kind) {
      case FILE_MISSING -> {
        Files.delete(f);
        return "removed";
      }
      case FILE_IS_DIRECTORY -> {
        Files.delete(f);
        Files.createDirectory(f);
        return "a directory";
      }
      case FILE_EMPTY -> {
        Files.write(f, new byte[0]);
        return "emptied";
      }
      default -> { }
    }
    if (b.length == 0) {
      return null;
    }
    int at = rnd.nextInt(b.length);
    String what;
    switch (kind) {
      case BIT_FLIP -> {
        int bit = rnd.nextInt(8);
        b[at] ^= (byte) (1 << bit);
        what = "bit " + bit + " of byte " + at;
      }
      case BYTE_ZERO -> {
        b[at] = 0;
        what = "byte " + at + "=0";
      }
      case BYTE_FF -> {
        b[at] = (byte) 0xFF;
        what = "byte " + at + "=0xff";
      }
      case TRUNCATE -> {
        b = java.util.Arrays.copyOf(b, at);
        what = "cut at " + at;
      }
      case APPEND_GARBAGE -> {
        byte[] g = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(g);
        byte[] c = java.util.Arrays.copyOf(b, b.length + g.length);
        System.arraycopy(g, 0, c, b.length, g.length);
        b = c;
        what = g.length + " bytes appended";
      }
      case DELETE_CHUNK -> {
        int len = Math.min(b.length - at, 1 + rnd.nextInt(32));
        byte[] c = new byte[b.length - len];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + len, c, at, b.length - at - len);
        b = c;
        what = len + " bytes deleted at " + at;
      }
      case DUPLICATE_CHUNK -> {
        int len = Math.min(b.length - at, 1 + rnd.nextInt(32));
        byte[] c = new byte[b.length + len];
        System.arraycopy(b, 0, c, 0, at + len);
        System.arraycopy(b, at, c, at + len, b.length - at);
        b = c;
        what = len + " bytes repeated at " + at;
      }
      case U64_HUGE -> {
        if (b.length < 8) {
          return null;
        }
        int p = rnd.nextInt(b.length / 8) * 8;
        long v = INTERESTING_U64[rnd.nextInt(INTERESTING_U64.length)];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(p, v);
        what = "u64 at " + p + "=0x" + Long.toHexString(v);
      }
      case U32_INTERESTING -> {
        if (b.length < 4) {
          return null;
        }
        int p = rnd.nextInt(b.length / 4) * 4;
        int v = INTERESTING_U32[rnd.nextInt(INTERESTING_U32.length)];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(p, v);
        what = "u32 at " + p + "=0x" + Integer.toHexString(v);
      }
      case INI_NUMBER_HUGE, INI_DROP_LINE, INI_DROP_HEADER, INI_RENAME_FILE -> {
        List<String> lines = new ArrayList<>(List.of(new String(b, StandardCharsets.ISO_8859_1).split("\n", -1)));
        List<Integer> pick = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          String l = lines.get(i);
          boolean want = switch (kind) {
            case INI_NUMBER_HUGE -> l.matches("[^=]+=\\s*(0x[0-9A-Fa-f]+|\\d+)\\s*");
            case INI_DROP_LINE -> !l.isBlank();
            case INI_DROP_HEADER -> l.startsWith("[");
            default -> l.matches("\\s*(file|metadata|device\\d+)\\s*=.*");
          };
          if (want) {
            pick.add(i);
          }
        }
        if (pick.isEmpty()) {
          return null;
        }
        int i = pick.get(rnd.nextInt(pick.size()));
        String l = lines.get(i);
        switch (kind) {
          case INI_NUMBER_HUGE -> lines.set(i, l.substring(0, l.indexOf('=') + 1)
              + HUGE_NUMBERS[rnd.nextInt(HUGE_NUMBERS.length)]);
          case INI_RENAME_FILE -> lines.set(i, l + (rnd.nextBoolean() ? ".missing" : "\u0000"));
          default -> lines.remove(i);
        }
        what = "line " + (i + 1) + " '" + l + "' -> " + (i < lines.size() && kind != Kind.INI_DROP_LINE
            && kind != Kind.INI_DROP_HEADER ? "'" + lines.get(i).replace("\u0000", "\\0") + "'" : "removed");
        b = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
      }
      default -> {
        return null;
      }
    }
    Files.write(f, b);
    return what;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
