package dev.tracepoke.sim.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which PERF_RECORD_TEXT_POKE records a poke leaves in the recording. */
public enum EventStyle {
  /** No record at all: what real arm64 kernels produce. */
  NONE("none"),
  /** One landed record (no flag bits) per poke. */
  TEXT_POKE("text-poke"),
  /** A PRE record before the write and a POST record after the cache maintenance (2019 RFC). */
  PRE_POST("pre-post");

  private final String id;

  EventStyle(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static EventStyle of(String id) {
    for (EventStyle s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown event style '" + id + "' (expected one of " + Scenario.names(values()) + ")");
  }

  @Override
  public String toString() {
    return id;
  }
}
