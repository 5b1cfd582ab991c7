package dev.tracepoke.decode.diff;

/**
 * What the diff found for one core (or, with {@code cpu == -1}, summed over all cores). The
 * component names are the JSON keys of {@code tracepoke diff --json}.
 *
 * @param instructionsTruth instructions the core executed
 * @param instructionsDecoded instructions the decoder output, flagged or not
 * @param matched decoded instructions aligned with an executed one
 * @param silentErrors decoded without an ambiguity flag, yet not executed there
 * @param ambiguous patch-site executions the decoder flagged as ambiguous
 * @param resolvedRight ambiguous executions resolved to the word the core ran
 * @param resolvedWrong ambiguous executions resolved to another word
 * @param unresolved ambiguous executions left unresolved (their instructions flagged)
 * @param unresolvedUndecidable of those, the ones the trace cannot decide: the candidate walks
 *     reached identical state (same pc, packet, call stack), or the trace broke off first
 * @param unresolvedGaveUp of those, the ones given up at a bound of the decoder
 * @param firstDivergence the first silent error, or null
 */
public record CoreDiff(
    int cpu,
    long instructionsTruth,
    long instructionsDecoded,
    long matched,
    long silentErrors,
    long ambiguous,
    long resolvedRight,
    long resolvedWrong,
    long unresolved,
    long unresolvedUndecidable,
    long unresolvedGaveUp,
    Divergence firstDivergence) {

  /** Where decoded flow first claimed an instruction the core did not run. */
  public record Divergence(int cpu, long time, long pc, String symbol) {}
}
