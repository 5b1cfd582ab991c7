package dev.tracepoke.decode.etm4;

/**
 * Why the packet reader rejected a packet ({@link PacketSink#error}). Each value maps to one of
 * OpenCSD's error packet types so a listing can be compared with {@code trc_pkt_lister}'s.
 */
public enum PacketError {
  /** The header byte is reserved in every ETMv4 configuration (OpenCSD {@code I_RESERVED}). */
  RESERVED_HEADER,
  /**
   * A known packet that this trace unit cannot produce, so its header is reserved here: Ignore
   * before ETMv4.3, Timestamp Marker before ETMv4.6, Q packets without TRCIDR0.QSUPP, Function
   * Return outside v8-M, ETE-only packets (OpenCSD lists these as {@code I_RESERVED} too).
   */
  NOT_IN_CONFIG,
  /**
   * A packet of a trace mode that is not enabled: data-synchronisation markers without data trace,
   * conditional-instruction and conditional-result packets without conditional tracing (OpenCSD
   * {@code I_RESERVED_CFG}).
   */
  NOT_VALID_FOR_CONFIG,
  /** {@code 00} followed by a byte that is not {@code 00}, {@code 03} or {@code 05}. */
  BAD_EXTENSION,
  /**
   * An A-sync candidate that is not exactly eleven {@code 00} bytes and {@code 80}: a non-zero byte
   * too early, a twelfth zero while synchronised, or a wrong final byte.
   */
  BAD_ASYNC,
  /** The stream ended inside a packet (OpenCSD {@code I_INCOMPLETE_EOT}). */
  INCOMPLETE_AT_END,
  /**
   * The stream ended while the reader was still skipping unsynchronised bytes (OpenCSD
   * {@code I_INCOMPLETE_EOT[I_NOT_SYNC]}).
   */
  UNSYNCED_AT_END
}
