package dev.tracepoke.decode.input;

import dev.tracepoke.decode.image.PatchSites;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.PerfFeatures;
import dev.tracepoke.recording.Recording;
import dev.tracepoke.vmlinux.PatchTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Finds the kernel's vmlinux for a recording and turns its patch-site tables into run-time {@link
 * PatchSites}: the {@code --vmlinux} file, else {@code vmlinux} beside the recording (inside a
 * perf directory, or next to a plain perf.data file), else the file perf's build-id cache holds
 * for the kernel's build-id recorded in HEADER_BUILD_ID ({@code [kernel.kallsyms]}). The KASLR
 * slide is kallsyms' {@code _stext} (or {@code _text}) minus the vmlinux's; {@code ftrace_caller}
 * comes from the vmlinux (slid), else from kallsyms.
 */
public final class KernelTables {
  private static final HexFormat HEX = HexFormat.of();

  private KernelTables() {}

  /**
   * The recording's patch sites; when no vmlinux is found, {@link PatchSites#NONE} and one warning
   * (only when {@code needed}: a recording with text-poke records decodes by them). A vmlinux
   * whose build-id is not the recorded kernel's is read, with a warning.
   */
  public static PatchSites find(Recording rec, ImageOptions options, boolean needed, List<String> warnings)
      throws IOException {
    Optional<byte[]> kernelId = kernelBuildId(rec);
    Optional<Path> file = locate(rec.path(), options.vmlinux().orElse(null));
    if (file.isEmpty() && kernelId.isPresent()) {
      file = CodePlacement.inBuildIdCache(options.buildIdDir(), kernelId.get());
    }
    if (file.isEmpty()) {
      if (needed) {
        warnings.add("no vmlinux (give --vmlinux ELF, put it beside the recording, or add it to perf's build-id cache"
            + kernelId.map(id -> " " + options.buildIdDir() + " for the kernel's build-id " + HEX.formatHex(id)).orElse("")
            + "): the kernel's patch sites are unknown, so text the kernel changed while tracing is decoded as the"
            + " kcore image shows");
      }
      return PatchSites.NONE;
    }
    PatchTables t = PatchTables.read(file.get());
    if (kernelId.isPresent() && !t.buildId().isEmpty()
        && !HEX.formatHex(CodePlacement.trim(kernelId.get())).equals(t.buildId())) {
      warnings.add(file.get() + ": its build-id " + t.buildId() + " is not the recorded kernel's ("
          + HEX.formatHex(CodePlacement.trim(kernelId.get())) + "); its patch-site tables may not be this kernel's");
    }
    return sites(t, rec.kallsyms().orElse(null), warnings);
  }

  /** The build-id perf recorded for the host kernel ({@code [kernel.kallsyms]}, pid -1). */
  static Optional<byte[]> kernelBuildId(Recording rec) {
    for (PerfFeatures.BuildId b : rec.data().features().buildIds()) {
      if (b.name().equals(PerfFeatures.KERNEL_NAME) && b.id().length > 0) {
        return Optional.of(b.id());
      }
    }
    return Optional.empty();
  }

  /** The vmlinux to read: {@code given} (must exist), else the one beside {@code recording}. */
  public static Optional<Path> locate(Path recording, Path given) throws IOException {
    if (given != null) {
      if (!Files.isRegularFile(given)) {
        throw new NoSuchFileException(given.toString(), null, "no such vmlinux");
      }
      return Optional.of(given);
    }
    if (recording == null) {
      return Optional.empty();
    }
    Path dir = Files.isDirectory(recording) ? recording : recording.toAbsolutePath().getParent();
    Path beside = dir == null ? null : dir.resolve(Recording.VMLINUX);
    return beside != null && Files.isRegularFile(beside) ? Optional.of(beside) : Optional.empty();
  }

  /** The tables at run-time addresses given the running kernel's kallsyms (null: not slid). */
  public static PatchSites sites(PatchTables t, Kallsyms ks, List<String> warnings) {
    long slide = 0;
    if (ks != null) {
      Optional<Long> run = kallsym(ks, "_stext").or(() -> kallsym(ks, "_text"));
      Optional<Long> link = t.symbol("_stext").or(() -> t.symbol("_text"));
      if (run.isPresent() && link.isPresent()) {
        slide = run.get() - link.get();
      }
    }
    long s = slide;
    Optional<Long> caller = t.symbol("ftrace_caller").map(a -> a + s)
        .or(() -> ks == null ? Optional.empty() : kallsym(ks, "ftrace_caller"));
    if (caller.isEmpty() && t.ftraceSites().length > 0) {
      warnings.add(t.file() + ": no ftrace_caller in its symbols or kallsyms; its " + t.ftraceSites().length
          + " ftrace call sites are left out");
    }
    return PatchSites.of(t, slide, caller);
  }

  private static Optional<Long> kallsym(Kallsyms ks, String name) {
    java.util.OptionalLong a = ks.addressOf(name);
    return a.isPresent() ? Optional.of(a.getAsLong()) : Optional.empty();
  }
}
