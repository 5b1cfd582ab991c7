package dev.tracepoke.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.PacketError;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hand-made packet sequences (as PacketSink calls) over a small A64 image, with exact output. */
class FlowDecoderTest {
  static final long F = 0xffff800008000000L;
  static final long V = F + 0x400; // "vector"
  static final int ADD = 0x8b000000;

  /** 0x800 bytes of ADD with the listed words placed. */
  static MemoryImage image() {
    int[] words = new int[0x200];
    java.util.Arrays.fill(words, ADD);
    words[0x08 / 4] = 0xb4000080; // cbz x0, .+16  -> F+0x18
    words[0x10 / 4] = 0xd4000001; // svc #0
    words[0x18 / 4] = 0x94000008; // bl .+32       -> F+0x38
    words[0x20 / 4] = 0x17fffff8; // b .-32        -> F
    words[0x28 / 4] = 0xd61f0020; // br x1
    words[0x3c / 4] = 0xd5033fdf; // isb
    words[0x40 / 4] = 0xd65f03c0; // ret
    words[0x404 / 4] = 0xd69f03e0; // eret
    byte[] b = new byte[words.length * 4];
    for (int i = 0; i < words.length; i++) {
      for (int k = 0; k < 4; k++) {
        b[i * 4 + k] = (byte) (words[i] >>> (8 * k));
      }
    }
    return MemoryImage.of(List.of(new MemoryImage.Segment(F, b)));
  }

  /** Prints every element on one line, addresses relative to F where they are near it. */
  static final class Lines implements FlowSink {
    final List<String> out = new ArrayList<>();
    /** The reason of each ambiguity, in order: null (resolved), undecidable or gave_up. */
    final List<String> reasons = new ArrayList<>();

    static String a(long addr) {
      long d = addr - F;
      return d >= 0 && d < 0x10000 ? String.format("F+%x", d) : String.format("0x%x", addr);
    }

    static String t(long time) {
      return time == NO_TIME ? "-" : Long.toString(time);
    }

    @Override
    public void range(int cpu, long start, long end, int instructions, int lastKind,
        boolean taken, long timeFrom, long timeTo, int flag, long offset) {
      String[] kinds = {"other", "direct", "cond", "indirect", "return", "eret", "isb"};
      out.add(String.format("%d range %s..%s n=%d %s %s [%s,%s] flag=%d @%d", cpu, a(start),
          a(end), instructions, kinds[lastKind], taken ? "E" : "N", t(timeFrom), t(timeTo), flag,
          offset));
    }

    @Override
    public void exception(int cpu, int number, long returnAddress, long timeFrom, long timeTo,
        long offset) {
      out.add(String.format("%d exception 0x%x ret=%s [%s,%s] @%d", cpu, number,
          a(returnAddress), t(timeFrom), t(timeTo), offset));
    }

    @Override
    public void exceptionReturn(int cpu, long timeFrom, long timeTo, long offset) {
      out.add(String.format("%d eret [%s,%s] @%d", cpu, t(timeFrom), t(timeTo), offset));
    }

    @Override
    public void context(int cpu, int el, boolean sf, boolean ns, long contextId, int vmid,
        long offset) {
      out.add(String.format("%d context EL%d sf=%b ns=%b cid=0x%x vmid=%d @%d", cpu, el, sf, ns,
          contextId, vmid, offset));
    }

    @Override
    public void gap(int cpu, int reason, long address, long offset) {
      String[] reasons = {"overflow", "nacc", "error"};
      out.add(String.format("%d gap %s %s @%d", cpu, reasons[reason], a(address), offset));
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt, int reason) {
      reasons.add(FlowSink.reasonName(reason));
      ambiguity(cpu, pc, candidates, resolved, resolvedWord, timeFrom, timeTo, resolvedAt);
    }

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt) {
      StringBuilder c = new StringBuilder();
      for (int w : candidates) {
        c.append(c.length() == 0 ? "" : ",").append(String.format("%08x", w));
      }
      out.add(String.format("%d ambiguity %s [%s] %s [%s,%s] @%d", cpu, a(pc), c,
          resolved ? String.format("resolved=%08x", resolvedWord) : "unresolved", t(timeFrom),
          t(timeTo), resolvedAt));
    }

    @Override
    public void error(int cpu, long offset, long packetIndex, String message) {
      out.add(String.format("%d error @%d #%d %s", cpu, offset, packetIndex, message));
    }
  }

  private static List<String> run(BlockCache cache, Consumer<FlowDecoder> packets) {
    Lines lines = new Lines();
    FlowDecoder d = new FlowDecoder(3, cache, 0, lines);
    packets.accept(d);
    return lines.out;
  }

  /**
   * A block cache over 256 words at F, all ADD but the given ones: {@code placed} holds pairs of
   * word index and word.
   */
  private static BlockCache addsWith(int... placed) {
    int[] words = new int[0x100];
    java.util.Arrays.fill(words, ADD);
    for (int i = 0; i < placed.length; i += 2) {
      words[placed[i]] = placed[i + 1];
    }
    return cacheOf(words);
  }

  /** A block cache over {@code words} at F. */
  private static BlockCache cacheOf(int[] words) {
    byte[] b = new byte[words.length * 4];
    for (int i = 0; i < words.length; i++) {
      for (int k = 0; k < 4; k++) {
        b[i * 4 + k] = (byte) (words[i] >>> (8 * k));
      }
    }
    return new BlockCache(ImageTimeline.of(MemoryImage.of(List.of(new MemoryImage.Segment(F, b)))),
        true, false);
  }

  private static BlockCache cache() {
    return new BlockCache(ImageTimeline.of(image()), true, false);
  }

  static void sync(FlowDecoder d) {
    d.async(0, 0);
    d.traceInfo(12, 1, 1, 0, 0, 0, 0);
  }

  static void ctx(FlowDecoder d, long offset, long addr, int el) {
    d.addressWithContext(offset, offset, addr, 0, AddressForm.LONG_64, 64, el, true, true, false,
        0, true, 0x1234);
  }

  /** The probe shape of etmv4-opencsd.md 4.3: branches, call, SVC, handler, ERET, timestamps. */
  static void mainSequence(FlowDecoder d) {
    sync(d);
    ctx(d, 15, F, 1);
    d.timestamp(29, 2, 1000, 64, false, 0);
    d.atoms(40, 3, 1, 0b1, 1); // cbz taken
    d.atoms(41, 4, 2, 0b11, 2); // bl, isb
    d.atoms(42, 5, 1, 0b1, 1); // ret
    d.address(43, 6, F + 0x1c, 0, AddressForm.SHORT_1, -1, 64);
    d.atoms(45, 7, 2, 0b01, 2); // b taken, cbz not taken
    d.exception(46, 8, 2, 1, false);
    d.address(48, 9, F + 0x14, 0, AddressForm.SHORT_1, -1, 64);
    ctx(d, 50, V, 1);
    d.timestamp(64, 11, 2000, 14, false, 0);
    d.atoms(70, 12, 1, 0b1, 1); // eret
    ctx(d, 71, F + 0x14, 0);
    d.exceptionReturn(85, 14);
    d.atoms(86, 15, 1, 0b1, 1); // bl
    d.end(87, 16);
  }

  static final List<String> MAIN_EXPECTED =
      List.of(
          "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
          // the first range may have begun before the first timestamp
          "3 range F+0..F+c n=3 cond E [-,2000] flag=0 @40",
          "3 range F+18..F+1c n=1 direct E [1000,2000] flag=0 @41",
          "3 range F+38..F+40 n=2 isb E [1000,2000] flag=0 @41",
          "3 range F+40..F+44 n=1 return E [1000,2000] flag=0 @42",
          "3 range F+1c..F+24 n=2 direct E [1000,2000] flag=0 @45",
          "3 range F+0..F+c n=3 cond N [1000,2000] flag=0 @45",
          "3 range F+c..F+14 n=2 other E [1000,2000] flag=0 @46",
          "3 exception 0x2 ret=F+14 [1000,2000] @46",
          "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @50",
          // the handler ran from the exception on, which lies after 1000
          "3 range F+400..F+408 n=2 eret E [1000,-] flag=0 @70",
          "3 context EL0 sf=true ns=true cid=0x1234 vmid=0 @71",
          "3 eret [2000,-] @85",
          "3 range F+14..F+1c n=2 direct E [2000,-] flag=0 @86");

  @Test
  void walksAtomsAddressesExceptionsAndReturnsLikeOpenCsd() {
    assertEquals(MAIN_EXPECTED, run(cache(), FlowDecoderTest::mainSequence));
  }

  /**
   * A loop: F: add; F+4: cbz x0, F+0xc; F+8: add; F+0xc: b F. An atom packet the walk has seen
   * from the same pc is replayed from the block cache's runs, and gives the same ranges as the
   * walk did (the offsets are the new packet's).
   */
  @Test
  void aPacketSeenBeforeIsReplayedWithTheRangesOfItsWalk() {
    BlockCache c = addsWith(
        1, 0xb4000040, // cbz x0, .+8
        3, 0x17fffffd); // b .-12
    List<String> out = run(c, d -> {
      sync(d);
      ctx(d, 15, F, 1);
      d.atoms(40, 3, 2, 0b11, 2); // cbz taken, b taken: walked, kept
      d.atoms(41, 4, 2, 0b11, 2); // replayed
      d.atoms(42, 5, 2, 0b10, 2); // cbz not taken, b taken: walked
      d.atoms(43, 6, 2, 0b10, 2); // replayed
      d.atoms(44, 7, 3, 0b011, 3); // walked; its last atom ends at F+c
      d.atoms(45, 8, 1, 0b1, 1); // one atom from F+c: walked
      d.end(46, 9);
    });
    assertEquals(List.of(
        "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
        "3 range F+0..F+8 n=2 cond E [-,-] flag=0 @40",
        "3 range F+c..F+10 n=1 direct E [-,-] flag=0 @40",
        "3 range F+0..F+8 n=2 cond E [-,-] flag=0 @41",
        "3 range F+c..F+10 n=1 direct E [-,-] flag=0 @41",
        "3 range F+0..F+8 n=2 cond N [-,-] flag=0 @42",
        "3 range F+8..F+10 n=2 direct E [-,-] flag=0 @42",
        "3 range F+0..F+8 n=2 cond N [-,-] flag=0 @43",
        "3 range F+8..F+10 n=2 direct E [-,-] flag=0 @43",
        "3 range F+0..F+8 n=2 cond E [-,-] flag=0 @44",
        "3 range F+c..F+10 n=1 direct E [-,-] flag=0 @44",
        "3 range F+0..F+8 n=2 cond N [-,-] flag=0 @44",
        "3 range F+8..F+10 n=2 direct E [-,-] flag=0 @45"), out);
    assertEquals(2, c.runs().replays());
  }

  /**
   * F: cbz x0, F+8; F+4: add; F+8: bl F+0x20; F+c: add; F+10: b F; F+20: add; F+24: ret. A
   * packet whose last atom is taken on the return is kept as a run that ends waiting at the ret,
   * and its replay waits there too: for the address packet, or (with the return stack) for the
   * next atom, which pops the address the replayed bl pushed.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aPacketEndingOnAReturnIsReplayedAndWaitsForItsTarget(boolean returnStack) {
    BlockCache c = addsWith(
        0, 0xb4000040, // cbz x0, .+8
        2, 0x94000006, // bl .+0x18
        4, 0x17fffffc, // b .-0x10
        9, 0xd65f03c0); // ret
    Lines lines = new Lines();
    FlowDecoder d = new FlowDecoder(3, c, 0, lines).traceUnit(new dev.tracepoke.decode.etm4.Etm4Config(
        returnStack ? 1 << 12 : 0, 0x10, 0x28000EA1, 0x4100F403, 0x488, 0, 0, 0, 0, 0, 0));
    sync(d);
    ctx(d, 15, F, 1);
    for (int round = 0; round < 2; round++) {
      int at = 40 + 10 * round;
      d.atoms(at, at, 3, 0b111, 3); // cbz, bl, ret: walked, then replayed
      if (!returnStack) {
        d.address(at + 1, at + 1, F + 0xc, 0, AddressForm.SHORT_1, -1, 64);
      }
      d.atoms(at + 3, at + 3, 1, 0b1, 1); // b back to F
    }
    d.end(60, 60);
    List<String> expected = new java.util.ArrayList<>(List.of("3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15"));
    for (int at : new int[] {40, 50}) {
      expected.addAll(List.of(
          "3 range F+0..F+4 n=1 cond E [-,-] flag=0 @" + at,
          "3 range F+8..F+c n=1 direct E [-,-] flag=0 @" + at,
          "3 range F+20..F+28 n=2 return E [-,-] flag=0 @" + at,
          "3 range F+c..F+14 n=2 direct E [-,-] flag=0 @" + (at + 3)));
    }
    assertEquals(expected, lines.out);
    // with the return stack the one-atom packet after the ret pops first, so it is not a run
    assertEquals(returnStack ? 1 : 2, c.runs().replays());
  }

  /**
   * Consecutive atoms packets whose runs are kept are replayed in one go (the walk's position in
   * locals): a packet in the middle whose run is not kept yet is walked there and kept, and the
   * replays go on after it, with exactly the ranges a walk packet by packet gives.
   */
  @Test
  void consecutiveKeptRunsAreReplayedAroundAPacketWalkedBetweenThem() {
    BlockCache c = addsWith(
        0, 0xb4000040, // cbz x0, .+8
        2, 0x17fffffe); // b .-8
    // EE: cbz taken to F+8, b back to F; NE: cbz not taken, on to the b, back to F
    int[] bits = {0b11, 0b11, 0b11, 0b10, 0b11, 0b10, 0b11};
    List<String> out = run(c, d -> {
      sync(d);
      ctx(d, 15, F, 1);
      for (int k = 0; k < bits.length; k++) {
        d.atoms(40 + k, 40 + k, 2, bits[k], 2);
      }
      d.end(60, 60);
    });
    List<String> expected = new java.util.ArrayList<>(List.of("3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15"));
    for (int k = 0; k < bits.length; k++) {
      expected.addAll(bits[k] == 0b11
          ? List.of("3 range F+0..F+4 n=1 cond E [-,-] flag=0 @" + (40 + k),
              "3 range F+8..F+c n=1 direct E [-,-] flag=0 @" + (40 + k))
          : List.of("3 range F+0..F+4 n=1 cond N [-,-] flag=0 @" + (40 + k),
              "3 range F+4..F+c n=2 direct E [-,-] flag=0 @" + (40 + k)));
    }
    assertEquals(expected, out);
    assertEquals(5, c.runs().replays(), "all but the first EE and the first NE");
  }

  @Test
  void blocksSplitByTheLengthLimitStillGiveWholeRanges() {
    BlockCache tiny = new BlockCache(ImageTimeline.of(image()), true, false, 1, 1000);
    assertEquals(MAIN_EXPECTED, run(tiny, FlowDecoderTest::mainSequence));
  }

  @Test
  void nothingBeforeSyncAndDroppedAtomsAreReported() {
    List<String> out =
        run(
            cache(),
            d -> {
              d.atoms(0, 0, 1, 1, 1); // before A-sync: ignored
              ctx(d, 1, F, 1); // ignored too
              d.async(15, 1);
              d.atoms(27, 2, 1, 1, 1); // A-sync without Trace Info: ignored
              d.traceInfo(28, 3, 0, 0, 0, 0, 0);
              d.atoms(30, 4, 3, 0b111, 3); // no address yet
              d.atoms(31, 5, 1, 0b1, 1);
              ctx(d, 32, F + 0x18, 1);
              d.atoms(46, 7, 1, 0b1, 1);
              d.end(47, 8);
            });
    assertEquals(
        List.of(
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @32",
            "3 error @30 #4 4 atom(s) dropped: no address or context known yet",
            "3 range F+18..F+1c n=1 direct E [-,-] flag=0 @46"),
        out);
  }

  @Test
  void overflowBreaksTheFlowUntilTheNextSync() {
    List<String> out =
        run(
            cache(),
            d -> {
              sync(d);
              ctx(d, 15, F, 1);
              d.atoms(29, 2, 1, 1, 1);
              d.overflow(30, 3);
              d.atoms(32, 4, 1, 1, 1); // lost: no sync
              d.async(33, 5);
              d.traceInfo(45, 6, 0, 0, 0, 0, 0);
              d.atoms(47, 7, 1, 1, 1); // lost: need an address again (reported)
              d.address(48, 8, F + 0x38, 0, AddressForm.LONG_64, -1, 64);
              d.atoms(57, 9, 1, 1, 1); // still no context after the resync: dropped
              d.context(58, 10, true, 1, true, true, false, 0, false, 0);
              d.atoms(60, 11, 1, 1, 1);
              d.end(61, 12);
            });
    assertEquals(
        List.of(
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
            "3 range F+0..F+c n=3 cond E [-,-] flag=0 @29",
            "3 gap overflow F+18 @30",
            "3 error @47 #7 1 atom(s) dropped: no address or context known yet",
            "3 error @57 #9 1 atom(s) dropped: no address or context known yet",
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @58",
            "3 range F+38..F+40 n=2 isb E [-,-] flag=0 @60"),
        out);
  }

  @Test
  void imageContradictionsAndUnmappedMemoryAreReported() {
    List<String> out =
        run(
            cache(),
            d -> {
              sync(d);
              ctx(d, 15, F + 0x1c, 1);
              d.atoms(29, 2, 1, 0b0, 1); // N on "b .-32"
              d.atoms(30, 3, 1, 0b1, 1); // dropped: the flow is unknown after the contradiction
              d.address(31, 4, F + 0x7f8, 0, AddressForm.SHORT_2, -1, 64);
              d.atoms(34, 5, 1, 0b1, 1); // runs off the image
              d.atoms(35, 6, 1, 0b1, 1); // dropped
              d.end(36, 7);
            });
    assertEquals(
        List.of(
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
            "3 range F+1c..F+24 n=2 direct N [-,-] flag=0 @29",
            "3 error @29 #2 N atom on the unconditional branch at 0xffff800008000020:"
                + " the image does not match the trace",
            "3 error @30 #3 1 atom(s) dropped: no address or context known yet",
            "3 range F+7f8..F+800 n=2 other E [-,-] flag=0 @34",
            "3 gap nacc F+800 @34",
            "3 error @35 #6 1 atom(s) dropped: no address or context known yet"),
        out);
  }

  @Test
  void exceptionsAtBranchTargetsAndAtThePcOutputNoRange() {
    List<String> out =
        run(
            cache(),
            d -> {
              sync(d);
              ctx(d, 15, F + 0x18, 1);
              d.atoms(29, 2, 1, 0b1, 1); // bl -> F+0x38
              d.exception(30, 3, 0xE, 2, false); // IRQ, return address = the branch target
              d.address(32, 4, F + 0x38, 0, AddressForm.SHORT_1, -1, 64);
              ctx(d, 34, V, 1);
              d.atoms(48, 6, 1, 0b1, 1); // eret
              ctx(d, 49, F + 0x38, 1);
              d.exceptionReturn(63, 8);
              d.exception(64, 9, 0xE, 1, false); // IRQ before the first instruction ran
              d.address(66, 10, F + 0x38, 0, AddressForm.EXACT_MATCH, 0, 64);
              ctx(d, 67, V, 1);
              d.exception(81, 12, 0x3, 1, false); // return address behind the pc
              d.address(83, 13, V - 8, 0, AddressForm.SHORT_1, -1, 64);
              ctx(d, 85, V, 1);
              d.exception(99, 15, 0x3, 1, false);
              d.atoms(101, 16, 1, 1, 1); // the return address is missing
              d.end(102, 17);
            });
    assertEquals(
        List.of(
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
            "3 range F+18..F+1c n=1 direct E [-,-] flag=0 @29",
            "3 exception 0xe ret=F+38 [-,-] @30",
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @34",
            "3 range F+400..F+408 n=2 eret E [-,-] flag=0 @48",
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @49",
            "3 eret [-,-] @63",
            "3 exception 0xe ret=F+38 [-,-] @64",
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @67",
            "3 error @81 #12 exception return address 0xffff8000080003f8 cannot be reached from pc"
                + " 0xffff800008000400",
            // as OpenCSD: the walk goes on past it until memory runs out (q_elem has one)
            "3 range F+400..F+800 n=256 other E [-,-] flag=0 @81",
            "3 gap nacc F+800 @81",
            "3 exception 0x3 ret=F+3f8 [-,-] @81",
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @85",
            "3 error @101 #16 atoms before the exception's return address",
            "3 gap error F+400 @101"),
        out);
  }

  @Test
  void badPacketsAndSpeculationPacketsDropSync() {
    List<String> out =
        run(
            cache(),
            d -> {
              sync(d);
              ctx(d, 15, F, 1);
              d.error(29, 2, 0x47, 1, PacketError.RESERVED_HEADER);
              d.atoms(30, 3, 1, 1, 1);
              d.async(31, 4);
              d.traceInfo(43, 5, 0, 0, 0, 0, 0);
              ctx(d, 45, F, 1);
              d.mispredict(59, 7, 0, 0);
              d.end(60, 8);
            });
    assertEquals(
        List.of(
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
            "3 error @29 #2 bad packet (header 0x47, 1 bytes): RESERVED_HEADER",
            "3 gap error F+0 @29",
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @45",
            "3 error @59 #7 mispredict packet, but the trace unit does not speculate"
                + " (TRCIDR8.MAXSPEC = 0)",
            "3 gap error F+0 @59"),
        out);
  }

  @Test
  void contradictionsTheTraceCannotProduceAreErrorsAndTheDecodeResumesAtTheNextAddress() {
    List<String> out =
        run(
            cache(),
            d -> {
              sync(d);
              ctx(d, 15, F + 0xc, 1);
              d.atoms(29, 2, 1, 0b1, 1); // walks past the SVC at F+0x10 to the BL
              d.atoms(30, 3, 1, 0b1, 1); // part of the resync
              d.address(31, 4, F + 0x38, 0, AddressForm.SHORT_1, -1, 64);
              d.atoms(33, 5, 1, 0b0, 1); // N on the ISB at F+0x3c
              d.address(34, 6, F + 0x38, 0, AddressForm.SHORT_1, -1, 64);
              d.atoms(36, 7, 1, 0b1, 1); // isb
              d.exception(37, 8, 0xE, 2, false); // "at the previous branch target", but pc is F+0x40
              d.address(39, 9, F + 0x100, 0, AddressForm.SHORT_1, -1, 64);
              d.end(41, 10);
            });
    assertEquals(
        List.of(
            "3 context EL1 sf=true ns=true cid=0x1234 vmid=0 @15",
            "3 range F+c..F+14 n=2 other E [-,-] flag=0 @29",
            "3 error @29 #2 atom walks past the exception-generating instruction at"
                + " 0xffff800008000010 with no Exception packet: the image does not match the trace",
            "3 error @30 #3 1 atom(s) dropped: no address or context known yet",
            "3 range F+38..F+40 n=2 isb N [-,-] flag=0 @33",
            "3 error @33 #5 N atom on the ISB at 0xffff80000800003c, which always executes: the"
                + " image does not match the trace",
            "3 range F+38..F+40 n=2 isb E [-,-] flag=0 @36",
            "3 error @37 #8 exception at the previous branch target 0xffff800008000100, but the"
                + " walk is at 0xffff800008000040",
            "3 exception 0xe ret=F+100 [-,-] @37"),
        out);
  }
}
