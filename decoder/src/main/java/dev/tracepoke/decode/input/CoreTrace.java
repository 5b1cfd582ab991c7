package dev.tracepoke.decode.input;

import dev.tracepoke.coresight.FrameDeformatter;
import dev.tracepoke.decode.etm4.Etm4Config;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One core's trace: its trace unit's configuration and a way to stream its bytes (already
 * deformatted: only this trace ID's bytes, offsets counted in that stream).
 */
public record CoreTrace(int cpu, Etm4Config config, ByteSource bytes) {

  /** Receives a core's trace bytes in order; buffers are reused after the call. */
  @FunctionalInterface
  public interface ByteSink {
    void accept(byte[] buf, int off, int len);

    /**
     * The bytes before and after this point do not join: data between them was lost ({@code what}
     * names the file, the offset and why, e.g. a damaged CoreSight frame ID). A decoder reports it
     * and resynchronises at the next A-sync; a plain copy of the bytes cannot keep it.
     */
    default void broken(String what) {}

    /**
     * The stream restarts here (a new AUX fragment, a 4×FSYNC barrier): what follows does not
     * continue what came before, so a packet reader starts over unsynchronised.
     */
    default void restart() {}
  }

  /** Streams a core's trace bytes; may be called more than once (each call starts over). */
  @FunctionalInterface
  public interface ByteSource {
    void pushTo(ByteSink sink) throws IOException;

    /** The bytes one {@link #pushTo} gives, where known before it starts; -1 if not. */
    default long length() {
      return -1;
    }
  }

  /**
   * The deformatter sink that passes the bytes of trace ID {@code traceId} to {@code sink}, and
   * tells it where a damaged frame ID broke the stream.
   */
  public static FrameDeformatter.Sink oneSource(int traceId, ByteSink sink) {
    return new FrameDeformatter.Sink() {
      @Override
      public void data(int id, byte[] buf, int off, int len, long frameOffset, long index) {
        if (id == traceId) {
          sink.accept(buf, off, len);
        }
      }

      @Override
      public void reset(long offset) {
        sink.restart();
      }

      @Override
      public void reservedId(int id, long index, String message) {
        sink.broken(message);
      }
    };
  }

  public int traceId() {
    return config.traceId();
  }

  /**
   * Reads the bytes once; the returned trace replays them from memory in 64 KiB pushes, with every
   * restart and break where it was (a break is kept with its message: the decode must report it).
   */
  public CoreTrace inMemory() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<Integer> at = new ArrayList<>();
    List<String> breaks = new ArrayList<>(); // null: a restart
    bytes.pushTo(new ByteSink() {
      @Override
      public void accept(byte[] buf, int off, int len) {
        all.write(buf, off, len);
      }

      @Override
      public void broken(String what) {
        at.add(all.size());
        breaks.add(what);
      }

      @Override
      public void restart() {
        at.add(all.size());
        breaks.add(null);
      }
    });
    byte[] held = all.toByteArray();
    return new CoreTrace(cpu, config, new ByteSource() {
      @Override
      public void pushTo(ByteSink sink) {
        replay(held, at, breaks, sink);
      }

      @Override
      public long length() {
        return held.length;
      }
    });
  }

  /** Pushes {@code held} with its restarts and breaks ({@code at}; a null message is a restart). */
  private static void replay(byte[] held, List<Integer> at, List<String> breaks, ByteSink sink) {
    int e = 0;
    int pos = 0;
    while (pos < held.length || e < at.size()) {
      if (e < at.size() && at.get(e) == pos) {
        if (breaks.get(e) == null) {
          sink.restart();
        } else {
          sink.broken(breaks.get(e));
        }
        e++;
        continue;
      }
      int end = e < at.size() ? at.get(e) : held.length;
      int n = Math.min(CHUNK, end - pos);
      sink.accept(held, pos, n);
      pos += n;
    }
  }

  /** Bytes per push when replaying from memory (the size the file readers use). */
  private static final int CHUNK = 1 << 16;
}
