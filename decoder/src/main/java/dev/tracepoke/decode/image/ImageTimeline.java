package dev.tracepoke.decode.image;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongArrays;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel image over time: a base image plus the writes text-poke records describe, each as a
 * {@link PokeWindow} in which a core may run the old or the new bytes (DESIGN.md, "Text-poke
 * records").
 *
 * <p>Versions: image version {@code v} is the base with the first {@code v} windows (in
 * switch-time order) applied; version 0 is the base, {@link #versionCount()} - 1 holds every
 * write. Caches key decoded code on (version, pc) and ask {@link #validity} over which versions
 * it stays the same, so a write only invalidates code it overlaps.
 *
 * <p>Patch sites from the kernel's tables ({@link PatchSites}) are windows that never close: when
 * the recording holds no text-poke record, every listed site may hold any of its words at any
 * execution ({@link #siteWords} answers them all, the base word first), so the flow follows each
 * and the trace decides. Records, where a recording has them, are the account of every write the
 * kernel made (a kernel that emits them emits one per write), so they narrow the tables to their
 * windows and the tables add no open site.
 *
 * <p>The records' old bytes are authoritative over the base image for the time before the first
 * write (kcore may be copied after some writes); disagreements are kept as {@link #mismatches()}.
 * Immutable; safe to share between per-core decoders.
 */
public final class ImageTimeline {
  /** Bytes of one 4-byte word that at least one write touches. */
  private static final class Site {
    final int[] windows; // indices, ascending
    final int[] contents; // contents[k] = the word after the first k of its windows
    final long[] starts;
    final long[] posts;
    final long[] switches;
    final long[] closes;

    Site(int[] windows, int[] contents, List<PokeWindow> all, long[] closeOf) {
      this.windows = windows;
      this.contents = contents;
      starts = new long[windows.length];
      posts = new long[windows.length];
      switches = new long[windows.length];
      closes = new long[windows.length];
      for (int i = 0; i < windows.length; i++) {
        closes[i] = closeOf[windows[i]];
        PokeWindow w = all.get(windows[i]);
        starts[i] = w.start();
        posts[i] = w.post();
        switches[i] = w.switchTime();
      }
    }
  }

  private final MemoryImage base;
  private final List<PokeWindow> windows;
  private final long[] switchTimes;
  private final Long2ObjectOpenHashMap<Site> sites = new Long2ObjectOpenHashMap<>();
  private final long[] byAddress; // window start addresses, sorted unsigned
  private final int[] byAddressIndex;
  private final int maxLength;
  private int maxSiteWindows;
  private final long[] closeOf;
  private final List<ImageMismatch> mismatches = new ArrayList<>();
  /** Table sites open for all time: word address -> the words it may hold, the base word first. */
  private final Long2ObjectOpenHashMap<int[]> open = new Long2ObjectOpenHashMap<>();
  private long[] openAddresses = new long[0]; // sorted unsigned

  private final WriterCses writers;
  private final PatchSites tables;

  private ImageTimeline(MemoryImage base, List<PokeWindow> windows, WriterCses writers, PatchSites tables) {
    this.base = base;
    this.writers = writers;
    this.tables = tables;
    this.windows = Collections.unmodifiableList(windows);
    int n = windows.size();
    switchTimes = new long[n];
    Integer[] order = new Integer[n];
    int longest = 0;
    for (int i = 0; i < n; i++) {
      switchTimes[i] = windows.get(i).switchTime();
      order[i] = i;
      longest = Math.max(longest, windows.get(i).length());
    }
    maxLength = longest;
    closeOf = closeTimes(windows, writers);
    Arrays.sort(order, (a, b) -> Long.compareUnsigned(
        windows.get(a).address(), windows.get(b).address()));
    byAddress = new long[n];
    byAddressIndex = new int[n];
    for (int i = 0; i < n; i++) {
      byAddressIndex[i] = order[i];
      byAddress[i] = windows.get(order[i]).address();
    }
    buildSites();
    if (windows.isEmpty()) {
      openSites(tables);
    }
  }

  /**
   * The same writes and patch sites over another base image (a process's address space: the
   * kernel's text, where pokes land, is in every one).
   */
  public ImageTimeline rebased(MemoryImage other) {
    return new ImageTimeline(other, new ArrayList<>(windows), writers, tables);
  }

  /** An image that never changes. */
  public static ImageTimeline of(MemoryImage base) {
    return new ImageTimeline(base, new ArrayList<>(), WriterCses.NONE, PatchSites.NONE);
  }

  /**
   * An image whose only changes are what the kernel's tables allow: without {@code records}, each
   * of {@code tables}' sites is open for all time; with records, they govern (see the class
   * comment).
   */
  public static ImageTimeline of(MemoryImage base, List<TextPoke> records, WriterCses writers, PatchSites tables) {
    ImageTimeline t = of(base, records, writers);
    if (tables.isEmpty() || !t.windows.isEmpty()) {
      return t;
    }
    return new ImageTimeline(base, new ArrayList<>(), writers, tables);
  }

  /**
   * Builds the timeline from text-poke records in any order (sorted by time, ties kept in list
   * order). A POST is paired with the earliest still-open PRE for the same address and bytes.
   */
  public static ImageTimeline of(MemoryImage base, List<TextPoke> records) {
    return of(base, records, WriterCses.NONE);
  }

  /**
   * As {@link #of(MemoryImage, List)}, with what the writers' own traces tell about when each
   * flagless record's cache maintenance was complete ({@link WriterCses}).
   */
  public static ImageTimeline of(MemoryImage base, List<TextPoke> records, WriterCses writers) {
    List<TextPoke> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparingLong(TextPoke::time)); // stable
    record Draft(TextPoke first, PokeWindow.Style style, long start, long post) {}
    List<Draft> drafts = new ArrayList<>();
    Map<Long, Deque<Integer>> openPre = new HashMap<>(); // address -> drafts of unpaired PREs
    List<TextPoke> seen = new ArrayList<>();
    for (TextPoke p : sorted) {
      switch (p.kind()) {
        case LANDED -> drafts.add(new Draft(p, PokeWindow.Style.LANDED, p.time(), p.time()));
        case PRE -> {
          openPre.computeIfAbsent(p.address(), a -> new ArrayDeque<>()).addLast(drafts.size());
          drafts.add(new Draft(p, PokeWindow.Style.PRE_ONLY, p.time(), Long.MAX_VALUE));
        }
        case POST -> {
          Integer match = null;
          Deque<Integer> q = openPre.getOrDefault(p.address(), new ArrayDeque<>());
          for (Integer i : q) {
            if (drafts.get(i).first().sameWrite(p)) {
              match = i;
              break;
            }
          }
          if (match != null) {
            q.remove(match);
            TextPoke pre = drafts.get(match).first();
            drafts.set(match, new Draft(pre, PokeWindow.Style.PAIRED, pre.time(), p.time()));
          } else {
            long start = Long.MIN_VALUE;
            for (TextPoke s : seen) {
              if (s.time() > start && overlap(s, p)) {
                start = s.time();
              }
            }
            drafts.add(new Draft(p, PokeWindow.Style.POST_ONLY, start, p.time()));
          }
        }
      }
      seen.add(p);
    }
    // Version order: by switch time (the first record of each window), stable.
    List<Draft> ordered = new ArrayList<>(drafts);
    ordered.sort(Comparator.comparingLong(d -> d.first().time()));
    List<PokeWindow> windows = new ArrayList<>(ordered.size());
    for (Draft d : ordered) {
      TextPoke f = d.first();
      windows.add(new PokeWindow(windows.size(), f.address(), f.oldBytes(), f.newBytes(),
          d.style(), d.start(), d.post(), f.time(), f.cpu()));
    }
    return new ImageTimeline(base, windows, writers, PatchSites.NONE);
  }

  private void openSites(PatchSites tables) {
    LongArrayList addrs = new LongArrayList();
    for (PatchSites.Site t : tables.sites()) {
      long a = t.address();
      long w0 = (a & 3) == 0 ? base.read32(a) : MemoryImage.NOT_MAPPED;
      if (w0 == MemoryImage.NOT_MAPPED || sites.containsKey(a)) {
        continue; // not in the image: nothing decodes there
      }
      int[] words = new int[t.wordCount() + 1];
      int n = 0;
      words[n++] = (int) w0;
      for (int i = 0; i < t.wordCount(); i++) {
        boolean seen = false;
        for (int j = 0; j < n; j++) {
          seen |= words[j] == t.word(i);
        }
        if (!seen) {
          words[n++] = t.word(i);
        }
      }
      if (n > 1) {
        open.put(a, Arrays.copyOf(words, n));
        addrs.add(a);
        maxSiteWindows = Math.max(maxSiteWindows, n - 1);
      }
    }
    openAddresses = addrs.toLongArray();
    LongArrays.unstableSort(openAddresses, Long::compareUnsigned);
  }

  /** True when some word may change other than by the text-poke records: an open table site. */
  public boolean hasOpenSites() {
    return !open.isEmpty();
  }

  /** Number of table sites open for all time (0 when records govern or no tables were read). */
  public int openSiteCount() {
    return open.size();
  }

  /** True when some word may hold more than one value: a record's window or an open table site. */
  public boolean hasSites() {
    return windows.size() > 0 || !open.isEmpty();
  }

  /** True when an open table site lies in {@code [start, end)}. */
  public boolean touchesOpenSite(long start, long end) {
    long[] a = openAddresses;
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(a[mid], start) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < a.length && Long.compareUnsigned(a[lo], end) < 0;
  }

  private static boolean overlap(TextPoke a, TextPoke b) {
    return Long.compareUnsigned(a.address(), b.address() + b.newBytes().length) < 0
        && Long.compareUnsigned(b.address(), a.address() + a.newBytes().length) < 0;
  }

  /**
   * Per window, the time after which a core's next CSE makes the new bytes certain (see {@link
   * #siteWords}): the POST for PRE/POST windows. A flagless record is written before the bytes
   * and their cache maintenance, so a CSE right after it proves nothing; two facts bound when the
   * maintenance was complete, and the earlier bound wins: the next record of any write ({@code
   * Long.MAX_VALUE} if none), because text pokes are serialised (the kernel's text_mutex) and the
   * writer finishes one write's maintenance before it records the next; and the writer's own next
   * CSE after the record, because it writes and maintains with interrupts masked and ends the
   * maintenance with an ISB ({@link WriterCses}).
   */
  private static long[] closeTimes(List<PokeWindow> windows, WriterCses writers) {
    long[] records = new long[windows.size() * 2];
    int n = 0;
    for (PokeWindow w : windows) {
      records[n++] = w.switchTime();
      if (w.style() == PokeWindow.Style.PAIRED) {
        records[n++] = w.post();
      }
    }
    records = Arrays.copyOf(records, n);
    Arrays.sort(records);
    long[] out = new long[windows.size()];
    for (int i = 0; i < out.length; i++) {
      PokeWindow w = windows.get(i);
      if (w.style() != PokeWindow.Style.LANDED) {
        out[i] = w.post();
        continue;
      }
      int k = Arrays.binarySearch(records, w.switchTime());
      while (k + 1 < records.length && records[k + 1] == w.switchTime()) {
        k++;
      }
      out[i] = k + 1 < records.length ? records[k + 1] : Long.MAX_VALUE;
      if (w.writer() >= 0) {
        out[i] = Math.min(out[i], writers.maintenanceBound(w.writer(), w.switchTime()));
      }
    }
    return out;
  }

  /** The cores that wrote flagless records (whose traces can bound the records' maintenance). */
  public int[] landedWriters() {
    return windows.stream()
        .filter(w -> w.style() == PokeWindow.Style.LANDED && w.writer() >= 0)
        .mapToInt(PokeWindow::writer)
        .distinct()
        .sorted()
        .toArray();
  }

  private void buildSites() {
    Long2ObjectOpenHashMap<IntArrayList> touching = new Long2ObjectOpenHashMap<>();
    Long2IntOpenHashMap current = new Long2IntOpenHashMap(); // byte address -> value after writes
    current.defaultReturnValue(Integer.MIN_VALUE);
    for (PokeWindow w : windows) {
      long first = w.address() & ~3L;
      long end = w.address() + w.length();
      for (long a = first; Long.compareUnsigned(a, end) < 0; a += 4) {
        touching.computeIfAbsent(a, k -> new IntArrayList()).add(w.index());
      }
      for (int i = 0; i < w.length(); i++) {
        long a = w.address() + i;
        int had = current.get(a);
        if (had == Integer.MIN_VALUE) {
          had = base.readByte(a);
        }
        int old = w.oldBytes()[i] & 0xFF;
        if (had != old) {
          mismatches.add(new ImageMismatch(w.index(), a, old, had));
        }
        current.put(a, w.newBytes()[i] & 0xFF);
      }
    }
    for (var e : touching.long2ObjectEntrySet()) {
      long wordAddr = e.getLongKey();
      int[] idx = e.getValue().toIntArray();
      int[] bytes = new int[4];
      boolean[] set = new boolean[4];
      for (int b = 0; b < 4; b++) {
        bytes[b] = Math.max(0, base.readByte(wordAddr + b)); // unknown bytes read as 0
      }
      for (int i : idx) { // the earliest write's old bytes win
        PokeWindow w = windows.get(i);
        for (int b = 0; b < 4; b++) {
          long off = wordAddr + b - w.address();
          if (!set[b] && off >= 0 && off < w.length()) {
            bytes[b] = w.oldBytes()[(int) off] & 0xFF;
            set[b] = true;
          }
        }
      }
      int[] contents = new int[idx.length + 1];
      contents[0] = pack(bytes);
      for (int k = 0; k < idx.length; k++) {
        PokeWindow w = windows.get(idx[k]);
        for (int b = 0; b < 4; b++) {
          long off = wordAddr + b - w.address();
          if (off >= 0 && off < w.length()) {
            bytes[b] = w.newBytes()[(int) off] & 0xFF;
          }
        }
        contents[k + 1] = pack(bytes);
      }
      sites.put(wordAddr, new Site(idx, contents, windows, closeOf));
      maxSiteWindows = Math.max(maxSiteWindows, idx.length);
    }
  }

  private static int pack(int[] b) {
    return b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24;
  }

  public MemoryImage base() {
    return base;
  }

  /** The windows in version order ({@code windows().get(i).index() == i}). */
  public List<PokeWindow> windows() {
    return windows;
  }

  /**
   * When window {@code i}'s writer had certainly completed its cache maintenance (the POST; for a
   * flagless record the bound described at {@link #siteWords}): each core's window closes at that
   * core's first CSE after it. {@link Long#MAX_VALUE}: never known.
   */
  public long maintenanceDone(int i) {
    return closeOf[i];
  }

  /** Records whose old bytes disagree with what the image held before them. */
  public List<ImageMismatch> mismatches() {
    return Collections.unmodifiableList(mismatches);
  }

  /** Number of image versions: one more than the number of windows. */
  public int versionCount() {
    return windows.size() + 1;
  }

  /** The {@code --naive} version at time {@code t}: every window whose first record is at or before t. */
  public int versionAt(long t) {
    int lo = 0;
    int hi = switchTimes.length;
    while (lo < hi) { // first index with switchTime > t
      int mid = (lo + hi) >>> 1;
      if (switchTimes[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** True when some write touches the word at {@code pc}, or it is an open table site. */
  public boolean isPokeSite(long pc) {
    return sites.containsKey(pc & ~3L) || open.containsKey(pc & ~3L);
  }

  /**
   * The word at {@code pc} in image version {@code version}, zero-extended, or {@link
   * MemoryImage#NOT_MAPPED}. Hot path of block decoding: one hash probe, then the base image.
   */
  public long read32(long pc, int version) {
    // an image without sites (no writes, no tables) is its base: no hash probe a word
    if ((pc & 3) == 0 && !sites.isEmpty()) {
      Site s = sites.get(pc);
      if (s != null) {
        int k = 0;
        while (k < s.windows.length && s.windows[k] < version) {
          k++;
        }
        return s.contents[k] & 0xFFFFFFFFL;
      }
    }
    return base.read32(pc);
  }

  /**
   * The word at {@code pc} at time {@code t} for a core with CSEs {@code cse}, or {@link
   * MemoryImage#NOT_MAPPED}. Outside windows every policy gives the same word; inside one, {@code
   * OLD} gives the word before it and {@code NEW} the word after it; {@code NAIVE} ignores
   * windows and switches at each window's first record.
   */
  public long wordAt(long pc, long t, WordPolicy policy, CseTimes cse) {
    Site s = (pc & 3) == 0 ? sites.get(pc) : null;
    if (s == null) {
      return base.read32(pc);
    }
    int k = switch (policy) {
      case NAIVE -> countPrefix(s.switches, t);
      case NEW -> countPrefix(s.starts, t);
      case OLD -> closedPrefix(s, t, cse);
    };
    return s.contents[k] & 0xFFFFFFFFL;
  }

  /**
   * Every word {@code pc} may hold for this core at some time in {@code [t0, t1]}, oldest first,
   * without repeats; empty when {@code pc} is not mapped.
   *
   * @throws IllegalArgumentException if {@code t1 < t0}
   */
  public IntList candidates(long pc, long t0, long t1, CseTimes cse) {
    if (t1 < t0) {
      throw new IllegalArgumentException("time interval [" + t0 + ", " + t1 + "] is empty");
    }
    IntArrayList out = new IntArrayList(2);
    Site s = (pc & 3) == 0 ? sites.get(pc) : null;
    int[] o = s == null && (pc & 3) == 0 ? open.get(pc) : null;
    if (o != null) {
      out.addElements(0, o);
      return out;
    }
    if (s == null) {
      long w = base.read32(pc);
      if (w != MemoryImage.NOT_MAPPED) {
        out.add((int) w);
      }
      return out;
    }
    int from = closedPrefix(s, t0, cse);
    int to = countPrefix(s.starts, t1);
    for (int k = from; k <= Math.max(from, to); k++) {
      if (!out.contains(s.contents[k])) {
        out.add(s.contents[k]);
      }
    }
    return out;
  }

  /** Most windows any one word is touched by (sizes the buffer {@link #siteWords} fills). */
  public int maxSiteWindows() {
    return maxSiteWindows;
  }

  /**
   * The words a core may fetch at {@code pc} in an execution that lies at or before {@code tNext},
   * given that the core certainly passed a context-synchronization event after time {@code cse}
   * (the earliest time of its latest CSE in trace order; {@link Long#MIN_VALUE} if none): a window
   * whose close time is before {@code cse} is closed (its new bytes are certain), one that starts
   * after {@code tNext} has not opened. The close time is the POST; for a flagless record it is the
   * next record's time (the record precedes the write and its cache maintenance, so a CSE right
   * after it proves nothing; text pokes are serialised, so the next record follows that
   * maintenance). Fills {@code out} (at least {@link #maxSiteWindows()} + 1 long)
   * oldest first without repeats and returns how many; -1 when no write touches the word at {@code
   * pc}. Allocation-free: the multi-candidate walk calls it for every poke-site instruction.
   */
  public int siteWords(long pc, long cse, long tNext, int[] out) {
    Site s = (pc & 3) == 0 ? sites.get(pc) : null;
    if (s == null) {
      int[] o = (pc & 3) == 0 && !open.isEmpty() ? open.get(pc) : null;
      if (o == null) {
        return -1;
      }
      System.arraycopy(o, 0, out, 0, o.length);
      return o.length;
    }
    int from = 0;
    for (int k = 0; k < s.posts.length; k++) {
      if (s.closes[k] != Long.MAX_VALUE && s.closes[k] < cse) {
        from = k + 1; // a later write over the whole word supersedes every earlier one
      }
    }
    int to = Math.max(from, countPrefix(s.starts, tNext));
    int n = 0;
    for (int k = from; k <= to; k++) {
      int w = s.contents[k];
      boolean seen = false;
      for (int i = 0; i < n; i++) {
        seen |= out[i] == w;
      }
      if (!seen) {
        out[n++] = w;
      }
    }
    return n;
  }

  /** Leading windows whose start is at or before t (the new bytes may be visible). */
  private static int countPrefix(long[] times, long t) {
    int k = 0;
    while (k < times.length && times[k] <= t) {
      k++;
    }
    return k;
  }

  /** Leading windows already closed for this core at t (the new bytes are certain). */
  private static int closedPrefix(Site s, long t, CseTimes cse) {
    int k = 0;
    while (k < s.closes.length
        && s.closes[k] != Long.MAX_VALUE
        && s.starts[k] <= t
        && cse.nextCseAfter(s.closes[k]) <= t) {
      k++;
    }
    return k;
  }

  /** True when some write overlaps {@code [start, end)}. */
  public boolean overlapsPokes(long start, long end) {
    return validity(start, end, 0) != (((long) 0 << 32) | versionCount());
  }

  /**
   * The versions over which the bytes {@code [start, end)} are what they are in {@code version}:
   * packed as {@code (from << 32) | to}, meaning versions {@code from <= v < to}.
   */
  public long validity(long start, long end, int version) {
    int from = 0;
    int to = versionCount();
    // first window whose address could reach start
    long lowest = Long.compareUnsigned(start, maxLength) >= 0 ? start - maxLength : 0;
    int lo = 0;
    int hi = byAddress.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(byAddress[mid], lowest) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int i = lo; i < byAddress.length && Long.compareUnsigned(byAddress[i], end) < 0; i++) {
      PokeWindow w = windows.get(byAddressIndex[i]);
      if (Long.compareUnsigned(w.address() + w.length(), start) <= 0) {
        continue;
      }
      int g = w.index();
      if (g < version) {
        from = Math.max(from, g + 1);
      } else {
        to = Math.min(to, g + 1);
      }
    }
    return ((long) from << 32) | to;
  }
}
