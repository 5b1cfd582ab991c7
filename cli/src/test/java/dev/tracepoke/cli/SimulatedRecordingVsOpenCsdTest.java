package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.etm4.OpenCsdIndex;
import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.input.PacketListing;
import dev.tracepoke.decode.input.SnapshotStreams;
import dev.tracepoke.perf.AuxtraceQueue;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.sim.etm.EtmConfig;
import dev.tracepoke.sim.scenario.EtmUnit;
import dev.tracepoke.sim.scenario.EventStyle;
import dev.tracepoke.sim.scenario.Protocol;
import dev.tracepoke.sim.scenario.Scenario;
import dev.tracepoke.sim.scenario.Simulation;
import dev.tracepoke.snapshot.EtmRegisters;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.SnapshotWriter;
import dev.tracepoke.snapshot.TraceBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packets of a simulator recording against OpenCSD: the simulator records a small scenario (two
 * cores, timer IRQs, syscalls, periodic overflows) as a perf directory; its AUX queues are written
 * as an OpenCSD snapshot (one CoreSight buffer per CPU queue, one ETM per CPU with the registers of
 * AUXTRACE_INFO). For every core, our packet list equals trc_pkt_lister's (where installed), and
 * the perf listing equals the snapshot listing.
 */
class SimulatedRecordingVsOpenCsdTest {

  @TempDir Path tmp;

  @Test
  void everyCoresPacketsEqualOpenCsds() throws Exception {
    Scenario s =
        new Scenario("packets", 2, 7, 400_000, 200, Protocol.NOSYNC, EventStyle.NONE, 0, 50_000, 40, 0.5, 1024,
            4096, 150_000, false);
    Path rec = tmp.resolve("rec");
    new Simulation(s).record(rec, EtmUnit::new);

    // The recording as an OpenCSD snapshot: one buffer per AUX queue.
    Path snap = tmp.resolve("snapshot");
    SnapshotWriter w = new SnapshotWriter(snap, "simulated recording");
    List<String> buffers = new ArrayList<>();
    try (PerfDataReader r = PerfDataReader.open(rec.resolve("data"))) {
      CsEtmInfo info = null;
      RecordCursor c = r.fileOrder();
      for (FileRecord f = c.next(); f != null; f = c.next()) {
        if (f.record() instanceof PerfRecord.AuxtraceInfo ai && ai.priv() instanceof CsEtmInfo cs) {
          info = cs;
        }
      }
      assertEquals(2, info.cpus().size());
      for (EtmV4Params p : info.cpus()) {
        w.core("cpu_" + p.cpu(), "ARM-AA64", List.of());
        w.etm4("ETM_" + p.cpu(), "cpu_" + p.cpu(), new EtmRegisters(p.trcconfigr(), p.trctraceidr(), p.trcidr0(),
            p.trcidr1(), p.trcidr2(), p.trcidr8(), 0, 0, 0, 0, 0));
      }
      for (AuxtraceQueue q : r.auxtraceQueues()) {
        byte[] data;
        try (InputStream in = r.queueStream(q)) {
          data = in.readAllBytes();
        }
        w.buffer("ETB_" + q.cpu(), TraceBuffer.Format.CORESIGHT, data, "ETM_" + q.cpu());
        buffers.add("ETB_" + q.cpu());
      }
    }
    w.write();
    Snapshot snapshot = SnapshotReader.read(snap);
    assertEquals(List.of("ETB_0", "ETB_1"), buffers);

    // Perf listing and snapshot listing agree packet for packet.
    StringBuilder perf = new StringBuilder();
    PacketListing.Summary fromPerf = PacketListing.list(rec, perf);
    StringBuilder fromSnap = new StringBuilder();
    PacketListing.listSnapshot(snapshot, fromSnap);
    assertEquals(packetLines(perf), packetLines(fromSnap));
    assertEquals(2, fromPerf.streams().size());
    for (PacketListing.Stream st : fromPerf.streams()) {
      assertTrue(st.packets() > 1000, st.toString());
    }
    assertFalse(perf.toString().contains(" ERROR "), "no bad packets in a simulated stream");
    assertTrue(perf.toString().contains(" OVERFLOW\n"), "the scenario's overflows are in the trace");

    Optional<Path> lister = SimulatedStreamsVsOpenCsdTest.onPath("trc_pkt_lister");
    assumeTrue(lister.isPresent(), "trc_pkt_lister not installed; skipping the OpenCSD comparison");
    for (String buffer : buffers) {
      Map<String, List<String>> theirs = new TreeMap<>();
      for (String line : SimulatedStreamsVsOpenCsdTest.run(snap, lister.get().toString(), "-ss_dir", snap.toString(),
          "-src_name", buffer, "-logstdout", "-logfilename", "/dev/null")) {
        String[] p = OpenCsdPacketText.parseListerLine(line);
        if (p != null) {
          theirs.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
        }
      }
      Map<String, List<String>> ours = new TreeMap<>();
      SnapshotStreams.BufferPlan plan = SnapshotStreams.plan(snapshot, snapshot.buffer(buffer).orElseThrow());
      Map<Integer, OpenCsdIndex> indices = new TreeMap<>();
      SnapshotStreams.read(snapshot, plan, src -> {
        OpenCsdIndex ix = new OpenCsdIndex();
        indices.put(src.traceId(), ix);
        List<String> l = ours.computeIfAbsent(Integer.toHexString(src.traceId()), k -> new ArrayList<>());
        return new PacketReader(src.config(), new OpenCsdPacketText(ix, l::add));
      }, src -> indices.get(src.traceId()));
      assertEquals(theirs.keySet(), ours.keySet(), buffer);
      for (String id : theirs.keySet()) {
        assertEquals(theirs.get(id).size(), ours.get(id).size(), buffer + " trace ID " + id);
        assertEquals(theirs.get(id), ours.get(id), buffer + " trace ID " + id);
      }
    }
  }

  /** The listing without its stream headers. */
  static List<String> packetLines(CharSequence listing) {
    List<String> out = new ArrayList<>();
    for (String l : listing.toString().split("\n")) {
      if (!l.startsWith("#")) {
        out.add(l);
      }
    }
    return out;
  }

}
