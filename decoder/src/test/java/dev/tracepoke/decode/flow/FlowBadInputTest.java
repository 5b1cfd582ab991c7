package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.etm4.Etm4Config;
import dev.tracepoke.decode.etm4.PacketReader;
import dev.tracepoke.decode.image.BlockCache;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A corrupted byte in a core's trace: an error at its offset, the decode resumes at the next
 * A-sync, and from there on everything equals the clean decode. Real ETMv4 bytes through the
 * {@link PacketReader}, over the window timeline of {@link FlowWindowsTest}.
 */
class FlowBadInputTest {
  static final long F = FlowWindowsTest.F;

  /** The Juno Cortex-A53 ETMv4.0 of the shipped snapshots: 32-bit context ID. */
  static final Etm4Config A53 =
      new Etm4Config(0xC1, 0x10, 0x28000EA1, 0x4100F403, 0x00000488, 0, 0, 0, 0, 0, 0);

  /** Writes ETMv4 packets (IS0 / AArch64 forms only). */
  static final class Writer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int offset() {
      return out.size();
    }

    Writer async() {
      for (int i = 0; i < 11; i++) {
        out.write(0);
      }
      out.write(0x80);
      return this;
    }

    Writer traceInfo() {
      out.write(0x01);
      out.write(0x00);
      return this;
    }

    private void address64(long a) {
      out.write((int) (a >>> 2) & 0x7F);
      out.write((int) (a >>> 9) & 0x7F);
      for (int s = 16; s < 64; s += 8) {
        out.write((int) (a >>> s) & 0xFF);
      }
    }

    /** Long 64-bit address with context: EL, AArch64, Non-secure, context ID 0x1234. */
    Writer addressWithContext(long a, int el) {
      out.write(0x85);
      address64(a);
      out.write(0xB0 | el);
      out.write(0x34);
      out.write(0x12);
      out.write(0);
      out.write(0);
      return this;
    }

    Writer address(long a) {
      out.write(0x9D);
      address64(a);
      return this;
    }

    /** A full timestamp (values below 2^21: three 7-bit groups). */
    Writer timestamp(long v) {
      out.write(0x02);
      out.write((int) (v & 0x7F) | 0x80);
      out.write((int) ((v >>> 7) & 0x7F) | 0x80);
      out.write((int) ((v >>> 14) & 0x7F));
      return this;
    }

    Writer atom(boolean e) {
      out.write(e ? 0xF7 : 0xF6);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  static List<String> decode(byte[] data) {
    FlowDecoderTest.Lines lines = new FlowDecoderTest.Lines();
    FlowDecoder d = new FlowDecoder(0, new BlockCache(FlowWindowsTest.timeline(), true, false),
        FlowDecoder.Config.windows(LongUnaryOperator.identity()), lines);
    PacketReader r = new PacketReader(A53, d);
    r.push(data);
    r.finish();
    return lines.out;
  }

  /** The offset an element line reports ({@code @N}), or -1. */
  static long offsetOf(String line) {
    int at = line.lastIndexOf('@');
    if (at < 0) {
      return -1;
    }
    int end = line.indexOf(' ', at);
    return Long.parseLong(line.substring(at + 1, end < 0 ? line.length() : end));
  }

  @Test
  void aCorruptedByteIsAnErrorAtItsOffsetAndTheDecodeResumesAtTheNextAsync() {
    Writer w = new Writer();
    w.async().traceInfo().addressWithContext(F + 0x40, 1).timestamp(500);
    // before the window: the function with S1 (NOP) returns to itself three times
    w.atom(true).address(F + 0x40);
    int corrupt = w.offset();
    w.atom(true).address(F + 0x40);
    w.atom(true).address(F + 0x40).timestamp(900);
    int resync = w.offset();
    // inside the window: once with B, once with NOP
    w.async().traceInfo().addressWithContext(F + 0x40, 1).timestamp(1500);
    w.atom(true).atom(true).atom(true).address(F + 0x40);
    w.atom(true).address(F + 0x40).timestamp(1600);
    byte[] clean = w.bytes();
    byte[] bad = clean.clone();
    bad[corrupt] = 0x47; // a reserved header in place of an atom

    List<String> good = decode(clean);
    assertEquals(List.of(
        "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @14",
        // no lower time bound before the first timestamp, nor right after a sync point
        "0 range F+40..F+50 n=4 return E [-,900] flag=0 @32",
        "0 range F+40..F+50 n=4 return E [500,900] flag=0 @42",
        "0 range F+40..F+50 n=4 return E [500,900] flag=0 @52",
        "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @80",
        // the NOP walk is dropped by the second atom (a walk waiting for the ret target)
        "0 ambiguity F+44 [d503201f,1400003f] resolved=1400003f [-,1600] @99",
        "0 range F+40..F+48 n=2 direct E [-,1600] flag=2 @98",
        "0 range F+140..F+148 n=2 direct E [1500,1600] flag=2 @99",
        "0 range F+48..F+50 n=2 return E [1500,1600] flag=0 @100",
        // the B walk is dropped by the address its pc does not wait for
        "0 ambiguity F+44 [d503201f,1400003f] resolved=d503201f [1500,1600] @111",
        "0 range F+40..F+50 n=4 return E [1500,1600] flag=2 @110"), good);

    List<String> broken = decode(bad);
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String l : broken) {
      if (l.contains(" error ") || l.contains(" gap ")) {
        errors.add(l);
      } else if (offsetOf(l) < corrupt) {
        before.add(l);
      } else {
        after.add(l);
      }
    }
    assertEquals(42, corrupt);
    assertEquals(66, resync);
    assertEquals(List.of("0 error @42 #6 bad packet (header 0x47, 1 bytes): RESERVED_HEADER",
        "0 gap error F+40 @42"), errors);
    assertEquals(good.subList(0, 2), before);
    List<String> cleanAfter = new ArrayList<>();
    for (String l : good) {
      if (offsetOf(l) >= resync) {
        cleanAfter.add(l);
      }
    }
    assertEquals(7, cleanAfter.size(), "clean elements after the resync point: " + cleanAfter);
    assertEquals(cleanAfter, after);
  }
}
