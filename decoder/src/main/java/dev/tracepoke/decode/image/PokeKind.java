package dev.tracepoke.decode.image;

/** Which of the three kinds of {@code PERF_RECORD_TEXT_POKE} a record is (from its misc flags). */
public enum PokeKind {
  /** No flag bits: the new bytes have landed. */
  LANDED,
  /** misc bit 13: the write may become visible from this time on. */
  PRE,
  /** misc bit 14: the writer's cache maintenance is complete. */
  POST;

  /** misc bit 13 of the perf record header. */
  public static final int MISC_PRE = 1 << 13;
  /** misc bit 14 of the perf record header. */
  public static final int MISC_POST = 1 << 14;

  /**
   * The kind encoded in a record's {@code misc} field.
   *
   * @throws IllegalArgumentException when both PRE and POST are set
   */
  public static PokeKind fromMisc(int misc) {
    boolean pre = (misc & MISC_PRE) != 0;
    boolean post = (misc & MISC_POST) != 0;
    if (pre && post) {
      throw new IllegalArgumentException(
          String.format("text-poke misc 0x%04x has both PRE (bit 13) and POST (bit 14)", misc));
    }
    return pre ? PRE : post ? POST : LANDED;
  }
}
