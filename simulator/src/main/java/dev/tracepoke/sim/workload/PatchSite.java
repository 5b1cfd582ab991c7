package dev.tracepoke.sim.workload;

/**
 * One patchable word of the generated kernel.
 *
 * @param index position in {@link KernelImage#sites()} (also its brk-emulate BRK immediate offset)
 * @param address where the word lives
 * @param kind what kind of site it is
 * @param oldWord the word in the base image
 * @param newWord the word a poke puts there
 * @param group sites with the same group must change together (one static key's sites)
 * @param function name of the function holding the site
 * @param slot kprobe sites: the out-of-line slot running the original instruction; otherwise 0
 */
public record PatchSite(
    int index, long address, PatchKind kind, int oldWord, int newWord, int group, String function, long slot) {

  /** True when both words are in the CMODX set, so nosync patching is architecturally allowed. */
  public boolean cmodxSafe() {
    return kind != PatchKind.KPROBE;
  }

  /** The word other than {@code word} (the site's two words swap). */
  public int other(int word) {
    if (word == oldWord) {
      return newWord;
    }
    if (word == newWord) {
      return oldWord;
    }
    throw new IllegalArgumentException(String.format(
        "site 0x%x never holds 0x%08x (it flips 0x%08x <-> 0x%08x)", address, word, oldWord, newWord));
  }

  /**
   * How the brk-emulate handler makes a trapping core behave as if it had run {@code word}:
   * {@link Layout#ACT_NOP}, {@link Layout#ACT_B}, {@link Layout#ACT_BL}, {@link Layout#ACT_XOL} or
   * {@link Layout#ACT_KPROBE}.
   */
  public int emulationAction(int word) {
    return switch (kind) {
      case STATIC_KEY, FTRACE -> word == WorkloadGenerator.NOP ? Layout.ACT_NOP
          : kind == PatchKind.STATIC_KEY ? Layout.ACT_B : Layout.ACT_BL;
      case KPROBE -> word == oldWord ? Layout.ACT_XOL : Layout.ACT_KPROBE;
    };
  }

  /** The address the emulation continues at (branch target or slot), 0 for a NOP. */
  public long emulationTarget(int word) {
    return switch (emulationAction(word)) {
      case Layout.ACT_B, Layout.ACT_BL -> address + (((long) word << 38) >> 36);
      case Layout.ACT_XOL, Layout.ACT_KPROBE -> slot;
      default -> 0;
    };
  }
}
