package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.flow.FlowDecoder;
import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.SpaceCaches;
import dev.tracepoke.decode.input.CoreTrace;
import dev.tracepoke.decode.input.TraceInput;

/** Makes the per-core decoder that turns one core's packets into flow elements. */
@FunctionalInterface
public interface CoreDecoderFactory {

  /**
   * @param core the core being decoded
   * @param timeline the image over time, shared by all cores (immutable)
   * @param input the whole input (time conversion, options)
   * @param sink where this core's elements go
   */
  PacketSink create(CoreTrace core, ImageTimeline timeline, TraceInput input, FlowSink sink);

  /** Decodes against the image as it was at the start of the trace (what OpenCSD does). */
  CoreDecoderFactory STATIC = (core, timeline, input, sink) ->
      spaces(new FlowDecoder(core.cpu(), blocks(core, timeline, input),
          FlowDecoder.Config.fixed(0, input.time()::toPerfTime), sink).traceUnit(core.config()), core, timeline, input);

  /**
   * Decodes over the image as text-poke records change it: executions inside a poke window
   * follow every candidate word and end resolved or flagged (DESIGN.md, "Decoder semantics").
   */
  CoreDecoderFactory WINDOWS = (core, timeline, input, sink) ->
      spaces(new FlowDecoder(core.cpu(), blocks(core, timeline, input),
          FlowDecoder.Config.windows(input.time()::toPerfTime), sink).traceUnit(core.config()), core, timeline, input);

  /** {@code --naive}: switches the image at each record's time and never flags. */
  CoreDecoderFactory NAIVE = (core, timeline, input, sink) ->
      spaces(new FlowDecoder(core.cpu(), blocks(core, timeline, input),
          FlowDecoder.Config.naive(input.time()::toPerfTime), sink).traceUnit(core.config()), core, timeline, input);

  /**
   * Per-process address spaces where the input has them (user code placed by map records), and
   * whether the input's text may hold armed probes.
   */
  static FlowDecoder spaces(FlowDecoder d, CoreTrace core, ImageTimeline timeline, TraceInput input) {
    d.armedProbes(input.probes());
    if (input.spaces().isEmpty()) {
      return d;
    }
    // perf's pid format: with TRCCONFIGR.VMID (bit 7) or VMIDOPT (bit 15) the pid is CONTEXTIDR_EL2
    boolean pidInVmid = (core.config().configr() & (1 << 7 | 1 << 15)) != 0;
    return d.addressSpaces(new SpaceCaches(input.spaces(), timeline, input.pauthBranches(),
        core.config().wfxWaypoints(), tstartWaypoints(core, input)), pidInVmid);
  }

  /**
   * TSTART is a waypoint as OpenCSD makes it on "AA64" cores: taken here as an ETE unit on a core
   * with PAuth waypoints (transactional memory exists only on such cores, traced by ETE).
   */
  static BlockCache blocks(CoreTrace core, ImageTimeline timeline, TraceInput input) {
    return new BlockCache(timeline, input.pauthBranches(), core.config().wfxWaypoints(),
        tstartWaypoints(core, input));
  }

  /** Whether TSTART ends a block for this core (see {@link #blocks}). */
  static boolean tstartWaypoints(CoreTrace core, TraceInput input) {
    return input.pauthBranches() && core.config().isEte();
  }
}
