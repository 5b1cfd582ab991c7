/**
 * A recording as one object: {@link dev.tracepoke.recording.Recording} opens a perf directory
 * ({@code data}, {@code kcore_dir/kcore}, {@code kcore_dir/kallsyms}, {@code truth/}) or a plain
 * perf.data with a separate kernel image; {@link dev.tracepoke.recording.RecordingWriter} creates
 * the directory.
 */
package dev.tracepoke.recording;
