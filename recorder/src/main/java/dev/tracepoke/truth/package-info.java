/**
 * Ground truth: what each simulated core really executed, written by {@link
 * dev.tracepoke.truth.TruthWriter} (one compressed file per core, crash-safe) and streamed back
 * by {@link dev.tracepoke.truth.TruthReader} / {@link dev.tracepoke.truth.TruthCursor} without
 * allocation per event.
 */
package dev.tracepoke.truth;
