package dev.tracepoke.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged snapshots found by the mutation campaign of issue 16: each is an error naming the file,
 * the ini line of the field, what was expected and what was found; none allocates by a header
 * value or is read in silence.
 */
class SnapshotDamageTest {
  static final String SNAPSHOT = "[snapshot]\nversion=1.0\n\n[device_list]\ndevice0=cpu_0.ini\ndevice1=etm_0.ini\n\n"
      + "[trace]\nmetadata=trace.ini\n";
  static final String CPU = "[device]\nname=cpu_0\nclass=core\ntype=ARM-AA64\n\n[dump1]\nfile=mem.bin\n"
      + "address=0xFFFF800008000000\nlength=0x100\n";
  static final String ETM = "[device]\nname=etm_0\nclass=trace_source\ntype=ETM4\n\n[regs]\nTRCCONFIGR=0x1\n"
      + "TRCTRACEIDR=0x10\nTRCIDR0=0x28000EA1\nTRCIDR2=0x488\n";
  static final String TRACE = "[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\nname=etr_0\nfile=etr_0.bin\n"
      + "format=coresight\n\n[source_buffers]\netm_0=etr_0\n\n[core_trace_sources]\ncpu_0=etm_0\n";

  @TempDir Path dir;

  private Path write(String snapshot, String cpu, String trace) throws IOException {
    Files.writeString(dir.resolve("snapshot.ini"), snapshot);
    Files.writeString(dir.resolve("cpu_0.ini"), cpu);
    Files.writeString(dir.resolve("etm_0.ini"), ETM);
    Files.writeString(dir.resolve("trace.ini"), trace);
    Files.write(dir.resolve("mem.bin"), new byte[0x100]);
    Files.write(dir.resolve("etr_0.bin"), new byte[64]);
    return dir;
  }

  private String error(String snapshot, String cpu, String trace) throws IOException {
    write(snapshot, cpu, trace);
    return assertThrows(SnapshotFormatException.class, () -> SnapshotReader.read(dir)).getMessage();
  }

  @Test
  void wellFormedSnapshotReads() throws IOException {
    Snapshot s = SnapshotReader.read(write(SNAPSHOT, CPU, TRACE));
    assertEquals(0x100, s.cores().get(0).dumps().get(0).read(dir).length);
  }

  @Test
  void dumpLengthLargerThanItsFileIsAnErrorBeforeAnyAllocation() throws IOException {
    assertEquals(dir.resolve("cpu_0.ini") + ":9: length=0x40000000 of [dump1]; expected at most the 256 bytes"
            + " mem.bin holds from offset 0",
        error(SNAPSHOT, CPU.replace("length=0x100", "length=0x40000000"), TRACE));
    assertEquals(dir.resolve("cpu_0.ini") + ":9: length=0xffffffffffffffff of [dump1]; expected at most the 256 bytes"
            + " mem.bin holds from offset 0",
        error(SNAPSHOT, CPU.replace("length=0x100", "length=0xFFFFFFFFFFFFFFFF"), TRACE));
  }

  @Test
  void memoryDumpChecksTheFileBeforeAllocating() throws IOException {
    write(SNAPSHOT, CPU, TRACE);
    MemoryDump huge = new MemoryDump("dump1", "mem.bin", 0, 0, 0x40000000L, "");
    assertEquals(dir.resolve("mem.bin") + ": dump [dump1] wants 1073741824 bytes at offset 0; expected them inside"
        + " the file of 256 bytes", assertThrows(SnapshotFormatException.class, () -> huge.read(dir)).getMessage());
  }

  @Test
  void dumpOffsetPastTheEndIsNamed() throws IOException {
    assertEquals(dir.resolve("cpu_0.ini") + ":10: offset=0x1d0 of [dump1]; expected at most the size of mem.bin"
            + " (256 bytes)",
        error(SNAPSHOT, CPU.replace("length=0x100\n", "length=0x10\noffset=0x1d0\n"), TRACE));
    // no length: the rest of the file from the offset, which must not be negative
    assertEquals(dir.resolve("cpu_0.ini") + ":9: offset=0x1d0 of [dump1]; expected at most the size of mem.bin"
            + " (256 bytes)",
        error(SNAPSHOT, CPU.replace("length=0x100\n", "offset=0x1d0\n"), TRACE));
  }

  @Test
  void dumpThatWrapsTheAddressSpaceIsNamed() throws IOException {
    assertEquals(dir.resolve("cpu_0.ini") + ":8: address=0xffffffffffffffff with length 256 of [dump1] wraps the"
            + " address space; expected it to end by 2^64",
        error(SNAPSHOT, CPU.replace("0xFFFF800008000000", "0xFFFFFFFFFFFFFFFF"), TRACE));
  }

  @Test
  void traceIniWithoutSourceBuffersHeaderIsAnError() throws IOException {
    assertEquals(dir.resolve("trace.ini") + ": expected a [source_buffers] section naming the trace sources of etr_0,"
            + " found none (without it no trace would be decoded)",
        error(SNAPSHOT, CPU, TRACE.replace("[source_buffers]\n", "")));
  }

  @Test
  void sourceNamingAMissingBufferIsAnError() throws IOException {
    assertEquals(dir.resolve("trace.ini") + ":10: source etm_0 names buffer 'etr_9'; expected one of [etr_0]"
            + " (the name= of a buffer)",
        error(SNAPSHOT, CPU, TRACE.replace("etm_0=etr_0", "etm_0=etr_9")));
  }

  @Test
  void missingFilesAreNamedWithTheLineThatNamesThem() throws IOException {
    assertEquals(dir.resolve("snapshot.ini") + ":6: device file etm_9.ini: expected a file, found no such file",
        error(SNAPSHOT.replace("etm_0.ini", "etm_9.ini"), CPU, TRACE));
    assertEquals(dir.resolve("trace.ini") + ":6: buffer file etr_9.bin: expected a file, found no such file",
        error(SNAPSHOT, CPU, TRACE.replace("file=etr_0.bin", "file=etr_9.bin")));
    Files.createDirectories(dir.resolve("sub"));
    assertEquals(dir.resolve("trace.ini") + ":6: buffer file sub: expected a file, found a directory",
        error(SNAPSHOT, CPU, TRACE.replace("file=etr_0.bin", "file=sub")));
    assertEquals(dir.resolve("snapshot.ini") + ":9: trace metadata file sub: expected a file, found a directory",
        error(SNAPSHOT.replace("metadata=trace.ini", "metadata=sub"), CPU, TRACE));
  }

  @Test
  void nulInAFileNameIsNamed() throws IOException {
    assertEquals(dir.resolve("snapshot.ini") + ":5: device file 'cpu\\0.ini': expected a file name, found nul"
            + " character not allowed",
        error(SNAPSHOT.replace("cpu_0.ini", "cpu\0.ini"), CPU, TRACE));
  }

  @Test
  void damagedTextQuotedInAMessageStaysOnOneLine() throws IOException {
    assertEquals(dir.resolve("trace.ini") + ":14: expected 'key=value' or '[section]', found 'gar\\x07bage\\x0dmore'",
        error(SNAPSHOT, CPU, TRACE + "gar\u0007bage\rmore\n"));
  }

  /**
   * An absolute file name (Jazzer's finding crash-7f1a1ae3: file=/dump.bin) would leave the snapshot
   * directory, where OpenCSD appends it to the directory: an error at the line that names it.
   */
  @Test
  void anAbsoluteFileNameIsAnErrorAtItsLine() throws IOException {
    assertEquals(dir.resolve("cpu_0.ini") + ":7: dump file '/dump.bin': expected a file name relative to the"
            + " snapshot directory, found an absolute path",
        error(SNAPSHOT, CPU.replace("file=mem.bin", "file=/dump.bin"), TRACE));
    assertEquals(dir.resolve("trace.ini") + ":6: buffer file '/etr_0.bin': expected a file name relative to the"
            + " snapshot directory, found an absolute path",
        error(SNAPSHOT, CPU, TRACE.replace("file=etr_0.bin", "file=/etr_0.bin")));
  }
}
