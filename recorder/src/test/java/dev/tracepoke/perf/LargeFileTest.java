package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.perf.PerfRecord.Auxtrace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording whose AUXTRACE payload is 6 GiB (a sparse file, so the test costs no disk): the
 * reader walks past it without reading it and hands it out as a stream.
 */
class LargeFileTest {
  @TempDir Path dir;

  static final long GAP = 6L << 30;

  @Test
  void sixGigabytePayloadIsSkippedAndStreamed() throws IOException {
    Path small = dir.resolve("small.data");
    byte[] payload = new byte[16];
    Arrays.fill(payload, (byte) 0x5a);
    try (PerfDataWriter w = SampleRecording.builder(small).open()) {
      w.write(new PerfRecord.AuxtraceInfo(3, SampleRecording.csEtm()));
      w.writeAuxtrace(0, 7, 0, 1, 0, ByteBuffer.wrap(payload));
      w.write(new PerfRecord.FinishedRound());
    }
    long auxAt;
    long dataEnd;
    int features;
    try (PerfDataReader r = PerfDataReader.open(small)) {
      auxAt = r.readAll().get(1).offset();
      dataEnd = r.dataEnd();
      features = r.header().featureCount();
    }
    byte[] b = Files.readAllBytes(small);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long cut = auxAt + 48 + 16;
    bb.putLong((int) auxAt + 8, 16 + GAP); // AUXTRACE size
    bb.putLong(48, bb.getLong(48) + GAP); // header data size
    for (int i = 0; i < features; i++) { // feature table: absolute body offsets
      int at = (int) dataEnd + 16 * i;
      bb.putLong(at, bb.getLong(at) + GAP);
    }
    Path big = dir.resolve("big.data");
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(b, 0, (int) cut), 0);
      ch.write(ByteBuffer.wrap(b, (int) cut, b.length - (int) cut), cut + GAP);
    }
    assertEquals(b.length + GAP, Files.size(big));

    try (PerfDataReader r = PerfDataReader.open(big)) {
      List<FileRecord> all = r.readAll();
      assertEquals(3, all.size());
      Auxtrace a = (Auxtrace) all.get(1).record();
      assertEquals(16 + GAP, a.size());
      assertEquals(cut + GAP, all.get(2).offset());
      assertEquals(List.of(), r.warnings());
      assertEquals(List.of(new PerfFeatures.AuxtraceIndexEntry(auxAt, 48)), r.features().auxtraceIndex());
      assertEquals("cs_etm//", r.attrs().get(0).name());
      try (InputStream in = r.payloadStream(a)) {
        assertArrayEquals(payload, in.readNBytes(16));
        assertEquals(1 << 20, in.skip(1 << 20));
        assertArrayEquals(new byte[8], in.readNBytes(8)); // the hole reads as zeros
      }
      assertEquals(1, r.auxtraceQueues().size());
      assertEquals(16 + GAP, r.auxtraceQueues().get(0).size());
    }
  }
}
