package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.TextPoke;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Resolution up to what the trace allows: the call stack is part of a walk's state, candidates
 * that cannot reach an exception's return address never fork, and unresolved executions say why.
 * Hand-made images with PRE/POST windows from 1000 to 2000, trace inside them.
 */
class FlowResolutionTest {
  static final long F = FlowDecoderTest.F;
  static final int ADD = FlowDecoderTest.ADD;
  static final int NOP = FlowWindowsTest.NOP;
  static final int RET = FlowWindowsTest.RET;

  static MemoryImage image(int[] w) {
    byte[] b = new byte[w.length * 4];
    for (int i = 0; i < w.length; i++) {
      for (int k = 0; k < 4; k++) {
        b[i * 4 + k] = (byte) (w[i] >>> (8 * k));
      }
    }
    return MemoryImage.of(List.of(new MemoryImage.Segment(F, b)));
  }

  static FlowDecoderTest.Lines run(ImageTimeline timeline, Consumer<FlowDecoder> packets) {
    FlowDecoderTest.Lines lines = new FlowDecoderTest.Lines();
    FlowDecoder d = new FlowDecoder(0, new BlockCache(timeline, true, false),
        FlowDecoder.Config.windows(LongUnaryOperator.identity()), lines);
    packets.accept(d);
    return lines;
  }

  // A caller calls F1, whose site S is NOP or B F1b. NOP: "b F1d; F1d: bl F2"; B: "F1b: b F2" (a
  // tail call). Both give three E atoms and wait at F2's RET with different call stacks.
  static final long S = F + 0x40;
  static final int S_B = 0x14000010; // b F+0x80

  static ImageTimeline callImage() {
    int[] w = new int[0x100];
    Arrays.fill(w, ADD);
    w[0x00 / 4] = 0x94000010; // bl F+0x40 (F1)
    w[0x40 / 4] = NOP; // S
    w[0x44 / 4] = 0x14000007; // b F+0x60 (F1d)
    w[0x60 / 4] = 0x94000018; // bl F+0xc0 (F2)
    w[0x64 / 4] = RET;
    w[0x80 / 4] = 0x14000010; // b F+0xc0 (F2)
    w[0xc0 / 4] = RET;
    return ImageTimeline.of(image(w), FlowWindowsTest.window(S, NOP, S_B, 1000, 2000));
  }

  static void callTrace(FlowDecoder d, long returnAddress) {
    FlowWindowsTest.start(d, F, 1500);
    d.atoms(30, 3, 4, 0b1111, 4); // bl F1, then three E either way
    FlowWindowsTest.addr(d, 31, returnAddress);
    FlowWindowsTest.ts(d, 40, 1600);
    d.end(50, 9);
  }

  @Test
  void aReturnToItsCallSiteDecidesWalksThatReachTheSameReturn() {
    // F2 returned to F1d's call site: only the NOP walk called from there
    FlowDecoderTest.Lines nop = run(callImage(), d -> callTrace(d, F + 0x64));
    assertEquals(List.of(FlowWindowsTest.CTX,
        "0 range F+0..F+4 n=1 direct E [-,1600] flag=0 @30",
        "0 ambiguity F+40 [d503201f,14000010] resolved=d503201f [1500,1600] @31",
        "0 range F+40..F+48 n=2 direct E [1500,1600] flag=2 @30",
        "0 range F+60..F+64 n=1 direct E [1500,1600] flag=2 @30",
        "0 range F+c0..F+c4 n=1 return E [1500,1600] flag=2 @30"), nop.out);
    assertEquals(Arrays.asList((String) null), nop.reasons);

    // F2 returned to the caller's call site: the tail call of the B walk
    FlowDecoderTest.Lines b = run(callImage(), d -> callTrace(d, F + 0x04));
    assertEquals(List.of(FlowWindowsTest.CTX,
        "0 range F+0..F+4 n=1 direct E [-,1600] flag=0 @30",
        "0 ambiguity F+40 [d503201f,14000010] resolved=14000010 [1500,1600] @31",
        "0 range F+40..F+44 n=1 direct E [1500,1600] flag=2 @30",
        "0 range F+80..F+84 n=1 direct E [1500,1600] flag=2 @30",
        "0 range F+c0..F+c4 n=1 return E [1500,1600] flag=2 @30"), b.out);
  }

  @Test
  void aReturnNoWalkPredictedKeepsEveryWalk() {
    // the address fits neither call site: the trace says otherwise, nothing is dropped for it;
    // the walks' call stacks still differ, so they stay apart until the trace ends (@50)
    FlowDecoderTest.Lines l = run(callImage(), d -> callTrace(d, F + 0x200));
    assertEquals(List.of(FlowWindowsTest.CTX,
        "0 range F+0..F+4 n=1 direct E [-,1600] flag=0 @30",
        "0 ambiguity F+40 [d503201f,14000010] unresolved [1500,1600] @50",
        "0 range F+40..F+48 n=2 direct E [1500,1600] flag=1 @30",
        "0 range F+60..F+64 n=1 direct E [1500,1600] flag=1 @30",
        "0 range F+c0..F+c4 n=1 return E [1500,1600] flag=1 @30"), l.out);
    assertEquals(List.of("undecidable"), l.reasons);
  }

  // Five sites in a straight line, each NOP or B F+0x100; an IRQ returns past all of them.
  static ImageTimeline straightImage() {
    int[] w = new int[0x100];
    Arrays.fill(w, ADD);
    List<TextPoke> pokes = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      int at = 0x08 + 8 * k;
      w[at / 4] = NOP;
      int b = 0x14000000 | ((0x100 - at) / 4);
      pokes.addAll(FlowWindowsTest.window(F + at, NOP, b, 1000, 2000));
    }
    w[0x104 / 4] = RET;
    return ImageTimeline.of(image(w), pokes);
  }

  @Test
  void candidatesThatCannotReachAnExceptionsReturnAddressNeverFork() {
    FlowDecoderTest.Lines l = run(straightImage(), d -> {
      FlowWindowsTest.start(d, F, 1500);
      d.exception(22, 3, 0xE, 1, false); // IRQ
      FlowWindowsTest.addr(d, 23, F + 0x34); // preferred return: past the five sites
      FlowWindowsTest.addr(d, 24, F + 0x200); // the vector
      FlowWindowsTest.ts(d, 40, 1600);
      d.end(50, 9);
    });
    List<String> expected = new ArrayList<>();
    expected.add(FlowWindowsTest.CTX);
    for (int k = 0; k < 5; k++) {
      expected.add(String.format("0 ambiguity F+%x [d503201f,%08x] resolved=d503201f [-,1600]"
          + " @22", 0x08 + 8 * k, 0x14000000 | ((0x100 - (0x08 + 8 * k)) / 4)));
    }
    expected.add("0 range F+0..F+34 n=13 other E [-,1600] flag=2 @22");
    expected.add("0 exception 0xe ret=F+34 [-,1600] @22");
    assertEquals(expected, l.out);
    assertEquals(Arrays.asList(null, null, null, null, null), l.reasons);
  }

  // G (called from F) takes an IRQ; the handler jumps to F1, whose site S is NOP or B F1b. NOP:
  // "b F1d; F1d: bl F2"; B: "F1b: b F2". F2 leaves by ERET (as the system-call path leaves to
  // user space), its frames never returned. Four E atoms either way, then G returns to F.
  static final long S2 = F + 0x140;

  static ImageTimeline handlerImage() {
    int[] w = new int[0x100];
    Arrays.fill(w, ADD);
    w[0x00 / 4] = 0x94000004; // bl F+0x10 (G)
    w[0x18 / 4] = RET; // G returns
    w[0x100 / 4] = 0x14000010; // the handler: b F+0x140 (F1)
    w[0x140 / 4] = NOP; // S
    w[0x144 / 4] = 0x14000007; // b F+0x160 (F1d)
    w[0x160 / 4] = 0x94000018; // bl F+0x1c0 (F2)
    w[0x180 / 4] = 0x14000010; // F1b: b F+0x1c0 (F2)
    w[0x1c0 / 4] = 0xd69f03e0; // F2: eret
    return ImageTimeline.of(image(w), FlowWindowsTest.window(S2, NOP, 0x14000010, 1000, 2000));
  }

  @Test
  void anExceptionReturnEndsTheHandlersCalls() {
    // after the ERET both walks are back in G with the same calls: G's return to F (the only
    // frame left) cannot tell them apart. The handler's F1d frame, kept past the ERET, decided
    // for B at G's return (resolved=14000010 @33), which the trace does not say.
    FlowDecoderTest.Lines l = run(handlerImage(), d -> {
      FlowWindowsTest.start(d, F, 1500);
      d.atoms(20, 2, 1, 0b1, 1); // bl G
      d.exception(22, 3, 0xE, 1, false); // IRQ in G
      FlowWindowsTest.addr(d, 23, F + 0x14); // preferred return
      FlowWindowsTest.addr(d, 24, F + 0x100); // the vector
      d.atoms(30, 5, 4, 0b1111, 4); // the handler to F2's ERET, either way
      FlowWindowsTest.addr(d, 31, F + 0x14); // back in G
      d.atoms(32, 7, 1, 0b1, 1); // G's RET
      FlowWindowsTest.addr(d, 33, F + 0x4); // to its call site
      FlowWindowsTest.ts(d, 40, 1600);
      d.end(50, 9);
    });
    assertEquals(List.of(FlowWindowsTest.CTX,
        "0 range F+0..F+4 n=1 direct E [-,1600] flag=0 @20",
        "0 range F+10..F+14 n=1 other E [1500,1600] flag=0 @22",
        "0 exception 0xe ret=F+14 [1500,1600] @22",
        "0 range F+100..F+104 n=1 direct E [1500,1600] flag=0 @30",
        "0 ambiguity F+140 [d503201f,14000010] unresolved [1500,1600] @30",
        "0 range F+140..F+148 n=2 direct E [1500,1600] flag=1 @30",
        "0 range F+160..F+164 n=1 direct E [1500,1600] flag=1 @30",
        "0 range F+1c0..F+1c4 n=1 eret E [1500,1600] flag=1 @30",
        "0 range F+14..F+1c n=2 return E [1500,1600] flag=0 @32"), l.out);
    assertEquals(List.of("undecidable"), l.reasons);
  }
}
