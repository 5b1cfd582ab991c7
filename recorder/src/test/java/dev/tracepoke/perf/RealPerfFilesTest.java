package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.Mmap2;
import dev.tracepoke.perf.PerfRecord.Raw;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Files recorded here by real {@code perf record} (testdata/perf/README.md): read without error,
 * in perf's order, and the same records perf 6.1's {@code report -D} listed
 * ({@code NAME.records}, made from its output when the files were recorded; compared with a live
 * perf run as well where perf is installed).
 */
class RealPerfFilesTest {

  @ParameterizedTest
  @ValueSource(strings = {"cpu-clock-true", "cpu-clock-sleep", "cpu-clock-per-thread", "cpu-clock-zstd"})
  void readsWhatPerfRecordWroteAndListsWhatPerfListed(String name) throws IOException {
    Path data = TestPaths.testdata("perf").resolve(name + ".data");
    List<String> expected = Files.readAllLines(TestPaths.testdata("perf").resolve(name + ".records"));
    List<String> ours = PerfReportOracleTest.ours(data).stream().map(s -> s.replaceFirst(" \\[", " [")).toList();
    assertEquals(expected, ours);
    try (PerfDataReader r = PerfDataReader.open(data)) {
      assertEquals(List.of(), r.warnings());
      assertEquals(expected.size(), r.readAll().size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu-clock-true", "cpu-clock-sleep", "cpu-clock-per-thread", "cpu-clock-zstd"})
  void livePerfListsTheSameRecords(String name) throws IOException {
    PerfTool.assumePerf();
    Path data = TestPaths.testdata("perf").resolve(name + ".data");
    PerfTool.Run run = PerfTool.run(data.getParent(), PerfTool.PERF, "report", "-D", "-i", data.toString());
    assertEquals(0, run.exit(), run.err());
    assertEquals(PerfReportOracleTest.perfs(PerfTool.records(run.out())), PerfReportOracleTest.ours(data));
  }

  @Test
  void typedValuesOfARealFile() throws IOException {
    try (PerfDataReader r = PerfDataReader.open(TestPaths.testdata("perf").resolve("cpu-clock-true.data"))) {
      assertEquals(264, r.dataStart());
      assertEquals(264 + 1008, r.dataEnd());
      AttrEntry e = r.attrs().get(0);
      assertEquals("cpu-clock", e.name());
      assertArrayEquals(new long[] {17, 18}, e.ids());
      assertEquals(1, e.attr().type());
      assertEquals(128, e.attr().size());
      assertEquals(0x107, e.attr().sampleType());
      assertEquals(4000, e.attr().samplePeriod());
      assertEquals("x86_64", r.features().arch().orElseThrow());
      assertEquals("6.1.192", r.features().version().orElseThrow());
      assertEquals("vm", r.features().hostname().orElseThrow());
      assertEquals(new PerfFeatures.NrCpus(2, 2), r.features().nrCpus().orElseThrow());
      assertEquals(List.of("/usr/bin/perf", "record", "-e", "cpu-clock", "-o", "cpu-clock-true.data", "--", "true"),
          r.features().cmdline());
      List<FileRecord> all = r.readAll();
      Comm exec = (Comm) all.get(8).record();
      assertEquals("true", exec.comm());
      assertEquals(true, exec.exec());
      Mmap2 m = (Mmap2) all.get(9).record();
      assertEquals("/usr/bin/true", m.filename());
      assertEquals(0x2000, m.pgoff());
      assertEquals(0x4000, m.len());
      assertEquals(5, m.prot());
      assertEquals(0xfe, m.maj());
      assertEquals(260958, m.ino());
      assertEquals(m.pid(), m.sampleId().pid());
      assertEquals(SampleId.TID | SampleId.TIME, m.sampleId().fields());
      PerfRecord.Mmap kernel = (PerfRecord.Mmap) all.get(1).record();
      assertEquals(PerfRecord.MISC_KERNEL, kernel.misc());
      assertEquals(-1, kernel.pid());
      assertEquals(0xffffffff81000000L, kernel.start());
      assertEquals(0x120bb08, kernel.len());
      assertEquals(0xffffffff81000000L, kernel.pgoff());
      assertEquals("[kernel.kallsyms]_text", kernel.filename());
      Raw idIndex = (Raw) all.get(0).record();
      assertEquals(69, idIndex.type());
      assertEquals(72, idIndex.body().length);
    }
  }

  @Test
  void pipeModeIsRefusedClearly() {
    Path f = TestPaths.testdata("perf").resolve("cpu-clock-pipe.data");
    PerfDataException e = assertThrows(PerfDataException.class, () -> PerfDataReader.open(f).close());
    assertEquals(8, e.offset());
    assertEquals("pipe-mode perf.data (header size 16) is not supported", e.expected());
  }
}
