package dev.tracepoke.sim.scenario;

import dev.tracepoke.sim.etm.EtmConfig;

/** One core's finished trace: how its unit was programmed and the raw ETMv4 bytes it produced. */
public record CoreTrace(EtmConfig config, byte[] stream) {}
