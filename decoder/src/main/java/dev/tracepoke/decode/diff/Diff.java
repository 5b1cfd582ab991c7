package dev.tracepoke.decode.diff;

import dev.tracepoke.decode.flow.ElementWindow;
import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;
import java.util.function.LongFunction;

/**
 * Aligns each core's decoded flow with the ground truth of what it executed and counts what the
 * decoder got right, what it flagged, and what it claimed wrongly without saying so.
 *
 * <p>Alignment: decoded instructions are compared with truth one by one while the flow is
 * continuous. Where the decoder's flow restarts from an address the trace gave (after sync, an
 * exception, an indirect branch, a gap, or a flagged stretch) the diff searches the truth forward
 * for that address, no earlier than the range's start time: the skipped truth was not decoded.
 * A decoded instruction that does not match the truth at its place, nor within a few instructions
 * of it, and is not flagged ambiguous, is a silent error.
 *
 * <p>Anchors: the first place (in the range's time interval) where the decoded flow agrees with
 * the truth up to its next break is taken; where several agree as far as was checked (the turns
 * of a spin loop), the check is lengthened until one is left or the break is reached, so no fixed
 * number of candidates or instructions decides. After an overflow gap the truth's matching
 * untraced stretch is skipped first: the trace resumes in the run that ends at the stretch's
 * end, so the flow after the gap starts at the last place of its pc before that end.
 */
public final class Diff {
  /** How far ahead a mismatching instruction may find its place before it counts as wrong. */
  private static final int LOCAL_LOOKAHEAD = 16;
  /** How far an anchor is searched when the decoded range has no end time to bound it. */
  private static final long ANCHOR_LIMIT = 1L << 24;
  /** Decoded instructions an anchor candidate is first checked over (lengthened while several agree). */
  private static final long VERIFY = 512;
  /** Agreement up to the next break of the decoded flow. */
  private static final long AGREES = Long.MAX_VALUE;
  /** BRK #imm16: the resolved word of an armed probe. */
  private static final int BRK = 0xd4200000;
  private static final int BRK_MASK = 0xffe0001f;
  /** Agreement over every instruction checked, with more to check after them. */
  private static final long AGREES_SO_FAR = Long.MAX_VALUE - 1;
  /** Timestamps convert to whole nanoseconds; allow for the rounding on both sides. */
  private static final long TIME_SLACK = 2;

  private Diff() {}

  /**
   * Hears, for one core, how each ambiguous execution turned out against the truth and where each
   * silent error fell (the report draws them). Calls come in the diff's order, not the flow's: a
   * resolution is judged only when its site's execution lines up with the truth.
   */
  public interface Outcomes {
    int RIGHT = 0;
    int WRONG = 1;
    int UNRESOLVED = 2;

    /** The core's {@code ordinal}-th ambiguity element (from 0, in flow order) turned out {@code outcome}. */
    void ambiguity(long ordinal, int outcome);

    /** An instruction at {@code pc} was decoded without a flag, yet not executed there. */
    void silent(long time, long pc);

    Outcomes NONE = new Outcomes() {
      @Override
      public void ambiguity(long ordinal, int outcome) {}

      @Override
      public void silent(long time, long pc) {}
    };
  }

  /** A source of truth cursors, one per core. */
  @FunctionalInterface
  public interface TruthSource {
    TruthCursor open(int cpu) throws IOException;
  }

  /**
   * Opens another cursor over the same core's truth, read only for its {@link
   * TruthCursor#UNTRACED} stretches (the simulator writes them after the runs).
   */
  @FunctionalInterface
  public interface TruthOpener {
    TruthCursor open() throws IOException;
  }

  /**
   * Diffs one core's decoded flow against its truth, reading the flow forward through {@code e}
   * (a stream keeps only what the alignment looks ahead to). {@code symbolizer} names an address
   * for the report ({@code symbol+0xoff}); it may return null.
   */
  public static CoreDiff diffCore(ElementWindow e, TruthCursor truth,
      LongFunction<String> symbolizer) throws IOException {
    return diffCore(e.cpu(), e, truth, null, symbolizer, Outcomes.NONE);
  }

  /**
   * As {@link #diffCore(ElementWindow, TruthCursor, LongFunction)}; {@code untraced} opens a second
   * cursor over the same truth, read (only once the flow has an overflow gap) for the stretches
   * the trace lost, so that the flow after each overflow is placed after its stretch.
   */
  public static CoreDiff diffCore(ElementWindow e, TruthCursor truth, TruthOpener untraced,
      LongFunction<String> symbolizer) throws IOException {
    return diffCore(e.cpu(), e, truth, untraced, symbolizer, Outcomes.NONE);
  }

  /** As {@link #diffCore(ElementWindow, TruthCursor, TruthOpener, LongFunction)}, telling {@code outcomes} each verdict. */
  public static CoreDiff diffCore(ElementWindow e, TruthCursor truth, TruthOpener untraced,
      LongFunction<String> symbolizer, Outcomes outcomes) throws IOException {
    return diffCore(e.cpu(), e, truth, untraced, symbolizer, outcomes);
  }

  private static CoreDiff diffCore(int cpu, ElementWindow e, TruthCursor cursor,
      TruthOpener untracedOpener, LongFunction<String> symbolizer, Outcomes outcomes) throws IOException {
    TruthWindow w = new TruthWindow(cursor);
    Untraced untraced = new Untraced(untracedOpener);
    boolean afterOverflow = false;
    long undecidable = 0, gaveUp = 0;
    long p = 0;
    boolean anchor = true;
    // the anchor is where the truth goes on (after an indirect branch, exception or return): the
    // next instruction in truth is the place if its pc fits; else the place must be searched
    boolean continuous = false;
    long decodedCount = 0, matched = 0, silent = 0, ambiguous = 0, right = 0, wrong = 0, unresolved = 0;
    CoreDiff.Divergence first = null;
    // resolutions waiting for their site in the ranges after them (several sites can share a walk)
    LongArrayList pendingPc = new LongArrayList();
    IntArrayList pendingWord = new IntArrayList();
    LongArrayList pendingOrdinal = new LongArrayList();
    long ordinal = 0; // ambiguity elements seen
    int pendingSeen = 0; // the first pendingSeen of them already had a range after them

    for (long i = 0; e.has(i); i++) {
      e.trimBefore(i);
      long head = e.get(i, 0);
      int kind = FlowElements.kind(head);
      if (kind == FlowElements.RANGE) {
        long start = e.get(i, 1);
        int n = (int) e.get(i, 3);
        long last = e.get(i, 4);
        int lastKind = (int) (last & 0xFF);
        boolean taken = (last & (1 << 8)) != 0;
        int flag = FlowElements.flags(head);
        long tFrom = e.get(i, 6);
        long tTo = e.get(i, 7);
        boolean claim = flag != FlowSink.FLAG_AMBIGUOUS;
        decodedCount += n;
        if (!claim) {
          // flagged: no claim to check, and how much truth it covers is unknown; the next
          // claimed range is placed by its anchor search from here
          anchor = true;
          continuous = false;
          continue;
        }

        if (afterOverflow) {
          // the trace lost a stretch of this core's execution and re-synced at the P0 element
          // ending it: the range's start pc is the last place of that pc in truth by then (the
          // code from the P0 element before to that one is sequential)
          afterOverflow = false;
          long now = w.ensure(p) ? w.runTime(p) : Long.MAX_VALUE;
          long resume = untraced.resumeAfter(now);
          if (resume != Long.MIN_VALUE) {
            long q = w.lastAtOrBefore(p, start, resume);
            if (q >= 0) {
              p = q;
            }
          }
          anchor = true;
          continuous = false;
        }
        if (anchor) {
          boolean here = w.ensure(p) && w.pc(p) == start
              && (continuous || agreement(e, i, w, p, VERIFY) >= AGREES_SO_FAR);
          if (!here) {
            long q = place(e, i, w, p, start, tFrom, tTo);
            if (q >= 0) {
              p = q;
            }
          }
          anchor = false;
        }

        long pc = start;
        long left = n;
        while (left > 0) {
          if (!w.ensure(p)) {
            if (claim) {
              silent += left;
              for (long k = 0; k < left; k++) {
                outcomes.silent(tFrom, pc + (k << 2));
              }
              if (first == null) {
                first = divergence(cpu, tFrom, pc, symbolizer);
              }
            }
            break;
          }
          if (w.pc(p) == pc) {
            long chunk = Math.min(left, w.runRemaining(p));
            for (int k = 0; k < pendingPc.size(); k++) {
              long sitePc = pendingPc.getLong(k);
              if (Long.compareUnsigned(sitePc - pc, chunk << 2) < 0) {
                long at = p + ((sitePc - pc) >>> 2);
                boolean ok = w.isSite(at) && w.siteWord(at) == pendingWord.getInt(k);
                if (ok) {
                  right++;
                } else {
                  wrong++;
                }
                outcomes.ambiguity(pendingOrdinal.getLong(k), ok ? Outcomes.RIGHT : Outcomes.WRONG);
                pendingPc.removeLong(k);
                pendingWord.removeInt(k);
                pendingOrdinal.removeLong(k);
                pendingSeen = Math.min(pendingSeen, k);
                k--;
              }
            }
            matched += chunk;
            p += chunk;
            pc += chunk << 2;
            left -= chunk;
            continue;
          }
          long q = w.find(p, pc, Long.MIN_VALUE, Long.MAX_VALUE, LOCAL_LOOKAHEAD);
          if (q >= 0) {
            p = q; // the truth between was not decoded; carry on from where this instruction ran
            continue;
          }
          if (claim) {
            silent++;
            long at = w.ensure(p) ? w.time(p) : tFrom;
            outcomes.silent(at, pc);
            if (first == null) {
              first = divergence(cpu, at, pc, symbolizer);
            }
          }
          pc += 4;
          left--;
        }
        if (taken && (lastKind == FlowSink.LAST_INDIRECT || lastKind == FlowSink.LAST_RETURN
            || lastKind == FlowSink.LAST_ERET)) {
          anchor = true;
          continuous = true;
        }
        w.trimBefore(p);
        pendingSeen = pendingPc.size();
      } else if (kind == FlowElements.AMBIGUITY) {
        if (pendingSeen > 0) {
          // resolutions whose site execution never lined up with the truth
          wrong += pendingSeen;
          for (int k = 0; k < pendingSeen; k++) {
            outcomes.ambiguity(pendingOrdinal.getLong(k), Outcomes.WRONG);
          }
          pendingPc.removeElements(0, pendingSeen);
          pendingWord.removeElements(0, pendingSeen);
          pendingOrdinal.removeElements(0, pendingSeen);
          pendingSeen = 0;
        }
        ambiguous++;
        int word = (int) e.get(i, 2);
        if ((FlowElements.flags(head) & FlowElements.RESOLVED) != 0 && (word & BRK_MASK) == BRK) {
          // a BRK trapped where it was fetched: no range will hold it; the truth has the site
          // execution just before the instruction the diff is at (or later, past a flagged stretch).
          // The trace shows the trap, never the immediate (ESR is not traced): the decoder names
          // the kprobe's BRK #4, and the check is that the core fetched a BRK there, not which one
          // (brk-emulate's transitional BRK #0x1xx at a kprobe site traps the same way).
          long tTo = e.get(i, 7);
          long notAfter = tTo == FlowSink.NO_TIME ? Long.MAX_VALUE : tTo + TIME_SLACK;
          long fetched = w.trapWord(p, e.get(i, 1), notAfter, ANCHOR_LIMIT);
          boolean ok = fetched != -1 && ((int) fetched & BRK_MASK) == BRK;
          if (ok) {
            right++;
          } else {
            wrong++;
          }
          outcomes.ambiguity(ordinal, ok ? Outcomes.RIGHT : Outcomes.WRONG);
        } else if ((FlowElements.flags(head) & FlowElements.RESOLVED) != 0) {
          pendingPc.add(e.get(i, 1));
          pendingWord.add(word);
          pendingOrdinal.add(ordinal);
        } else {
          unresolved++;
          if ((FlowElements.flags(head) & FlowElements.GAVE_UP) != 0) {
            gaveUp++;
          } else {
            undecidable++;
          }
          outcomes.ambiguity(ordinal, Outcomes.UNRESOLVED);
        }
        ordinal++;
      } else if (kind == FlowElements.EXCEPTION || kind == FlowElements.ERET) {
        if (!anchor) {
          anchor = true;
          continuous = true;
        }
      } else if (kind == FlowElements.GAP || kind == FlowElements.ERROR) {
        anchor = true;
        continuous = false;
        if (kind == FlowElements.GAP && e.get(i, 1) == FlowSink.GAP_OVERFLOW) {
          afterOverflow = true;
        }
      }
    }
    wrong += pendingPc.size();
    for (int k = 0; k < pendingOrdinal.size(); k++) {
      outcomes.ambiguity(pendingOrdinal.getLong(k), Outcomes.WRONG);
    }
    long truthCount = w.drainTotal();
    untraced.close();
    return new CoreDiff(cpu, truthCount, decodedCount, matched, silent, ambiguous, right, wrong,
        unresolved, undecidable, gaveUp, first);
  }

  /**
   * Where in the truth the claimed range {@code i} starting at {@code start} ran, searching from
   * {@code p} within the range's time interval: the first place where the decoded flow agrees up
   * to its next break. A pc recurs (loops), and after a flagged stretch nobody knows how much truth
   * it covered; where several places agree over the instructions checked (turns of a spin loop),
   * the check is lengthened over those until one is left or the break decides. -1 if the pc is
   * not found.
   */
  private static long place(ElementWindow e, long i, TruthWindow w, long p, long start, long tFrom,
      long tTo) throws IOException {
    long notBefore = tFrom == FlowSink.NO_TIME ? Long.MIN_VALUE : tFrom - TIME_SLACK;
    long notAfter = tTo == FlowSink.NO_TIME ? Long.MAX_VALUE : tTo + TIME_SLACK;
    LongArrayList agreeing = new LongArrayList();
    long best = -1;
    long bestAgreement = -1;
    for (long q = w.find(p, start, notBefore, notAfter, ANCHOR_LIMIT); q >= 0;
        q = w.find(q + 1, start, notBefore, notAfter, ANCHOR_LIMIT)) {
      long a = agreement(e, i, w, q, VERIFY);
      if (a == AGREES) {
        return q;
      }
      if (a == AGREES_SO_FAR) {
        agreeing.add(q);
      } else if (a > bestAgreement) {
        bestAgreement = a;
        best = q;
      }
    }
    for (long length = VERIFY * 4; agreeing.size() > 1; length *= 4) {
      LongArrayList still = new LongArrayList();
      for (int k = 0; k < agreeing.size(); k++) {
        long q = agreeing.getLong(k);
        long a = agreement(e, i, w, q, length);
        if (a == AGREES) {
          return q;
        }
        if (a == AGREES_SO_FAR) {
          still.add(q);
        }
      }
      if (still.isEmpty()) {
        return agreeing.getLong(0);
      }
      agreeing = still;
    }
    return agreeing.isEmpty() ? best : agreeing.getLong(0);
  }

  /**
   * How many decoded instructions from element {@code i} on agree with the truth from instruction
   * {@code q}, following claimed ranges across exceptions and returns up to the next break (a
   * flagged range, a gap, an error): {@link #AGREES} when all of them do, {@link #AGREES_SO_FAR}
   * when the ranges that start within the first {@code limit} instructions do and more follow.
   */
  private static long agreement(ElementWindow e, long i, TruthWindow w, long q, long limit)
      throws IOException {
    long k = 0;
    for (long j = i; e.has(j); j++) {
      long head = e.get(j, 0);
      int kind = FlowElements.kind(head);
      if (kind == FlowElements.AMBIGUITY || kind == FlowElements.CONTEXT
          || kind == FlowElements.EXCEPTION || kind == FlowElements.ERET) {
        continue; // the truth's runs go on at the vector or the return target, as the flow does
      }
      if (kind != FlowElements.RANGE || FlowElements.flags(head) == FlowSink.FLAG_AMBIGUOUS) {
        return AGREES;
      }
      if (k >= limit) {
        // checked where a range starts, so that candidates that agree with every instruction
        // they are checked over get the same answer whatever the truth's runs (a check ending
        // inside a range gave one candidate AGREES_SO_FAR and a later one AGREES)
        return AGREES_SO_FAR;
      }
      long pc = e.get(j, 1);
      long left = e.get(j, 3);
      while (left > 0) {
        if (!w.ensure(q + k) || w.pc(q + k) != pc) {
          return k;
        }
        // a truth run is sequential: the decoded range agrees with it as far as both go
        long chunk = Math.min(left, w.runRemaining(q + k));
        k += chunk;
        pc += chunk << 2;
        left -= chunk;
      }
    }
    return AGREES;
  }

  /** The truth's untraced stretches, read from a second cursor once the flow has an overflow. */
  private static final class Untraced {
    private final TruthOpener opener;
    private TruthCursor cursor;
    private boolean ended;
    private long toTime = Long.MIN_VALUE;
    /** The current stretch was matched to an overflow gap already. */
    private boolean used = true;

    Untraced(TruthOpener opener) {
      this.opener = opener;
      ended = opener == null;
    }

    /**
     * The end of the first stretch not over before {@code now} (the time of the truth the diff has
     * reached), or {@code Long.MIN_VALUE} if there is none.
     */
    long resumeAfter(long now) throws IOException {
      while (used || toTime < now) {
        if (!next()) {
          return Long.MIN_VALUE;
        }
      }
      used = true;
      return toTime;
    }

    private boolean next() throws IOException {
      if (ended) {
        return false;
      }
      if (cursor == null) {
        cursor = opener.open();
      }
      while (true) {
        int k = cursor.next();
        if (k == TruthCursor.END) {
          ended = true;
          return false;
        }
        if (k == TruthCursor.UNTRACED) {
          toTime = cursor.toTime();
          used = false;
          return true;
        }
      }
    }

    void close() throws IOException {
      if (cursor != null && !ended) {
        cursor.close();
      }
      ended = true;
    }
  }

  private static CoreDiff.Divergence divergence(int cpu, long time, long pc, LongFunction<String> sym) {
    return new CoreDiff.Divergence(cpu, time, pc, sym == null ? null : sym.apply(pc));
  }
}
