/**
 * CoreSight trace formatter frames: {@link dev.tracepoke.coresight.FrameFormatter} interleaves
 * per-trace-ID byte streams into 16-byte frames as ETR/ETB sinks store them (what perf records in
 * AUX buffers), {@link dev.tracepoke.coresight.FrameDeformatter} splits frames back into per-ID
 * runs, each tagged with the byte offset of its frame. Readers of perf AUX data should use
 * {@code Option.RESET_ON_4X_FSYNC}: drivers put four FSYNC words between blocks.
 */
package dev.tracepoke.coresight;
