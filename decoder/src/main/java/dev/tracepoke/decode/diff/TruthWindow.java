package dev.tracepoke.decode.diff;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;

/**
 * A sliding, indexable view of one core's truth: instruction number → pc and time, with look-ahead,
 * so the diff can search forward for an anchor without consuming what it may still need. Runs
 * wholly behind the consumer are dropped, keeping memory bounded by the look-ahead.
 */
final class TruthWindow {
  private final TruthCursor cursor;
  // run i covers instruction numbers [first[i], first[i] + count[i])
  private final LongArrayList first = new LongArrayList();
  private final LongArrayList pcs = new LongArrayList();
  private final LongArrayList times = new LongArrayList();
  private final LongArrayList counts = new LongArrayList();
  private final Long2IntOpenHashMap siteWords = new Long2IntOpenHashMap();
  // site events seen since the last run: a run may hold several sites, each announced before it
  private final LongArrayList pendingSitePcs = new LongArrayList();
  private final it.unimi.dsi.fastutil.ints.IntArrayList pendingSiteWords =
      new it.unimi.dsi.fastutil.ints.IntArrayList();
  // site executions that trapped (a BRK: no instruction slot): instruction number after, pc, word
  private final LongArrayList trapAt = new LongArrayList();
  private final LongArrayList trapPc = new LongArrayList();
  private final it.unimi.dsi.fastutil.ints.IntArrayList trapWord = new it.unimi.dsi.fastutil.ints.IntArrayList();
  private final LongArrayList trapTime = new LongArrayList();
  private final LongArrayList pendingSiteTimes = new LongArrayList();
  private long loadedEnd; // instruction numbers below this are loaded
  private long total;
  private boolean ended;
  private int base; // runs before this index are dropped
  private int hint;

  TruthWindow(TruthCursor cursor) {
    this.cursor = cursor;
    siteWords.defaultReturnValue(0);
  }

  /** Loads runs until instruction {@code n} is loaded or the truth ends; false if it ended first. */
  boolean ensure(long n) throws IOException {
    while (loadedEnd <= n) {
      if (ended) {
        return false;
      }
      int k = cursor.next();
      switch (k) {
        case TruthCursor.END -> {
          ended = true;
          // sites after the last run trapped where they were fetched (a BRK the run ended on)
          for (int s = 0; s < pendingSitePcs.size(); s++) {
            trapAt.add(loadedEnd);
            trapPc.add(pendingSitePcs.getLong(s));
            trapWord.add(pendingSiteWords.getInt(s));
            trapTime.add(pendingSiteTimes.getLong(s));
          }
          pendingSitePcs.clear();
          pendingSiteWords.clear();
          pendingSiteTimes.clear();
        }
        case TruthCursor.RUN -> {
          long pc = cursor.pc();
          int c = cursor.count();
          for (int s = 0; s < pendingSitePcs.size(); s++) {
            // kernel addresses are negative as longs: compare as unsigned
            long sitePc = pendingSitePcs.getLong(s);
            long idx = (sitePc - pc) >>> 2;
            if (Long.compareUnsigned(sitePc, pc) >= 0 && idx < c) {
              siteWords.put(loadedEnd + idx, pendingSiteWords.getInt(s));
            } else {
              // not in the run: the word trapped where it was fetched (BRK), right after this
              // run (the simulator reports the run before the trap after the fetch) or before it
              trapAt.add(sitePc == pc + 4L * c ? loadedEnd + c : loadedEnd);
              trapPc.add(sitePc);
              trapWord.add(pendingSiteWords.getInt(s));
              trapTime.add(pendingSiteTimes.getLong(s));
            }
          }
          pendingSitePcs.clear();
          pendingSiteWords.clear();
          pendingSiteTimes.clear();
          first.add(loadedEnd);
          pcs.add(pc);
          times.add(cursor.time());
          counts.add(c);
          loadedEnd += c;
          total += c;
        }
        case TruthCursor.PATCH_SITE -> {
          pendingSitePcs.add(cursor.pc());
          pendingSiteWords.add(cursor.word());
          pendingSiteTimes.add(cursor.time());
        }
        default -> {
          // exceptions and untraced stretches need no instruction slots
        }
      }
    }
    return true;
  }

  /** Reads the truth to its end and returns the number of instructions in it. */
  long drainTotal() throws IOException {
    while (!ended) {
      ensure(loadedEnd);
      trimBefore(loadedEnd);
    }
    return total;
  }

  private int runOf(long n) {
    int size = first.size();
    int h = hint;
    if (h >= base && h < size && first.getLong(h) <= n && n < first.getLong(h) + counts.getLong(h)) {
      return h;
    }
    if (h + 1 < size && h + 1 >= base && first.getLong(h + 1) <= n && n < first.getLong(h + 1) + counts.getLong(h + 1)) {
      return hint = h + 1;
    }
    int lo = base, hi = size - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (first.getLong(mid) <= n) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return hint = lo;
  }

  /** pc of instruction {@code n}, which must be loaded. */
  long pc(long n) {
    int r = runOf(n);
    return pcs.getLong(r) + ((n - first.getLong(r)) << 2);
  }

  /** Time of instruction {@code n}: its run's start time plus one nanosecond per instruction. */
  long time(long n) {
    int r = runOf(n);
    return times.getLong(r) + (n - first.getLong(r));
  }

  /**
   * The time the truth gives the run holding instruction {@code n} (which must be loaded): the
   * simulator's time of the P0 element that ends the run.
   */
  long runTime(long n) {
    return times.getLong(runOf(n));
  }

  /**
   * The last instruction at or after {@code from} whose pc is {@code pc} and whose run ends no
   * later than {@code time}; -1 if there is none.
   */
  long lastAtOrBefore(long from, long pc, long time) throws IOException {
    long n = from;
    long found = -1;
    while (ensure(n)) {
      int r = runOf(n);
      if (times.getLong(r) > time) {
        break;
      }
      long rf = first.getLong(r);
      long off = pc - pcs.getLong(r); // unsigned: kernel addresses are negative as longs
      if (Long.compareUnsigned(off, counts.getLong(r) << 2) < 0 && (off & 3) == 0
          && rf + (off >>> 2) >= n) {
        found = rf + (off >>> 2);
      }
      n = rf + counts.getLong(r);
    }
    return found;
  }

  /** Instructions from {@code n} to the end of its run, {@code n} included. */
  long runRemaining(long n) {
    int r = runOf(n);
    return first.getLong(r) + counts.getLong(r) - n;
  }

  /** The word truth says the core ran at instruction {@code n}, or null if it is no patch site. */
  boolean isSite(long n) {
    return siteWords.containsKey(n);
  }

  int siteWord(long n) {
    return siteWords.get(n);
  }

  /**
   * The word of the first site execution at {@code pc} that trapped (ran no instruction: a BRK)
   * just before instruction {@code from} or later, no later than {@code notAfter}, looking at most
   * {@code limit} instructions ahead; -1 if none.
   */
  long trapWord(long from, long pc, long notAfter, long limit) throws IOException {
    for (int k = 0; ; k++) {
      while (k >= trapAt.size()) {
        if (loadedEnd > from + limit || (!ensure(loadedEnd) && k >= trapAt.size())) {
          return -1; // (the truth's end may still add a trap: the BRK it ended on)
        }
      }
      if (trapAt.getLong(k) < from || trapPc.getLong(k) != pc) {
        continue;
      }
      if (trapAt.getLong(k) > from + limit || trapTime.getLong(k) > notAfter) {
        return -1;
      }
      return trapWord.getInt(k) & 0xFFFFFFFFL;
    }
  }

  /**
   * First instruction number ≥ {@code from} whose pc is {@code pc} and whose time is at least
   * {@code notBefore}, looking at most {@code limit} instructions ahead and not past runs that start
   * after {@code notAfter}; -1 if none.
   */
  long find(long from, long pc, long notBefore, long notAfter, long limit) throws IOException {
    long n = from;
    long end = from + limit;
    while (n < end) {
      if (!ensure(n)) {
        return -1;
      }
      int r = runOf(n);
      long rf = first.getLong(r);
      long rpc = pcs.getLong(r);
      long rc = counts.getLong(r);
      if (times.getLong(r) > notAfter) {
        return -1;
      }
      long off = pc - rpc; // unsigned: kernel addresses are negative as longs
      if (Long.compareUnsigned(off, rc << 2) < 0 && off >= ((n - rf) << 2) && (off & 3) == 0) {
        long idx = rf + ((pc - rpc) >>> 2);
        if (times.getLong(r) + (idx - rf) >= notBefore) {
          return idx;
        }
      }
      n = rf + rc;
    }
    return -1;
  }

  /** Forgets runs that end at or before instruction {@code n}. */
  void trimBefore(long n) {
    while (base < first.size() && first.getLong(base) + counts.getLong(base) <= n) {
      base++;
    }
    int traps = 0;
    while (traps < trapAt.size() && trapAt.getLong(traps) < n) {
      traps++;
    }
    if (traps > 0) {
      trapAt.removeElements(0, traps);
      trapPc.removeElements(0, traps);
      trapWord.removeElements(0, traps);
      trapTime.removeElements(0, traps);
    }
    if (base > 4096 && base > first.size() / 2) {
      first.removeElements(0, base);
      pcs.removeElements(0, base);
      times.removeElements(0, base);
      counts.removeElements(0, base);
      base = 0;
      hint = 0;
      if (siteWords.size() > 4096) {
        siteWords.keySet().removeIf(k -> k < n);
      }
    }
  }
}
