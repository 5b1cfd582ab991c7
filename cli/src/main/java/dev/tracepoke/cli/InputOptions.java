package dev.tracepoke.cli;

import dev.tracepoke.decode.input.ImageOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where code comes from besides the recording, spelled as perf spells it (a picocli mixin shared by
 * every command that reads a recording).
 */
final class InputOptions {
  @Option(names = "--image", paramLabel = "ELF[@ADDR]", description = {
      "An ELF image of code the trace runs through, at its link address or with its lowest segment at ADDR;",
      "may repeat. One without @ADDR replaces a perf directory's kcore (the kernel image)."})
  List<String> images = new ArrayList<>();

  @Option(names = "--symfs", paramLabel = "DIR", description = "Look up mapped files as DIR + their recorded path (as perf).")
  Path symfs;

  @Option(names = "--buildid-dir", paramLabel = "DIR",
      description = "perf's build-id cache (default ~/.debug): .build-id/xx/rest names a mapped file (or the kernel's vmlinux) by its build-id.")
  Path buildIdDir;

  @Option(names = "--vmlinux", paramLabel = "ELF", description = {
      "The kernel's vmlinux: code for the recording's kernel maps, and its patch-site tables (__jump_table,",
      "the ftrace call sites); default: REC's vmlinux, else the kernel's build-id in --buildid-dir. The tables are read when the recording has",
      "no text-poke records: every listed site may then hold either of its words at any execution, and the trace decides."})
  Path vmlinux;

  /** The one --image without @ADDR, which replaces the recording's kcore (the old --image ELF). */
  Path kernelImage() {
    List<ImageOptions.Placed> p = placed();
    return p.size() == 1 && p.get(0).address().isEmpty() ? p.get(0).elf() : null;
  }

  /** Everything else, for the input layer. */
  ImageOptions imageOptions() {
    List<ImageOptions.Placed> p = placed();
    if (kernelImage() != null) {
      p = List.of();
    }
    return new ImageOptions(p, Optional.ofNullable(symfs),
        buildIdDir != null ? buildIdDir : ImageOptions.defaultBuildIdDir(), Optional.ofNullable(vmlinux));
  }

  private List<ImageOptions.Placed> placed() {
    List<ImageOptions.Placed> out = new ArrayList<>();
    for (String s : images) {
      out.add(ImageOptions.Placed.parse(s));
    }
    return out;
  }
}
