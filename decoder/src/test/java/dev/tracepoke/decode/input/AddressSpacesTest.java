package dev.tracepoke.decode.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.AddressSpaces;
import dev.tracepoke.decode.pipeline.CoreDecoderFactory;
import dev.tracepoke.decode.pipeline.Decoding;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfDataWriter;
import dev.tracepoke.perf.PerfEventAttr;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.SampleId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Address spaces follow context packets, and maps keep their time (issue 12 part 4): a perf.data
 * written here with MMAP2 records of two processes that map different programs (real ELF files
 * from GNU as/ld) at the same address, one of them mapping a third program over its first later,
 * and a CoreSight trace whose Address-with-Context packets carry each process's pid in
 * CONTEXTIDR. Each range is decoded from the bytes its process had mapped at its time.
 */
class AddressSpacesTest {
  @TempDir Path tmp;

  static final long SAMPLE_TYPE = 0x10087; // IP | TID | TIME | CPU | IDENTIFIER
  static final int TRACE_ID = 0x10;
  static final long TEXT = 0x401000L;

  private Path symfs;

  void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ":\n" + out);
  }

  /** An ELF whose text at 0x401000 (file offset 0x1000) is {@code body}. */
  void program(String name, String body) throws Exception {
    Path s = tmp.resolve(name + ".s");
    Files.writeString(s, ".text\n.globl _start\n_start:\n" + body);
    run(CodePlacementTest.tool("aarch64-linux-gnu-as").get().toString(), "-o", name + ".o", s.toString());
    Path out = symfs.resolve("bin").resolve(name);
    run(CodePlacementTest.tool("aarch64-linux-gnu-ld").get().toString(), "-z", "separate-code",
        "-Ttext=0x401000", "-e", "_start", "-o", out.toString(), name + ".o");
  }

  @BeforeEach
  void programs() throws Exception {
    boolean have = CodePlacementTest.tool("aarch64-linux-gnu-as").isPresent()
        && CodePlacementTest.tool("aarch64-linux-gnu-ld").isPresent();
    if (!have) {
      System.out.println("SKIP: aarch64-linux-gnu-as/ld not installed (binutils-aarch64-linux-gnu)");
    }
    assumeTrue(have, "aarch64-linux-gnu-as/ld not installed");
    symfs = tmp.resolve("symfs");
    Files.createDirectories(symfs.resolve("bin"));
    program("three", " nop\n nop\n b _start\n"); // a loop of 3 instructions
    program("two", " nop\n b _start\n"); // 2
    program("four", " nop\n nop\n nop\n b _start\n"); // 4
  }

  static SampleId at(int pid, long time) {
    return SampleId.of(SAMPLE_TYPE, pid, pid, time, 0, 0, 0, 101);
  }

  static PerfRecord.Mmap2 map(int pid, long time, String file) {
    // r-x, the text page of the file (offset 0x1000) at 0x401000, as the loader maps it
    return new PerfRecord.Mmap2(PerfRecord.MISC_USER, pid, pid, TEXT, 0x1000, 0x1000, 0, 0, 0, 0, null, 5, 2,
        file, at(pid, time));
  }

  /** Address with Context, 64-bit IS0: EL0 AArch64 Non-secure, CONTEXTIDR = {@code pid}. */
  static byte[] addressWithContext(long a, int pid) {
    return new byte[] {(byte) 0x85, (byte) ((a >>> 2) & 0x7F), (byte) ((a >>> 9) & 0x7F), (byte) (a >>> 16),
        (byte) (a >>> 24), (byte) (a >>> 32), (byte) (a >>> 40), (byte) (a >>> 48), (byte) (a >>> 56),
        (byte) 0xB0, (byte) pid, (byte) (pid >>> 8), (byte) (pid >>> 16), (byte) (pid >>> 24)};
  }

  /** A Timestamp packet of {@code value} (7 bits a byte, low first). */
  static byte[] timestamp(long value) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x02);
    do {
      int v = (int) (value & 0x7F);
      value >>>= 7;
      b.write(value != 0 ? v | 0x80 : v);
    } while (value != 0);
    return b.toByteArray();
  }

  static final byte[] ASYNC_INFO = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00};
  static final byte[] TRACE_ON = {0x04};
  static final byte[] E = {(byte) 0xF7};

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  /**
   * pid 100 maps "three" at t=10 and "four" over it at t=5000; pid 200 maps "two" at t=20, all at
   * 0x401000. The trace runs pid 100 (two loops), pid 200 (one), then after t=6000 pid 100 again.
   */
  Path recording() throws IOException {
    return recording(true);
  }

  /** @param timeConv whether the file relates trace timestamps to perf time (here 1:1) */
  Path recording(boolean timeConv) throws IOException {
    Path data = tmp.resolve(timeConv ? "perf.data" : "untimed.data");
    PerfEventAttr attr = PerfEventAttr.builder(10, (1L << 14) | (1L << 28)).sampleType(SAMPLE_TYPE)
        .flags(PerfEventAttr.FLAG_SAMPLE_ID_ALL).build();
    byte[] stream = cat(ASYNC_INFO, timestamp(1000),
        TRACE_ON, addressWithContext(TEXT, 100), E, E,
        TRACE_ON, addressWithContext(TEXT, 200), E,
        timestamp(6000),
        TRACE_ON, addressWithContext(TEXT, 100), E,
        timestamp(7000));
    byte[] frames = PacketListingTest.frames(TRACE_ID, stream);
    try (PerfDataWriter w = PerfDataWriter.builder(data).event("cs_etm//", attr, 101).nrCpus(1, 1).open()) {
      // TRCCONFIGR: CID (bit 6) and TS (bit 11); TRCIDR2: 32-bit context IDs, 64-bit addresses
      w.write(new PerfRecord.AuxtraceInfo(PerfRecord.AuxtraceInfo.TYPE_CS_ETM, CsEtmInfo.v1(10, List.of(
          EtmV4Params.etmV4(0, 0x840, TRACE_ID, 0x28000EA1, 0x4100F403, 0x488, 0, 0xCC)))));
      if (timeConv) {
        w.write(new PerfRecord.TimeConv(0, 1, 0, 0, 0, false, false, false)); // perf time = counter
      }
      w.write(new PerfRecord.Comm(0, 100, 100, "a", at(100, 5)));
      w.write(new PerfRecord.Comm(0, 200, 200, "b", at(200, 6)));
      w.write(map(100, 10, "/bin/three"));
      w.write(map(200, 20, "/bin/two"));
      w.write(new PerfRecord.ItraceStart(0, 100, 100, at(100, 30)));
      w.write(map(100, 5000, "/bin/four"));
      w.write(new PerfRecord.Aux(0, 0, frames.length, 0, at(100, 8000)));
      w.writeAuxtrace(0, 1, 0, -1, 0, ByteBuffer.wrap(frames));
    }
    return data;
  }

  /** Our ranges as "start-end n", in order. */
  static List<String> ranges(TraceInput in) throws IOException {
    List<String> out = new ArrayList<>();
    for (Decoding.CoreResult r : Decoding.run(in, CoreDecoderFactory.WINDOWS, null, 1)) {
      for (int i = 0; i < r.flow().size(r.cpu()); i++) {
        r.flow().replay(r.cpu(), i, new FlowSink.Ignoring() {
          @Override
          public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
              long timeFrom, long timeTo, int flag, long offset) {
            out.add(String.format("%x-%x %d", start, end, instructions));
          }

          @Override
          public void gap(int cpu, int reason, long address, long offset) {
            out.add(String.format("gap %x", address));
          }

          @Override
          public void error(int cpu, long offset, long packetIndex, String message) {
            out.add("error " + message);
          }
        });
      }
    }
    return out;
  }

  @Test
  void eachProcessDecodesItsOwnCodeAsItWasMappedAtTheTime() throws IOException {
    Path data = recording();
    ImageOptions options = new ImageOptions(List.of(), Optional.of(symfs), tmp.resolve("no-cache"), Optional.empty());
    TraceInput in = RecordingInput.open(data, null, options);
    AddressSpaces spaces = in.spaces();
    assertEquals(List.of(100, 200), java.util.Arrays.stream(spaces.pids()).boxed().toList());
    AddressSpaces.Space a = spaces.space(100);
    assertEquals(2, a.epochCount());
    assertEquals(10, a.start(0));
    assertEquals(5000, a.start(1));
    assertEquals(1, spaces.space(200).epochCount());
    assertEquals(List.of(
            "401000-40100c 3", "401000-40100c 3", // pid 100, "three"
            "401000-401008 2", // pid 200, "two", at the same address
            "401000-401010 4"), // pid 100 after t=5000: "four", mapped over "three"
        ranges(in));
  }

  /**
   * The same input with its cores wrapped (the progress bar counts bytes so) keeps every process's
   * maps and its probes flag: wrapping once dropped the address spaces, decoding user code as gaps.
   */
  @Test
  void wrappedCoresKeepTheAddressSpaces() throws IOException {
    Path data = recording();
    ImageOptions options = new ImageOptions(List.of(), Optional.of(symfs), tmp.resolve("no-cache"), Optional.empty());
    TraceInput in = RecordingInput.open(data, null, options);
    TraceInput wrapped = in.withCores(in.cores());
    assertEquals(in.spaces(), wrapped.spaces());
    assertEquals(true, wrapped.probes(), "a perf recording of Linux may hold armed probes");
    assertEquals(ranges(in), ranges(wrapped));
    assertEquals(List.of("401000-40100c 3", "401000-40100c 3", "401000-401008 2", "401000-401010 4"),
        ranges(wrapped));
  }

  /**
   * Before a context ID names a process, the one image is perf's: the traced process's final maps
   * ("four" at 0x401000), and a thread no record names runs over the shared code only.
   */
  @Test
  void beforeAnyContextIdTheFinalMapsOfTheTracedProcessApply() throws IOException {
    Path data = recording();
    ImageOptions options = new ImageOptions(List.of(), Optional.of(symfs), tmp.resolve("no-cache"), Optional.empty());
    TraceInput in = RecordingInput.open(data, null, options);
    byte[] four = Files.readAllBytes(symfs.resolve("bin/four"));
    for (int i = 0; i < 16; i++) {
      assertEquals(four[0x1000 + i] & 0xFF, in.image().readByte(TEXT + i), "byte " + i);
    }
    assertEquals(0, in.spaces().shared().segmentCount(), "no kernel or image for all: nothing shared");
    assertEquals(300, in.spaces().pidOf(300), "an unnamed thread is its own process");
  }

  /**
   * Without TIME_CONV the trace's counter says nothing about perf time: every process's final maps
   * apply throughout (perf's behaviour), so pid 100 runs "four" even before its remap.
   */
  @Test
  void withoutTimeConvTheFinalMapsApply() throws IOException {
    Path data = recording(false);
    ImageOptions options = new ImageOptions(List.of(), Optional.of(symfs), tmp.resolve("no-cache"), Optional.empty());
    TraceInput in = RecordingInput.open(data, null, options);
    assertEquals(1, in.spaces().space(100).epochCount());
    assertEquals(List.of("401000-401010 4", "401000-401010 4", "401000-401008 2", "401000-401010 4"), ranges(in));
  }

  /** A process whose file is not here: its code is a gap naming the address, the other still decodes. */
  @Test
  void aProcessWhoseFileIsMissingIsAGapNamingTheAddress() throws IOException {
    Path data = recording();
    Files.delete(symfs.resolve("bin/two"));
    ImageOptions options = new ImageOptions(List.of(), Optional.of(symfs), tmp.resolve("no-cache"), Optional.empty());
    TraceInput in = RecordingInput.open(data, null, options);
    assertEquals(List.of("401000-40100c 3", "401000-40100c 3", "gap 401000", "401000-401010 4"), ranges(in));
  }
}
