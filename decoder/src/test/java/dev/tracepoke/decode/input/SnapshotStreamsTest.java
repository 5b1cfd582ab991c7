package dev.tracepoke.decode.input;

import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.etm4.PacketPrinter;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.etm4.PacketReaderTest;
import dev.tracepoke.decode.etm4.SnapshotConformanceTest;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;


class SnapshotStreamsTest {

  static Path shared() {
    Path s = SnapshotConformanceTest.snapshotsDir();
    assumeTrue(s != null, "shared/conformance not found");
    return s;
  }

  @Test
  void plansEveryEtmOfTheBugfixBufferAndMapsTheirDumpsOnce() throws IOException {
    Path dir = shared().resolve("bugfix-exact-match");
    Snapshot s = SnapshotReader.read(dir);
    SnapshotStreams.BufferPlan plan = SnapshotStreams.plan(s, s.buffers().get(0));
    assertEquals(
        List.of("etm_0 0x10 cpu_0", "etm_1 0x12 cpu_1", "etm_2 0x14 cpu_2", "etm_3 0x16 cpu_3", "etm_4 0x18 cpu_4", "etm_5 0x1a cpu_5"),
        plan.sources().stream()
            .map(x -> x.source() + " 0x" + Integer.toHexString(x.traceId()) + " " + x.core().orElseThrow().name())
            .toList());
    assertEquals(List.of(), plan.skipped());
    // six cores list the same five dumps: one global map of five segments, as OpenCSD builds it
    MemoryImage image = SnapshotStreams.memoryImage(s, plan);
    assertEquals(5, image.segmentCount());
    byte[] text = Files.readAllBytes(dir.resolve("cc1.text_dump.bin"));
    long word = ByteBuffer.wrap(text, 0x1000, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
    assertEquals(word, image.read32(0x400200L + 0x1000));
    assertEquals(MemoryImage.NOT_MAPPED, image.read32(0x3FF000L));
  }

  /**
   * The DSTREAM capture stops 12 bytes into its last frame: decode names that (issue 12, part 5).
   * The file's last 8 bytes are the last block's probe footer, so the cut frame is 49132..49143.
   */
  @Test
  void aTpiuCapturesCutLastFrameIsNamed() throws IOException {
    Path dir = shared().resolve("a55-test-tpiu");
    TraceInput in = SnapshotInput.open(dir);
    Path file = dir.resolve("DSTREAM_0.bin");
    assertEquals(List.of(file + ": the capture ends inside a frame: its last 12 bytes (from offset 49132) are"
            + " part of a cut 16-byte frame and are not decoded"),
        in.warnings().stream().filter(w -> w.contains("cut 16-byte frame")).toList());
    assertEquals(49152, Files.size(file));
    // a memory-aligned buffer (whole frames) names nothing of the kind
    assertEquals(List.of(), SnapshotInput.open(shared().resolve("bugfix-exact-match")).warnings().stream()
        .filter(w -> w.contains("cut 16-byte frame")).toList());
  }

  @Test
  void aRealStreamListsTheSameInAnyChunking() throws IOException {
    Path dir = shared().resolve("bugfix-exact-match");
    java.io.ByteArrayOutputStream s12 = new java.io.ByteArrayOutputStream();
    try (java.io.InputStream in = Files.newInputStream(dir.resolve("cstrace.bin"))) {
      dev.tracepoke.coresight.FrameDeformatter.deformat(
          in, java.util.EnumSet.noneOf(dev.tracepoke.coresight.FrameDeformatter.Option.class),
          (id, b, o, l, f, i) -> {
            if (id == 0x12) {
              s12.write(b, o, l);
            }
          },
          "cstrace.bin");
    }
    byte[] data = s12.toByteArray();
    Etm4Config cfg = Etm4Config.of(SnapshotReader.read(dir).etm4Registers(
        (dev.tracepoke.snapshot.Device.TraceSource) SnapshotReader.read(dir).device("etm_1").orElseThrow()));
    StringBuilder whole = new StringBuilder();
    PacketReader one = new PacketReader(cfg, new PacketPrinter(whole));
    one.push(data);
    one.finish();
    java.util.Random rnd = new java.util.Random(1);
    StringBuilder chunked = new StringBuilder();
    PacketReader r = new PacketReader(cfg, new PacketPrinter(chunked));
    for (int off = 0; off < data.length; ) {
      int n = Math.min(data.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 4096));
      r.push(data, off, n);
      off += n;
    }
    r.finish();
    assertEquals(687_741, one.packets());
    assertEquals(one.packets(), r.packets());
    assertEquals(whole.toString(), chunked.toString());
  }

  @Test
  void directAndHeapByteBuffersReadLikeArrays() {
    byte[] data = PacketReaderTest.bytes(PacketReaderTest.ASYNC, PacketReaderTest.b(0x01, 0x00, 0xF7, 0x95, 0x05));
    List<String> expected = PacketReaderTest.list(PacketReaderTest.V44, data);
    for (boolean direct : new boolean[] {false, true}) {
      ByteBuffer b = direct ? ByteBuffer.allocateDirect(data.length + 3) : ByteBuffer.allocate(data.length + 3);
      b.put(new byte[] {9, 9, 9}).put(data).flip();
      b.position(3);
      StringBuilder out = new StringBuilder();
      PacketReader r = new PacketReader(PacketReaderTest.V44, new PacketPrinter(out));
      r.push(b);
      r.finish();
      assertEquals(0, b.remaining());
      assertEquals(expected, PacketReaderTest.lines(out), direct ? "direct" : "heap");
    }
  }
}
