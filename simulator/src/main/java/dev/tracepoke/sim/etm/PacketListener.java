package dev.tracepoke.sim.etm;

/**
 * Told about every packet the encoder writes (for tests and tools that list packets; the
 * simulator's hot path runs without one). Arguments are primitives so a listener adds no garbage.
 */
@FunctionalInterface
public interface PacketListener {

  /**
   * @param kind the packet form
   * @param offset byte offset of the header in the unit's stream
   * @param length packet length in bytes
   * @param value address (address packets, including exact match), timestamp value, atom pattern
   *     (bit 0 = oldest, 1 = E), exception type, or context info byte; 0 otherwise
   * @param extra atom count (atoms), history entry (exact match), E1:E0 (exception), CONTEXTID
   *     (context), or for address with context the info byte in bits [39:32] and CONTEXTID in
   *     bits [31:0]; 0 otherwise
   */
  void packet(PacketKind kind, long offset, int length, long value, long extra);
}
