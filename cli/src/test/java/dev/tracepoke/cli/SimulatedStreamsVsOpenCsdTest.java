package dev.tracepoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.coresight.FrameFormatter;
import dev.tracepoke.decode.etm4.OpenCsdIndex;
import dev.tracepoke.decode.etm4.OpenCsdPacketText;
import dev.tracepoke.decode.etm4.PacketPrinter;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.input.SnapshotStreams;
import dev.tracepoke.sim.etm.EtmConfig;
import dev.tracepoke.sim.etm.PacketEncoder;
import dev.tracepoke.sim.etm.PacketKind;
import dev.tracepoke.sim.etm.TraceBuffer;
import dev.tracepoke.snapshot.EtmRegisters;
import dev.tracepoke.snapshot.Snapshot;
import dev.tracepoke.snapshot.SnapshotReader;
import dev.tracepoke.snapshot.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's ETMv4 encoder, our snapshot writer, our packet reader and OpenCSD together: two
 * cores' streams of every packet form the encoder has, framed into one CoreSight buffer, written
 * as a snapshot. Our reader must find exactly the packets the encoder counted, and, where
 * trc_pkt_lister is installed, list them exactly as OpenCSD 1.3.3 does per trace ID.
 */
class SimulatedStreamsVsOpenCsdTest {

  @TempDir Path tmp;

  /** A deterministic mix of every packet the simulated trace unit emits. */
  static PacketEncoder stream(TraceBuffer out, EtmConfig cfg, long seed) {
    PacketEncoder e = new PacketEncoder(out);
    Random rnd = new Random(seed);
    long base = 0xFFFF_8000_0801_0000L + 0x1_0000L * cfg.cpu();
    int cid = 0x100 + cfg.cpu();
    e.async();
    e.traceInfo(true, 0);
    e.traceOn();
    e.addressWithContext(base, PacketEncoder.contextInfo(1, true, true), cid);
    long ts = 0x1_0000_0000L;
    for (int step = 0; step < 3000; step++) {
      int r = rnd.nextInt(100);
      if (r < 50) {
        int count = 1 + rnd.nextInt(24);
        int pattern = rnd.nextBoolean() ? rnd.nextInt() : ~(rnd.nextInt() & rnd.nextInt());
        while (count > 0) {
          int took = e.atoms(pattern, count);
          pattern >>>= took;
          count -= took;
        }
      } else if (r < 68) {
        long a = rnd.nextInt(4) == 0 ? 0x40_0000L + (rnd.nextInt(1 << 20) << 2) : base + (rnd.nextInt(1 << 14) << 2);
        e.address(a);
      } else if (r < 75) {
        ts += 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 1 << 20);
        e.timestamp(ts);
      } else if (r < 80) {
        int type = new int[] {PacketEncoder.EXC_CALL, PacketEncoder.EXC_IRQ, PacketEncoder.EXC_TRAP}[rnd.nextInt(3)];
        e.exception(type, rnd.nextInt(4) == 0 ? PacketEncoder.EXC_RETURN_ADDRESS_IS_TARGET : PacketEncoder.EXC_RETURN_ADDRESS_FOLLOWS);
        e.address(base + (rnd.nextInt(1 << 10) << 2));
        e.addressWithContext(0xFFFF_8000_0800_0400L, PacketEncoder.contextInfo(1, true, true), cid);
      } else if (r < 84) {
        e.exceptionReturn();
      } else if (r < 87) {
        e.context(PacketEncoder.contextInfo(rnd.nextInt(2), true, true), ++cid);
      } else if (r < 90) {
        e.exactMatch(rnd.nextInt(3));
      } else if (r < 92) {
        e.async();
        e.traceInfo(rnd.nextBoolean(), 0);
        e.addressWithContext(base, PacketEncoder.contextInfo(1, true, true), cid);
      } else if (r < 93) {
        e.overflow();
        e.async();
        e.traceInfo(true, 0);
        e.traceOn();
        e.addressWithContext(base, PacketEncoder.contextInfo(1, true, true), cid);
      } else {
        e.address(base + (rnd.nextInt(1 << 7) << 2));
      }
    }
    return e;
  }

  static EtmRegisters registers(EtmConfig c) {
    Map<String, Long> r = c.snapshotRegisters();
    return new EtmRegisters(r.get("TRCCONFIGR"), r.get("TRCTRACEIDR"), r.get("TRCIDR0"), r.get("TRCIDR1"),
        r.get("TRCIDR2"), r.get("TRCIDR8"), 0, 0, 0, 0, 0);
  }

  @Test
  void encoderStreamsReadBackAndListAsOpenCsdListsThem() throws Exception {
    EtmConfig[] cfgs = {EtmConfig.forCpu(0).withTimestamps(true, 1000), EtmConfig.forCpu(1).withTimestamps(true, 1000)};
    byte[][] streams = new byte[2][];
    PacketEncoder[] encoders = new PacketEncoder[2];
    for (int c = 0; c < 2; c++) {
      TraceBuffer b = new TraceBuffer(1 << 16);
      encoders[c] = stream(b, cfgs[c], 42 + c);
      streams[c] = b.toByteArray();
    }
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    FrameFormatter f = new FrameFormatter(framed);
    int[] at = new int[2];
    int[][] slices = {{5, 1, 9, 3}, {2, 7, 4}};
    for (int k = 0; at[0] < streams[0].length || at[1] < streams[1].length; k++) {
      for (int c = 0; c < 2; c++) {
        int n = Math.min(slices[c][k % slices[c].length], streams[c].length - at[c]);
        f.write(cfgs[c].traceId(), streams[c], at[c], n);
        at[c] += n;
      }
    }
    f.pad(1);
    Path dir = tmp.resolve("snapshot");
    new SnapshotWriter(dir, "simulated ETMv4 streams")
        .core("cpu_0", "ARM-AA64", List.of())
        .core("cpu_1", "ARM-AA64", List.of())
        .etm4("ETM_0", "cpu_0", registers(cfgs[0]))
        .etm4("ETM_1", "cpu_1", registers(cfgs[1]))
        .buffer("ETB_0", dev.tracepoke.snapshot.TraceBuffer.Format.CORESIGHT, framed.toByteArray(), "ETM_0", "ETM_1")
        .write();
    Snapshot s = SnapshotReader.read(dir);
    SnapshotStreams.BufferPlan plan = SnapshotStreams.plan(s, s.buffers().get(0));
    assertEquals(2, plan.sources().size());

    // Oracle-free: our reader finds exactly what the encoder wrote, packet kind by packet kind.
    Map<Integer, StringBuilder> listings = new TreeMap<>();
    SnapshotStreams.read(s, plan, src -> new PacketReader(src.config(),
        new PacketPrinter(listings.computeIfAbsent(src.traceId(), k -> new StringBuilder()))), src -> null);
    for (int c = 0; c < 2; c++) {
      Map<String, Long> ours = new TreeMap<>();
      for (String line : listings.get(cfgs[c].traceId()).toString().split("\n")) {
        ours.merge(line.split(" ")[2], 1L, Long::sum);
      }
      PacketEncoder e = encoders[c];
      Map<String, Long> expected = new TreeMap<>();
      put(expected, "ASYNC", e.count(PacketKind.ASYNC));
      put(expected, "TRACE_INFO", e.count(PacketKind.TRACE_INFO));
      put(expected, "TRACE_ON", e.count(PacketKind.TRACE_ON));
      put(expected, "TIMESTAMP", e.count(PacketKind.TIMESTAMP));
      put(expected, "CONTEXT", e.count(PacketKind.CONTEXT));
      put(expected, "ADDR_CTXT_L32_IS0", e.count(PacketKind.ADDR_CTXT_32));
      put(expected, "ADDR_CTXT_L64_IS0", e.count(PacketKind.ADDR_CTXT_64));
      put(expected, "ADDR_MATCH[0]", 0);
      put(expected, "ADDR_S_IS0", e.count(PacketKind.SHORT_ADDR_1) + e.count(PacketKind.SHORT_ADDR_2));
      put(expected, "ADDR_L32_IS0", e.count(PacketKind.LONG_ADDR_32));
      put(expected, "ADDR_L64_IS0", e.count(PacketKind.LONG_ADDR_64));
      put(expected, "EXCEPTION", e.count(PacketKind.EXCEPTION));
      put(expected, "EXCEPTION_RETURN", e.count(PacketKind.EXCEPTION_RETURN));
      put(expected, "OVERFLOW", e.count(PacketKind.OVERFLOW));
      for (int fmt = 1; fmt <= 6; fmt++) {
        put(expected, "ATOM_F" + fmt, e.count(PacketKind.valueOf("ATOM_F" + fmt)));
      }
      long matches = 0;
      for (String k : List.copyOf(ours.keySet())) {
        if (k.startsWith("ADDR_MATCH[")) {
          matches += ours.remove(k);
        }
      }
      expected.remove("ADDR_MATCH[0]");
      put(expected, "ADDR_MATCH", e.count(PacketKind.EXACT_MATCH));
      put(ours, "ADDR_MATCH", matches);
      assertEquals(expected, ours, "cpu " + c);
      assertTrue(
          expected.values().stream().allMatch(n -> n >= 10) && expected.size() == 20,
          "every packet form occurs at least 10 times: " + expected);
    }

    Optional<Path> lister = onPath("trc_pkt_lister");
    assumeTrue(lister.isPresent(), "trc_pkt_lister not installed; skipping the OpenCSD listing comparison");
    Map<String, List<String>> theirs = new TreeMap<>();
    for (String line : run(dir, lister.get().toString(), "-ss_dir", dir.toString(), "-logstdout", "-logfilename", "/dev/null")) {
      String[] p = OpenCsdPacketText.parseListerLine(line);
      if (p != null) {
        theirs.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
      }
    }
    Map<String, List<String>> ours = new TreeMap<>();
    Map<Integer, OpenCsdIndex> indices = new TreeMap<>();
    SnapshotStreams.read(s, plan, src -> {
      OpenCsdIndex ix = new OpenCsdIndex();
      indices.put(src.traceId(), ix);
      List<String> l = ours.computeIfAbsent(Integer.toHexString(src.traceId()), k -> new ArrayList<>());
      return new PacketReader(src.config(), new OpenCsdPacketText(ix, l::add));
    }, src -> indices.get(src.traceId()));
    assertEquals(theirs.keySet(), ours.keySet());
    for (String id : theirs.keySet()) {
      assertEquals(theirs.get(id).size(), ours.get(id).size(), "packets of trace ID " + id);
      assertEquals(theirs.get(id), ours.get(id), "trace ID " + id);
    }
  }

  private static void put(Map<String, Long> m, String k, long v) {
    if (v != 0) {
      m.put(k, v);
    }
  }

  static Optional<Path> onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path c = Path.of(d, exe);
      if (Files.isExecutable(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  static List<String> run(Path dir, String... cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir.getParent(), "oracle", ".txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out");
    List<String> lines = Files.readAllLines(log);
    Files.delete(log);
    return lines;
  }
}
