package dev.tracepoke.decode.etm4;

/**
 * How an ETMv4 address packet carried its address. The value a {@link PacketSink} receives is always
 * the full address after completion from the reader's address history; the form says how much of it
 * the packet itself sent, which matters to a decoder that wants to know what was inferred.
 */
public enum AddressForm {
  /** Exact-match packet ({@code 90}-{@code 92}): no payload, the address is history entry 0..2. */
  EXACT_MATCH(0),
  /** Short address, one payload byte: bits [8:2] (IS0) or [7:1] (IS1) sent. */
  SHORT_1(9),
  /** Short address, two payload bytes: bits [16:2] (IS0) or [15:1] (IS1) sent. */
  SHORT_2(17),
  /** Long 32-bit address ({@code 9A}/{@code 9B}, {@code 82}/{@code 83}): bits [31:0] sent. */
  LONG_32(32),
  /** Long 64-bit address ({@code 9D}/{@code 9E}, {@code 85}/{@code 86}): all 64 bits sent. */
  LONG_64(64);

  private final int is0Bits;

  AddressForm(int is0Bits) {
    this.is0Bits = is0Bits;
  }

  /**
   * Number of low address bits this form replaces for instruction set {@code isa} (0 or 1); the
   * remaining upper bits come from history entry 0. Zero for {@link #EXACT_MATCH}.
   */
  public int updatedBits(int isa) {
    return (this == SHORT_1 || this == SHORT_2) && isa == 1 ? is0Bits - 1 : is0Bits;
  }
}
