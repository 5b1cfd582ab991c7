package dev.tracepoke.sim.machine;

/** The observer of a core nobody watches: the hot path then needs no null checks. */
final class NullObserver implements CoreObserver {
  static final NullObserver INSTANCE = new NullObserver();

  private NullObserver() {}

  @Override
  public void instructions(long startPc, int count, long time) {}

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {}

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {}

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {}

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {}
}
