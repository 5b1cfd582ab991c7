/**
 * OpenCSD snapshot directories ("Debug and Trace Snapshot File Format" as OpenCSD 1.3.3 reads it):
 * {@link dev.tracepoke.snapshot.SnapshotReader} reads {@code snapshot.ini}, the device files and
 * the trace metadata into a {@link dev.tracepoke.snapshot.Snapshot}; {@link
 * dev.tracepoke.snapshot.SnapshotWriter} writes one (back) so that {@code trc_pkt_lister} and the
 * reader accept it. Real hardware traces come in this form; tracepoke also uses it to hand its own
 * recordings to OpenCSD.
 */
package dev.tracepoke.snapshot;
