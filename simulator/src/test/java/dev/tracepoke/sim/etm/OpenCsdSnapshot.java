package dev.tracepoke.sim.etm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a one-core OpenCSD snapshot directory around a raw ETMv4 stream (test helper until the
 * recorder's {@code export opencsd} exists): snapshot.ini, an ARM-AA64 core device with memory
 * dumps of the program, an ETM4 device with the unit's registers, and trace.ini with one
 * {@code source_data} buffer.
 */
final class OpenCsdSnapshot {

  private OpenCsdSnapshot() {}

  /** Program words grouped into contiguous regions: gaps above 4 KiB start a new dump. */
  static List<long[]> regions(Map<Long, ScriptedProgram.Insn> code) {
    List<long[]> regions = new ArrayList<>();
    long start = 0;
    long end = 0;
    boolean open = false;
    for (long pc : code.keySet()) {
      if (open && Long.compareUnsigned(pc - end, 0x1000) <= 0) {
        end = pc + 4;
        continue;
      }
      if (open) {
        regions.add(new long[] {start, end});
      }
      start = pc;
      end = pc + 4;
      open = true;
    }
    if (open) {
      regions.add(new long[] {start, end});
    }
    return regions;
  }

  /** A memory image: instruction words from {@code address}. */
  record Dump(long address, int[] words) {}

  static void write(Path dir, EtmConfig config, byte[] trace, Map<Long, ScriptedProgram.Insn> code) throws IOException {
    List<Dump> dumps = new ArrayList<>();
    for (long[] r : regions(code)) {
      int[] words = new int[(int) ((r[1] - r[0]) >>> 2)];
      for (int i = 0; i < words.length; i++) {
        ScriptedProgram.Insn insn = code.get(r[0] + 4L * i);
        words[i] = insn == null ? ScriptedProgram.NOP : insn.word();
      }
      dumps.add(new Dump(r[0], words));
    }
    write(dir, config, trace, dumps);
  }

  static void write(Path dir, EtmConfig config, byte[] trace, List<Dump> dumps) throws IOException {
    Files.createDirectories(dir);
    String core = "cpu_" + config.cpu();
    String etm = "ETM_" + config.cpu();
    StringBuilder coreIni = new StringBuilder()
        .append("[device]\nname=").append(core).append("\nclass=core\ntype=ARM-AA64\n\n[regs]\nPC=0x0\n");
    int n = 0;
    for (Dump d : dumps) {
      ByteBuffer words = ByteBuffer.allocate(4 * d.words().length).order(ByteOrder.LITTLE_ENDIAN);
      for (int w : d.words()) {
        words.putInt(w);
      }
      String file = "mem_" + n + ".bin";
      Files.write(dir.resolve(file), words.array());
      coreIni.append("\n[dump").append(n).append("]\nfile=").append(file)
          .append(String.format("\naddress=0x%x\nlength=0x%x\n", d.address(), 4L * d.words().length));
      n++;
    }
    Files.writeString(dir.resolve(core + ".ini"), coreIni.toString(), StandardCharsets.US_ASCII);

    StringBuilder etmIni = new StringBuilder()
        .append("[device]\nname=").append(etm).append("\nclass=trace_source\ntype=ETM4\n\n[regs]\n");
    for (Map.Entry<String, Long> reg : config.snapshotRegisters().entrySet()) {
      etmIni.append(reg.getKey()).append(String.format("=0x%x\n", reg.getValue()));
    }
    Files.writeString(dir.resolve(etm + ".ini"), etmIni.toString(), StandardCharsets.US_ASCII);

    Files.write(dir.resolve("trace.bin"), trace);
    Files.writeString(dir.resolve("trace.ini"),
        "[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\nname=ETB_0\nfile=trace.bin\nformat=source_data\n\n"
            + "[source_buffers]\n" + etm + "=ETB_0\n\n[core_trace_sources]\n" + core + "=" + etm + "\n",
        StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("snapshot.ini"),
        "[snapshot]\nversion=1.0\n\n[device_list]\ndevice0=" + core + ".ini\ndevice1=" + etm + ".ini\n\n"
            + "[trace]\nmetadata=trace.ini\n",
        StandardCharsets.US_ASCII);
  }
}
