package dev.tracepoke.elf;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not the ELF64 we expect; names the file, the byte offset and the expectation. */
public final class ElfFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long offset;

  public ElfFormatException(Path file, long offset, String expectation) {
    super(file + " at byte offset " + offset + ": " + expectation);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
