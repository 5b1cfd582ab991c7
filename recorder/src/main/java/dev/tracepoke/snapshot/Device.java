package dev.tracepoke.snapshot;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A device file of a snapshot ({@code [device]} with {@code name=}, {@code class=}, {@code type=}). */
public sealed interface Device {

  /** The device's handle ({@code name=}); trace.ini refers to devices by it. */
  String name();

  /** The .ini file it came from, relative to the snapshot directory. */
  String fileName();

  /** The {@code type=} value. */
  String type();

  /**
   * The {@code [regs]} values by register name, suffixes such as {@code (0x004)} or {@code
   * (id:0x4,size:64)} removed.
   */
  Map<String, Long> registers();

  /** Register {@code name} if present. */
  default Optional<Long> register(String name) {
    return Optional.ofNullable(registers().get(name));
  }

  /** A processor core ({@code class=core}): its type and memory images. */
  record Core(
      String name,
      String fileName,
      String type,
      CoreType coreType,
      Map<String, Long> registers,
      List<MemoryDump> dumps)
      implements Device {
    public Core {
      registers = Collections.unmodifiableMap(new LinkedHashMap<>(registers));
      dumps = List.copyOf(dumps);
    }
  }

  /** A trace source ({@code class=trace_source}): an ETM, STM, ITM, PTM... */
  record TraceSource(String name, String fileName, String type, Map<String, Long> registers)
      implements Device {
    public TraceSource {
      registers = Collections.unmodifiableMap(new LinkedHashMap<>(registers));
    }

    /** An ETMv4 instruction trace unit ({@code type=ETM4}, {@code ETM4.x}); not ETE. */
    public boolean isEtm4() {
      return type.startsWith("ETM4");
    }

    /** An ETE instruction trace unit ({@code type=ETE}, Armv9's Embedded Trace Extension). */
    public boolean isEte() {
      return type.equals("ETE");
    }
  }

  /** Any other device class (e.g. a funnel); kept so a snapshot can be written back unchanged. */
  record Other(String name, String fileName, String deviceClass, String type, Map<String, Long> registers)
      implements Device {
    public Other {
      registers = Collections.unmodifiableMap(new LinkedHashMap<>(registers));
    }
  }
}
