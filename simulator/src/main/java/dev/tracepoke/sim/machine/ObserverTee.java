package dev.tracepoke.sim.machine;

/** Passes every call to two observers in order (e.g. the ETM trace unit, then the truth writer). */
public final class ObserverTee implements CoreObserver {
  private final CoreObserver first;
  private final CoreObserver second;

  public ObserverTee(CoreObserver first, CoreObserver second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public void instructions(long startPc, int count, long time) {
    first.instructions(startPc, count, time);
    second.instructions(startPc, count, time);
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    first.waypoint(pc, kind, taken, link, nextPc, time);
    second.waypoint(pc, kind, taken, link, nextPc, time);
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    first.exception(type, preferredReturn, vector, fromEl, toEl, time);
    second.exception(type, preferredReturn, vector, fromEl, toEl, time);
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    first.exceptionReturn(pc, target, toEl, time);
    second.exceptionReturn(pc, target, toEl, time);
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
    first.patchSiteExecuted(pc, word, newest, time);
    second.patchSiteExecuted(pc, word, newest, time);
  }
}
