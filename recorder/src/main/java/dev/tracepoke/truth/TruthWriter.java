package dev.tracepoke.truth;

import dev.tracepoke.storage.WholeFile;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes ground truth: per core, in program order, exactly what the core executed. One compressed
 * file per core; every core file is written under a temporary name and the whole set appears only
 * at {@link #close()} (core files renamed first, {@code truth.properties} last), so a crash never
 * leaves a truth directory that looks complete.
 *
 * <p>Encoding (before compression): one tag byte per event, then LEB128 varints. PCs are zigzag
 * deltas from the address the core would execute next (end of the previous run, an exception's
 * vector, an ERET's target); times are zigzag deltas from the previous event's time.
 *
 * <p>Compression: zstd level 15 by default. Measured on {@code LoopWorkload} (seed 42, 4,000,183
 * instructions, loops with random trip counts, if/else, calls, IRQs, random stalls), bytes per
 * instruction: zstd-3 0.167, zstd-9 0.129, zstd-12 0.121, zstd-15 0.110, zstd-19 0.097, xz-6 and
 * xz-9 0.096 (without stalls: zstd-15 0.068). Write time for that stream on the 2-core build box:
 * zstd-15 about 1.0-1.4 s, zstd-19 2.5-2.9 s, xz 3.8-7.9 s. xz buys 1 % over zstd-19 at twice the
 * time; zstd-15 meets the target (at most 1/8 byte per instruction) with 12 % to spare at half the
 * time of zstd-19.
 */
public final class TruthWriter implements Closeable {
  static final Compression DEFAULT_COMPRESSION = Compression.ZSTD;
  static final int DEFAULT_LEVEL = 15;
  private static final Set<String> RESERVED = Set.of("format", "version", "cores", "compression");

  private final Path dir;
  private final Map<String, String> metadata;
  private final Compression compression;
  private final CoreWriter[] cores;
  private boolean closed;

  private TruthWriter(Path dir, int cores, Map<String, String> metadata, Compression c, int level)
      throws IOException {
    this.dir = dir;
    this.metadata = new TreeMap<>(metadata);
    for (String k : this.metadata.keySet()) {
      if (RESERVED.contains(k) || k.isEmpty()) {
        throw new IllegalArgumentException("metadata key '" + k + "' is reserved");
      }
    }
    this.compression = c;
    Files.createDirectories(dir);
    // an older set in the same place stops looking complete until this one is published
    Files.deleteIfExists(dir.resolve(TruthLayout.HEADER));
    this.cores = new CoreWriter[cores];
    try {
      for (int i = 0; i < cores; i++) {
        this.cores[i] = new CoreWriter(dir, i, c, level);
      }
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  /**
   * Starts a truth set in {@code truthDir} for {@code cores} cores.
   *
   * @param metadata small key/value header, e.g. scenario name and seed (keys format, version,
   *     cores, compression are reserved)
   */
  public static TruthWriter create(Path truthDir, int cores, Map<String, String> metadata)
      throws IOException {
    return create(truthDir, cores, metadata, DEFAULT_COMPRESSION, DEFAULT_LEVEL);
  }

  /**
   * As {@link #create(Path, int, Map)} with another zstd level (1..22): lower is faster and larger
   * (see the class comment for measured sizes).
   */
  public static TruthWriter create(Path truthDir, int cores, Map<String, String> metadata,
      int zstdLevel) throws IOException {
    if (zstdLevel < 1 || zstdLevel > 22) {
      throw new IllegalArgumentException("zstd level 1..22");
    }
    return create(truthDir, cores, metadata, Compression.ZSTD, zstdLevel);
  }

  static TruthWriter create(Path truthDir, int cores, Map<String, String> metadata,
      Compression c, int level) throws IOException {
    if (cores <= 0) {
      throw new IllegalArgumentException("cores must be > 0");
    }
    return new TruthWriter(truthDir, cores, Objects.requireNonNull(metadata), c, level);
  }

  /** The writer for core {@code i}. */
  public CoreWriter core(int i) {
    return cores[i];
  }

  public int cores() {
    return cores.length;
  }

  /** Ends every core stream, then publishes the files (core files first, header last). */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (CoreWriter w : cores) {
        w.finish();
      }
      for (CoreWriter w : cores) {
        WholeFile.commit(w.tmp, w.target);
      }
      writeHeader();
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  private void writeHeader() throws IOException {
    Map<String, String> all = new TreeMap<>(metadata);
    all.put("format", TruthLayout.FORMAT);
    all.put("version", Integer.toString(TruthLayout.VERSION));
    all.put("cores", Integer.toString(cores.length));
    all.put("compression", compression.name().toLowerCase(java.util.Locale.ROOT));
    StringBuilder text = new StringBuilder();
    for (var e : all.entrySet()) {
      // Properties does the escaping; one entry at a time keeps the order sorted and drops the date
      Properties one = new Properties();
      one.setProperty(e.getKey(), e.getValue());
      StringWriter w = new StringWriter();
      one.store(w, null);
      for (String line : w.toString().split("\n")) {
        if (!line.startsWith("#")) {
          text.append(line.stripTrailing()).append('\n');
        }
      }
    }
    Path target = dir.resolve(TruthLayout.HEADER);
    WholeFile.writeString(target, text.toString(), StandardCharsets.ISO_8859_1);
  }

  /** Gives up a set whose run failed: no core file or header is published; close() does nothing. */
  public void discard() {
    if (!closed) {
      closed = true;
      abort();
    }
  }

  /** Drops the temporary files (used when writing fails). */
  private void abort() {
    for (CoreWriter w : cores) {
      if (w != null) {
        try {
          w.out.close();
        } catch (IOException | RuntimeException ignored) {
          // the original failure is what the caller needs to see
        }
        try {
          Files.deleteIfExists(w.tmp);
        } catch (IOException ignored) {
          // best effort: a leftover *.tmp never looks like a complete truth set
        }
      }
    }
  }

  /**
   * Events of one core, in program order. Calls encode into a reusable buffer: no allocation
   * per call. Not thread safe; one thread per core is fine.
   */
  public static final class CoreWriter {
    private static final int FLUSH_AT = (1 << 16) - 40;

    private final Path target;
    private final Path tmp;
    private final OutputStream out;
    private final byte[] ops = new byte[1 << 16];
    private int op;
    private long nextPc;
    private long lastTime;
    private long instructions;
    private boolean finished;

    CoreWriter(Path dir, int core, Compression c, int level) throws IOException {
      this.target = TruthLayout.coreFile(dir, core);
      this.tmp = WholeFile.temporary(target);
      OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
      file.write(TruthLayout.MAGIC);
      file.write(c.id);
      this.out = c.compress(file, level);
      op = varint(ops, 0, core);
    }

    /** {@code count} instructions at startPc, startPc+4, ... retired in sequence from {@code time}. */
    public void run(long startPc, int count, long time) throws IOException {
      if (count <= 0) {
        throw new IllegalArgumentException("count must be > 0");
      }
      begin(TruthEvent.RUN);
      op = signed(ops, op, startPc - nextPc);
      op = varint(ops, op, count);
      putTime(time);
      nextPc = startPc + 4L * count;
      instructions += count;
    }

    /** The word the core executed at patch site {@code pc}; before the run holding it. */
    public void patchSite(long pc, int word, boolean newest, long time) throws IOException {
      begin(TruthEvent.PATCH_SITE | (newest ? TruthLayout.NEWEST : 0));
      op = signed(ops, op, pc - nextPc);
      ops[op++] = (byte) word;
      ops[op++] = (byte) (word >>> 8);
      ops[op++] = (byte) (word >>> 16);
      ops[op++] = (byte) (word >>> 24);
      putTime(time);
    }

    /** An exception taken from {@code fromEl} to {@code toEl} (0..15 each); {@code type} >= 0. */
    public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl,
        long time) throws IOException {
      if (type < 0 || (fromEl & ~0xF) != 0 || (toEl & ~0xF) != 0) {
        throw new IllegalArgumentException("type >= 0 and ELs 0..15 expected");
      }
      begin(TruthEvent.EXCEPTION);
      op = varint(ops, op, type);
      ops[op++] = (byte) (fromEl << 4 | toEl);
      op = signed(ops, op, preferredReturn - nextPc);
      op = signed(ops, op, vector - preferredReturn);
      putTime(time);
      nextPc = vector;
    }

    /** An ERET at {@code pc} that returned to {@code target} at {@code toEl} (0..15). */
    public void exceptionReturn(long pc, long target, int toEl, long time) throws IOException {
      if ((toEl & ~0xF) != 0) {
        throw new IllegalArgumentException("EL 0..15 expected");
      }
      begin(TruthEvent.EXCEPTION_RETURN);
      ops[op++] = (byte) toEl;
      op = signed(ops, op, pc - nextPc);
      op = signed(ops, op, target - pc);
      putTime(time);
      nextPc = target;
    }

    /** Marks [fromTime, toTime] as lost to a trace overflow (the instructions stay in the truth). */
    public void untraced(long fromTime, long toTime) throws IOException {
      if (toTime < fromTime) {
        throw new IllegalArgumentException("toTime < fromTime");
      }
      begin(TruthEvent.UNTRACED);
      op = signed(ops, op, fromTime - lastTime); // lastTime stays: the stretch may lie in the past
      op = varint(ops, op, toTime - fromTime);
    }

    /** Instructions written so far. */
    public long instructions() {
      return instructions;
    }

    private void begin(int tag) throws IOException {
      if (finished) {
        throw new IllegalStateException("truth writer closed");
      }
      if (op >= FLUSH_AT) {
        try {
          out.write(ops, 0, op);
        } catch (IOException e) {
          throw WholeFile.failed(target, e);
        }
        op = 0;
      }
      ops[op++] = (byte) tag;
    }

    private void putTime(long time) {
      op = signed(ops, op, time - lastTime);
      lastTime = time;
    }

    private static int signed(byte[] b, int p, long v) {
      return varint(b, p, (v << 1) ^ (v >> 63));
    }

    private static int varint(byte[] b, int p, long v) {
      while ((v & ~0x7FL) != 0) {
        b[p++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      b[p++] = (byte) v;
      return p;
    }

    void finish() throws IOException {
      if (finished) {
        return;
      }
      ops[op++] = (byte) TruthEvent.END;
      out.write(ops, 0, op);
      op = 0;
      finished = true;
      out.close();
    }
  }
}
