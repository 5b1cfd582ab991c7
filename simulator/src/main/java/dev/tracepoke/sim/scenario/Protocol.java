package dev.tracepoke.sim.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the patching core makes a new instruction word visible to the other cores. */
public enum Protocol {
  /** Every core rendezvous in a spin loop (IPI), the last to arrive writes, all ISB on the way out. */
  STOP_MACHINE("stop-machine"),
  /** One write and local cache maintenance only (arm64 jump labels 2018-2024, ftrace, BPF). */
  NOSYNC("nosync"),
  /** As nosync, then an IPI to every other core (kick_all_cpus_sync, arm64 jump labels since 2024). */
  NOSYNC_KICK("nosync-kick"),
  /** BRK first, sync, event, new word, sync; a core hitting the BRK traps and the handler emulates. */
  BRK_EMULATE("brk-emulate"),
  /** brk-emulate without the first sync: shows the residual race the first sync closes. */
  BRK_EMULATE_NO_FIRST_SYNC("brk-emulate-nofirstsync"),
  /** Several interdependent sites switched inside one stop (2020 paravirt series). */
  STOP_MACHINE_BATCH("stop-machine-batch");

  private final String id;

  Protocol(String id) {
    this.id = id;
  }

  /** The name used on the command line and in scenario files. */
  @JsonValue
  public String id() {
    return id;
  }

  /** True where no core can run normal code while the word changes. */
  public boolean stopsOtherCores() {
    return this == STOP_MACHINE || this == STOP_MACHINE_BATCH;
  }

  @JsonCreator
  public static Protocol of(String id) {
    for (Protocol p : values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown protocol '" + id + "' (expected one of " + Scenario.names(values()) + ")");
  }

  @Override
  public String toString() {
    return id;
  }
}
