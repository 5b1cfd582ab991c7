package dev.tracepoke.truth;

/** Event kind codes returned by {@link TruthCursor#next()}. */
public final class TruthEvent {
  /** No more events for this core. */
  public static final int END = 0;
  /** {@code count} instructions from {@code startPc} retired in sequence. */
  public static final int RUN = 1;
  /** The word a core executed at a patch site, reported before the run holding it. */
  public static final int PATCH_SITE = 2;
  /** An exception was taken. */
  public static final int EXCEPTION = 3;
  /** An exception return (ERET) went to {@code target}. */
  public static final int EXCEPTION_RETURN = 4;
  /** A stretch of time whose instructions were lost to a trace overflow. */
  public static final int UNTRACED = 5;

  private TruthEvent() {}

  /** A name for messages and listings. */
  public static String name(int kind) {
    return switch (kind) {
      case END -> "end";
      case RUN -> "run";
      case PATCH_SITE -> "patch-site";
      case EXCEPTION -> "exception";
      case EXCEPTION_RETURN -> "exception-return";
      case UNTRACED -> "untraced";
      default -> "kind-" + kind;
    };
  }
}
