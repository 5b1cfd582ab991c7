package dev.tracepoke.recording;

import dev.tracepoke.storage.WholeFile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * A recording directory packed as one {@code .tar.xz} file, byte-identical for identical
 * contents: entries sorted by path, modification time 0, uid/gid 0 without names, modes 0644 and
 * 0755, fixed LZMA2 options. Golden cases keep their recordings this way.
 */
public final class RecordingArchive {
  /** The name a golden case gives its archive. */
  public static final String FILE_NAME = "recording.tar.xz";

  /** LZMA2 preset 6 with a 4 MiB dictionary: recordings that fit it compress as at preset 6. */
  private static final int DICT_SIZE = 4 << 20;
  /** Refuse to decompress archives whose decoder would need more than this (KiB). */
  private static final int MEMORY_LIMIT_KIB = 64 << 10;

  private RecordingArchive() {}

  /**
   * The regular files of a recording (or of an archive) by relative path with '/' separators,
   * sorted. Recordings held this way are the small ones of the golden corpus.
   */
  public record Contents(SortedMap<String, byte[]> files) {
    public Contents {
      files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /**
     * The first difference from {@code actual} in path order, as "PATH: ..." text, or null when
     * both hold the same files with the same bytes.
     */
    public String firstDifference(Contents actual) {
      List<String> names = new ArrayList<>(files.keySet());
      for (String n : actual.files.keySet()) {
        if (!files.containsKey(n)) {
          names.add(n);
        }
      }
      Collections.sort(names);
      for (String n : names) {
        byte[] e = files.get(n);
        byte[] a = actual.files.get(n);
        if (e == null) {
          return n + ": not expected (" + a.length + " bytes)";
        }
        if (a == null) {
          return n + ": missing (expected " + e.length + " bytes)";
        }
        int at = Arrays.mismatch(e, a);
        if (at >= 0) {
          if (at >= e.length || at >= a.length) {
            return String.format("%s: %d bytes, expected %d (equal up to byte %d)", n, a.length, e.length, at);
          }
          return String.format("%s: byte %d is 0x%02x, expected 0x%02x", n, at, a[at] & 0xff, e[at] & 0xff);
        }
      }
      return null;
    }

    /** Total bytes of all files. */
    public long size() {
      long n = 0;
      for (byte[] b : files.values()) {
        n += b.length;
      }
      return n;
    }
  }

  /** Every regular file below {@code dir}. */
  public static Contents read(Path dir) throws IOException {
    SortedMap<String, byte[]> files = new TreeMap<>();
    for (Path p : walk(dir)) {
      if (Files.isRegularFile(p)) {
        files.put(relative(dir, p), Files.readAllBytes(p));
      }
    }
    return new Contents(files);
  }

  /** Packs every directory and regular file below {@code dir} into {@code archive} (replaced). */
  public static void pack(Path dir, Path archive) throws IOException {
    WholeFile.write(archive, pack(dir));
  }

  /** The archive bytes of {@code dir}. */
  public static byte[] pack(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new java.nio.file.NotDirectoryException(dir.toString());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LZMA2Options options = new LZMA2Options(6);
    options.setDictSize(DICT_SIZE);
    try (XZOutputStream xz = new XZOutputStream(bytes, options, XZ.CHECK_CRC64);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(xz, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Path p : walk(dir)) {
        if (p.equals(dir)) {
          continue;
        }
        boolean directory = Files.isDirectory(p);
        if (!directory && !Files.isRegularFile(p)) {
          throw new IOException(p + ": neither a regular file nor a directory; a recording holds only those");
        }
        String name = relative(dir, p) + (directory ? "/" : "");
        TarArchiveEntry e = new TarArchiveEntry(name, directory ? TarArchiveEntry.LF_DIR : TarArchiveEntry.LF_NORMAL);
        e.setModTime(0L);
        e.setIds(0, 0);
        e.setNames("", "");
        e.setMode(directory ? 040755 : 0100644);
        e.setSize(directory ? 0 : Files.size(p));
        tar.putArchiveEntry(e);
        if (!directory) {
          Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    return bytes.toByteArray();
  }

  /** The files an archive holds. */
  public static Contents contents(Path archive) throws IOException {
    SortedMap<String, byte[]> files = new TreeMap<>();
    scan(archive, (name, data) -> files.put(name, data));
    return new Contents(files);
  }

  /** Unpacks {@code archive} into {@code dir} (created if absent; existing files are replaced). */
  public static void unpack(Path archive, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path root = dir.toAbsolutePath().normalize();
    scan(archive, (name, data) -> {
      Path p = root.resolve(name).normalize();
      Files.createDirectories(p.getParent());
      WholeFile.write(p, data);
    });
  }

  @FunctionalInterface
  private interface FileVisitor {
    void file(String name, byte[] data) throws IOException;
  }

  private static void scan(Path archive, FileVisitor visitor) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        XZInputStream xz = openXz(archive, in);
        TarArchiveInputStream tar = new TarArchiveInputStream(xz, "UTF-8")) {
      int index = 0;
      long header = 0; // uncompressed offset of the next tar header
      while (true) {
        TarArchiveEntry e;
        try {
          e = tar.getNextEntry();
        } catch (IOException x) {
          throw new IOException(where(archive, index, header) + ": unreadable tar header: " + reason(x), x);
        }
        if (e == null) {
          return;
        }
        String name = e.getName();
        long dataStart = tar.getBytesRead();
        checkName(archive, index, header, name);
        if (!e.isDirectory() && !e.isFile()) {
          throw new IOException(where(archive, index, header) + ": entry '" + name
              + "' is neither a regular file nor a directory");
        }
        if (e.isFile()) {
          byte[] data;
          try {
            data = tar.readAllBytes();
          } catch (IOException x) {
            throw new IOException(where(archive, index, header) + ": entry '" + name + "' cut short: " + reason(x), x);
          }
          if (data.length != e.getSize()) {
            throw new IOException(where(archive, index, header) + ": entry '" + name + "' holds " + data.length
                + " bytes, its header says " + e.getSize());
          }
          visitor.file(name, data);
        }
        header = dataStart + (e.getSize() + 511) / 512 * 512;
        index++;
      }
    }
  }

  private static String reason(IOException x) {
    return x instanceof java.io.EOFException ? "the archive ends early" : x.getMessage();
  }

  private static XZInputStream openXz(Path archive, InputStream in) throws IOException {
    try {
      return new XZInputStream(in, MEMORY_LIMIT_KIB);
    } catch (IOException x) {
      throw new IOException(archive + ": byte 0: expected an xz stream: " + x.getMessage(), x);
    }
  }

  private static String where(Path archive, int index, long tarOffset) {
    return archive + ": tar entry " + index + " at uncompressed byte " + tarOffset;
  }

  /** Relative names only, without '..': an archive never writes outside the directory it fills. */
  private static void checkName(Path archive, int index, long offset, String name) throws IOException {
    String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    boolean bad = n.isEmpty() || n.startsWith("/") || n.contains("\\");
    for (String part : n.split("/", -1)) {
      bad |= part.isEmpty() || part.equals("..") || part.equals(".");
    }
    if (bad) {
      throw new IOException(where(archive, index, offset) + ": entry name '" + name
          + "' is not a plain relative path");
    }
  }

  private static List<Path> walk(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(s.toList());
      // sort by the archive name so the order does not depend on the file system
      all.sort((a, b) -> relative(dir, a).compareTo(relative(dir, b)));
      return all;
    }
  }

  private static String relative(Path dir, Path p) {
    return dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }
}
