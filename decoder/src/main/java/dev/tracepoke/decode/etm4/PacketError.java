package dev.tracepoke.decode.etm4;

/**
 * Why the packet reader rejected a packet ({@link PacketSink#error}). The names follow OpenCSD's
 * error packet types so a listing can be compared with {@code trc_pkt_lister}'s.
 */
public enum PacketError {
  /** The header byte is reserved in every ETMv4 configuration (OpenCSD {@code I_RESERVED}). */
  RESERVED_HEADER,
  /**
   * The header names a packet this configuration cannot produce: data-sync markers without data
   * trace, conditional-instruction packets without conditional tracing, Ignore before ETMv4.3, Q
   * packets without TRCIDR0.QSUPP (OpenCSD {@code I_RESERVED_CFG}).
   */
  NOT_VALID_FOR_CONFIG,
  /** {@code 00} followed by a byte that is not {@code 00}, {@code 03} or {@code 05}. */
  BAD_EXTENSION,
  /** An A-sync that is not exactly eleven {@code 00} bytes and {@code 80} (while synchronised). */
  BAD_ASYNC,
  /** The stream ended inside a packet (OpenCSD {@code I_INCOMPLETE_EOT}). */
  INCOMPLETE_AT_END
}
