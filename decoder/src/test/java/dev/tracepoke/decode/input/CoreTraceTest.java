package dev.tracepoke.decode.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte sinks that sit between a file and a decoder keep every restart and break in place. */
class CoreTraceTest {

  /** Writes what reaches it as "bytes N", "restart" and "broken: ..." lines. */
  private static final class Log implements CoreTrace.ByteSink {
    final List<String> lines = new ArrayList<>();

    @Override
    public void accept(byte[] buf, int off, int len) {
      lines.add("bytes " + len);
    }

    @Override
    public void broken(String what) {
      lines.add("broken: " + what);
    }

    @Override
    public void restart() {
      lines.add("restart");
    }
  }

  @Test
  void aTraceHeldInMemoryReplaysItsBreaksAndRestartsWhereTheyWere() throws IOException {
    CoreTrace source = new CoreTrace(0, null, sink -> {
      sink.accept(new byte[10], 0, 10);
      sink.broken("f: byte 99: reserved frame ID 0x7b");
      sink.accept(new byte[5], 0, 5);
      sink.restart();
      sink.accept(new byte[3], 0, 3);
    });
    Log log = new Log();
    source.inMemory().bytes().pushTo(log);
    assertEquals(List.of("bytes 10", "broken: f: byte 99: reserved frame ID 0x7b", "bytes 5", "restart", "bytes 3"),
        log.lines);
  }

  @Test
  void restartsBetweenAuxRecordsPassOnlyBetweenBytesButEveryBreakPasses() {
    Log log = new Log();
    PerfStreams.Restarts r = new PerfStreams.Restarts(log);
    r.restart(); // before any byte: dropped
    r.accept(new byte[4], 0, 4);
    r.restart();
    r.broken("lost");
    r.accept(new byte[2], 0, 2);
    r.restart();
    r.accept(new byte[1], 0, 1);
    r.restart(); // after the last byte: dropped
    assertEquals(List.of("bytes 4", "broken: lost", "bytes 2", "restart", "bytes 1"), log.lines);
  }
}
