package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recording cut short is reported, and what it still holds is decoded exactly as before. */
class CutRecordingTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void coresWhoseTraceIsWholeDecodeAsBeforeTheCut(@TempDir Path tmp) throws Exception {
    Path rec = tmp.resolve("rec");
    Scenario s = Scenario.builtin("static").withCores(2);
    s = new Scenario(s.name(), 2, 5, 100_000, 40, s.protocol(), s.events(), 0, 50_000, 40, 0.5, 4096, 1024, 0, s.etmCseTimestamps());
    new Simulation(s).record(rec);
    String[] whole = run("decode", rec.toString(), "--ranges", "--threads", "1");
    assertEquals("0", whole[0], whole[2]);

    // cut the data file inside the last AUXTRACE payload (cpu 1's): cpu 0 must decode unchanged
    byte[] data = Files.readAllBytes(rec.resolve("data"));
    Path cut = tmp.resolve("cut");
    Files.createDirectories(cut.resolve("kcore_dir"));
    for (String f : new String[] {"kcore", "kallsyms", "modules"}) {
      Files.copy(rec.resolve("kcore_dir").resolve(f), cut.resolve("kcore_dir").resolve(f));
    }
    // the kernel's patch-site tables: without them the cut copy would decode differently, not
    // because of the cut
    Files.copy(rec.resolve("vmlinux"), cut.resolve("vmlinux"));
    String[] full = whole[1].split("\n");
    long cpu0 = Arrays.stream(full).filter(l -> l.startsWith("[000]")).count();
    assertTrue(cpu0 > 100, "cpu 0 lines: " + cpu0);
    // the header's data section {offset, size} at bytes 40..55; the last AUXTRACE payload (cpu 1's)
    // ends the data section, so a cut 200 bytes before its end damages cpu 1's trace only
    java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int dataEnd = (int) (h.getLong(40) + h.getLong(48));
    Files.write(cut.resolve("data"), Arrays.copyOf(data, dataEnd - 200));
    String[] r = run("decode", cut.toString(), "--ranges", "--threads", "1");
    assertEquals("0", r[0], r[2]);
    assertTrue(r[2].contains("recording cut short"), r[2]);
    assertTrue(r[2].contains("runs past the end of the file"), r[2]);
    String cpu0Before = String.join("\n", Arrays.stream(full).filter(l -> l.startsWith("[000]")).toList());
    String cpu0After = String.join("\n",
        Arrays.stream(r[1].split("\n")).filter(l -> l.startsWith("[000]")).toList());
    assertEquals(cpu0Before, cpu0After);
    // cpu 1's only trace buffer is cut: what the file holds of it decodes as in the whole
    // recording (in whole 16-byte frames), up to its last packet, which the cut leaves incomplete
    List<String> cpu1Whole = Arrays.stream(full).filter(l -> l.startsWith("[001]")).toList();
    List<String> cpu1Cut = Arrays.stream(r[1].split("\n")).filter(l -> l.startsWith("[001]")).toList();
    assertEquals(29_818, cpu1Cut.size());
    assertTrue(cpu1Cut.size() < cpu1Whole.size(), cpu1Whole.size() + " lines in the whole");
    assertEquals(cpu1Whole.subList(0, cpu1Cut.size() - 1), cpu1Cut.subList(0, cpu1Cut.size() - 1));
    assertTrue(r[2].contains("runs past the end of the file (recording cut short) at byte "
        + (dataEnd - 200) + ": its first "), r[2]);
  }
}
