package dev.tracepoke.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracepoke.perf.AttrEntry;
import dev.tracepoke.perf.CsEtmInfo;
import dev.tracepoke.perf.EtmV4Params;
import dev.tracepoke.perf.FileRecord;
import dev.tracepoke.perf.PerfDataException;
import dev.tracepoke.perf.PerfDataReader;
import dev.tracepoke.perf.PerfFeatures;
import dev.tracepoke.perf.PerfRecord;
import dev.tracepoke.perf.PerfRecord.Aux;
import dev.tracepoke.perf.PerfRecord.AuxOutputHwId;
import dev.tracepoke.perf.PerfRecord.Mmap;
import dev.tracepoke.perf.PerfRecord.Auxtrace;
import dev.tracepoke.perf.PerfRecord.AuxtraceInfo;
import dev.tracepoke.perf.PerfRecord.Comm;
import dev.tracepoke.perf.PerfRecord.ItraceStart;
import dev.tracepoke.perf.PerfRecord.Mmap2;
import dev.tracepoke.perf.PerfRecord.OpaquePriv;
import dev.tracepoke.perf.PerfRecord.Raw;
import dev.tracepoke.perf.PerfRecord.TextPoke;
import dev.tracepoke.perf.PerfRecord.TimeConv;
import dev.tracepoke.perf.RecordCatalogue;
import dev.tracepoke.perf.RecordCursor;
import dev.tracepoke.perf.SampleId;
import dev.tracepoke.recording.Recording;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tracepoke dump REC}: every record of a recording with its file offset, size, time, cpu and
 * decoded fields, in perf's delivery order (like {@code perf report -D}), then the AUXTRACE bytes
 * per queue. {@code --json}: one JSON object per record instead.
 */
@Command(name = "dump", mixinStandardHelpOptions = true, description = "List every record of a recording (like perf report -D).")
final class DumpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REC",
      description = "A perf directory, a perf.data file, or (with --packets) an OpenCSD snapshot directory.")
  Path recording;

  @Option(names = "--packets", description = {
      "List every core's ETMv4 packets instead of the records: per trace stream, one line per packet",
      "with its byte offset in that stream, packet number, type and fields."})
  boolean packets;

  @Option(names = "--image", paramLabel = "ELF", description = "Kernel image for a plain perf.data file.")
  Path image;

  @picocli.CommandLine.Mixin SharedOptions.Json output = new SharedOptions.Json();

  @Option(names = "--file-order", description = "Records in file order instead of perf's delivery order.")
  boolean fileOrder;

  private static final HexFormat HEX = HexFormat.of();
  private final ObjectMapper mapper = new ObjectMapper();

  /** Bytes and buffers per AUXTRACE queue (idx). */
  private record Queue(int cpu, long buffers, long bytes) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (packets) {
      return DumpPacketsSupport.dumpPackets(recording, out, err);
    }
    if (dev.tracepoke.snapshot.SnapshotReader.isSnapshot(recording)) {
      err.println("tracepoke dump: " + recording + " is an OpenCSD snapshot: it has no perf records; use --packets");
      return 2;
    }
    try (Recording rec = Recording.open(recording, image)) {
      PerfDataReader r = rec.data();
      for (String w : r.warnings()) {
        err.println("tracepoke dump: warning: " + Inputs.naming(w, recording.toString()));
      }
      if (!output.json) {
        header(out, rec);
      }
      Map<Integer, Queue> queues = new TreeMap<>();
      RecordCursor c = fileOrder ? r.fileOrder() : r.timeOrder();
      long n = 0;
      PerfDataException damage = null;
      try {
        for (FileRecord x = c.next(); x != null; x = c.next()) {
          n++;
          if (output.json) {
            out.println(mapper.writeValueAsString(json(x)));
          } else {
            text(out, x);
          }
          if (x.record() instanceof Auxtrace a) {
            Queue q = queues.getOrDefault(a.idx(), new Queue(a.cpu(), 0, 0));
            queues.put(a.idx(), new Queue(q.cpu(), q.buffers() + 1, q.bytes() + a.size()));
          }
        }
      } catch (PerfDataException e) {
        damage = e;
      }
      if (!output.json) {
        for (Map.Entry<Integer, Queue> e : queues.entrySet()) {
          Queue q = e.getValue();
          out.printf("# AUXTRACE idx %d cpu %d: %d buffer%s, %d bytes%n", e.getKey(), q.cpu(), q.buffers(),
              q.buffers() == 1 ? "" : "s", q.bytes());
        }
        out.printf("# %d records%n", n);
      }
      out.flush();
      if (damage != null) {
        err.println("tracepoke dump: " + damage.getMessage());
        return 1;
      }
      return 0;
    } catch (IOException e) {
      err.println("tracepoke dump: " + e.getMessage());
      return 1;
    }
  }

  private static void header(PrintWriter out, Recording rec) {
    PerfDataReader r = rec.data();
    out.printf("# %s: %s, data at 0x%x, %d bytes%n", rec.path(), rec.isDirectory() ? "perf directory" : "perf.data file",
        r.dataStart(), r.dataEnd() - r.dataStart());
    for (AttrEntry a : r.attrs()) {
      StringBuilder ids = new StringBuilder();
      for (long id : a.ids()) {
        ids.append(ids.length() == 0 ? "" : ",").append(id);
      }
      out.printf("# event %s: type %d, size %d, config 0x%x, sample_type 0x%x, sample_id_all %d, ids %s%n",
          a.name().isEmpty() ? "?" : a.name(), a.attr().type(), a.attr().size(), a.attr().config(),
          a.attr().sampleType(), a.attr().sampleIdAll() ? 1 : 0, ids);
    }
    StringBuilder f = new StringBuilder();
    for (int bit : r.features().sections().keySet()) {
      f.append(' ').append(PerfFeatures.name(bit));
    }
    out.printf("# features:%s%n", f);
  }

  private static String opt(long v) {
    return v == -1 ? "-" : Long.toString(v);
  }

  private static void text(PrintWriter out, FileRecord x) {
    PerfRecord rec = x.record();
    StringBuilder s = new StringBuilder();
    s.append(String.format("0x%x [0x%x] t=%s cpu=%s %s", x.offset(), x.size(), opt(x.time()), opt(x.cpu()),
        RecordCatalogue.name(rec.type())));
    if (rec instanceof Comm c) {
      s.append(String.format(" pid=%d tid=%d comm=%s%s", c.pid(), c.tid(), c.comm(), c.exec() ? " exec" : ""));
    } else if (rec instanceof Mmap2 m) {
      s.append(String.format(" pid=%d tid=%d start=0x%x len=0x%x pgoff=0x%x", m.pid(), m.tid(), m.start(), m.len(), m.pgoff()));
      if (m.buildId() != null) {
        s.append(" build_id=").append(HEX.formatHex(m.buildId()));
      } else {
        s.append(String.format(" dev=%x:%x ino=%d ino_gen=%d", m.maj(), m.min(), m.ino(), m.inoGeneration()));
      }
      s.append(String.format(" prot=%d flags=%d cpumode=%d file=%s", m.prot(), m.flags(),
          m.misc() & PerfRecord.MISC_CPUMODE_MASK, m.filename()));
    } else if (rec instanceof Mmap m) {
      s.append(String.format(" pid=%d tid=%d start=0x%x len=0x%x pgoff=0x%x cpumode=%d file=%s", m.pid(), m.tid(),
          m.start(), m.len(), m.pgoff(), m.misc() & PerfRecord.MISC_CPUMODE_MASK, m.filename()));
    } else if (rec instanceof AuxOutputHwId h) {
      s.append(String.format(" hw_id=0x%x", h.hwId()));
    } else if (rec instanceof ItraceStart i) {
      s.append(String.format(" pid=%d tid=%d", i.pid(), i.tid()));
    } else if (rec instanceof Aux a) {
      s.append(String.format(" aux_offset=0x%x aux_size=0x%x flags=0x%x", a.auxOffset(), a.auxSize(), a.flags()));
    } else if (rec instanceof TextPoke t) {
      s.append(String.format(" addr=0x%x old=%s new=%s %s", t.addr(), HEX.formatHex(t.oldBytes()),
          HEX.formatHex(t.newBytes()), t.phase()));
    } else if (rec instanceof AuxtraceInfo i) {
      s.append(" type=").append(i.auxType());
      if (i.priv() instanceof CsEtmInfo cs) {
        s.append(String.format(" CS_ETM version=%d pmu_type=%d snapshot=%d cpus=%d", cs.version(), cs.pmuType(),
            cs.snapshot() ? 1 : 0, cs.cpus().size()));
        for (EtmV4Params p : cs.cpus()) {
          s.append(String.format("%n    cpu %d %s TRCCONFIGR=0x%x TRCTRACEIDR=0x%x TRCIDR0=0x%x TRCIDR1=0x%x"
                  + " TRCIDR2=0x%x TRCIDR8=0x%x TRCAUTHSTATUS=0x%x", p.cpu(), p.isEte() ? "ETE" : "ETMv4",
              p.trcconfigr(), p.trctraceidr(), p.trcidr0(), p.trcidr1(), p.trcidr2(), p.trcidr8(), p.trcauthstatus()));
          for (long e : p.extra()) {
            s.append(String.format(" 0x%x", e));
          }
        }
      } else if (i.priv() instanceof OpaquePriv o) {
        s.append(" words=").append(o.words().length);
      }
    } else if (rec instanceof Auxtrace a) {
      s.append(String.format(" size=0x%x offset=0x%x ref=0x%x idx=%d tid=%d cpu=%d data_at=0x%x",
          a.size(), a.offset(), a.reference(), a.idx(), a.tid(), a.cpu(), a.dataPosition()));
    } else if (rec instanceof TimeConv t) {
      s.append(String.format(" time_shift=%d time_mult=%d time_zero=%d", t.timeShift(), t.timeMult(), t.timeZero()))
          .append(t.extended() ? String.format(" time_cycles=%d time_mask=0x%x cap_user_time_zero=%d cap_user_time_short=%d",
              t.timeCycles(), t.timeMask(), t.capUserTimeZero() ? 1 : 0, t.capUserTimeShort() ? 1 : 0) : "");
    } else if (rec instanceof Raw w) {
      s.append(String.format(" misc=0x%x body=%d bytes", w.misc(), w.body().length));
    }
    SampleId sid = rec.sampleId();
    if (sid.eventIdOrUnknown() != -1) {
      s.append(" id=").append(sid.eventIdOrUnknown());
    }
    out.println(s);
  }

  private ObjectNode json(FileRecord x) {
    PerfRecord rec = x.record();
    ObjectNode o = mapper.createObjectNode();
    o.put("offset", x.offset());
    o.put("size", x.size());
    o.put("type", rec.type());
    o.put("name", RecordCatalogue.name(rec.type()));
    o.put("misc", rec.misc());
    if (x.hasTime()) {
      o.put("time", x.time());
    } else {
      o.putNull("time");
    }
    if (x.cpu() != -1) {
      o.put("cpu", x.cpu());
    } else {
      o.putNull("cpu");
    }
    SampleId sid = rec.sampleId();
    if (sid.has(SampleId.TID)) {
      o.put("pid", sid.pid()).put("tid", sid.tid());
    }
    if (sid.eventIdOrUnknown() != -1) {
      o.put("id", sid.eventIdOrUnknown());
    }
    ObjectNode f = o.putObject("fields");
    if (rec instanceof Comm c) {
      f.put("pid", c.pid()).put("tid", c.tid()).put("comm", c.comm()).put("exec", c.exec());
    } else if (rec instanceof Mmap2 m) {
      f.put("pid", m.pid()).put("tid", m.tid()).put("start", hex(m.start())).put("len", hex(m.len()))
          .put("pgoff", hex(m.pgoff()));
      if (m.buildId() != null) {
        f.put("build_id", HEX.formatHex(m.buildId()));
      } else {
        f.put("maj", m.maj()).put("min", m.min()).put("ino", m.ino()).put("ino_generation", m.inoGeneration());
      }
      f.put("prot", m.prot()).put("flags", m.flags()).put("filename", m.filename());
    } else if (rec instanceof Mmap m) {
      f.put("pid", m.pid()).put("tid", m.tid()).put("start", hex(m.start())).put("len", hex(m.len()))
          .put("pgoff", hex(m.pgoff())).put("filename", m.filename());
    } else if (rec instanceof AuxOutputHwId h) {
      f.put("hw_id", hex(h.hwId()));
    } else if (rec instanceof ItraceStart i) {
      f.put("pid", i.pid()).put("tid", i.tid());
    } else if (rec instanceof Aux a) {
      f.put("aux_offset", a.auxOffset()).put("aux_size", a.auxSize()).put("flags", a.flags());
    } else if (rec instanceof TextPoke t) {
      f.put("addr", hex(t.addr())).put("old", HEX.formatHex(t.oldBytes()))
          .put("new", HEX.formatHex(t.newBytes())).put("phase", t.phase().name());
    } else if (rec instanceof AuxtraceInfo i) {
      f.put("aux_type", i.auxType());
      if (i.priv() instanceof CsEtmInfo cs) {
        ObjectNode c = f.putObject("cs_etm");
        c.put("version", cs.version()).put("pmu_type", cs.pmuType()).put("snapshot", cs.snapshot());
        ArrayNode cpus = c.putArray("cpus");
        for (EtmV4Params p : cs.cpus()) {
          ObjectNode n = cpus.addObject();
          n.put("cpu", p.cpu()).put("kind", p.isEte() ? "ETE" : "ETMv4").put("trace_id", p.traceId())
              .put("TRCCONFIGR", hex(p.trcconfigr())).put("TRCTRACEIDR", hex(p.trctraceidr()))
              .put("TRCIDR0", hex(p.trcidr0())).put("TRCIDR1", hex(p.trcidr1())).put("TRCIDR2", hex(p.trcidr2()))
              .put("TRCIDR8", hex(p.trcidr8())).put("TRCAUTHSTATUS", hex(p.trcauthstatus()));
          ArrayNode extra = n.putArray("extra");
          for (long e : p.extra()) {
            extra.add(hex(e));
          }
        }
      } else if (i.priv() instanceof OpaquePriv op) {
        ArrayNode w = f.putArray("words");
        for (long v : op.words()) {
          w.add(hex(v));
        }
      }
    } else if (rec instanceof Auxtrace a) {
      f.put("size", a.size()).put("offset", a.offset()).put("reference", hex(a.reference()))
          .put("idx", a.idx()).put("tid", a.tid()).put("cpu", a.cpu()).put("data_position", a.dataPosition());
    } else if (rec instanceof TimeConv t) {
      f.put("time_shift", t.timeShift()).put("time_mult", t.timeMult()).put("time_zero", t.timeZero())
          .put("time_cycles", t.timeCycles()).put("time_mask", hex(t.timeMask()))
          .put("cap_user_time_zero", t.capUserTimeZero()).put("cap_user_time_short", t.capUserTimeShort())
          .put("extended", t.extended());
    } else if (rec instanceof Raw w) {
      f.put("body", HEX.formatHex(w.body()));
    }
    return o;
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }
}
