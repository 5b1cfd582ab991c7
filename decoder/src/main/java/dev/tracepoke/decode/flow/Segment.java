package dev.tracepoke.decode.flow;

/**
 * The stretch of packets between two timestamps that is being decoded: the times that bound its
 * elements and the image version its walk reads.
 */
final class Segment {
  /** The timestamp before the segment (perf time), or {@link FlowSink#NO_TIME}. */
  long from = FlowSink.NO_TIME;
  /** The timestamp after it, or {@link FlowSink#NO_TIME} when none is known. */
  long to = FlowSink.NO_TIME;
  /** The image version read outside poke sites (FIXED: the configured one; NAIVE: per segment). */
  int version;
}
