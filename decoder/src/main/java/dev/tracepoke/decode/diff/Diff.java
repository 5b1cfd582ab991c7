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
 */
public final class Diff {
  /** How far ahead a mismatching instruction may find its place before it counts as wrong. */
  private static final int LOCAL_LOOKAHEAD = 16;
  /** How far an anchor is searched when the decoded range has no end time to bound it. */
  private static final long ANCHOR_LIMIT = 1L << 24;
  /** Places of an anchor pc tried before the best partial agreement is taken. */
  private static final int ANCHOR_CANDIDATES = 64;
  /** Decoded instructions an anchor candidate must agree with to be taken at once. */
  private static final long VERIFY = 512;
  private static final long AGREES = Long.MAX_VALUE;
  /** BRK #imm16: the resolved word of an armed probe. */
  private static final int BRK = 0xd4200000;
  private static final int BRK_MASK = 0xffe0001f;
  /** Timestamps convert to whole nanoseconds; allow for the rounding on both sides. */
  private static final long TIME_SLACK = 2;

  private Diff() {}

  /** A source of truth cursors, one per core. */
  @FunctionalInterface
  public interface TruthSource {
    TruthCursor open(int cpu) throws IOException;
  }

  /**
   * Diffs one core's decoded flow against its truth, reading the flow forward through {@code e}
   * (a stream keeps only what the alignment looks ahead to). {@code symbolizer} names an address
   * for the report ({@code symbol+0xoff}); it may return null.
   */
  public static CoreDiff diffCore(ElementWindow e, TruthCursor truth,
      LongFunction<String> symbolizer) throws IOException {
    return diffCore(e.cpu(), e, truth, symbolizer);
  }

  private static CoreDiff diffCore(int cpu, ElementWindow e, TruthCursor cursor, LongFunction<String> symbolizer)
      throws IOException {
    TruthWindow w = new TruthWindow(cursor);
    long p = 0;
    boolean anchor = true;
    long decodedCount = 0, matched = 0, silent = 0, ambiguous = 0, right = 0, wrong = 0, unresolved = 0;
    CoreDiff.Divergence first = null;
    // resolutions waiting for their site in the ranges after them (several sites can share a walk)
    LongArrayList pendingPc = new LongArrayList();
    IntArrayList pendingWord = new IntArrayList();
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
          continue;
        }

        if (anchor) {
          if (!(w.ensure(p) && w.pc(p) == start && agreement(e, i, w, p) == AGREES)) {
            long notBefore = tFrom == FlowSink.NO_TIME ? Long.MIN_VALUE : tFrom - TIME_SLACK;
            long notAfter = tTo == FlowSink.NO_TIME ? Long.MAX_VALUE : tTo + TIME_SLACK;
            // A pc recurs (loops), and after a flagged stretch nobody knows how much truth it
            // covered: take the first place where the decoded flow up to its next break agrees.
            long q = w.find(p, start, notBefore, notAfter, ANCHOR_LIMIT);
            long best = q;
            long bestAgreement = -1;
            for (int tries = 0; q >= 0 && tries < ANCHOR_CANDIDATES; tries++) {
              long a = agreement(e, i, w, q);
              if (a == AGREES) {
                best = q;
                break;
              }
              if (a > bestAgreement) {
                bestAgreement = a;
                best = q;
              }
              q = w.find(q + 1, start, notBefore, notAfter, ANCHOR_LIMIT);
            }
            if (best >= 0) {
              p = best;
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
                if (w.isSite(at) && w.siteWord(at) == pendingWord.getInt(k)) {
                  right++;
                } else {
                  wrong++;
                }
                pendingPc.removeLong(k);
                pendingWord.removeInt(k);
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
            if (first == null) {
              first = divergence(cpu, w.ensure(p) ? w.time(p) : tFrom, pc, symbolizer);
            }
          }
          pc += 4;
          left--;
        }
        if (!claim) {
          anchor = true;
        } else if (taken && (lastKind == FlowSink.LAST_INDIRECT || lastKind == FlowSink.LAST_RETURN
            || lastKind == FlowSink.LAST_ERET)) {
          anchor = true;
        }
        w.trimBefore(p);
        pendingSeen = pendingPc.size();
      } else if (kind == FlowElements.AMBIGUITY) {
        if (pendingSeen > 0) {
          // resolutions whose site execution never lined up with the truth
          wrong += pendingSeen;
          pendingPc.removeElements(0, pendingSeen);
          pendingWord.removeElements(0, pendingSeen);
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
          if (fetched != -1 && ((int) fetched & BRK_MASK) == BRK) {
            right++;
          } else {
            wrong++;
          }
        } else if ((FlowElements.flags(head) & FlowElements.RESOLVED) != 0) {
          pendingPc.add(e.get(i, 1));
          pendingWord.add(word);
        } else {
          unresolved++;
        }
      } else if (kind == FlowElements.EXCEPTION || kind == FlowElements.ERET
          || kind == FlowElements.GAP || kind == FlowElements.ERROR) {
        anchor = true;
      }
    }
    wrong += pendingPc.size();
    long truthCount = w.drainTotal();
    return new CoreDiff(cpu, truthCount, decodedCount, matched, silent, ambiguous, right, wrong, unresolved, first);
  }

  /**
   * How many decoded instructions from element {@code i} on agree with the truth from instruction
   * {@code q}, following claimed ranges up to the next break (a flagged range, an exception, a gap,
   * an error) or {@link #VERIFY} instructions: {@link #AGREES} when all of them do.
   */
  private static long agreement(ElementWindow e, long i, TruthWindow w, long q) throws IOException {
    long k = 0;
    for (long j = i; e.has(j); j++) {
      long head = e.get(j, 0);
      int kind = FlowElements.kind(head);
      if (kind == FlowElements.AMBIGUITY || kind == FlowElements.CONTEXT) {
        continue;
      }
      if (kind != FlowElements.RANGE) {
        return AGREES;
      }
      if (FlowElements.flags(head) == FlowSink.FLAG_AMBIGUOUS) {
        return AGREES;
      }
      long pc = e.get(j, 1);
      int n = (int) e.get(j, 3);
      for (int x = 0; x < n; x++, pc += 4, k++) {
        if (k == VERIFY) {
          return AGREES;
        }
        if (!w.ensure(q + k) || w.pc(q + k) != pc) {
          return k;
        }
      }
    }
    return AGREES;
  }

  private static CoreDiff.Divergence divergence(int cpu, long time, long pc, LongFunction<String> sym) {
    return new CoreDiff.Divergence(cpu, time, pc, sym == null ? null : sym.apply(pc));
  }
}
