package dev.tracepoke.coresight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the CoreSight frame deformatter under each input mode: every byte of
 * the input is accounted for (delivered to a source, or counted as null/reserved/unknown ID, sync or
 * unsynchronised bytes), runs carry source IDs 0x01..0x6F only, and the only failure is a
 * {@link FrameFormatException} naming the stream and an offset inside it.
 */
class FrameDeformatterFuzzTest {

  static final List<Set<FrameDeformatter.Option>> MODES = List.of(
      EnumSet.noneOf(FrameDeformatter.Option.class),
      EnumSet.of(FrameDeformatter.Option.RESET_ON_4X_FSYNC),
      EnumSet.of(FrameDeformatter.Option.FSYNCS),
      EnumSet.of(FrameDeformatter.Option.FSYNCS, FrameDeformatter.Option.HSYNCS),
      EnumSet.of(FrameDeformatter.Option.HSYNCS),
      EnumSet.of(FrameDeformatter.Option.STRICT_IDS));

  @FuzzTest(maxDuration = "15m")
  void frames(byte[] data) {
    if (data.length == 0) {
      return;
    }
    Set<FrameDeformatter.Option> mode = MODES.get((data[0] & 0xFF) % MODES.size());
    int chunk = 1 + ((data[0] & 0xFF) >> 3);
    long length = data.length - 1;
    long[] delivered = new long[1];
    FrameDeformatter d = new FrameDeformatter(mode, (id, buf, off, len, frameOffset, index) -> {
      assertTrue(id >= 0x01 && id <= 0x6F, "trace ID 0x" + Integer.toHexString(id));
      assertTrue(len > 0 && off >= 0 && off + len <= buf.length, "run [" + off + ", +" + len + ")");
      assertTrue(frameOffset >= 0 && frameOffset + 16 <= length && index >= frameOffset && index < frameOffset + 16,
          "frame at " + frameOffset + ", index " + index);
      delivered[0] += len;
    }, "fuzz.bin");
    try {
      for (int off = 1; off < data.length; off += chunk) {
        d.push(data, off, Math.min(chunk, data.length - off));
      }
      d.finish();
    } catch (FrameFormatException e) {
      assertTrue(e.getMessage().startsWith("fuzz.bin at byte offset "), e.getMessage());
      assertTrue(e.offset() >= 0 && e.offset() <= length, e.getMessage());
      return;
    }
    FrameDeformatter.Stats s = d.stats();
    assertEquals(delivered[0], s.sourceBytes());
    // every input byte is a frame byte (ID, flag or data), a sync byte, an unsynchronised one or
    // part of a TPIU capture's cut last frame
    assertEquals(length, s.frames() * 16 + s.syncBytes() + s.unsyncedBytes() + d.trailingBytes(),
        s + ", trailing " + d.trailingBytes());
  }
}
