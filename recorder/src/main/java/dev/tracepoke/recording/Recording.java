package dev.tracepoke.recording;

import dev.tracepoke.elf.ElfImage;
import dev.tracepoke.kallsyms.Kallsyms;
import dev.tracepoke.perf.PerfDataReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A recording as one object: a perf directory ({@code DIR/data}, {@code DIR/kcore_dir/kcore},
 * {@code DIR/kcore_dir/kallsyms}, {@code DIR/truth/} for simulated runs) as {@code perf record
 * --kcore} lays it out, or a plain perf.data file with the kernel image given separately. Opening
 * reads the perf.data header only; the image and kallsyms are opened on first use and closed
 * with the recording.
 */
public final class Recording implements AutoCloseable {

  public static final String DATA = "data";
  public static final String KCORE_DIR = "kcore_dir";
  public static final String KCORE = "kcore";
  public static final String KALLSYMS = "kallsyms";
  /** The loaded-module list ({@code /proc/modules} format) perf copies beside kallsyms. */
  public static final String MODULES = "modules";
  public static final String TRUTH = "truth";
  /** The kernel ELF with symbols and patch-site tables, beside {@code data} (perf looks there too). */
  public static final String VMLINUX = "vmlinux";

  private final Path path;
  private final PerfDataReader data;
  private final Path image;
  private final Path kallsymsFile;
  private final Path truth;
  private ElfImage openImage;
  private Kallsyms kallsyms;

  private Recording(Path path, PerfDataReader data, Path image, Path kallsymsFile, Path truth) {
    this.path = path;
    this.data = data;
    this.image = image;
    this.kallsymsFile = kallsymsFile;
    this.truth = truth;
  }

  /** Opens a perf directory, or a plain perf.data file (then without image). */
  public static Recording open(Path path) throws IOException {
    return open(path, null);
  }

  /**
   * Opens a perf directory or a plain perf.data file. {@code image}, when not null, is the ELF
   * holding the kernel text (it overrides a directory's kcore).
   *
   * @throws NoSuchFileException when the path, its {@code data} file or the image is missing
   */
  public static Recording open(Path path, Path image) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such recording");
    }
    if (image != null && !Files.isRegularFile(image)) {
      throw new NoSuchFileException(image.toString(), null, "no such kernel image");
    }
    Path dataFile = path;
    Path kcore = null;
    Path kallsymsFile = null;
    Path truth = null;
    if (Files.isDirectory(path)) {
      dataFile = path.resolve(DATA);
      if (!Files.isRegularFile(dataFile)) {
        throw new NoSuchFileException(dataFile.toString(), null,
            "not a perf directory: expected its perf.data file here");
      }
      Path kd = path.resolve(KCORE_DIR);
      kcore = Files.isRegularFile(kd.resolve(KCORE)) ? kd.resolve(KCORE) : null;
      kallsymsFile = Files.isRegularFile(kd.resolve(KALLSYMS)) ? kd.resolve(KALLSYMS) : null;
      truth = Files.isDirectory(path.resolve(TRUTH)) ? path.resolve(TRUTH) : null;
    }
    PerfDataReader reader = PerfDataReader.open(dataFile);
    return new Recording(path, reader, image != null ? image : kcore, kallsymsFile, truth);
  }

  /** The path the recording was opened from (directory or file). */
  public Path path() {
    return path;
  }

  public boolean isDirectory() {
    return !path.equals(data.file());
  }

  /** The perf.data reader (records, attrs, features, AUXTRACE payloads). */
  public PerfDataReader data() {
    return data;
  }

  /** The kernel image file: the {@code --image} ELF, else {@code kcore_dir/kcore}. */
  public Optional<Path> imageFile() {
    return Optional.ofNullable(image);
  }

  public Optional<Path> kallsymsFile() {
    return Optional.ofNullable(kallsymsFile);
  }

  /** {@code truth/} of a simulated run. */
  public Optional<Path> truthDir() {
    return Optional.ofNullable(truth);
  }

  /** The kernel image, opened on first call; empty when the recording has none. */
  public Optional<ElfImage> image() throws IOException {
    if (openImage == null && image != null) {
      openImage = ElfImage.open(image);
    }
    return Optional.ofNullable(openImage);
  }

  /** kallsyms, read on first call; empty when the recording has none. */
  public Optional<Kallsyms> kallsyms() throws IOException {
    if (kallsyms == null && kallsymsFile != null) {
      kallsyms = Kallsyms.read(kallsymsFile);
    }
    return Optional.ofNullable(kallsyms);
  }

  @Override
  public void close() throws IOException {
    try {
      data.close();
    } finally {
      if (openImage != null) {
        openImage.close();
      }
    }
  }
}
