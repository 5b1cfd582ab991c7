package dev.tracepoke.decode.input;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where the code of a recording comes from besides the recording itself, as perf's options say it.
 *
 * @param images {@code --image ELF[@ADDR]}: ELF files placed at their link address, or with their
 *     lowest PT_LOAD at ADDR
 * @param symfs {@code --symfs DIR}: a mapped file is looked up as DIR + its recorded path
 * @param buildIdDir perf's build-id cache ({@code --buildid-dir DIR}, default {@code ~/.debug})
 * @param vmlinux {@code --vmlinux ELF}: the kernel image for kernel maps
 */
public record ImageOptions(List<Placed> images, Optional<Path> symfs, Path buildIdDir, Optional<Path> vmlinux) {

  /** One {@code --image} argument. */
  public record Placed(Path elf, OptionalLong address) {

    /** Parses {@code ELF[@ADDR]} (ADDR hex with 0x, or decimal). */
    public static Placed parse(String arg) {
      int at = arg.lastIndexOf('@');
      if (at <= 0) {
        return new Placed(Path.of(arg), OptionalLong.empty());
      }
      String a = arg.substring(at + 1).trim();
      long v;
      try {
        v = a.startsWith("0x") || a.startsWith("0X") ? Long.parseUnsignedLong(a.substring(2), 16) : Long.parseUnsignedLong(a);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--image " + arg + ": ADDR '" + a + "' is not a number (0x... or decimal)");
      }
      return new Placed(Path.of(arg.substring(0, at)), OptionalLong.of(v));
    }
  }

  public ImageOptions {
    images = List.copyOf(images);
  }

  /** perf's default build-id cache: {@code $HOME/.debug}. */
  public static Path defaultBuildIdDir() {
    return Path.of(System.getProperty("user.home"), ".debug");
  }

  /** No options: the recording's own image only. */
  public static ImageOptions none() {
    return new ImageOptions(List.of(), Optional.empty(), defaultBuildIdDir(), Optional.empty());
  }
}
