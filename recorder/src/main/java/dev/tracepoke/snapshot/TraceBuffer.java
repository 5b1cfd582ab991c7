package dev.tracepoke.snapshot;

/**
 * A {@code [bufferN]} section of trace.ini.
 *
 * @param section the section name ({@code buffer0})
 * @param name the buffer's handle ({@code name=}); {@code [source_buffers]} refers to it
 * @param file the file name as written
 * @param format how the bytes are laid out
 * @param formatName the {@code format=} value as written
 */
public record TraceBuffer(
    String section, String name, String file, Format format, String formatName) {

  /** Buffer layouts. */
  public enum Format {
    /** {@code source_data}: the raw byte stream of a single trace source. */
    SOURCE_DATA,
    /** {@code coresight}: 16-byte formatter frames, memory aligned (ETB/ETR); also the default. */
    CORESIGHT,
    /** {@code dstream_coresight}: frames with FSYNC words between them (DSTREAM capture). */
    DSTREAM_CORESIGHT;

    /** The format for a {@code format=} value; OpenCSD treats anything unknown as coresight. */
    public static Format of(String value) {
      return switch (value) {
        case "source_data" -> SOURCE_DATA;
        case "dstream_coresight" -> DSTREAM_CORESIGHT;
        default -> CORESIGHT;
      };
    }

    /** The {@code format=} value written for this layout. */
    public String iniName() {
      return switch (this) {
        case SOURCE_DATA -> "source_data";
        case CORESIGHT -> "coresight";
        case DSTREAM_CORESIGHT -> "dstream_coresight";
      };
    }
  }
}
