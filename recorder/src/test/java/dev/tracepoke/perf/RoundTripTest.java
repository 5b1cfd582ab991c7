package dev.tracepoke.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tracepoke.perf.PerfRecord.Auxtrace;
import dev.tracepoke.perf.PerfRecord.AuxtraceInfo;
import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.Mmap2;
import dev.tracepoke.perf.PerfRecord.OpaquePriv;
import dev.tracepoke.perf.PerfRecord.Raw;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import dev.tracepoke.perf.PerfRecord.TimeConv;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
  @TempDir Path dir;

  @Test
  void everyRecordTypeComesBackFieldByField() throws IOException {
    Path f = dir.resolve("perf.data");
    List<FileRecord> written = SampleRecording.write(f);
    assertFalse(Files.exists(dir.resolve("perf.data.tmp")));
    try (PerfDataReader r = PerfDataReader.open(f)) {
      List<FileRecord> read = r.readAll();
      assertEquals(written.size(), read.size());
      for (int i = 0; i < written.size(); i++) {
        assertEquals(written.get(i), read.get(i), "record " + i);
      }
      assertEquals(List.of(), r.warnings());
      // header: 104 + 4 ids * 8 + 2 attrs * 144 = 424
      assertEquals(424, r.dataStart());
      assertEquals(424, read.get(0).offset());
      assertEquals(144, r.header().attrSize());
      assertEquals(List.of(
          new AttrEntry(SampleRecording.csEtmAttr(), new long[] {101, 102}, "cs_etm//"),
          new AttrEntry(SampleRecording.dummyAttr(), new long[] {201, 202}, "dummy:u")), r.attrs());
      // AUXTRACE_INFO: 16 + 8 * (3 + 2 * 10) = 200 bytes, as perf prints [0xc8]
      assertEquals(200, read.get(0).size());
      CsEtmInfo cs = (CsEtmInfo) ((AuxtraceInfo) read.get(0).record()).priv();
      assertEquals(1, cs.version());
      assertEquals(10, cs.pmuType());
      assertEquals(0x12, cs.cpus().get(1).traceId());
      assertEquals(0x4100f403L, cs.cpus().get(1).trcidr1());
      assertEquals(0x840, cs.cpus().get(0).trcconfigr()); // CTXTID + TS, as perf's probe CPU-wide file
      assertEquals(56, read.get(1).size()); // TIME_CONV extended
      assertEquals(8 + 8 + 16 + 32, read.get(2).size()); // COMM "etm-probe"
      assertEquals(96 + 32, read.get(4).size()); // MMAP2 /usr/bin/etm-probe: 72 + 24-byte name + trailer
      assertEquals(96 + 32, read.get(3).size()); // MMAP2 [kernel.kallsyms]_text
      assertEquals(0x40, read.get(7).size()); // TEXT_POKE 4->4 bytes: 32 + 32-byte trailer
      TextPoke pre = (TextPoke) read.get(7).record();
      assertEquals(TextPoke.Phase.PRE, pre.phase());
      assertEquals(0x2001, pre.misc());
      assertEquals(TextPoke.Phase.LANDED, ((TextPoke) read.get(8).record()).phase());
      assertEquals(0x4001, ((TextPoke) read.get(9).record()).misc());
      assertTrue(((TextPoke) read.get(9).record()).isPost());
      assertEquals(1010, read.get(7).time());
      assertEquals(1, read.get(7).cpu());
      Auxtrace a1 = (Auxtrace) read.get(13).record();
      assertEquals(48, a1.size());
      assertEquals(read.get(13).offset() + 48, a1.dataPosition());
      try (InputStream in = r.payloadStream(a1)) {
        assertArrayEquals(SampleRecording.etmStream(0x10), in.readAllBytes());
      }
      List<AuxtraceQueue> qs = r.auxtraceQueues();
      assertEquals(2, qs.size());
      assertEquals(1, qs.get(1).cpu());
      try (InputStream in = r.queueStream(qs.get(1))) {
        assertArrayEquals(SampleRecording.etmStream(0x12), in.readAllBytes());
      }

      PerfFeatures ft = r.features();
      assertEquals("aarch64", ft.arch().orElseThrow());
      assertEquals(new PerfFeatures.NrCpus(2, 2), ft.nrCpus().orElseThrow());
      assertEquals("sim", ft.hostname().orElseThrow());
      assertEquals("6.1.0-tracepoke", ft.osRelease().orElseThrow());
      assertEquals("6.1.tracepoke", ft.version().orElseThrow());
      assertEquals("cs_etm", ft.pmuMappings().get(10));
      assertEquals(List.of(
          new PerfFeatures.AuxtraceIndexEntry(read.get(13).offset(), 48),
          new PerfFeatures.AuxtraceIndexEntry(read.get(14).offset(), 48)), ft.auxtraceIndex());
      assertEquals(List.of(3, 4, 5, 6, 7, 12, 16, 18), List.copyOf(ft.sections().keySet()));
      // The feature table sits right after the data section.
      assertEquals(r.dataEnd() + 16 * 8, ft.sections().get(3).offset());
    }
  }

  @Test
  void textPokeBytesAreLaidOutAsTheKernelDoes() throws IOException {
    Path f = dir.resolve("poke.data");
    long at;
    try (PerfDataWriter w = PerfDataWriter.builder(f)
        .event("dummy:u", SampleRecording.dummyAttr().withSize(128), 7).open()) {
      w.write(new PerfRecord.AuxtraceInfo(AuxtraceInfo.TYPE_CS_ETM, SampleRecording.csEtm()));
      at = w.position();
      w.write(TextPoke.of(TextPoke.Phase.LANDED, 0xffff800008010004L, new byte[] {0x1f, 0x20, 0x03, (byte) 0xd5},
          new byte[] {0x0f, 0, 0, 0x14}, SampleId.of(SampleRecording.SAMPLE_TYPE, 1, 2, 0x1122, 0, 0, 1, 7)));
    }
    byte[] all = Files.readAllBytes(f);
    String hex = HexFormat.ofDelimiter(" ").formatHex(all, (int) at, (int) at + 64);
    assertEquals("14 00 00 00 01 00 40 00 04 00 01 08 00 80 ff ff 04 00 04 00 1f 20 03 d5 0f 00 00 14 00 00 00 00"
        + " 01 00 00 00 02 00 00 00 22 11 00 00 00 00 00 00 01 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00", hex);
  }

  @Test
  void oldTimeConvMmap2BuildIdRawAndOpaqueAuxtraceInfo() throws IOException {
    Path f = dir.resolve("misc.data");
    PerfEventAttr attr = PerfEventAttr.builder(1, 9).sampleType(SampleId.TID | SampleId.TIME).build();
    byte[] bid = HexFormat.of().parseHex("00112233445566778899aabbccddeeff01020304");
    List<PerfRecord> recs = List.of(
        new TimeConv(3, 4, 5, 0, 0, false, false, false),
        new Mmap2(PerfRecord.MISC_USER | PerfRecord.MISC_BIT14, 1, 2, 0x1000, 0x2000, 0, 0, 0, 0, 0, bid,
            5, 2, "/bin/x", SampleId.of(attr.sampleType(), 1, 2, 77, 0, 0, 0, 0)),
        new Comm(PerfRecord.MISC_BIT13, 9, 10, "0123456", SampleId.of(attr.sampleType(), 9, 10, 78, 0, 0, 0, 0)),
        new Raw(4, 0, new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0,
            1, 0, 0, 0, 2, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0}),
        new AuxtraceInfo(4, new OpaquePriv(new long[] {1, 2, 3})),
        new Raw(82, 0, new byte[0]),
        new PerfRecord.Mmap(PerfRecord.MISC_KERNEL, -1, 0, 0xffff800008000000L, 0x200000, 0xffff800008000000L,
            "[kernel.kallsyms]_text", SampleId.of(attr.sampleType(), -1, 0, 79, 0, 0, 0, 0)),
        new PerfRecord.AuxOutputHwId(0, 0x0100000012L, SampleId.of(attr.sampleType(), 0, 0, 80, 0, 0, 0, 0)));
    try (PerfDataWriter w = PerfDataWriter.builder(f).arch(null).event("x", attr, 5).open()) {
      for (PerfRecord r : recs) {
        w.write(r);
      }
    }
    try (PerfDataReader r = PerfDataReader.open(f)) {
      List<FileRecord> read = r.readAll();
      for (int i = 0; i < recs.size(); i++) {
        assertEquals(recs.get(i), read.get(i).record(), "record " + i);
      }
      assertEquals(32, read.get(0).size());
      assertEquals(8 + 32 + 24 + 16, read.get(6).size()); // MMAP [kernel.kallsyms]_text + 16-byte trailer
      assertEquals(0x12, ((PerfRecord.AuxOutputHwId) read.get(7).record()).traceId());
      assertEquals(99, read.get(3).time()); // EXIT's trailer time, read although EXIT is raw
      assertEquals(-1, read.get(3).cpu());
      assertTrue(((Comm) read.get(2).record()).exec());
      assertTrue(r.features().arch().isEmpty());
      assertEquals(new PerfFeatures.NrCpus(1, 1), r.features().nrCpus().orElseThrow());
    }
  }

  @Test
  void csEtmHeaderV0AndEteBlocksRoundTrip() throws IOException {
    CsEtmInfo v0 = new CsEtmInfo(0, 10, true, List.of(EtmV4Params.etmV4(3, 1, 0x16, 2, 3, 4, 5, 6)));
    assertEquals(3 + 9, v0.words().length);
    EtmV4Params ete = new EtmV4Params(EtmV4Params.MAGIC_ETE, 0, 1, 0x80000010L, 2, 3, 4, 5, 6,
        new long[] {0x47705a13L, 1});
    CsEtmInfo v2 = new CsEtmInfo(2, 11, false, List.of(ete));
    Path f = dir.resolve("cs.data");
    try (PerfDataWriter w = PerfDataWriter.builder(f).event("x", SampleRecording.dummyAttr(), 5).open()) {
      w.write(new AuxtraceInfo(3, v0));
      w.write(new AuxtraceInfo(3, v2));
    }
    try (PerfDataReader r = PerfDataReader.open(f)) {
      List<FileRecord> read = r.readAll();
      assertEquals(v0, ((AuxtraceInfo) read.get(0).record()).priv());
      CsEtmInfo back = (CsEtmInfo) ((AuxtraceInfo) read.get(1).record()).priv();
      assertEquals(v2, back);
      assertTrue(back.cpus().get(0).isEte());
      assertEquals(0x10, back.cpus().get(0).traceId());
      assertEquals(new PerfFeatures.NrCpus(4, 4), r.features().nrCpus().orElseThrow()); // v0 block of cpu 3
      assertEquals(9, back.cpus().get(0).nrTrcParams());
    }
  }

  /**
   * HEADER_BUILD_ID as perf writes it: per entry a 36-byte head (header, pid, 20 id bytes, the
   * id's length, 3 reserved) and the name padded to 64 bytes; the reader gives each back.
   */
  @Test
  void buildIdEntriesRoundTripInPerfsLayout() throws IOException {
    byte[] kernel = HexFormat.of().parseHex("90adeef4bd628c11c88663785eff38d4cb38d593");
    byte[] shortId = HexFormat.of().parseHex("0102030405060708");
    Path f = dir.resolve("ids.data");
    try (PerfDataWriter w = PerfDataWriter.builder(f).event("x", SampleRecording.dummyAttr(), 5).open()) {
      w.buildId(new PerfFeatures.BuildId(-1, PerfRecord.MISC_KERNEL, kernel, PerfFeatures.KERNEL_NAME));
      w.buildId(new PerfFeatures.BuildId(42, 2, shortId, "/usr/lib/" + "x".repeat(60) + ".so"));
      w.write(new PerfRecord.FinishedRound()); // an empty data section reads as an unfinished file
    }
    try (PerfDataReader r = PerfDataReader.open(f)) {
      PerfFeatures.Section s = r.features().sections().get(PerfFeatures.BUILD_ID);
      assertEquals(36 + 64 + 36 + 128, s.size());
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f), (int) s.offset(), (int) s.size()).slice()
          .order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(0, b.getInt(0)); // header type: perf leaves it 0 in the feature
      assertEquals(PerfRecord.MISC_KERNEL | PerfFeatures.BUILD_ID_SIZE, Short.toUnsignedInt(b.getShort(4)));
      assertEquals(100, b.getShort(6));
      assertEquals(-1, b.getInt(8));
      assertEquals(20, b.get(32));
      assertEquals('[', b.get(36));
      assertEquals(0, b.get(36 + 17)); // NUL after [kernel.kallsyms]
      assertEquals(8, b.get(100 + 32));
      List<PerfFeatures.BuildId> ids = r.features().buildIds();
      assertEquals(2, ids.size());
      assertEquals(-1, ids.get(0).pid());
      assertEquals(PerfFeatures.KERNEL_NAME, ids.get(0).name());
      assertArrayEquals(kernel, ids.get(0).id());
      assertEquals(42, ids.get(1).pid());
      assertEquals(2 | PerfFeatures.BUILD_ID_SIZE, ids.get(1).misc());
      assertEquals("/usr/lib/" + "x".repeat(60) + ".so", ids.get(1).name());
      assertArrayEquals(shortId, ids.get(1).id());
      assertEquals(List.of(), r.warnings());
    }
  }

  @Test
  void attrSizes64And136And144AreRead() throws IOException {
    for (int size : new int[] {64, 136, 144}) {
      Path f = dir.resolve("attr" + size + ".data");
      PerfEventAttr attr = PerfEventAttr.builder(1, 9).size(size).sampleType(SampleId.TIME).build();
      if (size >= 136) {
        attr = new PerfEventAttr(1, size, 9, 1, SampleId.TIME, 0x14, PerfEventAttr.FLAG_SAMPLE_ID_ALL, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xabcdef);
      } else {
        attr = new PerfEventAttr(1, 64, 9, 1, SampleId.TIME, 0x14, PerfEventAttr.FLAG_SAMPLE_ID_ALL, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      }
      try (PerfDataWriter w = PerfDataWriter.builder(f).event("e", attr, 1, 2).open()) {
        w.write(new PerfRecord.ItraceStart(0, 1, 1, SampleId.of(SampleId.TIME, 0, 0, 5, 0, 0, 0, 0)));
      }
      try (PerfDataReader r = PerfDataReader.open(f)) {
        assertEquals(size + 16, r.header().attrSize());
        assertEquals(attr, r.attrs().get(0).attr());
        assertEquals(5, r.readAll().get(0).time());
      }
    }
  }

  @Test
  void auxtracePayloadIsPaddedTo8AndStreamedFromAChannel() throws IOException {
    Path f = dir.resolve("pad.data");
    byte[] data = new byte[300_001];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    Auxtrace a;
    try (PerfDataWriter w = PerfDataWriter.builder(f).event("x", SampleRecording.dummyAttr(), 5).open()) {
      w.write(new AuxtraceInfo(3, SampleRecording.csEtm()));
      a = w.writeAuxtrace(64, 1, 0, 7, 0, data.length, java.nio.channels.Channels.newChannel(
          new java.io.ByteArrayInputStream(data)));
      w.write(new PerfRecord.FinishedRound());
    }
    assertEquals(300_008, a.size());
    try (PerfDataReader r = PerfDataReader.open(f)) {
      List<FileRecord> read = r.readAll();
      assertEquals(a, read.get(1).record());
      assertEquals(a.dataPosition() + a.size(), read.get(2).offset());
      byte[] back;
      try (InputStream in = r.payloadStream(a)) {
        back = in.readAllBytes();
      }
      assertEquals(300_008, back.length);
      assertArrayEquals(data, java.util.Arrays.copyOf(back, data.length));
      assertArrayEquals(new byte[7], java.util.Arrays.copyOfRange(back, data.length, back.length));
    }
  }

  @Test
  void writerRefusesRecordsPerfCouldNotRead() throws IOException {
    Path f = dir.resolve("bad.data");
    try (PerfDataWriter w = SampleRecording.builder(f).open()) {
      // wrong trailer layout for the event named by the identifier
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> w.write(new PerfRecord.ItraceStart(0, 1, 1, SampleId.of(SampleId.TIME | SampleId.IDENTIFIER,
              0, 0, 1, 0, 0, 0, 101))));
      assertTrue(e.getMessage().startsWith("record's sample id has fields 0x10004 but its event lays out 0x10086"),
          e.getMessage());
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> w.writeAuxtrace(0, 0, 0, 0, 0, ByteBuffer.allocate(16)));
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> w.write(new TextPoke(PerfRecord.MISC_USER, 0, new byte[4], new byte[4], SampleRecording.sid(0, 1, 201))));
    }
    ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(PerfFileHeader.MAGIC, h.getLong(0));
  }

  @Test
  void eventsWithDifferentTrailersAreRoutedByIdentifier() throws IOException {
    long cpuWide = SampleId.TID | SampleId.TIME | SampleId.CPU | SampleId.IDENTIFIER;
    long perThread = SampleId.TID | SampleId.TIME | SampleId.IDENTIFIER;
    Path f = dir.resolve("routed.data");
    List<PerfRecord> recs = List.of(
        new PerfRecord.ItraceStart(0, 1, 2, SampleId.of(cpuWide, 1, 2, 10, 0, 0, 1, 101)),
        new Comm(0, 1, 2, "x", SampleId.of(perThread, 1, 2, 11, 0, 0, 0, 201)));
    try (PerfDataWriter w = PerfDataWriter.builder(f)
        .event("a", PerfEventAttr.builder(10, 0).sampleType(cpuWide).build(), 101)
        .event("b", PerfEventAttr.builder(1, 9).sampleType(perThread).build(), 201).open()) {
      for (PerfRecord r : recs) {
        w.write(r);
      }
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> w.write(new Comm(0, 1, 2, "x", SampleId.of(perThread, 1, 2, 11, 0, 0, 0, 101))));
      assertTrue(e.getMessage().startsWith("record's sample id has fields 0x10006 but its event lays out 0x10086"),
          e.getMessage());
    }
    try (PerfDataReader r = PerfDataReader.open(f)) {
      List<FileRecord> read = r.readAll();
      assertEquals(recs, read.stream().map(FileRecord::record).toList());
      assertEquals(1, read.get(0).cpu());
      assertEquals(-1, read.get(1).cpu());
      assertEquals(48, read.get(0).size());
      assertEquals(48, read.get(1).size());
    }
    // damage: the comm's IDENTIFIER names no event
    byte[] b = Files.readAllBytes(f);
    long at;
    try (PerfDataReader r = PerfDataReader.open(f)) {
      at = r.readAll().get(1).offset() + 40;
    }
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong((int) at, 999);
    Path bad = dir.resolve("routed-bad.data");
    Files.write(bad, b);
    try (PerfDataReader r = PerfDataReader.open(bad)) {
      RecordCursor c = r.fileOrder();
      assertEquals(recs.get(0), c.next().record());
      PerfDataException e = org.junit.jupiter.api.Assertions.assertThrows(PerfDataException.class, c::next);
      assertEquals(at, e.offset());
      assertEquals("trailer IDENTIFIER 999 names no event of the file", e.expected());
    }
  }

  @Test
  void differentTrailersWithoutIdentifierCannotBeRead() throws IOException {
    Path f = dir.resolve("ambiguous.data");
    try (PerfDataWriter w = PerfDataWriter.builder(f)
        .event("a", PerfEventAttr.builder(10, 0).sampleType(SampleId.TIME | SampleId.ID).build(), 1)
        .event("b", PerfEventAttr.builder(1, 9).sampleType(SampleId.TIME | SampleId.CPU | SampleId.ID).build(), 2)
        .open()) {
      w.write(new PerfRecord.FinishedRound());
    }
    PerfDataException e = org.junit.jupiter.api.Assertions.assertThrows(PerfDataException.class,
        () -> PerfDataReader.open(f).close());
    assertEquals("events with different sample_id layouts must all carry IDENTIFIER (non matching sample_type)",
        e.expected());
    assertEquals(104 + 16, e.offset());
  }

  @Test
  void trcconfigrIsSynthesizedFromTheAttrConfigAsPerfDoes() {
    assertEquals(0x0, CsEtmInfo.trcconfigr(0));
    assertEquals(0x840, CsEtmInfo.trcconfigr(PerfEventAttr.CS_ETM_CONTEXTID | PerfEventAttr.CS_ETM_TIMESTAMP));
    assertEquals(0x8 | 0x10 | 0x40 | 0x80 | 0x8000 | 0x800 | 0x1000, CsEtmInfo.trcconfigr(
        PerfEventAttr.CS_ETM_BRANCH_BROADCAST | PerfEventAttr.CS_ETM_CYCLE_ACC | PerfEventAttr.CS_ETM_CONTEXTID
            | PerfEventAttr.CS_ETM_CONTEXTID2 | PerfEventAttr.CS_ETM_TIMESTAMP | PerfEventAttr.CS_ETM_RETSTACK));
    assertEquals(0x14, CsEtmInfo.legacyTraceId(2));
  }
}
