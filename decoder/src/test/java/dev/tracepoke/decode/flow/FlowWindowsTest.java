package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PokeKind;
import dev.tracepoke.decode.image.TextPoke;
import dev.tracepoke.decode.input.TimeConversion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Decoding over an image that changes while it is traced: hand-made images with patch sites and
 * PRE/POST windows, packet sequences as PacketSink calls, exact output.
 */
class FlowWindowsTest {
  static final long F = FlowDecoderTest.F;
  static final long V = F + 0x400;
  static final long X = F + 0x3f8; // a return target: ADD, ADD, then ERET at V + 4
  static final int ADD = FlowDecoderTest.ADD;
  static final int NOP = 0xd503201f;
  static final int RET = 0xd65f03c0;
  static final int PACIASP = 0xd503233f;

  // S0: static key whose out-of-line block ends in RET (merges with the NOP path)
  static final long S0 = F + 0x04;
  static final int S0_B = 0x1400003f; // b F+0x100
  // S1: static key whose out-of-line block branches back
  static final long S1 = F + 0x44;
  static final int S1_B = 0x1400003f; // b F+0x140
  static final int S1_BL = 0x9400004f; // bl F+0x180
  // S2: ftrace call site
  static final long S2 = F + 0x84;
  static final int S2_BL = 0x9400003f; // bl F+0x180
  // S3: a branch retargeted
  static final long S3 = F + 0xc4;
  static final int S3_OLD = 0x1400003f; // b F+0x1c0
  static final int S3_NEW = 0x14000047; // b F+0x1e0

  static MemoryImage image() {
    int[] w = new int[0x200];
    Arrays.fill(w, ADD);
    w[0x04 / 4] = NOP;
    w[0x08 / 4] = 0x14000002; // b F+0x10
    w[0x10 / 4] = RET;
    w[0x104 / 4] = RET;
    w[0x44 / 4] = NOP;
    w[0x4c / 4] = RET;
    w[0x144 / 4] = 0x17ffffc1; // b F+0x48
    w[0x84 / 4] = NOP;
    w[0x8c / 4] = RET;
    w[0x184 / 4] = RET;
    w[0xc4 / 4] = S3_OLD;
    w[0x1c4 / 4] = RET;
    w[0x1e8 / 4] = RET;
    w[0x404 / 4] = 0xd69f03e0; // eret
    byte[] b = new byte[w.length * 4];
    for (int i = 0; i < w.length; i++) {
      for (int k = 0; k < 4; k++) {
        b[i * 4 + k] = (byte) (w[i] >>> (8 * k));
      }
    }
    return MemoryImage.of(List.of(new MemoryImage.Segment(F, b)));
  }

  static byte[] le(int word) {
    return new byte[] {(byte) word, (byte) (word >>> 8), (byte) (word >>> 16), (byte) (word >>> 24)};
  }

  /** A PRE at {@code pre} and a POST at {@code post} for one word. */
  static List<TextPoke> window(long pc, int oldWord, int newWord, long pre, long post) {
    return List.of(new TextPoke(pre, pc, le(oldWord), le(newWord), PokeKind.PRE),
        new TextPoke(post, pc, le(oldWord), le(newWord), PokeKind.POST));
  }

  /** The four sites, each with a window from 1000 (PRE) to 2000 (POST). */
  static ImageTimeline timeline() {
    List<TextPoke> p = new ArrayList<>();
    p.addAll(window(S0, NOP, S0_B, 1000, 2000));
    p.addAll(window(S1, NOP, S1_B, 1000, 2000));
    p.addAll(window(S2, NOP, S2_BL, 1000, 2000));
    p.addAll(window(S3, S3_OLD, S3_NEW, 1000, 2000));
    return ImageTimeline.of(image(), p);
  }

  static List<String> run(ImageTimeline timeline, FlowDecoder.Config config,
      Consumer<FlowDecoder> packets) {
    FlowDecoderTest.Lines lines = new FlowDecoderTest.Lines();
    FlowDecoder d = new FlowDecoder(0, new BlockCache(timeline, true, false), config, lines);
    packets.accept(d);
    return lines.out;
  }

  static List<String> windows(Consumer<FlowDecoder> packets) {
    return run(timeline(), FlowDecoder.Config.windows(LongUnaryOperator.identity()), packets);
  }

  /** A timestamp, sync, and the first address (so the first range has a lower time bound). */
  static void start(FlowDecoder d, long pc, long time) {
    d.timestamp(20, 2, time, 64, false, 0);
    FlowDecoderTest.sync(d);
    FlowDecoderTest.ctx(d, 15, pc, 1);
  }

  static void addr(FlowDecoder d, long offset, long address) {
    d.address(offset, offset, address, 0, AddressForm.LONG_64, -1, 64);
  }

  static void ts(FlowDecoder d, long offset, long time) {
    d.timestamp(offset, offset, time, 64, false, 0);
  }

  static final String CTX = "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15";

  /** The CPU ran B at S1: E (b), E (b back), E (ret), then the return address. */
  static void s1TakenB(FlowDecoder d, long from, long to) {
    start(d, F + 0x40, from);
    d.atoms(30, 3, 3, 0b111, 3);
    addr(d, 31, X);
    ts(d, 40, to);
    d.end(50, 9);
  }

  /** The CPU ran NOP at S1: E (ret), then the return address. */
  static void s1Nop(FlowDecoder d, long from, long to) {
    start(d, F + 0x40, from);
    d.atoms(30, 3, 1, 0b1, 1);
    addr(d, 31, X);
    ts(d, 40, to);
    d.end(50, 9);
  }

  @Test
  void beforeThePreTheOldWordIsCertain() {
    assertEquals(List.of(CTX, "0 range F+40..F+50 n=4 return E [-,900] flag=0 @30"),
        windows(d -> s1Nop(d, 500, 900)));
  }

  @Test
  void insideTheWindowATraceOnlyBExplainsResolvesToB() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,1400003f] resolved=1400003f [-,1600] @30",
            "0 range F+40..F+48 n=2 direct E [-,1600] flag=2 @30",
            "0 range F+140..F+148 n=2 direct E [1500,1600] flag=2 @30",
            "0 range F+48..F+50 n=2 return E [1500,1600] flag=0 @30"),
        windows(d -> s1TakenB(d, 1500, 1600)));
  }

  @Test
  void insideTheWindowATraceOnlyNopExplainsResolvesToNopAtTheAddress() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,1400003f] resolved=d503201f [-,1600] @31",
            "0 range F+40..F+50 n=4 return E [-,1600] flag=2 @30"),
        windows(d -> s1Nop(d, 1500, 1600)));
  }

  @Test
  void pathsThatMergeStayUnresolvedAndFlagged() {
    // S0: NOP then "b F+0x10; ret", or B to "add; ret": two E atoms and an address either way;
    // the walks wait at different returns, so they merge only once the address (@31) came
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+4 [d503201f,1400003f] unresolved [-,1600] @31",
            "0 range F+0..F+c n=3 direct E [-,1600] flag=1 @30",
            "0 range F+10..F+14 n=1 return E [1500,1600] flag=1 @30"),
        windows(d -> {
          start(d, F, 1500);
          d.atoms(30, 3, 2, 0b11, 2);
          addr(d, 31, X);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  /** IRQ at the site's function entry after 2500, its handler's ERET, then the site. */
  static void cseAfterPost(FlowDecoder d, boolean withException) {
    start(d, F + 0x40, 2500);
    if (withException) {
      d.exception(22, 3, 0xE, 1, false);
      addr(d, 23, F + 0x40);
      FlowDecoderTest.ctx(d, 25, V, 1);
      d.atoms(30, 5, 1, 0b1, 1); // eret
      FlowDecoderTest.ctx(d, 31, F + 0x40, 1);
      d.exceptionReturn(33, 7);
    }
    d.atoms(35, 8, 3, 0b111, 3);
    addr(d, 36, X);
    ts(d, 40, 2600);
    d.end(50, 9);
  }

  @Test
  void afterThisCoresCseAfterThePostTheNewWordIsCertain() {
    assertEquals(
        List.of(CTX,
            "0 exception 0xe ret=F+40 [-,2600] @22",
            "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @25",
            "0 range F+400..F+408 n=2 eret E [2500,2600] flag=0 @30",
            "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @31",
            "0 eret [2500,2600] @33",
            "0 range F+40..F+48 n=2 direct E [2500,2600] flag=0 @35",
            "0 range F+140..F+148 n=2 direct E [2500,2600] flag=0 @35",
            "0 range F+48..F+50 n=2 return E [2500,2600] flag=0 @35"),
        windows(d -> cseAfterPost(d, true)));
  }

  @Test
  void aCoreWithoutACseAfterThePostStaysAmbiguous() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,1400003f] resolved=1400003f [-,2600] @35",
            "0 range F+40..F+48 n=2 direct E [-,2600] flag=2 @35",
            "0 range F+140..F+148 n=2 direct E [2500,2600] flag=2 @35",
            "0 range F+48..F+50 n=2 return E [2500,2600] flag=0 @35"),
        windows(d -> cseAfterPost(d, false)));
  }

  @Test
  void ftraceCallSiteResolvesToTheCall() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+84 [d503201f,9400003f] resolved=9400003f [-,1600] @30",
            "0 range F+80..F+88 n=2 direct E [-,1600] flag=2 @30",
            "0 range F+180..F+188 n=2 return E [1500,1600] flag=2 @30",
            "0 range F+88..F+90 n=2 return E [1500,1600] flag=0 @33"),
        windows(d -> {
          start(d, F + 0x80, 1500);
          d.atoms(30, 3, 2, 0b11, 2); // bl, ret
          addr(d, 31, F + 0x88);
          d.atoms(33, 5, 1, 0b1, 1); // ret
          addr(d, 34, X);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  @Test
  void ftraceCallSiteResolvesToTheNop() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+84 [d503201f,9400003f] resolved=d503201f [-,1600] @31",
            "0 range F+80..F+90 n=4 return E [-,1600] flag=2 @30"),
        windows(d -> {
          start(d, F + 0x80, 1500);
          d.atoms(30, 3, 1, 0b1, 1);
          addr(d, 31, X);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  @Test
  void aRetargetedBranchIsNotDecidedByAtomsAlone() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+c4 [1400003f,14000047] unresolved [-,1600] @31",
            "0 range F+c0..F+c8 n=2 direct E [-,1600] flag=1 @30",
            "0 range F+1c0..F+1c8 n=2 return E [1500,1600] flag=1 @30"),
        windows(d -> {
          start(d, F + 0xc0, 1500);
          d.atoms(30, 3, 2, 0b11, 2);
          addr(d, 31, X);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  @Test
  void aRetargetedBranchIsDecidedByAnExceptionReturnAddress() {
    // an IRQ returns to F+0x1e4, which only the new target reaches without passing a waypoint
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+c4 [1400003f,14000047] resolved=14000047 [-,1600] @33",
            "0 range F+c0..F+c8 n=2 direct E [-,1600] flag=2 @30",
            "0 range F+1e0..F+1e4 n=1 other E [1500,1600] flag=2 @31",
            "0 exception 0xe ret=F+1e4 [1500,1600] @31",
            "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @35"),
        windows(d -> {
          start(d, F + 0xc0, 1500);
          d.atoms(30, 3, 1, 0b1, 1);
          d.exception(31, 4, 0xE, 1, false);
          addr(d, 33, F + 0x1e4);
          FlowDecoderTest.ctx(d, 35, V, 1);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  @Test
  void whenEveryCandidateIsContradictedItIsAnErrorAndTheDecodeResyncs() {
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,1400003f] unresolved [-,1600] @30",
            "0 error @30 #3 every candidate word of the ambiguous site executions contradicts the"
                + " trace here",
            "0 gap error 0x0 @30",
            "0 ambiguity F+44 [d503201f,1400003f] resolved=d503201f [1500,1600] @34",
            "0 range F+40..F+50 n=4 return E [1500,1600] flag=2 @33"),
        windows(d -> {
          start(d, F + 0x40, 1500);
          d.atoms(30, 3, 2, 0b01, 2); // E then N: neither NOP (N after ret) nor B (N on b) fits
          d.atoms(31, 4, 1, 0b1, 1); // consumed by the resync
          addr(d, 32, F + 0x40);
          d.atoms(33, 6, 1, 0b1, 1);
          addr(d, 34, X);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  @Test
  void naiveDecodingReportsTheWrongPathUnflagged() {
    // the CPU ran B (the trace of s1TakenB); the naive decoder still has NOP before 1000
    assertEquals(
        List.of(CTX,
            "0 range F+40..F+50 n=4 return E [-,1600] flag=0 @30",
            "0 error @30 #3 2 atom(s) dropped: no address or context known yet"),
        run(timeline(), FlowDecoder.Config.naive(LongUnaryOperator.identity()), d -> s1TakenB(d, 900, 1600)));
    // the windows decoder on the same packets
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,1400003f] resolved=1400003f [-,1600] @30",
            "0 range F+40..F+48 n=2 direct E [-,1600] flag=2 @30",
            "0 range F+140..F+148 n=2 direct E [900,1600] flag=2 @30",
            "0 range F+48..F+50 n=2 return E [900,1600] flag=0 @30"),
        windows(d -> s1TakenB(d, 900, 1600)));
  }

  @Test
  void withoutRecordsContradictionsAreErrorsAtTheirPacket() {
    // event style none: the base image (NOP) while the CPU ran B
    assertEquals(
        List.of(CTX,
            "0 range F+40..F+50 n=4 return E [-,1600] flag=0 @30",
            "0 error @30 #3 2 atom(s) dropped: no address or context known yet"),
        run(ImageTimeline.of(image()), FlowDecoder.Config.windows(LongUnaryOperator.identity()),
            d -> s1TakenB(d, 1500, 1600)));
    // the CPU ran NOP while the base image has B: the address contradicts the walk
    ImageTimeline bImage = ImageTimeline.of(ImageTimeline.of(image(),
        window(S1, NOP, S1_B, 0, 1)).base(), List.of(new TextPoke(0, S1, le(NOP), le(S1_B),
            PokeKind.LANDED)));
    assertEquals(
        List.of(CTX,
            "0 range F+40..F+48 n=2 direct E [-,1600] flag=0 @30",
            "0 error @31 #31 address packet 0xffff8000080003f8 where the walk is at"
                + " 0xffff800008000140 and waits for no target"),
        run(bImage, FlowDecoder.Config.fixed(1), d -> s1Nop(d, 1500, 1600)));
  }

  @Test
  void pastTheBoundTheExecutionIsFlaggedAndTheDecodeResumesAtTheNextAddress() {
    List<TextPoke> p = new ArrayList<>(window(S1, NOP, S1_B, 1000, 2000));
    p.addAll(window(S1, S1_B, S1_BL, 1200, 2200));
    ImageTimeline three = ImageTimeline.of(image(), p);
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,1400003f,9400004f] unresolved [-,1600] @30",
            "0 gap error F+44 @30",
            "0 range F+3f8..F+408 n=4 eret E [-,1600] flag=0 @32"),
        run(three, FlowDecoder.Config.windows(LongUnaryOperator.identity()).withMaxWalkers(2), d -> {
          start(d, F + 0x40, 1500);
          d.atoms(30, 3, 3, 0b111, 3);
          addr(d, 31, X);
          d.atoms(32, 5, 1, 0b1, 1);
          ts(d, 40, 1600);
          d.end(50, 9);
        }));
  }

  @Test
  void candidatesWithTheSameFlowAreReportedButNotFlagged() {
    ImageTimeline hint = ImageTimeline.of(image(), window(S1, NOP, PACIASP, 1000, 2000));
    assertEquals(
        List.of(CTX,
            "0 ambiguity F+44 [d503201f,d503233f] unresolved [-,1600] @30",
            "0 range F+40..F+50 n=4 return E [-,1600] flag=0 @30"),
        run(hint, FlowDecoder.Config.windows(LongUnaryOperator.identity()), d -> s1Nop(d, 1500, 1600)));
  }

  @Test
  void timestampsConvertWithTimeConv() {
    // perf's formula: shift 4, mult 48 (3 ns per tick), zero 100
    TimeConversion conv = new TimeConversion(4, 48, 100);
    assertEquals(100 + 500 * 3, conv.toPerfTime(500));
    assertEquals(100 + 3 * ((1L << 40) + 7), conv.toPerfTime((1L << 40) + 7));
    assertEquals(List.of(CTX, "0 range F+40..F+50 n=4 return E [-,700] flag=0 @30"),
        run(timeline(), FlowDecoder.Config.windows(conv::toPerfTime), d -> s1Nop(d, 100, 200)));
  }

  @Test
  void aFlaglessRecordClosesOnlyAfterTheNextRecord() {
    // S1 lands at 1000, S0 at 3000: the write of S1 and its maintenance finished before 3000,
    // but a CSE at 2500 may have come before that maintenance
    ImageTimeline landed = ImageTimeline.of(image(), List.of(
        new TextPoke(1000, S1, le(NOP), le(S1_B), PokeKind.LANDED),
        new TextPoke(3000, S0, le(NOP), le(S0_B), PokeKind.LANDED)));
    FlowDecoder.Config windows = FlowDecoder.Config.windows(LongUnaryOperator.identity());
    assertEquals(
        List.of(CTX,
            "0 exception 0xe ret=F+40 [-,2600] @22",
            "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @25",
            "0 range F+400..F+408 n=2 eret E [2500,2600] flag=0 @30",
            "0 context EL1 sf=true ns=true cid=0x1234 vmid=0 @31",
            "0 eret [2500,2600] @33",
            "0 ambiguity F+44 [d503201f,1400003f] resolved=1400003f [2500,2600] @35",
            "0 range F+40..F+48 n=2 direct E [2500,2600] flag=2 @35",
            "0 range F+140..F+148 n=2 direct E [2500,2600] flag=2 @35",
            "0 range F+48..F+50 n=2 return E [2500,2600] flag=0 @35"),
        run(landed, windows, d -> cseAfterPost(d, true)));
    List<String> later = run(landed, windows, d -> {
      start(d, F + 0x40, 3500);
      d.exception(22, 3, 0xE, 1, false);
      addr(d, 23, F + 0x40);
      FlowDecoderTest.ctx(d, 25, V, 1);
      d.atoms(30, 5, 1, 0b1, 1);
      FlowDecoderTest.ctx(d, 31, F + 0x40, 1);
      d.exceptionReturn(33, 7);
      d.atoms(35, 8, 3, 0b111, 3);
      addr(d, 36, X);
      ts(d, 40, 3600);
      d.end(50, 9);
    });
    assertEquals(List.of(
        "0 range F+40..F+48 n=2 direct E [3500,3600] flag=0 @35",
        "0 range F+140..F+148 n=2 direct E [3500,3600] flag=0 @35",
        "0 range F+48..F+50 n=2 return E [3500,3600] flag=0 @35"), later.subList(6, 9));
    assertEquals(9, later.size());
  }
}
