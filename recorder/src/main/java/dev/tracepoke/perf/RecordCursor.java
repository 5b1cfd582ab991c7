package dev.tracepoke.perf;

/** Records one at a time, in file order or perf's delivery order. */
public interface RecordCursor {
  /**
   * The next record, or null after the last one.
   *
   * @throws PerfDataException at damage in the file; every whole record before it has been
   *     returned first. Calling again throws the same exception.
   */
  FileRecord next() throws PerfDataException;
}
