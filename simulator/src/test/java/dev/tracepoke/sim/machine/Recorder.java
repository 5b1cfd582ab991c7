package dev.tracepoke.sim.machine;

import java.util.ArrayList;
import java.util.List;

/** A test observer that writes every call as one line of text. */
class Recorder implements CoreObserver {
  final List<String> lines = new ArrayList<>();

  @Override
  public void instructions(long startPc, int count, long time) {
    lines.add(String.format("I %x %d @%d", startPc, count, time));
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    lines.add(String.format("W %x k%d %s%s -> %x @%d", pc, kind, taken ? "T" : "N", link ? " L" : "", nextPc, time));
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    lines.add(String.format("E t%d ret %x vec %x el%d->el%d @%d", type, preferredReturn, vector, fromEl, toEl, time));
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    lines.add(String.format("R %x -> %x el%d @%d", pc, target, toEl, time));
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
    lines.add(String.format("P %x %08x %s @%d", pc, word, newest ? "new" : "old", time));
  }
}
