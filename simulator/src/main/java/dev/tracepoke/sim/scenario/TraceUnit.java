package dev.tracepoke.sim.scenario;

import dev.tracepoke.sim.etm.EtmConfig;
import dev.tracepoke.sim.etm.UntracedStretch;
import java.util.List;
import dev.tracepoke.sim.machine.CoreObserver;

/** A core's trace unit as a simulation drives it: observe the core, finish at the end of the run. */
public interface TraceUnit extends CoreObserver {
  /** Ends the stream at {@code time} (flushes pending atoms). */
  void finish(long time);

  EtmConfig config();

  /** The raw ETMv4 bytes produced. */
  byte[] stream();

  /** Stretches whose trace was lost to overflows, in order (none for a unit that never overflows). */
  default List<UntracedStretch> untracedStretches() {
    return List.of();
  }
}
