package dev.tracepoke.sim.etm;

/**
 * The ETMv4 instruction-trace packets the simulated unit emits, one constant per encoding form, so
 * that counts per form fall out of the encoder.
 */
public enum PacketKind {
  /** {@code 00 x11, 80}. */
  ASYNC,
  /** {@code 01} + PLCTL [+ INFO]. */
  TRACE_INFO,
  /** {@code 04}. */
  TRACE_ON,
  /** {@code 02} + up to 9 value bytes. */
  TIMESTAMP,
  /** {@code 81} + info [+ CONTEXTID]. */
  CONTEXT,
  /** {@code 82}: 32-bit IS0 address with context. */
  ADDR_CTXT_32,
  /** {@code 85}: 64-bit IS0 address with context. */
  ADDR_CTXT_64,
  /** {@code 90}..{@code 92}: address history entry 0..2. */
  EXACT_MATCH,
  /** {@code 95}, one payload byte: a[8:2]. */
  SHORT_ADDR_1,
  /** {@code 95}, two payload bytes: a[16:2]. */
  SHORT_ADDR_2,
  /** {@code 9A}: a[31:2]. */
  LONG_ADDR_32,
  /** {@code 9D}: a[63:2]. */
  LONG_ADDR_64,
  /** {@code 06} + info. */
  EXCEPTION,
  /** {@code 07}. */
  EXCEPTION_RETURN,
  /** {@code 00 05}. */
  OVERFLOW,
  ATOM_F1,
  ATOM_F2,
  ATOM_F3,
  ATOM_F4,
  ATOM_F5,
  ATOM_F6,
  CYCLE_COUNT;

  static final PacketKind[] VALUES = values();
}
