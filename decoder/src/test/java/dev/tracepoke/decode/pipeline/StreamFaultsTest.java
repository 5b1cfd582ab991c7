package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.input.SnapshotInput;
import dev.tracepoke.decode.input.TraceInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a streamed decode does when its sink fails or its trace is cut short. */
class StreamFaultsTest {
  static final Path SNAPSHOT =
      Path.of("/work/shared/conformance/opencsd-snapshots/bugfix-exact-match");

  @TempDir Path tmp;

  @BeforeAll
  static void snapshotPresent() {
    boolean present = Files.isRegularFile(SNAPSHOT.resolve("cstrace.bin"));
    if (!present) {
      System.out.println("StreamFaultsTest skipped: " + SNAPSHOT + " not found");
    }
    assumeTrue(present);
  }

  private static boolean decodeThreadsAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith("tracepoke-decode") && t.isAlive());
  }

  /**
   * A sink that fails (closed stdout, full disk) stops every decode thread and reaches the caller:
   * on the machine's default cut, and with the busy core's stream cut into 16 KiB stretches,
   * whose output stretch sends its chunks from a pool thread (live) while the others are held.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {-1, 16 << 10})
  void aFailingSinkStopsTheDecodeAndItsErrorReachesTheCaller(int stretch) throws Exception {
    TraceInput in = SnapshotInput.open(SNAPSHOT);
    IOException full = new IOException("No space left on device");
    long[] seen = new long[1];
    FlowSink failing = new FlowSink.Ignoring() {
      @Override
      public void range(int cpu, long start, long end, int instructions, int lastKind,
          boolean taken, long timeFrom, long timeTo, int flag, long offset) {
        if (++seen[0] == 10_000) {
          throw new java.io.UncheckedIOException(full);
        }
      }
    };
    long t0 = System.nanoTime();
    java.io.UncheckedIOException thrown = assertThrows(java.io.UncheckedIOException.class,
        () -> {
          if (stretch < 0) {
            Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, 2, failing, Long.MIN_VALUE,
                Long.MAX_VALUE);
          } else {
            Decoding.stream(in, CoreDecoderFactory.WINDOWS, null, 2, stretch, failing,
                Long.MIN_VALUE, Long.MAX_VALUE);
          }
        });
    assertSame(full, thrown.getCause());
    assertEquals(10_000, seen[0], "nothing reaches the sink after it failed");
    // stream() returns only after its decode threads ended
    assertTrue(!decodeThreadsAlive(), "decode threads still running");
    assertTrue(System.nanoTime() - t0 < 20_000_000_000L);
  }

  /** The snapshot with its buffer cut to {@code length} bytes. */
  private Path cut(long length) throws IOException {
    Path dir = tmp.resolve("cut" + length);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(SNAPSHOT)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("cstrace.bin")) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
    }
    byte[] all = Files.readAllBytes(SNAPSHOT.resolve("cstrace.bin"));
    Files.write(dir.resolve("cstrace.bin"), java.util.Arrays.copyOf(all, (int) length));
    return dir;
  }

  /** Streams a decode of {@code dir} into a buffer; a failure is noted in {@code failed}. */
  private static FlowBuffer streamed(Path dir, Exception[] failed) {
    FlowBuffer b = new FlowBuffer();
    try {
      Decoding.stream(SnapshotInput.open(dir), CoreDecoderFactory.WINDOWS, null, 2, b,
          Long.MIN_VALUE, Long.MAX_VALUE);
    } catch (IOException | RuntimeException e) {
      failed[0] = e;
    }
    return b;
  }

  /**
   * A trace cut anywhere (between frames, inside a frame, inside a packet) yields, streamed, every element the
   * whole trace has before the cut: the cut decode equals the whole one element by element,
   * except that the elements after the last timestamp before the cut lose their upper time bound
   * (the timestamp that would close it is cut off), and the elements at the very end that say
   * where the trace stopped.
   */
  @Test
  void aCutTraceYieldsEveryElementBeforeTheCut() throws IOException {
    Exception[] failed = new Exception[1];
    FlowBuffer whole = streamed(SNAPSHOT, failed);
    assertEquals(null, failed[0]);
    for (long length : new long[] {1008, 65_536 + 16, 400_000, 777_777}) {
      FlowBuffer part = streamed(cut(length), failed);
      assertEquals(null, failed[0], "cut at " + length);
      // a partial last frame is not read, and is named (file, offset, what was expected)
      assertEquals(length % 16 == 0 ? List.of() : List.of(cut(length).resolve("cstrace.bin")
          + ": buffer etr_0 ends inside a frame: its last " + length % 16 + " bytes (from byte offset "
          + (length - length % 16) + ") are not decoded: expected a whole number of 16-byte frames"),
          SnapshotInput.open(cut(length)).warnings().stream()
              .filter(w -> w.contains("inside a frame")).toList());
      // the trace of cpu 1 starts at byte 261
      assertArrayEquals(new int[] {1}, part.cpus(), "cut at " + length);
      for (int cpu : part.cpus()) {
        int n = part.size(cpu);
        int end = n;
        while (end > 0 && !part.timed(cpu, end - 1)) {
          end--; // trailing gaps and errors report the end itself
        }
        int open = end;
        while (open > 0 && part.timeTo(cpu, open - 1) == FlowSink.NO_TIME) {
          open--;
        }
        assertTrue(end > 0 || length < 4096, "cut at " + length + ": nothing decoded on cpu " + cpu);
        for (int i = 0; i < end; i++) {
          // no timestamp after the last elements in the cut trace: their upper bound is open
          boolean keepTo = i < open;
          assertEquals(render(whole, cpu, i, keepTo), render(part, cpu, i, keepTo),
              "cut at " + length + ", cpu " + cpu + ", element " + i + " of " + n);
        }
      }
    }
  }

  /** Element {@code i} of {@code cpu} as text, its upper time bound left out unless {@code to}. */
  private static String render(FlowBuffer b, int cpu, int i, boolean to) {
    StringBuilder s = new StringBuilder();
    b.replay(cpu, i, new FlowSink() {
      @Override
      public void range(int c, long start, long end, int instructions, int lastKind,
          boolean taken, long timeFrom, long timeTo, int flag, long offset) {
        s.append("range ").append(Long.toHexString(start)).append(' ').append(Long.toHexString(end))
            .append(' ').append(instructions).append(' ').append(lastKind).append(' ').append(taken)
            .append(' ').append(timeFrom).append(' ').append(to ? timeTo : 0).append(' ')
            .append(flag).append(' ').append(offset);
      }

      @Override
      public void exception(int c, int number, long returnAddress, long timeFrom, long timeTo,
          long offset) {
        s.append("exception ").append(number).append(' ').append(Long.toHexString(returnAddress))
            .append(' ').append(timeFrom).append(' ').append(to ? timeTo : 0).append(' ').append(offset);
      }

      @Override
      public void exceptionReturn(int c, long timeFrom, long timeTo, long offset) {
        s.append("eret ").append(timeFrom).append(' ').append(to ? timeTo : 0).append(' ').append(offset);
      }

      @Override
      public void context(int c, int el, boolean sf, boolean ns, long contextId, int vmid,
          long offset) {
        s.append("context ").append(el).append(sf).append(ns).append(contextId).append(' ')
            .append(vmid).append(' ').append(offset);
      }

      @Override
      public void gap(int c, int reason, long address, long offset) {
        s.append("gap ").append(reason).append(' ').append(address).append(' ').append(offset);
      }

      @Override
      public void ambiguity(int c, long pc, int[] candidates, boolean resolved, int resolvedWord,
          long timeFrom, long timeTo, long resolvedAt) {
        s.append("ambiguity ").append(pc).append(java.util.Arrays.toString(candidates))
            .append(resolved).append(resolvedWord).append(' ').append(timeFrom).append(' ')
            .append(to ? timeTo : 0).append(' ').append(resolvedAt);
      }

      @Override
      public void error(int c, long offset, long packetIndex, String message) {
        s.append("error ").append(offset).append(' ').append(packetIndex).append(' ').append(message);
      }
    });
    return s.toString();
  }
}
