package dev.tracepoke.decode.input;

import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PatchSites;
import dev.tracepoke.decode.image.TextPoke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Everything a decode needs, whatever it was read from (a perf recording directory, a perf.data
 * with a separate image, an OpenCSD snapshot).
 *
 * @param source what was opened, for messages
 * @param image the code image at the start of the trace
 * @param pokes text-poke records in file order (empty for static images)
 * @param time converts trace timestamps to perf time
 * @param symbols names an address as {@code symbol+0xoff}, or returns null
 * @param cores the cores with trace, ascending cpu
 * @param truthDir ground truth, for simulated recordings
 * @param pauthBranches whether PAuth branches are waypoints (architecture v8.3 or later)
 * @param warnings what was wrong with the input but did not stop it being read (a recording cut
 *     short: the records before the damage are used)
 * @param sites the kernel's patch-site tables at run-time addresses ({@link PatchSites#NONE}
 *     when no vmlinux was found)
 * @param spaces each process's code over time, where the recording's map records place user
 *     code ({@code AddressSpaces.NONE}: {@code image} applies to every context)
 * @param probes whether the traced text may hold armed probes (a perf recording of Linux: kprobes
 *     and uprobes put BRK #4/#5 where the image has none); a debugger's snapshot has none, so a
 *     breakpoint exception there is the debugger's, not a word the image lacks
 */
public record TraceInput(
    String source,
    MemoryImage image,
    List<TextPoke> pokes,
    TimeConversion time,
    LongFunction<String> symbols,
    List<CoreTrace> cores,
    Optional<Path> truthDir,
    boolean pauthBranches,
    List<String> warnings,
    PatchSites sites,
    dev.tracepoke.decode.image.AddressSpaces spaces,
    boolean probes) {

  public TraceInput {
    warnings = List.copyOf(warnings);
    pokes = List.copyOf(pokes);
    cores = List.copyOf(cores);
  }

  /** An input with one address space. */
  public TraceInput(String source, MemoryImage image, List<TextPoke> pokes, TimeConversion time,
      LongFunction<String> symbols, List<CoreTrace> cores, Optional<Path> truthDir, boolean pauthBranches,
      List<String> warnings, PatchSites sites) {
    this(source, image, pokes, time, symbols, cores, truthDir, pauthBranches, warnings, sites,
        dev.tracepoke.decode.image.AddressSpaces.NONE, false);
  }

  /** An input without patch-site tables. */
  public TraceInput(String source, MemoryImage image, List<TextPoke> pokes, TimeConversion time,
      LongFunction<String> symbols, List<CoreTrace> cores, Optional<Path> truthDir, boolean pauthBranches,
      List<String> warnings) {
    this(source, image, pokes, time, symbols, cores, truthDir, pauthBranches, warnings, PatchSites.NONE);
  }

  /** The same input with other cores (the same cores' bytes wrapped, e.g. counted as they are read). */
  public TraceInput withCores(List<CoreTrace> other) {
    return new TraceInput(source, image, pokes, time, symbols, other, truthDir, pauthBranches, warnings, sites,
        spaces, probes);
  }

  /**
   * The same input with every core's trace bytes read once and held in memory (deformatted), so
   * repeated decodes (benchmarks) measure decoding, not the disk or the frame deformatter.
   */
  public TraceInput inMemory() throws IOException {
    List<CoreTrace> held = new ArrayList<>();
    for (CoreTrace c : cores) {
      held.add(c.inMemory());
    }
    return new TraceInput(source, image, pokes, time, symbols, held, truthDir, pauthBranches, warnings, sites,
        spaces, probes);
  }
}
