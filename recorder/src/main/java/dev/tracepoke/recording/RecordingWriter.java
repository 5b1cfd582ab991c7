package dev.tracepoke.recording;

import dev.tracepoke.storage.WholeFile;

import dev.tracepoke.elf.ElfWriter;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.PerfDataWriter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Creates a perf directory as {@code perf record --kcore} does: {@code data} (a plain PERFILE2
 * file; like perf 6.1 without --threads, no HEADER_DIR_FORMAT, which would make perf look for
 * {@code data.N} files and fail without them), {@code kcore_dir/kcore}, {@code kcore_dir/kallsyms},
 * {@code kcore_dir/modules}, plus {@code vmlinux} and {@code truth/}.
 * Every file appears under its final name only when complete (written under a temporary name and
 * renamed); {@code data} on {@link #close()}.
 */
public final class RecordingWriter implements AutoCloseable {

  private final Path dir;
  private final PerfDataWriter data;

  private RecordingWriter(Path dir, PerfDataWriter data) {
    this.dir = dir;
    this.data = data;
  }

  /**
   * Creates {@code dir} (absent or empty) and opens its {@code data} file; {@code events} adds
   * the events and feature values to the perf.data description.
   */
  public static RecordingWriter create(Path dir, Consumer<PerfDataWriter.Builder> events) throws IOException {
    if (Files.exists(dir)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        if (s.iterator().hasNext()) {
          throw new FileAlreadyExistsException(dir.toString(), null, "recording directory is not empty");
        }
      }
    }
    Files.createDirectories(dir.resolve(Recording.KCORE_DIR));
    PerfDataWriter.Builder b = PerfDataWriter.builder(dir.resolve(Recording.DATA));
    events.accept(b);
    return new RecordingWriter(dir, b.open());
  }

  public Path dir() {
    return dir;
  }

  /** The perf.data writer of {@code DIR/data}. */
  public PerfDataWriter data() {
    return data;
  }

  /** Writes {@code kcore_dir/kcore} (an ET_CORE image, {@link ElfWriter#core()}). */
  public Path kcore(ElfWriter core) throws IOException {
    Path f = dir.resolve(Recording.KCORE_DIR).resolve(Recording.KCORE);
    core.write(f);
    return f;
  }

  /**
   * Writes {@code kcore_dir/kallsyms}, and beside it an empty {@code kcore_dir/modules} (the image
   * has no modules): perf 6.1 reads code from kcore_dir only when kallsyms, modules and kcore are
   * all there, and otherwise finds no kernel code at all ("Missing DSO").
   */
  public Path kallsyms(Kallsyms k) throws IOException {
    Path kd = dir.resolve(Recording.KCORE_DIR);
    Path f = kd.resolve(Recording.KALLSYMS);
    k.write(f);
    WholeFile.write(kd.resolve(Recording.MODULES), new byte[0]);
    return f;
  }

  /**
   * Writes {@code vmlinux} beside {@code data}: the kernel ELF with its symbols and patch-site
   * tables, which perf's kcore copy does not carry (where perf finds it, and so does tracepoke).
   */
  public Path vmlinux(ElfWriter elf) throws IOException {
    Path f = dir.resolve(Recording.VMLINUX);
    elf.write(f);
    return f;
  }

  /** {@code truth/}, created on first call, for the ground-truth files of a simulated run. */
  public Path truthDir() throws IOException {
    return Files.createDirectories(dir.resolve(Recording.TRUTH));
  }

  /** Finishes {@code data} (features, header, rename); nothing after {@link #abort()}. */
  @Override
  public void close() throws IOException {
    data.close();
  }

  /**
   * Gives up a run that failed: {@code data} is never published (its {@code data.tmp} is deleted),
   * so the directory holds no perf.data that looks whole.
   */
  public void abort() {
    try {
      data.abort();
    } catch (IOException | RuntimeException ignored) {
      // the failure that made the run give up is what the caller reports
    }
  }
}
