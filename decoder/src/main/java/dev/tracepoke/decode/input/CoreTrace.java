package dev.tracepoke.decode.input;

import dev.tracepoke.decode.etm4.Etm4Config;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * One core's trace: its trace unit's configuration and a way to stream its bytes (already
 * deformatted: only this trace ID's bytes, offsets counted in that stream).
 */
public record CoreTrace(int cpu, Etm4Config config, ByteSource bytes) {

  /** Receives a core's trace bytes in order; buffers are reused after the call. */
  @FunctionalInterface
  public interface ByteSink {
    void accept(byte[] buf, int off, int len);
  }

  /** Streams a core's trace bytes; may be called more than once (each call starts over). */
  @FunctionalInterface
  public interface ByteSource {
    void pushTo(ByteSink sink) throws IOException;
  }

  public int traceId() {
    return config.traceId();
  }

  /** Reads the bytes once; the returned trace replays them from memory in 64 KiB pushes. */
  public CoreTrace inMemory() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    bytes.pushTo(all::write);
    byte[] held = all.toByteArray();
    return new CoreTrace(cpu, config, sink -> {
      for (int at = 0; at < held.length; at += CHUNK) {
        sink.accept(held, at, Math.min(CHUNK, held.length - at));
      }
    });
  }

  /** Bytes per push when replaying from memory (the size the file readers use). */
  private static final int CHUNK = 1 << 16;
}
