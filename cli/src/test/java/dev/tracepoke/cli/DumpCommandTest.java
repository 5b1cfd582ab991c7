package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.PerfEventAttr;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import dev.tracepoke.perf.SampleId;
import dev.tracepoke.recording.RecordingWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DumpCommandTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Tracepoke.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  static final long ST = SampleId.TID | SampleId.TIME | SampleId.CPU | SampleId.IDENTIFIER;

  static SampleId sid(int cpu, long time) {
    return SampleId.of(ST, 42, 43, time, 0, 0, cpu, 7);
  }

  /** A small perf directory with every typed record. */
  Path write() throws IOException {
    Path dir = tmp.resolve("rec");
    byte[] nop = {0x1f, 0x20, 0x03, (byte) 0xd5};
    byte[] b = {0x0f, 0x00, 0x00, 0x14};
    try (RecordingWriter w = RecordingWriter.create(dir, d -> d
        .event("cs_etm//", PerfEventAttr.builder(10, 0x10004000).sampleType(ST).build(), 7)
        .nrCpus(1, 1))) {
      w.data().write(new PerfRecord.AuxtraceInfo(3, CsEtmInfo.v1(10, List.of(
          EtmV4Params.etmV4(0, 0x840, 0x10, 0x28000ea1, 0x4100f403, 0x488, 0, 0xcc)))));
      w.data().write(new PerfRecord.TimeConv(10, 40960, 5, 0, 0, false, false, true));
      w.data().write(new PerfRecord.Comm(0, 42, 43, "kworker", sid(0, 300)));
      w.data().write(new PerfRecord.Mmap2(PerfRecord.MISC_KERNEL, -1, 0, 0xffff800008010000L, 0x1000,
          0xffff800008010000L, 0, 0, 0, 0, null, 5, 2, "[kernel.kallsyms]_text", sid(0, 100)));
      w.data().write(new PerfRecord.ItraceStart(0, 42, 43, sid(0, 101)));
      w.data().write(TextPoke.of(TextPoke.Phase.PRE, 0xffff800008010004L, nop, b, sid(0, 200)));
      w.data().write(TextPoke.of(TextPoke.Phase.LANDED, 0xffff800008010004L, nop, b, sid(0, 201)));
      w.data().write(TextPoke.of(TextPoke.Phase.POST, 0xffff800008010004L, nop, b, sid(0, 202)));
      w.data().write(new PerfRecord.Aux(0, 0, 48, 0, sid(0, 210)));
      w.data().write(new PerfRecord.FinishedRound());
      w.data().writeAuxtrace(0, 0x99, 0, 43, 0, ByteBuffer.allocate(16));
      w.data().writeAuxtrace(16, 0x9a, 0, 43, 0, ByteBuffer.allocate(32));
      w.data().write(new PerfRecord.Raw(82, 0, new byte[0]));
      w.data().write(new PerfRecord.FinishedRound());
    }
    return dir;
  }

  @Test
  void dumpListsEveryRecordInPerfsOrder() throws IOException {
    Path dir = write();
    assertEquals(0, run("dump", dir.toString()), err.toString());
    assertEquals("", err.toString());
    List<String> expected = List.of(
        "# " + dir + ": perf directory, data at 0x100, 832 bytes",
        "# event cs_etm//: type 10, size 128, config 0x10004000, sample_type 0x10086, sample_id_all 1, ids 7",
        "# features: ARCH NRCPUS EVENT_DESC AUXTRACE",
        "0x100 [0x78] t=- cpu=- AUXTRACE_INFO type=3 CS_ETM version=1 pmu_type=10 snapshot=0 cpus=1",
        "    cpu 0 ETMv4 TRCCONFIGR=0x840 TRCTRACEIDR=0x10 TRCIDR0=0x28000ea1 TRCIDR1=0x4100f403 TRCIDR2=0x488"
            + " TRCIDR8=0x0 TRCAUTHSTATUS=0xcc",
        "0x178 [0x38] t=- cpu=- TIME_CONV time_shift=10 time_mult=40960 time_zero=5 time_cycles=0 time_mask=0x0"
            + " cap_user_time_zero=0 cap_user_time_short=0",
        "0x398 [0x8] t=- cpu=- FINISHED_ROUND",
        "0x3a0 [0x30] t=- cpu=- AUXTRACE size=0x10 offset=0x0 ref=0x99 idx=0 tid=43 cpu=0 data_at=0x3d0",
        "0x3e0 [0x30] t=- cpu=- AUXTRACE size=0x20 offset=0x10 ref=0x9a idx=0 tid=43 cpu=0 data_at=0x410",
        "0x430 [0x8] t=- cpu=- FINISHED_INIT misc=0x0 body=0 bytes",
        "0x438 [0x8] t=- cpu=- FINISHED_ROUND",
        "0x1e8 [0x80] t=100 cpu=0 MMAP2 pid=-1 tid=0 start=0xffff800008010000 len=0x1000 pgoff=0xffff800008010000"
            + " dev=0:0 ino=0 ino_gen=0 prot=5 flags=2 cpumode=1 file=[kernel.kallsyms]_text id=7",
        "0x268 [0x30] t=101 cpu=0 ITRACE_START pid=42 tid=43 id=7",
        "0x298 [0x40] t=200 cpu=0 TEXT_POKE addr=0xffff800008010004 old=1f2003d5 new=0f000014 PRE id=7",
        "0x2d8 [0x40] t=201 cpu=0 TEXT_POKE addr=0xffff800008010004 old=1f2003d5 new=0f000014 LANDED id=7",
        "0x318 [0x40] t=202 cpu=0 TEXT_POKE addr=0xffff800008010004 old=1f2003d5 new=0f000014 POST id=7",
        "0x358 [0x40] t=210 cpu=0 AUX aux_offset=0x0 aux_size=0x30 flags=0x0 id=7",
        "0x1b0 [0x38] t=300 cpu=0 COMM pid=42 tid=43 comm=kworker id=7",
        "# AUXTRACE idx 0 cpu 0: 2 buffers, 48 bytes",
        "# 14 records");
    assertEquals(expected, out.toString().lines().toList());
  }

  @Test
  void jsonWritesOneObjectPerRecord() throws IOException {
    Path dir = write();
    assertEquals(0, run("dump", "--json", "--file-order", dir.toString()), err.toString());
    List<String> lines = out.toString().lines().toList();
    assertEquals(14, lines.size());
    ObjectMapper m = new ObjectMapper();
    JsonNode info = m.readTree(lines.get(0));
    assertEquals(256, info.get("offset").asLong());
    assertEquals("AUXTRACE_INFO", info.get("name").asText());
    assertEquals(true, info.get("time").isNull());
    JsonNode cpu0 = info.get("fields").get("cs_etm").get("cpus").get(0);
    assertEquals("0x4100f403", cpu0.get("TRCIDR1").asText());
    assertEquals(16, cpu0.get("trace_id").asInt());
    JsonNode pre = m.readTree(lines.get(5));
    assertEquals("{\"offset\":664,\"size\":64,\"type\":20,\"name\":\"TEXT_POKE\",\"misc\":8193,\"time\":200,"
        + "\"cpu\":0,\"pid\":42,\"tid\":43,\"id\":7,\"fields\":{\"addr\":\"0xffff800008010004\","
        + "\"old\":\"1f2003d5\",\"new\":\"0f000014\",\"phase\":\"PRE\"}}", lines.get(5));
    assertEquals("PRE", pre.get("fields").get("phase").asText());
    JsonNode aux = m.readTree(lines.get(10));
    assertEquals("{\"size\":16,\"offset\":0,\"reference\":\"0x99\",\"idx\":0,\"tid\":43,\"cpu\":0,"
        + "\"data_position\":976}", aux.get("fields").toString());
    List<String> names = new ArrayList<>();
    for (String l : lines) {
      names.add(m.readTree(l).get("name").asText());
    }
    assertEquals(List.of("AUXTRACE_INFO", "TIME_CONV", "COMM", "MMAP2", "ITRACE_START", "TEXT_POKE", "TEXT_POKE",
        "TEXT_POKE", "AUX", "FINISHED_ROUND", "AUXTRACE", "AUXTRACE", "FINISHED_INIT", "FINISHED_ROUND"), names);
  }

  @Test
  void damageIsReportedAfterTheRecordsBeforeIt() throws IOException {
    Path dir = write();
    Path data = dir.resolve("data");
    byte[] b = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(b, 0x298 + 20));
    assertEquals(1, run("dump", "--file-order", dir.toString()));
    List<String> lines = out.toString().lines().toList();
    assertEquals("0x268 [0x30] t=101 cpu=0 ITRACE_START pid=42 tid=43 id=7", lines.get(lines.size() - 2));
    assertEquals("# 5 records", lines.get(lines.size() - 1));
    assertEquals(List.of(
        "tracepoke dump: warning: " + data + ": at byte 48: recording cut short: the header says data runs to byte 1088"
            + " but the file ends at byte 684",
        "tracepoke dump: warning: " + data + ": at byte 48: feature sections not read: they follow the data section,"
            + " which the file does not hold whole",
        "tracepoke dump: " + data + ": at byte 664: PERF_RECORD_TEXT_POKE of 64 bytes runs past the end of the file"
            + " (recording cut short) at byte 684 (20 bytes left)"), err.toString().lines().toList());
  }

  @Test
  void missingRecordingIsAnErrorNotAStackTrace() {
    assertEquals(1, run("dump", tmp.resolve("nothing").toString()));
    assertEquals("tracepoke dump: " + tmp.resolve("nothing") + ": no such recording\n", err.toString());
  }

  @Test
  void packetsOfASnapshotDirectory() {
    Path a57 = BenchDecodeCommand.defaultSnapshot();
    org.junit.jupiter.api.Assumptions.assumeTrue(a57 != null, "no shared/conformance snapshots");
    a57 = a57.resolveSibling("a57_single_step");
    assertEquals(0, run("dump", "--packets", a57.toString()), err.toString());
    // offsets are in trace ID 0x10's deformatted stream; the 9 packets trc_pkt_lister lists too
    assertEquals(String.join("\n",
        "# buffer CSTMC_TRACE_FIFO source CSETM_0 trace-id 0x10 core Cortex-A57_0 Cortex-A57 (v8)",
        "0 0 ASYNC",
        "12 1 TRACE_INFO info=0x0",
        "14 2 TRACE_ON",
        "15 3 CONTEXT EL2 AArch64 NS vmid=0x0 cid=0x0",
        "25 4 ADDR_L64_IS0 0x00000000fffeb448",
        "34 5 EXCEPTION debug-halt(0x1) ret-addr-follows",
        "36 6 ADDR_L64_IS0 0x00000000fffeb44c",
        "45 7 CONTEXT EL2 AArch64 NS vmid=0x0 cid=0x0",
        "55 8 TIMESTAMP 0x2f150c0 bits=64",
        ""), out.toString());
    assertEquals("tracepoke dump: buffer CSTMC_TRACE_FIFO source CSETM_0 trace-id 0x10 core Cortex-A57_0"
        + " Cortex-A57 (v8): 9 packets in 63 bytes\n", err.toString());
    assertEquals(2, run("dump", a57.toString()));
  }
}
