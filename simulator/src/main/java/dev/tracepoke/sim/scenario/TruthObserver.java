package dev.tracepoke.sim.scenario;

import dev.tracepoke.sim.machine.CoreObserver;
import dev.tracepoke.truth.TruthWriter;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Feeds one core's ground-truth stream: runs, patch-site words, exceptions and returns. */
public final class TruthObserver implements CoreObserver {
  private final TruthWriter.CoreWriter out;

  public TruthObserver(TruthWriter.CoreWriter out) {
    this.out = out;
  }

  @Override
  public void instructions(long startPc, int count, long time) {
    try {
      out.run(startPc, count, time);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    // the runs already say where each waypoint led
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    try {
      out.exception(type, preferredReturn, vector, fromEl, toEl, time);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    try {
      out.exceptionReturn(pc, target, toEl, time);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
    try {
      out.patchSite(pc, word, newest, time);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
