package dev.tracepoke.sim.patching;

import dev.tracepoke.perf.PerfRecord.TextPoke.Phase;

/** A PERF_RECORD_TEXT_POKE the patching code emitted: its kernel time, cpu, site and words. */
public record TextPokeEvent(long time, int cpu, long address, int oldWord, int newWord, Phase phase) {}
