package dev.tracepoke.perf;

/**
 * A record as found in the file: its header's offset and size, its time and cpu (from the
 * sample_id trailer, or the sample body for SAMPLE; -1 when the record carries none) and the
 * typed record. For AUXTRACE, {@code size} is the 48-byte record without its data.
 */
public record FileRecord(long offset, int size, long time, int cpu, PerfRecord record) {

  public boolean hasTime() {
    return time != -1;
  }
}
