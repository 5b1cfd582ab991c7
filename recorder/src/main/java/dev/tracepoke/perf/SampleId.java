package dev.tracepoke.perf;

import java.nio.ByteBuffer;

/**
 * The {@code sample_id} trailer that ends every kernel record of an event with {@code sample_id_all}:
 * pid/tid, time, id, stream_id, cpu, identifier, each present only if its {@code sample_type} bit is
 * in {@link #fields()} and always in that order. Absent fields are zero.
 */
public record SampleId(
    long fields, int pid, int tid, long time, long id, long streamId, int cpu, long identifier) {

  public static final long TID = 1L << 1;
  public static final long TIME = 1L << 2;
  public static final long ID = 1L << 6;
  public static final long CPU = 1L << 7;
  public static final long STREAM_ID = 1L << 9;
  public static final long IDENTIFIER = 1L << 16;
  /** The sample_type bits that contribute to the trailer (IP, PERIOD etc. never do). */
  public static final long TRAILER_BITS = TID | TIME | ID | STREAM_ID | CPU | IDENTIFIER;

  /** No trailer (event without sample_id_all, or a user record). */
  public static final SampleId NONE = new SampleId(0, 0, 0, 0, 0, 0, 0, 0);

  public SampleId {
    if ((fields & ~TRAILER_BITS) != 0) {
      throw new IllegalArgumentException("not trailer bits: 0x" + Long.toHexString(fields & ~TRAILER_BITS));
    }
  }

  /** A trailer laid out for {@code sampleType}; values of fields it does not hold are dropped. */
  public static SampleId of(
      long sampleType, int pid, int tid, long time, long id, long streamId, int cpu, long identifier) {
    long f = sampleType & TRAILER_BITS;
    return new SampleId(
        f,
        (f & TID) != 0 ? pid : 0,
        (f & TID) != 0 ? tid : 0,
        (f & TIME) != 0 ? time : 0,
        (f & ID) != 0 ? id : 0,
        (f & STREAM_ID) != 0 ? streamId : 0,
        (f & CPU) != 0 ? cpu : 0,
        (f & IDENTIFIER) != 0 ? identifier : 0);
  }

  public boolean has(long bit) {
    return (fields & bit) != 0;
  }

  /** The record's time, or {@code -1} when the trailer carries none. */
  public long timeOrUnknown() {
    return has(TIME) ? time : -1;
  }

  /** The cpu, or {@code -1} when the trailer carries none. */
  public int cpuOrUnknown() {
    return has(CPU) ? cpu : -1;
  }

  /** The event id (IDENTIFIER, else ID), or {@code -1} when the trailer carries none. */
  public long eventIdOrUnknown() {
    return has(IDENTIFIER) ? identifier : has(ID) ? id : -1;
  }

  /** Bytes the trailer takes for a {@code sample_type}. */
  public static int size(long sampleType) {
    long f = sampleType & TRAILER_BITS;
    int n = 0;
    if ((f & TID) != 0) n += 8;
    if ((f & TIME) != 0) n += 8;
    if ((f & ID) != 0) n += 8;
    if ((f & STREAM_ID) != 0) n += 8;
    if ((f & CPU) != 0) n += 8;
    if ((f & IDENTIFIER) != 0) n += 8;
    return n;
  }

  public int size() {
    return size(fields);
  }

  /** Reads a trailer laid out for {@code fields} at the buffer's position (little endian). */
  static SampleId read(long fields, ByteBuffer b) {
    int pid = 0, tid = 0, cpu = 0;
    long time = 0, id = 0, stream = 0, ident = 0;
    if ((fields & TID) != 0) {
      pid = b.getInt();
      tid = b.getInt();
    }
    if ((fields & TIME) != 0) time = b.getLong();
    if ((fields & ID) != 0) id = b.getLong();
    if ((fields & STREAM_ID) != 0) stream = b.getLong();
    if ((fields & CPU) != 0) {
      cpu = b.getInt();
      b.getInt();
    }
    if ((fields & IDENTIFIER) != 0) ident = b.getLong();
    return new SampleId(fields, pid, tid, time, id, stream, cpu, ident);
  }

  void write(ByteBuffer b) {
    if (has(TID)) {
      b.putInt(pid);
      b.putInt(tid);
    }
    if (has(TIME)) b.putLong(time);
    if (has(ID)) b.putLong(id);
    if (has(STREAM_ID)) b.putLong(streamId);
    if (has(CPU)) {
      b.putInt(cpu);
      b.putInt(0);
    }
    if (has(IDENTIFIER)) b.putLong(identifier);
  }
}
