package dev.tracepoke.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code [dump...]} section of a core device: {@code length} bytes of {@code file} from {@code
 * offset} are the memory at {@code address}.
 *
 * @param section the section name (any name starting with {@code dump})
 * @param file the file name as written (relative to the snapshot directory)
 * @param address virtual address of the first byte
 * @param offset offset in the file (0 if not given)
 * @param length number of bytes (the rest of the file from {@code offset} if not given)
 * @param space the {@code space=} value ({@code ""} if absent; OpenCSD 1.3.3 ignores it)
 */
public record MemoryDump(
    String section, String file, long address, long offset, long length, String space) {

  /** Whether the dump's file is in the snapshot directory {@code dir} (snapshots may lack some). */
  public boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(file));
  }

  /**
   * Reads the dump's bytes from the snapshot directory {@code dir}. The section's offset and length
   * are checked against the file's real size before anything is allocated.
   */
  public byte[] read(Path dir) throws IOException {
    Path path = dir.resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new SnapshotFormatException(path, 0, "dump [" + section + "]: expected a file of memory bytes, found "
          + (Files.exists(path) ? "a directory" : "no such file"));
    }
    long size = Files.size(path);
    // unsigned: a length of 0xFFFFFFFFFFFFFFFF is huge, not -1
    if (Long.compareUnsigned(offset, size) > 0 || Long.compareUnsigned(length, size - offset) > 0) {
      throw new SnapshotFormatException(path, 0, "dump [" + section + "] wants " + Long.toUnsignedString(length)
          + " bytes at offset " + Long.toUnsignedString(offset) + "; expected them inside the file of " + size + " bytes");
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new SnapshotFormatException(path, 0, "dump [" + section + "] of " + length + " bytes; expected below 2 GiB");
    }
    byte[] b = new byte[(int) length];
    try (InputStream in = Files.newInputStream(path)) {
      in.skipNBytes(offset);
      int n = in.readNBytes(b, 0, b.length);
      if (n != b.length) {
        throw new SnapshotFormatException(
            path, 0, "dump [" + section + "] wants " + length + " bytes at offset " + offset + ", file has only " + n);
      }
    }
    return b;
  }
}
