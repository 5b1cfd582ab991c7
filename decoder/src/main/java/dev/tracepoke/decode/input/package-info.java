/**
 * The input layer: a recording or snapshot in, per core its trace unit's configuration and a byte
 * source out, plus the code images; the only package that knows files.
 *
 * <p>{@link dev.tracepoke.decode.input.PerfStreams} reads a perf.data file (CS_ETM metadata for
 * ETMv4 and ETE, trace IDs from AUX_OUTPUT_HW_ID or TRCTRACEIDR, formatted or raw TRBE AUX data,
 * lost data); {@link dev.tracepoke.decode.input.SnapshotStreams} an OpenCSD snapshot (buffers,
 * sources, missing dumps); {@link dev.tracepoke.decode.input.CodePlacement} places code from MMAP
 * records, the build-id cache, --symfs, --vmlinux and --image. {@link
 * dev.tracepoke.decode.input.RecordingInput} and {@link dev.tracepoke.decode.input.SnapshotInput}
 * assemble a {@link dev.tracepoke.decode.input.TraceInput} for decode, export and bench; {@link
 * dev.tracepoke.decode.input.PacketListing} lists the same streams for {@code dump --packets}.
 */
package dev.tracepoke.decode.input;
