package dev.tracepoke.decode.a64;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What GNU objdump says about each vector word: its mnemonic and, for PC-relative branches, the
 * target relative to the instruction. The committed expectation file holds one entry per line,
 * {@code <word hex>\t<mnemonic>[\t<target - pc, decimal>]}, gzip-compressed.
 */
final class ObjdumpListing {
  static final String OBJDUMP = "aarch64-linux-gnu-objdump";
  static final String RESOURCE = "objdump-vectors.txt.gz";

  /** Mnemonics whose last operand objdump prints as an absolute target address. */
  static final Set<String> TARGET_MNEMONICS = Set.of("b", "bl", "cbz", "cbnz", "tbz", "tbnz");

  record Entry(int word, String mnemonic, boolean hasTarget, long delta) {}

  private static final Pattern LINE =
      Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f]{8}) \\t(\\S+)(?:\\t(.*))?$");

  private ObjdumpListing() {}

  static boolean takesTarget(String mnemonic) {
    return TARGET_MNEMONICS.contains(mnemonic)
        || mnemonic.startsWith("b.")
        || mnemonic.startsWith("bc.");
  }

  /** Runs objdump on {@code words} laid out from address 0 and parses its listing. */
  static List<Entry> run(String objdump, int[] words, Path dir)
      throws IOException, InterruptedException {
    Path bin = dir.resolve("vectors.bin");
    ByteBuffer buf = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int w : words) {
      buf.putInt(w);
    }
    Files.write(bin, buf.array());
    Path out = dir.resolve("vectors.lst");
    // -z: objdump otherwise folds runs of zero words (UDF #0) into "...".
    Process p =
        new ProcessBuilder(objdump, "-D", "-z", "-b", "binary", "-m", "aarch64", bin.toString())
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(objdump + " did not finish within 300 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(objdump + " exited with " + p.exitValue());
    }
    List<Entry> entries = new ArrayList<>(words.length);
    try (BufferedReader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
          continue; // headers and blank lines
        }
        long addr = Long.parseUnsignedLong(m.group(1), 16);
        int idx = entries.size();
        if (addr != idx * 4L) {
          throw new IOException(out + ":" + lineNo + ": expected address " + idx * 4L + ": " + line);
        }
        int word = Integer.parseUnsignedInt(m.group(2), 16);
        if (word != words[idx]) {
          throw new IOException(out + ":" + lineNo + ": expected word " + words[idx] + ": " + line);
        }
        String mnemonic = m.group(3);
        if (takesTarget(mnemonic)) {
          String ops = m.group(4);
          int comment = ops.indexOf("//");
          if (comment >= 0) {
            ops = ops.substring(0, comment);
          }
          String last = ops.substring(ops.lastIndexOf(',') + 1).trim();
          if (!last.startsWith("0x")) {
            throw new IOException(out + ":" + lineNo + ": expected a target address: " + line);
          }
          long target = Long.parseUnsignedLong(last.substring(2), 16);
          entries.add(new Entry(word, mnemonic, true, target - addr));
        } else {
          entries.add(new Entry(word, mnemonic, false, 0));
        }
      }
    }
    if (entries.size() != words.length) {
      throw new IOException(out + ": " + entries.size() + " instructions, expected " + words.length);
    }
    return entries;
  }

  static void write(List<Entry> entries, Path gz) throws IOException {
    try (BufferedWriter w =
        new BufferedWriter(
            new OutputStreamWriter(
                new GZIPOutputStream(Files.newOutputStream(gz)), StandardCharsets.UTF_8))) {
      for (Entry e : entries) {
        w.write(String.format("%08x\t%s", e.word(), e.mnemonic()));
        if (e.hasTarget()) {
          w.write("\t" + e.delta());
        }
        w.write('\n');
      }
    }
  }

  static List<Entry> readCommitted() {
    try (InputStream in = ObjdumpListing.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + RESOURCE + " is missing");
      }
      List<Entry> entries = new ArrayList<>();
      BufferedReader r =
          new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split("\t");
        int word = Integer.parseUnsignedInt(f[0], 16);
        entries.add(
            f.length == 3
                ? new Entry(word, f[1], true, Long.parseLong(f[2]))
                : new Entry(word, f[1], false, 0));
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Regenerates the committed file: {@code java -cp ... ObjdumpListing <path of RESOURCE>}. Run
   * only where objdump is installed; the test then checks the file against objdump on every run.
   */
  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]);
    Path dir = Files.createTempDirectory("a64vec");
    List<Entry> entries = run(OBJDUMP, A64Vectors.generate(), dir);
    write(entries, target);
  }
}
