package dev.tracepoke.sim.machine;

/**
 * Told, as they happen, about guest stores that change text and about the cache maintenance that
 * completes them: what a patcher's perf-event emitter or a ground-truth writer needs to timestamp
 * a poke. Both calls come from the core that acts, at its local time.
 */
public interface TextListener {
  /** {@code cpu} stored {@code newWord} over {@code oldWord} at {@code address}. */
  void textWritten(int cpu, long address, int oldWord, int newWord, long time);

  /**
   * The DSB on {@code cpu} completed the maintenance (IC IVAU) of the write of {@code word} at
   * {@code address}: from here a core's next CSE makes it fetch that word (or a later one).
   */
  void maintenanceCompleted(int cpu, long address, int word, long time);
}
