/**
 * ETMv4 instruction-trace packets: bytes of one trace source in, packets out.
 *
 * <p>{@link dev.tracepoke.decode.etm4.PacketReader} is the packet layer: configured from an {@link
 * dev.tracepoke.decode.etm4.Etm4Config} (the trace unit's registers, from an OpenCSD snapshot or
 * perf's AUXTRACE_INFO), it reads a byte stream in chunks of any size and pushes one call per packet
 * into a {@link dev.tracepoke.decode.etm4.PacketSink} — the contract the flow decoder builds on.
 * It follows OpenCSD 1.3.3's packet processor in every observable detail, which the tests check
 * packet by packet against {@code trc_pkt_lister}.
 *
 * <p>Sinks here: {@link dev.tracepoke.decode.etm4.PacketPrinter} (the {@code dump --packets}
 * listing) and {@link dev.tracepoke.decode.etm4.OpenCsdPacketText} (our packets in the lister's
 * words, for comparison). {@link dev.tracepoke.decode.input.SnapshotStreams} and {@link
 * dev.tracepoke.decode.input.PacketListing} connect the reader to snapshot directories and perf
 * recordings.
 */
package dev.tracepoke.decode.etm4;
