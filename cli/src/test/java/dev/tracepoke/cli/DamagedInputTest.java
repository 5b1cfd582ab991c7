package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged inputs of issue 16's mutation campaign, end to end through {@code tracepoke decode}: each
 * is named on stderr with its file and byte offset, what decoded before (and after the next sync
 * point) is kept, and nothing is lost in silence. The inputs are a tiny simulated run
 * ({@code damaged/scenario.json}): its perf directory, its OpenCSD export, and the export with the
 * trace as a raw {@code source_data} stream.
 */
class DamagedInputTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    var cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /** A copy of fixture {@code name} in the temporary directory. */
  private Path copy(String name) throws IOException, URISyntaxException {
    Path from = Path.of(getClass().getResource("/damaged/" + name).toURI());
    Path to = tmp.resolve(name);
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
    return to;
  }

  private static void poke(Path file, int at, int value) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[at] = (byte) value;
    Files.write(file, b);
  }

  private long lines() {
    return out.toString().lines().count();
  }

  @Test
  void undamagedInputsDecodeTheSameInstructions() throws Exception {
    assertEquals(0, run("decode", copy("snapshot").toString()), err.toString());
    assertEquals(1103, lines());
    assertEquals("", err.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("decode", copy("raw").toString()), err.toString());
    assertEquals(1103, lines());
    assertEquals("", err.toString());
  }

  @Test
  void frameIdSelectingReservedId0x7fIsAnErrorAndEverySourceResyncs() throws Exception {
    Path snap = copy("snapshot");
    poke(snap.resolve("etr_0.bin"), 128, 0xFF); // ID byte: trace ID 0x7F
    poke(snap.resolve("etr_0.bin"), 240, 0x21); // and back to 0x10 two frames later
    assertEquals(0, run("decode", snap.toString()));
    assertEquals("tracepoke decode: " + snap + ": cpu 0 trace byte 119 (packet 48): " + snap.resolve("etr_0.bin")
        + " at byte offset 128: frame ID byte selects reserved trace ID 0x7f, expected 0x00..0x6F; the data after it"
        + " is lost to its source, which resynchronises at its next A-sync\n", err.toString());
    assertEquals(658, lines()); // before the damage, and from the next A-sync on
  }

  @Test
  void aBrokenFirstASyncIsNamedAndDecodingStartsAtTheNextOne() throws Exception {
    Path raw = copy("raw");
    poke(raw.resolve("trace.bin"), 5, 0x01);
    assertEquals(0, run("decode", raw.toString()));
    assertEquals("tracepoke decode: " + raw + ": cpu 0 trace byte 0 (packet 0): 264 trace bytes before the first"
        + " A-sync (at byte 264) not decoded: expected the stream to begin with an A-sync\n", err.toString());
    assertEquals(260, lines());
  }

  @Test
  void aStreamWithoutAnyGoodASyncSaysNothingWasDecoded() throws Exception {
    Path raw = copy("raw");
    poke(raw.resolve("trace.bin"), 5, 0x01);
    poke(raw.resolve("trace.bin"), 267, 0x01);
    assertEquals(0, run("decode", raw.toString()));
    assertEquals("tracepoke decode: " + raw + ": cpu 0 trace byte 0 (packet 0): 354 trace bytes, no A-sync followed"
        + " by a Trace Info among them: nothing of this stream decoded\n", err.toString());
    assertEquals(0, lines());
  }

  @Test
  void aTimestampThatGoesBackIsAnErrorNotAReversedInterval() throws Exception {
    Path raw = copy("raw");
    poke(raw.resolve("trace.bin"), 123, 0x00); // the 14-bit timestamp at 121 loses its high bits
    assertEquals(0, run("decode", raw.toString(), "--format", "jsonl"));
    assertEquals("tracepoke decode: " + raw + ": cpu 0 trace byte 121 (packet 50): timestamp 999997523 goes back"
        + " from 1000000211: expected time never to decrease; resyncing at the next A-sync\n", err.toString());
    var time = java.util.regex.Pattern.compile("\"time\":\\[(\\d+),(\\d+)\\]");
    Predicate<String> reversed = l -> {
      var m = time.matcher(l);
      return m.find() && Long.parseLong(m.group(1)) > Long.parseLong(m.group(2));
    };
    assertEquals(0, out.toString().lines().filter(reversed).count());
    assertTrue(out.toString().contains("{\"type\":\"gap\",\"cpu\":0,\"reason\":\"error\",\"address\":\"0xffff800008000ea8\","
        + "\"offset\":121}"), out.toString());
    assertEquals(176, lines());
  }

  private static long offsetOf(Path data, Class<? extends PerfRecord> type) throws IOException {
    try (PerfDataReader r = PerfDataReader.open(data)) {
      for (FileRecord f : r.readAll()) {
        if (type.isInstance(f.record())) {
          return f.offset();
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName());
  }

  private static void putLong(Path file, long at, long value) throws IOException {
    byte[] b = Files.readAllBytes(file);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong((int) at, value);
    Files.write(file, b);
  }

  @Test
  void anImpossibleTimeShiftIsAWarningAtItsByte() throws Exception {
    Path rec = copy("recording");
    Path data = rec.resolve("data");
    long at = offsetOf(data, PerfRecord.TimeConv.class) + 8;
    putLong(data, at, 2640);
    assertEquals(0, run("decode", rec.toString()));
    assertEquals("tracepoke decode: warning: " + data + ": at byte " + at + ": PERF_RECORD_TIME_CONV time_shift 2640,"
        + " expected 0..63; times are shown as perf recorded them\n", err.toString());
    assertEquals(1103, lines());
  }

  @Test
  void aRecordingWithoutCoreSightTraceSaysWhatWasExpectedWhere() throws Exception {
    Path rec = copy("recording");
    Path data = rec.resolve("data");
    long at = offsetOf(data, PerfRecord.AuxtraceInfo.class) + 8;
    byte[] b = Files.readAllBytes(data);
    b[(int) at] = 4; // auxtrace type 4: not CS_ETM
    Files.write(data, b);
    assertEquals(1, run("decode", rec.toString()));
    assertEquals("tracepoke decode: " + data + ": at byte " + at + ": expected a PERF_RECORD_AUXTRACE_INFO of type"
        + " CS_ETM (3), found type 4: this recording has no CoreSight trace\n", err.toString());
  }

  @Test
  void snapshotDamageIsOneLineNamingTheIniLine() throws Exception {
    Path snap = copy("snapshot");
    Path cpu = snap.resolve("cpu_0.ini");
    Files.writeString(cpu, Files.readString(cpu).replace("length=0x0000145C", "length=0x40000000"));
    assertEquals(1, run("decode", snap.toString()));
    assertEquals("tracepoke decode: " + cpu + ":14: length=0x40000000 of [dump1]; expected at most the 5212 bytes"
        + " mem_ffff800008000000.bin holds from offset 0\n", err.toString());
  }

  @Test
  void anEmptyTraceBufferIsNamed() throws Exception {
    Path snap = copy("snapshot");
    Files.write(snap.resolve("etr_0.bin"), new byte[0]);
    // its only buffer: nothing is decodable (exit 1), as where no frame can carry the source
    assertEquals(1, run("decode", snap.toString()));
    assertEquals("tracepoke decode: warning: " + snap.resolve("etr_0.bin") + ": buffer etr_0 is empty: no trace of"
        + " etm_0\n" + "tracepoke decode: " + snap + ": no trace bytes for cpu 0: nothing decoded\n", err.toString());
  }

  @Test
  void aSourceWhoseTraceIdNoFrameCanCarryIsNamedAndNothingElseToDecodeIsAnError() throws Exception {
    Path snap = copy("snapshot");
    Path etm = snap.resolve("etm_0.ini");
    Files.writeString(etm, Files.readString(etm).replace("TRCTRACEIDR=0x00000010", "TRCTRACEIDR=0x00000000"));
    assertEquals(1, run("decode", snap.toString()));
    assertEquals("tracepoke decode: warning: not decoded: buffer etr_0 source etm_0: " + etm + ": TRCTRACEIDR gives"
        + " trace ID 0x0, expected a source ID 0x01..0x6F\n"
        + "tracepoke decode: " + snap + ": no trace that tracepoke can decode\n", err.toString());
  }
}
