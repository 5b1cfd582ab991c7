package dev.tracepoke.decode.pipeline;

import dev.tracepoke.decode.flow.ElementWindow;
import dev.tracepoke.decode.flow.FlowElements;
import dev.tracepoke.decode.flow.FlowSink;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The k-way merge of the cores' element streams by time, on the consumer's thread: each core's own
 * order is kept; an element without a time sorts with the element before it on its core (its key
 * is the largest start time its core has shown so far); ties go to the core listed first.
 *
 * <p>With a time window {@code [from, to]} only elements whose interval meets it are kept; an
 * untimed element (context, gap, error) is kept when the next timed element of its core is (after a
 * core's last timed element: when that one was). To know that, the merge reads ahead in the core's
 * stream past the run of untimed elements, up to {@value #LOOKAHEAD} elements: a longer untimed
 * run (only a trace that is mostly errors has one) is judged like the end of the core, by the last
 * timed element, and the look-ahead starts again after it. So the merge holds at most that many
 * elements per core beyond the queues.
 */
final class TimeMerge {
  /** Longest run of untimed elements read ahead to find the next timed one. */
  static final int LOOKAHEAD = 1 << 16;

  private TimeMerge() {}

  static void run(List<? extends ElementWindow> cores, FlowSink sink, long from, long to)
      throws IOException {
    int n = cores.size();
    ElementWindow[] w = cores.toArray(new ElementWindow[0]);
    long[] next = new long[n];
    long[] last = new long[n];
    Arrays.fill(last, Long.MIN_VALUE);
    boolean all = from == Long.MIN_VALUE && to == Long.MAX_VALUE;
    boolean[] lastKept = new boolean[n];
    long[] lookahead = new long[n];
    boolean[] lookaheadKept = new boolean[n];
    Arrays.fill(lookahead, -1);
    boolean[] done = new boolean[n];
    int best = -1;
    long bestKey = 0;
    // the runner-up of the last scan: while the chosen core's next key stays before it, the
    // chosen core stays the choice (the other cores' heads have not moved) and no scan is needed
    int second = -1;
    long secondKey = 0;
    while (true) {
      if (best >= 0 && !done[best] && w[best].has(next[best])) {
        long t = w[best].get(next[best], 6);
        long key = t == FlowSink.NO_TIME ? last[best] : Math.max(t, last[best]);
        if (second < 0 || key < secondKey || (key == secondKey && best < second)) {
          bestKey = key;
        } else {
          best = -1;
        }
      } else {
        best = -1;
      }
      if (best < 0) {
        second = -1;
        for (int c = 0; c < n; c++) {
          if (done[c]) {
            continue;
          }
          if (!w[c].has(next[c])) {
            done[c] = true;
            continue;
          }
          long t = w[c].get(next[c], 6);
          long key = t == FlowSink.NO_TIME ? last[c] : Math.max(t, last[c]);
          if (best < 0 || key < bestKey) {
            second = best;
            secondKey = bestKey;
            best = c;
            bestKey = key;
          } else if (second < 0 || key < secondKey) {
            second = c;
            secondKey = key;
          }
        }
        if (best < 0) {
          return;
        }
        if (all && second < 0) {
          // the other cores have ended: the one left goes out in its own order, as it comes
          w[best].drain(next[best], sink);
          return;
        }
      }
      ElementWindow r = w[best];
      long i = next[best];
      last[best] = bestKey;
      boolean keep;
      if (all) {
        keep = true;
      } else if (FlowElements.timed(FlowElements.kind(r.get(i, 0)))) {
        keep = meets(r.get(i, 6), r.get(i, 7), from, to);
        lastKept[best] = keep;
      } else {
        // an untimed element goes with the next timed one on its core (found once per run)
        if (lookahead[best] < i) {
          long j = i + 1;
          long limit = i + LOOKAHEAD;
          while (j < limit && r.has(j) && !FlowElements.timed(FlowElements.kind(r.get(j, 0)))) {
            j++;
          }
          lookahead[best] = j < limit ? j : limit - 1; // past the bound: judge again from there
          lookaheadKept[best] = j < limit && r.has(j)
              ? meets(r.get(j, 6), r.get(j, 7), from, to)
              : lastKept[best];
        }
        keep = lookaheadKept[best];
      }
      if (keep) {
        r.send(i, sink);
      }
      next[best] = i + 1;
      r.trimBefore(i + 1);
    }
  }

  /** Whether {@code [t0, t1]} (either end may be unknown) meets {@code [from, to]}. */
  static boolean meets(long t0, long t1, long from, long to) {
    return (t0 == FlowSink.NO_TIME || t0 <= to) && (t1 == FlowSink.NO_TIME || t1 >= from);
  }
}
