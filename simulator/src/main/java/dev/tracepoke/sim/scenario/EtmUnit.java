package dev.tracepoke.sim.scenario;

import dev.tracepoke.sim.etm.Etm4TraceUnit;
import dev.tracepoke.sim.etm.EtmConfig;
import dev.tracepoke.sim.etm.TraceUnitStats;
import dev.tracepoke.sim.etm.UntracedStretch;
import java.util.List;

/** {@link Etm4TraceUnit} as the simulation's {@link TraceUnit}; its statistics stay readable. */
public final class EtmUnit implements TraceUnit {
  private final Etm4TraceUnit unit;

  public EtmUnit(EtmConfig config) {
    this.unit = new Etm4TraceUnit(config);
  }

  @Override
  public void instructions(long startPc, int count, long time) {
    unit.instructions(startPc, count, time);
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    unit.waypoint(pc, kind, taken, link, nextPc, time);
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    unit.exception(type, preferredReturn, vector, fromEl, toEl, time);
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    unit.exceptionReturn(pc, target, toEl, time);
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
    unit.patchSiteExecuted(pc, word, newest, time);
  }

  @Override
  public void finish(long time) {
    unit.finish(time);
  }

  @Override
  public EtmConfig config() {
    return unit.config();
  }

  @Override
  public List<UntracedStretch> untracedStretches() {
    return unit.untracedStretches();
  }

  @Override
  public byte[] stream() {
    return unit.buffer().toByteArray();
  }

  /** What the unit emitted so far: packets per kind, bytes, instructions. */
  public TraceUnitStats stats() {
    return unit.stats();
  }
}
