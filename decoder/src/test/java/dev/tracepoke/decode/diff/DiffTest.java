package dev.tracepoke.decode.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.pipeline.FlowBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiffTest {
  private static final long F = 0xffff800008000000L;

  /** Truth built from events: {kind, pc, count/word, time}. */
  private static final class ListTruth implements TruthCursor {
    private final List<long[]> ev = new ArrayList<>();
    private int i = -1;

    ListTruth run(long pc, int count, long time) {
      ev.add(new long[] {RUN, pc, count, time});
      return this;
    }

    ListTruth site(long pc, int word, long time) {
      ev.add(new long[] {PATCH_SITE, pc, word, time});
      return this;
    }

    ListTruth exception(long time) {
      ev.add(new long[] {EXCEPTION, 0, 0, time});
      return this;
    }

    @Override
    public int next() {
      return ++i < ev.size() ? (int) ev.get(i)[0] : END;
    }

    @Override
    public long pc() {
      return ev.get(i)[1];
    }

    @Override
    public int count() {
      return (int) ev.get(i)[2];
    }

    @Override
    public long time() {
      return ev.get(i)[3];
    }

    @Override
    public long toTime() {
      return ev.get(i)[3];
    }

    @Override
    public int word() {
      return (int) ev.get(i)[2];
    }
  }

  private static CoreDiff diff(FlowBuffer b, ListTruth t) throws Exception {
    return Diff.diffCore(b.window(0), t, pc -> String.format("sym+0x%x", pc - F));
  }

  private static void range(FlowBuffer b, long start, int n, int last, boolean taken, long t0, long t1, int flag) {
    b.range(0, start, start + 4L * n, n, last, taken, t0, t1, flag, 0);
  }

  @Test
  void exactDecodeMatchesEverything() throws Exception {
    ListTruth t = new ListTruth().run(F, 4, 100).run(F + 0x40, 3, 104).run(F, 4, 107);
    FlowBuffer b = new FlowBuffer();
    range(b, F, 4, FlowSink.LAST_DIRECT, true, 100, 200, FlowSink.FLAG_NONE);
    range(b, F + 0x40, 3, FlowSink.LAST_DIRECT, true, 100, 200, FlowSink.FLAG_NONE);
    range(b, F, 4, FlowSink.LAST_COND, false, 100, 200, FlowSink.FLAG_NONE);
    CoreDiff d = diff(b, t);
    assertEquals(new CoreDiff(0, 11, 11, 11, 0, 0, 0, 0, 0, 0, 0, null), d);
  }

  @Test
  void traceStartingLateIsAnchoredByTime() throws Exception {
    // The loop body at F runs three times; the trace starts with the third (time 300).
    ListTruth t = new ListTruth().run(F, 5, 100).run(F, 5, 200).run(F, 5, 300).run(F + 0x100, 2, 305);
    FlowBuffer b = new FlowBuffer();
    range(b, F, 5, FlowSink.LAST_COND, true, 299, 400, FlowSink.FLAG_NONE);
    range(b, F + 0x100, 2, FlowSink.LAST_RETURN, true, 299, 400, FlowSink.FLAG_NONE);
    CoreDiff d = diff(b, t);
    assertEquals(17, d.instructionsTruth());
    assertEquals(7, d.matched());
    assertEquals(0, d.silentErrors());
  }

  @Test
  void unflaggedWrongPathCountsEverySilentError() throws Exception {
    // Truth: site at F+8 ran a B to an out-of-line block at F+0x80 (2 instructions), then back.
    ListTruth t = new ListTruth().site(F + 8, 0x14000001, 100).run(F, 3, 100).run(F + 0x80, 2, 103)
        .run(F + 0xc, 2, 105);
    FlowBuffer b = new FlowBuffer();
    // A naive decoder ran the site as a NOP and walked on sequentially for 5 instructions.
    range(b, F, 5, FlowSink.LAST_DIRECT, true, 100, 200, FlowSink.FLAG_NONE);
    CoreDiff d = diff(b, t);
    assertEquals(7, d.instructionsTruth());
    assertEquals(5, d.instructionsDecoded());
    // F, F+4, F+8 match; F+0xc and F+0x10 are found within the look-ahead (after the block).
    assertEquals(5, d.matched());
    assertEquals(0, d.silentErrors());
  }

  @Test
  void instructionsNeverExecutedAreSilentErrorsWithFirstDivergence() throws Exception {
    ListTruth t = new ListTruth().run(F, 3, 100).run(F + 0x200, 4, 103);
    FlowBuffer b = new FlowBuffer();
    range(b, F, 3, FlowSink.LAST_DIRECT, true, 100, 200, FlowSink.FLAG_NONE);
    range(b, F + 0x300, 4, FlowSink.LAST_OTHER, false, 100, 200, FlowSink.FLAG_NONE);
    CoreDiff d = diff(b, t);
    assertEquals(3, d.matched());
    assertEquals(4, d.silentErrors());
    assertEquals(new CoreDiff.Divergence(0, 103, F + 0x300, "sym+0x300"), d.firstDivergence());
  }

  @Test
  void flaggedWrongPathIsNotSilentAndAnchorsAfter() throws Exception {
    ListTruth t = new ListTruth().run(F, 3, 100).run(F + 0x200, 4, 103).run(F + 0x400, 2, 107);
    FlowBuffer b = new FlowBuffer();
    range(b, F, 3, FlowSink.LAST_DIRECT, true, 100, 200, FlowSink.FLAG_NONE);
    b.ambiguity(0, F + 8, new int[] {0xd503201f, 0x14000080}, false, 0, 100, 200, 7);
    range(b, F + 0x300, 4, FlowSink.LAST_INDIRECT, true, 100, 200, FlowSink.FLAG_AMBIGUOUS);
    range(b, F + 0x400, 2, FlowSink.LAST_OTHER, false, 100, 200, FlowSink.FLAG_NONE);
    CoreDiff d = diff(b, t);
    assertEquals(new CoreDiff(0, 9, 9, 5, 0, 1, 0, 0, 1, 1, 0, null), d);
  }

  @Test
  void resolutionsAreCheckedAgainstTheWordTheCoreRan() throws Exception {
    ListTruth t = new ListTruth().site(F + 4, 0x14000010, 100).run(F, 2, 100).run(F + 0x44, 2, 102)
        .site(F + 4, 0xd503201f, 200).run(F, 4, 200);
    FlowBuffer b = new FlowBuffer();
    b.ambiguity(0, F + 4, new int[] {0xd503201f, 0x14000010}, true, 0x14000010, 100, 300, 9);
    range(b, F, 2, FlowSink.LAST_DIRECT, true, 100, 300, FlowSink.FLAG_RESOLVED);
    range(b, F + 0x44, 2, FlowSink.LAST_RETURN, true, 100, 300, FlowSink.FLAG_RESOLVED);
    b.ambiguity(0, F + 4, new int[] {0xd503201f, 0x14000010}, true, 0x14000010, 100, 300, 20);
    range(b, F, 2, FlowSink.LAST_DIRECT, true, 100, 300, FlowSink.FLAG_RESOLVED);
    CoreDiff d = diff(b, t);
    assertEquals(1, d.resolvedRight());
    assertEquals(1, d.resolvedWrong());
    assertEquals(2, d.ambiguous());
    assertEquals(0, d.unresolved());
    assertEquals(0, d.silentErrors());
    assertNull(d.firstDivergence());
  }

  @Test
  void everySiteAnnouncedBeforeARunIsKnown() throws Exception {
    // two sites in one straight run, both announced before it
    ListTruth t = new ListTruth().site(F + 4, 0xd503201f, 100).site(F + 0x14, 0xd503201f, 101)
        .run(F, 8, 100);
    FlowBuffer b = new FlowBuffer();
    b.ambiguity(0, F + 4, new int[] {0xd503201f, 0x14000010}, true, 0xd503201f, 100, 300, 9);
    range(b, F, 8, FlowSink.LAST_DIRECT, true, 100, 300, FlowSink.FLAG_RESOLVED);
    assertEquals(new CoreDiff(0, 8, 8, 8, 0, 1, 1, 0, 0, 0, 0, null), diff(b, t));
  }

  @Test
  void aClaimAfterAFlaggedStretchInALoopIsPlacedWhereTheFlowAgrees() throws Exception {
    // a loop of ten instructions ran five times, then the exit; the flagged walk covered an
    // unknown number of turns, the claims after it are the last two turns and the exit
    ListTruth t = new ListTruth();
    for (int k = 0; k < 5; k++) {
      t.run(F + 0x100, 10, 100 + 10 * k);
    }
    t.run(F + 0x200, 2, 150);
    FlowBuffer b = new FlowBuffer();
    b.ambiguity(0, F + 0x104, new int[] {0xd503201f, 0x14000080}, false, 0, 100, 200, 7);
    range(b, F + 0x100, 10, FlowSink.LAST_COND, true, 100, 200, FlowSink.FLAG_AMBIGUOUS);
    range(b, F + 0x100, 10, FlowSink.LAST_COND, true, 100, 200, FlowSink.FLAG_NONE);
    range(b, F + 0x100, 10, FlowSink.LAST_COND, false, 100, 200, FlowSink.FLAG_NONE);
    range(b, F + 0x200, 2, FlowSink.LAST_OTHER, false, 100, 200, FlowSink.FLAG_NONE);
    assertEquals(new CoreDiff(0, 52, 32, 22, 0, 1, 0, 0, 1, 1, 0, null), diff(b, t));
  }

  @Test
  void resolutionsOfTwoSitesInOneWalkAreBothChecked() throws Exception {
    ListTruth t = new ListTruth().site(F + 4, 0xd503201f, 100).site(F + 8, 0xd503201f, 101)
        .run(F, 6, 100);
    FlowBuffer b = new FlowBuffer();
    b.ambiguity(0, F + 4, new int[] {0xd503201f, 0x14000010}, true, 0xd503201f, 100, 300, 9);
    b.ambiguity(0, F + 8, new int[] {0xd503201f, 0x14000011}, true, 0x14000011, 100, 300, 9);
    range(b, F, 6, FlowSink.LAST_DIRECT, true, 100, 300, FlowSink.FLAG_RESOLVED);
    assertEquals(new CoreDiff(0, 6, 6, 6, 0, 2, 1, 1, 0, 0, 0, null), diff(b, t));
  }
}
