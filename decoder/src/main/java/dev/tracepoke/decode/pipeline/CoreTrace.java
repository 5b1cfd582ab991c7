package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.etm4.Etm4Config;
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
}
