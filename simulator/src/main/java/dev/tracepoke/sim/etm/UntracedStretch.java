package dev.tracepoke.sim.etm;

/**
 * Instructions a core retired while its trace unit was overflowing: the decoder sees none of them.
 * Instructions are counted in the order the core reported them through
 * {@code CoreObserver.instructions}, from 0, so the ground truth can mark exactly these.
 *
 * @param cpu the core
 * @param firstInstruction index of the first untraced instruction
 * @param instructions how many consecutive instructions are untraced
 * @param firstPc address of the first untraced instruction (where the last traced P0 element led)
 * @param resumePc address of the first instruction traced again (given by the address packet after
 *     the re-sync)
 * @param overflowTime core time of the first P0 element lost (ns)
 * @param resumeTime core time of the first P0 element traced again (ns)
 */
public record UntracedStretch(
    int cpu, long firstInstruction, long instructions, long firstPc, long resumePc, long overflowTime,
    long resumeTime) {}
