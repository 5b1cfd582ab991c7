package dev.tracepoke.decode.flow;

/** Sends every element to two sinks, first {@code a} then {@code b} (one decode feeding two consumers). */
public record FlowTee(FlowSink a, FlowSink b) implements FlowSink {
  @Override
  public void range(int cpu, long start, long end, int instructions, int lastKind, boolean taken,
      long timeFrom, long timeTo, int flag, long offset) {
    a.range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
    b.range(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset);
  }

  @Override
  public void rangeWithCycles(int cpu, long start, long end, int instructions, int lastKind,
      boolean taken, long timeFrom, long timeTo, int flag, long offset, long cycles) {
    a.rangeWithCycles(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset,
        cycles);
    b.rangeWithCycles(cpu, start, end, instructions, lastKind, taken, timeFrom, timeTo, flag, offset,
        cycles);
  }

  @Override
  public void noPath(int cpu, long start, long next, long instructions, long offset) {
    a.noPath(cpu, start, next, instructions, offset);
    b.noPath(cpu, start, next, instructions, offset);
  }

  @Override
  public void transaction(int cpu, int kind, long offset) {
    a.transaction(cpu, kind, offset);
    b.transaction(cpu, kind, offset);
  }

  @Override
  public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo, long offset) {
    a.exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
    b.exception(cpu, number, returnAddress, timeFrom, timeTo, offset);
  }

  @Override
  public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
    a.exceptionReturn(cpu, timeFrom, timeTo, offset);
    b.exceptionReturn(cpu, timeFrom, timeTo, offset);
  }

  @Override
  public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid, long offset) {
    a.context(cpu, el, sf, ns, contextId, vmid, offset);
    b.context(cpu, el, sf, ns, contextId, vmid, offset);
  }

  @Override
  public void gap(int cpu, int reason, long address, long offset) {
    a.gap(cpu, reason, address, offset);
    b.gap(cpu, reason, address, offset);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt) {
    a.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
    b.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
  }

  @Override
  public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
      long timeFrom, long timeTo, long resolvedAt, int reason) {
    a.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt, reason);
    b.ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt, reason);
  }

  @Override
  public void error(int cpu, long offset, long packetIndex, String message) {
    a.error(cpu, offset, packetIndex, message);
    b.error(cpu, offset, packetIndex, message);
  }
}
