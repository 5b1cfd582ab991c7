package dev.tracepoke.sim.machine;

/**
 * A guest store that changed a word of text. {@code completeTime} is when the cache maintenance
 * covering it completed (the DSB after an IC IVAU of its line), or -1 while it has not.
 */
public record TextWrite(int cpu, long address, int oldWord, int newWord, long time, long completeTime) {}
