package dev.tracepoke.decode.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tracepoke.decode.flow.FlowSink;
import dev.tracepoke.decode.flow.FlowTee;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import org.junit.jupiter.api.Test;

/**
 * Why an execution stayed unresolved survives every sink between the decoder and the writer:
 * decoding in stretches (several threads) keeps elements in {@link FlowBlocks}, and a tee passes
 * them on; both once dropped the reason, so {@code decode --threads 2} said {@code undecidable}
 * where one thread said {@code gave_up}.
 */
class AmbiguityReasonTest {
  /** Keeps the reason of every ambiguity it hears. */
  static final class Reasons extends FlowSink.Ignoring {
    final IntArrayList reasons = new IntArrayList();

    @Override
    public void ambiguity(int cpu, long pc, int[] candidates, boolean resolved, int resolvedWord,
        long timeFrom, long timeTo, long resolvedAt, int reason) {
      reasons.add(reason);
    }
  }

  static void send(FlowSink s) {
    int[] words = {0xd503201f, 0x14000013};
    s.ambiguity(0, 0xffff8000080012fcL, words, false, 0, 10, 20, 30, FlowSink.REASON_GAVE_UP);
    s.ambiguity(0, 0xffff8000080012fcL, words, false, 0, 10, 20, 31, FlowSink.REASON_UNDECIDABLE);
    s.ambiguity(0, 0xffff8000080012fcL, words, true, words[0], 10, 20, 32, FlowSink.REASON_NONE);
  }

  static final IntArrayList EXPECTED = IntArrayList.of(FlowSink.REASON_GAVE_UP,
      FlowSink.REASON_UNDECIDABLE, FlowSink.REASON_NONE);

  @Test
  void flowBlocksKeepTheReason() {
    FlowBlocks blocks = new FlowBlocks();
    send(blocks);
    Reasons out = new Reasons();
    blocks.emit(0, blocks.count(), 0, 0, out);
    assertEquals(EXPECTED, out.reasons);
  }

  @Test
  void aTeePassesTheReasonToBoth() {
    Reasons a = new Reasons();
    Reasons b = new Reasons();
    send(new FlowTee(a, b));
    assertEquals(EXPECTED, a.reasons);
    assertEquals(EXPECTED, b.reasons);
  }
}
