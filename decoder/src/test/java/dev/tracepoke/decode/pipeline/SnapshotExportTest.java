package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.SymbolNames;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TimeConversion;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export opencsd keeps what a snapshot can hold of each core's stream: its bytes and its restarts. */
class SnapshotExportTest {
  @TempDir Path tmp;

  /** What a byte source delivered: "bytes" per accept, "restart" per restart. */
  static List<String> events(CoreTrace c) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    c.bytes().pushTo(new CoreTrace.ByteSink() {
      @Override
      public void accept(byte[] buf, int off, int len) {
        for (int i = 0; i < len; i++) {
          pending.append(String.format("%02x", buf[off + i]));
        }
      }

      @Override
      public void restart() {
        if (pending.length() > 0) {
          out.add(pending.toString());
          pending.setLength(0);
        }
        out.add("restart");
      }
    });
    if (pending.length() > 0) {
      out.add(pending.toString());
    }
    return out;
  }

  @Test
  void restartsBecomeBarrierFramesThatReadBackAsRestarts() throws IOException {
    // two AUX fragments of cpu 0, the first cut inside an address packet; one of cpu 1
    byte[] a = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00, 0x04, (byte) 0x9d, 0x10};
    byte[] b = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00, 0x04};
    byte[] c = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 0x01, 0x00};
    Etm4Config cpu0 = Etm4Config.of(0x1, 0x10, 0x28000EA1, 0x20001088);
    Etm4Config cpu1 = Etm4Config.of(0x1, 0x12, 0x28000EA1, 0x20001088);
    CoreTrace t0 = new CoreTrace(0, cpu0, sink -> {
      sink.restart();
      sink.accept(a, 0, a.length);
      sink.restart();
      sink.accept(b, 0, b.length);
    });
    CoreTrace t1 = new CoreTrace(1, cpu1, sink -> {
      sink.restart();
      sink.accept(c, 0, c.length);
    });
    MemoryImage image = MemoryImage.of(List.of(new MemoryImage.Segment(0x1000, new byte[16])));
    TraceInput in = new TraceInput("test", image, List.of(), TimeConversion.IDENTITY, SymbolNames.NONE,
        List.of(t0, t1), Optional.empty(), false, List.of());
    Path dir = tmp.resolve("snap");
    SnapshotExport.Result r = SnapshotExport.write(in, dir, "restarts");
    assertEquals(17 + 15, r.streamBytes()[0]);
    TraceInput back = SnapshotInput.open(dir);
    // the buffer holds cpu 0's first fragment, a barrier, its second fragment, cpu 1's stream; the
    // barrier resets every source, and cpu 1 first appears after it
    assertEquals(List.of(hex(a), "restart", hex(b)), events(back.cores().get(0)));
    assertEquals(List.of("restart", hex(c)), events(back.cores().get(1)));
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }
}
