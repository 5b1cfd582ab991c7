package dev.tracepoke.perf;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads and writes the body of one record type: the bytes after the 8-byte header and before the
 * sample_id trailer. Both directions sit side by side so that they cannot drift apart.
 */
interface RecordCodec<R extends PerfRecord> {

  /** Body bytes, padding included, excluding header and trailer. */
  int bodySize(R r);

  /** Writes exactly {@link #bodySize} bytes. */
  void encode(R r, ByteBuffer out);

  /**
   * Decodes a body (position 0, limit = body end before the trailer).
   *
   * @param bodyPos absolute file offset of the body's first byte, for errors
   */
  R decode(int misc, ByteBuffer body, SampleId sampleId, Path file, long bodyPos)
      throws PerfDataException;
}
