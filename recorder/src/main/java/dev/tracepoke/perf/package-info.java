/**
 * perf.data (PERFILE2) as perf 6.1 reads and writes it, little endian.
 *
 * <ul>
 *   <li>{@link dev.tracepoke.perf.PerfDataWriter}: {@code builder(path).event(name, attr, ids...)
 *       ... .open()}, then {@code write(record)} / {@code writeAuxtrace(...)}, {@code close()}
 *       (features, header last, rename from {@code path.tmp}).
 *   <li>{@link dev.tracepoke.perf.PerfDataReader}: {@code open(path)}; {@code attrs()},
 *       {@code features()}, {@code warnings()}; {@code timeOrder()} (perf's delivery order) or
 *       {@code fileOrder()} cursors of {@link dev.tracepoke.perf.FileRecord}; AUXTRACE data
 *       through {@code payload}, {@code payloadStream} and {@code queueStream}.
 *   <li>{@link dev.tracepoke.perf.PerfRecord}: the sealed family of records; unknown types are
 *       {@link dev.tracepoke.perf.PerfRecord.Raw}. {@link dev.tracepoke.perf.SampleId} is the
 *       trailer; {@link dev.tracepoke.perf.CsEtmInfo} the CS_ETM private area.
 *   <li>Damage is a {@link dev.tracepoke.perf.PerfDataException} (file, byte offset, expectation).
 * </ul>
 */
package dev.tracepoke.perf;
