package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace cut short (an interrupted copy, a disk that filled), as a user meets it. A snapshot whose
 * buffer was cut inside a frame: {@code decode} and {@code dump --packets} read every whole frame
 * before the cut, print all they decoded, name the cut frame on stderr and exit 0 (they once
 * stopped at the cut with the deformatter's error and printed nothing). A perf.data file cut
 * inside its raw AUX data decodes the data before the cut (it once decoded none of that buffer).
 */
class CutTraceCliTest {
  @TempDir static Path tmp;

  /** bugfix-exact-match with its buffer cut to {@code length} bytes. */
  static Path cut(int length) throws IOException {
    Path snapshot = BenchDecodeCommand.defaultSnapshot();
    assumeTrue(snapshot != null, "no shared/conformance/opencsd-snapshots/bugfix-exact-match");
    byte[] all = Files.readAllBytes(snapshot.resolve("cstrace.bin"));
    return SnapshotCopies.withBuffer(snapshot, tmp.resolve("cut" + length),
        out -> out.write(all, 0, length));
  }


  @Test
  void aDecodeCutInsideAFramePrintsEverythingBeforeIt() throws IOException {
    Path cut = cut(16_391);
    Path whole = cut(16_384); // the same 1,024 frames, without the 7 bytes of a cut one
    RealSnapshotsCliTest.Run r = RealSnapshotsCliTest.tracepoke("decode", "--ranges", cut.toString());
    RealSnapshotsCliTest.Run w = RealSnapshotsCliTest.tracepoke("decode", "--ranges", whole.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(25_484, r.out().lines().count());
    assertEquals(w.out(), r.out());
    assertEquals(List.of(
        "tracepoke decode: warning: " + cut.resolve("cstrace.bin") + ": buffer etr_0 ends inside a frame:"
            + " its last 7 bytes (from byte offset 16384) are not decoded: expected a whole number of"
            + " 16-byte frames",
        "tracepoke decode: " + cut + ": cpu 1 trace byte 0 (packet 0): 261 trace bytes before the first"
            + " A-sync (at byte 261) not decoded: expected the stream to begin with an A-sync",
        "tracepoke decode: " + cut + ": cpu 1 trace byte 276 (packet 3): 1 atom(s) dropped: no address or"
            + " context known yet"), r.err().lines().toList());
  }

  /**
   * A perf.data file of raw (TRBE) trace cut inside its only AUXTRACE buffer: the 48 of its 80
   * bytes the file holds decode as in the whole file, up to the packet the cut leaves incomplete.
   */
  @Test
  void aRawAuxBufferCutShortDecodesTheBytesBeforeTheCut() throws IOException {
    Path file = RealSnapshotsCliTest.dir("simpleperf-etm", "perf_with_unformatted_trace.data");
    assumeTrue(Files.isRegularFile(file), "no " + file);
    Path cut = tmp.resolve("raw-cut.data");
    // the buffer's data is bytes 18752-18831, the data section's end
    Files.write(cut, Arrays.copyOf(Files.readAllBytes(file), 18_800));
    RealSnapshotsCliTest.Run r = RealSnapshotsCliTest.tracepoke("decode", "--ranges", cut.toString());
    RealSnapshotsCliTest.Run w = RealSnapshotsCliTest.tracepoke("decode", "--ranges", file.toString());
    assertEquals(0, r.exit(), r.err());
    List<String> got = r.out().lines().toList();
    assertEquals(3, got.size(), r.out());
    assertEquals(w.out().lines().limit(2).toList(), got.subList(0, 2));
    assertEquals("[000]                    -  gap error address 000000759fb77f7c at offset 40", got.get(2),
        "the packet the cut leaves incomplete");
    assertEquals(true, r.err().contains("AUXTRACE data of 80 bytes at byte 18752 runs past the end of the"
        + " file (recording cut short) at byte 18800: its first 48 bytes are read"), r.err());
    assertEquals(true, r.err().contains("1 AUX records announce 28 bytes that no AUXTRACE record holds"),
        r.err());
  }

  /**
   * A DSTREAM capture stops inside its last frame: the packet dump names the bytes it cannot read
   * there, as the decode does (it once said nothing of them).
   */
  @Test
  void aPacketDumpNamesATpiuCapturesCutLastFrame() {
    Path snap = RealSnapshotsCliTest.dir("opencsd-snapshots", "a55-test-tpiu");
    assumeTrue(Files.isDirectory(snap), "no " + snap);
    RealSnapshotsCliTest.Run r = RealSnapshotsCliTest.tracepoke("dump", "--packets", snap.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(
        "tracepoke dump: buffer DSTREAM_0 source CSETM_0 trace-id 0x1 core Cortex-A55_0 Cortex-A55 (v8r3):"
            + " 34005 packets in 34371 bytes",
        "tracepoke dump: warning: " + snap.resolve("DSTREAM_0.bin") + ": the capture ends inside a frame:"
            + " its last 12 bytes (from offset 49132) are part of a cut 16-byte frame and are not decoded"),
        r.err().lines().toList());
  }

  @Test
  void aPacketDumpCutInsideAFrameListsEverythingBeforeIt() throws IOException {
    Path cut = cut(16_391);
    RealSnapshotsCliTest.Run r = RealSnapshotsCliTest.tracepoke("dump", "--packets", cut.toString());
    RealSnapshotsCliTest.Run w = RealSnapshotsCliTest.tracepoke("dump", "--packets", cut(16_384).toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(w.out().replace("cut16384", "cut16391"), r.out());
    assertEquals(true, r.err().lines().anyMatch(l -> l.equals("tracepoke dump: warning: "
        + cut.resolve("cstrace.bin") + ": buffer etr_0 ends inside a frame: its last 7 bytes (from byte"
        + " offset 16384) are not decoded: expected a whole number of 16-byte frames")), r.err());
  }
}
