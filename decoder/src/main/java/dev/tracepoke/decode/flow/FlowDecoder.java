package dev.tracepoke.decode.flow;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.PacketError;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * Reconstructs one core's instruction flow from its ETMv4 packets, walking A64 code the way
 * OpenCSD 1.3.3 does (reference/etmv4-opencsd.md section 2), so that on a static image its ranges
 * equal {@code trc_pkt_lister}'s; and over an image that changes while it is traced (DESIGN.md,
 * "Decoder semantics").
 *
 * <ul>
 *   <li>Sync: nothing is decoded before an A-sync followed by a Trace Info; overflow, discard and
 *       bad packets drop sync again (with a {@link FlowSink#gap}).
 *   <li>Each atom walks from the current pc to the next waypoint (through the {@link BlockCache})
 *       and yields one range. E on a direct or conditional branch goes to its target; E on an
 *       indirect branch, return or ERET waits for the next address packet; N falls through.
 *   <li>An Exception packet and the address after it (the preferred return address) yield the
 *       instructions from the pc up to that address, then an exception element.
 * </ul>
 *
 * <p>Time: packets are kept (in a primitive array) until the next timestamp, so every element is
 * judged and delivered knowing the interval it lies in: from the timestamp before the previous P0
 * element (a range's first instructions may precede the timestamp packet before its own atom) to
 * the timestamp after it, converted to perf
 * time by the configured conversion (PERF_RECORD_TIME_CONV for recordings, identity for snapshots). At the end of the trace, or when {@value #MAX_HELD} packets wait,
 * they are decoded with no known upper bound ({@code timeTo = NO_TIME}).
 *
 * <p>Image ({@link ImageMode}): a fixed version; {@code NAIVE}, the version of the record times
 * before each segment, never in doubt; or {@code WINDOWS}, where the word at a poke site is, per
 * core and per window, OLD while the segment ends before the window opens, NEW once this core
 * passed (in trace order) a context-synchronization event — exception entry, ERET, Exception
 * Return, ISB — whose segment begins after the window's POST, and open otherwise. An execution of
 * an open site whose candidate words change the flow differently forks the walk: one walker per
 * word, advanced in lockstep over the same packets, dropped when the trace contradicts it, merged
 * when two reach the same state. One survivor: {@link FlowSink#ambiguity} resolved at the deciding
 * packet, its ranges {@code FLAG_RESOLVED}. Merged, bound exceeded ({@code maxWalkers}) or trace
 * end: unresolved, one walker's ranges {@code FLAG_AMBIGUOUS} (after the bound, the decode resumes
 * at the next address packet). All dropped: an error and a gap. Candidates with the same effect on
 * the flow (the same pc sequence whatever the word) are reported unresolved without flags.
 *
 * <p>Contradictions are reported, never swallowed (with a single walker as an {@link
 * FlowSink#error}, then the decode resumes at the next address packet): an N atom on an
 * unconditional branch, ERET or ISB; an atom whose walk passes an instruction that always traps
 * (SVC, HVC, SMC, BRK, UDF, DCPS); an atom while a taken indirect branch waits for its target; an
 * address packet where the walk is elsewhere and waits for none (except after Trace On or a
 * periodic Trace Info); an exception return address behind the pc, past a waypoint or past a
 * trapping instruction; an exception "at the previous branch target" that is not where the walk
 * is. Speculation packets (commit, cancel, mispredict) and Q packets are not supported: cancel,
 * mispredict and Q report an error and resynchronise (traces with TRCIDR8.MAXSPEC = 0 contain
 * none); the return stack (TRCCONFIGR.RS) is not modelled. Not thread-safe: one decoder per core.
 */
public final class FlowDecoder implements PacketSink {
  /** Packets kept waiting for a closing timestamp before they are decoded without one. */
  public static final int MAX_HELD = 8192;

  /** Walkers alive at once before an ambiguity is given up as unresolved. */
  public static final int DEFAULT_MAX_WALKERS = 16;

  /** Longest linear walk to an exception's return address (bytes) before it is called an error. */
  static final long MAX_EXCEPTION_WALK = 1 << 20;

  /** Which image the walk reads. */
  public enum ImageMode {
    /** One image version for the whole trace (static images, snapshots). */
    FIXED,
    /** {@code --naive}: the version of the record times at the segment's start; never in doubt. */
    NAIVE,
    /** Poke windows per core: ambiguous executions are followed for every candidate word. */
    WINDOWS
  }

  /**
   * How a decoder reads the image and the time.
   *
   * @param mode which image the walk reads
   * @param version the version for {@link ImageMode#FIXED}
   * @param time converts timestamp values (trace-unit counter) to perf time (ns)
   * @param maxWalkers bound on candidate walks alive at once (WINDOWS)
   */
  public record Config(ImageMode mode, int version, LongUnaryOperator time, int maxWalkers) {
    public Config {
      if (maxWalkers < 1) {
        throw new IllegalArgumentException("maxWalkers must be >= 1, got " + maxWalkers);
      }
    }

    /** One image version, timestamps taken as perf time. */
    public static Config fixed(int version) {
      return new Config(ImageMode.FIXED, version, LongUnaryOperator.identity(), 1);
    }

    public static Config fixed(int version, LongUnaryOperator time) {
      return new Config(ImageMode.FIXED, version, time, 1);
    }

    public static Config naive(LongUnaryOperator time) {
      return new Config(ImageMode.NAIVE, 0, time, 1);
    }

    public static Config windows(LongUnaryOperator time) {
      return new Config(ImageMode.WINDOWS, 0, time, DEFAULT_MAX_WALKERS);
    }

    public Config withMaxWalkers(int n) {
      return new Config(mode, version, time, n);
    }
  }

  private enum Sync {
    NO_SYNC,
    WAIT_INFO,
    SYNCED
  }

  // Elements in a walker's buffer.
  private static final int T_RANGE = 1;
  private static final int T_EXCEPTION = 2;
  private static final int T_ERET = 3;
  private static final int T_CONTEXT = 4;
  private static final int T_GAP = 5;
  private static final int T_ERROR = 6;
  private static final int T_DECISION = 7;

  // Packets of the current segment: PSTRIDE longs each.
  private static final int PSTRIDE = 8;
  private static final int P_ASYNC = 1;
  private static final int P_INFO = 2;
  private static final int P_TRACE_ON = 3;
  private static final int P_EXCEPTION = 4;
  private static final int P_ERET = 5;
  private static final int P_ATOMS = 6;
  private static final int P_ADDRESS = 7;
  private static final int P_CONTEXT = 8;
  private static final int P_OVERFLOW = 9;
  private static final int P_DISCARD = 10;
  private static final int P_BAD = 11;
  private static final int P_UNSUPPORTED = 12;

  private static final int OK = 0;
  private static final int FORK = 1;

  private final int cpu;
  private final BlockCache blocks;
  private final ImageTimeline timeline;
  private final Config config;
  private final FlowSink sink;

  private Sync sync = Sync.NO_SYNC;
  private final Walker[] walkers;
  private int live = 1;
  private boolean group; // walkers were forked and are not decided yet

  /** WINDOWS over an image with poke sites: some words differ per core and window. */
  private final boolean sites;
  private long[] packets = new long[PSTRIDE * 256];
  private int packetCount;
  private long tPrev = FlowSink.NO_TIME;
  private long tNext = FlowSink.NO_TIME;
  /** Where {@link #logCses} keeps the certain CSEs: (earliest, latest) time pairs in trace order. */
  private LongArrayList cseLog;
  private int version;

  private final List<String> messages = new ArrayList<>();
  private final IntArrayList candidatePool = new IntArrayList();
  private final int[] siteScratch;
  private final int[] forkWords;
  private int forkCount;
  private long forkPc;
  // Same-effect ambiguities met by the current walk, emitted when it completes.
  private final long[] equalPc = new long[Walker.MAX_OVERRIDES];
  private final int[] equalPool = new int[Walker.MAX_OVERRIDES];
  private final int[] equalCount = new int[Walker.MAX_OVERRIDES];
  private int equals;

  /**
   * A decoder over one fixed image version, timestamps taken as perf time.
   *
   * @param cpu the core number reported with every element
   * @param blocks the block cache over the image (its waypoint settings apply)
   * @param version the image version to decode against
   * @param sink where elements go
   */
  public FlowDecoder(int cpu, BlockCache blocks, int version, FlowSink sink) {
    this(cpu, blocks, Config.fixed(version), sink);
  }

  /**
   * @param cpu the core number reported with every element
   * @param blocks the block cache over the image timeline (its waypoint settings apply)
   * @param config image mode, time conversion and candidate bound
   * @param sink where elements go
   */
  public FlowDecoder(int cpu, BlockCache blocks, Config config, FlowSink sink) {
    this.cpu = cpu;
    this.blocks = blocks;
    this.timeline = blocks.image();
    this.config = config;
    this.sink = sink;
    this.version = config.mode() == ImageMode.FIXED ? config.version() : 0;
    // without sites every word is the version-0 word whatever the window state; a table site
    // (no records) is a window that never closes
    this.sites = config.mode() == ImageMode.WINDOWS && timeline.hasSites();
    walkers = new Walker[config.maxWalkers()];
    walkers[0] = new Walker();
    int words = Math.max(2, timeline.maxSiteWindows() + 1);
    siteScratch = new int[words];
    forkWords = new int[words];
  }

  // ---------------------------------------------------------------- packets in

  private void record(int type, long offset, long index, long a, long b, long c, long d) {
    if (packetCount == MAX_HELD) {
      decodeSegment(FlowSink.NO_TIME);
    }
    int i = packetCount * PSTRIDE;
    if (i + PSTRIDE > packets.length) {
      packets = Arrays.copyOf(packets, packets.length * 2);
    }
    packets[i] = type;
    packets[i + 1] = offset;
    packets[i + 2] = index;
    packets[i + 3] = a;
    packets[i + 4] = b;
    packets[i + 5] = c;
    packets[i + 6] = d;
    packetCount++;
  }

  private static long contextBits(int el, boolean sf, boolean ns, boolean vmidUpdated,
      boolean contextIdUpdated) {
    return el | (sf ? 1 << 8 : 0) | (ns ? 1 << 9 : 0) | (vmidUpdated ? 1 << 10 : 0)
        | (contextIdUpdated ? 1 << 11 : 0);
  }

  @Override
  public void notSync(long offset, long index) {}

  @Override
  public void async(long offset, long index) {
    record(P_ASYNC, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void traceInfo(
      long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold) {
    record(P_INFO, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void traceOn(long offset, long index) {
    record(P_TRACE_ON, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void overflow(long offset, long index) {
    record(P_OVERFLOW, offset, index, 0, 0, 0, 0);
  }

  /** A discard breaks the flow like an overflow; reported as a {@code GAP_ERROR} gap. */
  @Override
  public void discard(long offset, long index) {
    record(P_DISCARD, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void error(long offset, long index, int header, long length, PacketError reason) {
    record(P_BAD, offset, index, header, length, reason.ordinal(), 0);
  }

  @Override
  public void timestamp(
      long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount) {
    long t = config.time().applyAsLong(value);
    decodeSegment(t);
    tPrev = t;
  }

  @Override
  public void address(
      long offset, long index, long address, int isa, AddressForm form, int matchEntry,
      int knownBits) {
    record(P_ADDRESS, offset, index, address, -1, 0, 0);
  }

  @Override
  public void addressWithContext(
      long offset, long index, long address, int isa, AddressForm form, int knownBits, int el,
      boolean sf, boolean ns, boolean vmidUpdated, int vmid, boolean contextIdUpdated,
      int contextId) {
    record(P_ADDRESS, offset, index, address,
        contextBits(el, sf, ns, vmidUpdated, contextIdUpdated), vmid, contextId & 0xFFFFFFFFL);
  }

  @Override
  public void context(
      long offset, long index, boolean updated, int el, boolean sf, boolean ns,
      boolean vmidUpdated, int vmid, boolean contextIdUpdated, int contextId) {
    if (updated) {
      record(P_CONTEXT, offset, index, 0,
          contextBits(el, sf, ns, vmidUpdated, contextIdUpdated), vmid, contextId & 0xFFFFFFFFL);
    }
  }

  @Override
  public void atoms(long offset, long index, int format, int bits, int count) {
    record(P_ATOMS, offset, index, bits, count, 0, 0);
  }

  @Override
  public void exception(long offset, long index, int type, int addressInfo, boolean faultPending) {
    record(P_EXCEPTION, offset, index, type, addressInfo, 0, 0);
  }

  @Override
  public void exceptionReturn(long offset, long index) {
    record(P_ERET, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void functionReturn(long offset, long index) {}

  @Override
  public void cycleCount(long offset, long index, int format, int count, boolean countKnown,
      int commit) {}

  /** With every P0 element committed on arrival, a commit changes nothing. */
  @Override
  public void commit(long offset, long index, int count) {}

  @Override
  public void cancel(long offset, long index, int format, int count, boolean mispredict,
      int atomBits, int atomCount) {
    record(P_UNSUPPORTED, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void mispredict(long offset, long index, int atomBits, int atomCount) {
    record(P_UNSUPPORTED, offset, index, 1, 0, 0, 0);
  }

  @Override
  public void q(long offset, long index, int type, int count, AddressForm form, long address) {
    record(P_UNSUPPORTED, offset, index, 2, 0, 0, 0);
  }

  @Override
  public void event(long offset, long index, int mask) {}

  @Override
  public void ignore(long offset, long index) {}

  @Override
  public void timestampMarker(long offset, long index) {}

  @Override
  public void end(long offset, long packets) {
    decodeSegment(FlowSink.NO_TIME);
    if (group) {
      giveUp(walkers[0], offset);
    }
    Walker w = walkers[0];
    reportDropped(w);
    if (w.exceptionPending) {
      error(w, w.exceptionOffset, w.exceptionIndex,
          "trace ends before the exception's return address");
      w.exceptionPending = false;
    }
    flushSingle();
  }

  /**
   * From now on, keeps every context-synchronization event this core certainly passed (one walker,
   * not a fork in progress) as the time interval it lies in, in trace order: the earliest time
   * (the timestamp before it; {@link FlowSink#NO_TIME} if none) then the latest (the timestamp
   * after it; NO_TIME if none). The pipeline reads a text-poke writer's CSEs from it to bound when
   * the writer's cache maintenance was complete (see {@code ImageTimeline.WriterCses}).
   */
  public void logCses(LongArrayList into) {
    cseLog = into;
  }

  private void passedCse(Walker w) {
    w.lastCse = tPrev;
    if (cseLog != null && live == 1 && !group) {
      cseLog.add(tPrev);
      cseLog.add(tNext);
    }
  }

  // ---------------------------------------------------------------- segments

  /** Decodes the packets kept so far, all lying before {@code next} (perf time or NO_TIME). */
  private void decodeSegment(long next) {
    tNext = next;
    if (config.mode() == ImageMode.NAIVE) {
      version = timeline.versionAt(tPrev == FlowSink.NO_TIME ? Long.MIN_VALUE : tPrev);
    }
    for (int k = 0; k < packetCount; k++) {
      int i = k * PSTRIDE;
      dispatch((int) packets[i], packets[i + 1], packets[i + 2], packets[i + 3], packets[i + 4],
          packets[i + 5], packets[i + 6]);
    }
    packetCount = 0;
    flushSingle();
  }

  private void dispatch(int type, long offset, long index, long a, long b, long c, long d) {
      switch (type) {
        case P_ASYNC -> onAsync();
        case P_INFO -> onTraceInfo();
        case P_TRACE_ON -> onTraceOn();
        case P_EXCEPTION -> onException(offset, index, (int) a, (int) b);
        case P_ERET -> onExceptionReturn(offset, index);
        case P_ATOMS -> onAtoms(offset, index, (int) a, (int) b);
        case P_ADDRESS -> onAddress(offset, index, a, b, (int) c, d);
        case P_CONTEXT -> onContext(offset, index, b, (int) c, d);
        case P_OVERFLOW -> loseSync(FlowSink.GAP_OVERFLOW, offset);
        case P_DISCARD -> loseSync(FlowSink.GAP_ERROR, offset);
        case P_BAD -> onBadPacket(offset, index, (int) a, b, PacketError.values()[(int) c]);
        case P_UNSUPPORTED -> unsupported(offset, index, a == 0
            ? "cancel packet (speculative trace is not supported)"
            : a == 1 ? "mispredict packet (speculative trace is not supported)"
            : "Q packet (not supported)");
        default -> throw new IllegalStateException("kept packet type " + type);
      }
  }

  // ---------------------------------------------------------------- synchronisation

  private void onAsync() {
    if (sync == Sync.NO_SYNC) {
      sync = Sync.WAIT_INFO;
    }
  }

  private void onTraceInfo() {
    if (sync == Sync.WAIT_INFO) {
      sync = Sync.SYNCED;
      Walker w = walkers[0];
      w.needAddress = true;
      w.needContext = true;
      w.exceptionPending = false;
      w.walkFrom = FlowSink.NO_TIME;
    } else if (sync == Sync.SYNCED) {
      onTraceOn(); // a periodic sync point: the address after it restates the pc
      for (int k = 0; k < live; k++) {
        // what the address after a sync point continues may have begun before any timestamp
        // seen since (the same bound whether or not the trace before it was readable)
        walkers[k].walkFrom = FlowSink.NO_TIME;
      }
    }
  }

  private void onTraceOn() {
    for (int k = 0; k < live; k++) {
      walkers[k].addressFree = true;
    }
  }

  /** Ends an undecided fork: its walks are reported as unresolved before the flow breaks. */
  private void breakFlow(long offset) {
    if (group) {
      giveUp(walkers[0], offset);
    }
  }

  private void loseSync(int reason, long offset) {
    breakFlow(offset);
    Walker w = walkers[0];
    reportDropped(w);
    if (sync == Sync.SYNCED) {
      put(w, T_GAP, reason, w.needAddress ? 0 : w.pc, offset, 0, 0, 0, 0);
    }
    sync = Sync.NO_SYNC;
    w.needAddress = true;
    w.needContext = true;
    w.exceptionPending = false;
    w.resyncing = false;
    w.addressFree = false;
    w.overrides = 0;
  }

  private void onBadPacket(long offset, long index, int header, long length, PacketError reason) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    breakFlow(offset);
    error(walkers[0], offset, index, String.format("bad packet (header 0x%02x, %d bytes): %s",
        header, length, reason));
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  private void unsupported(long offset, long index, String what) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    breakFlow(offset);
    error(walkers[0], offset, index, what);
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  // ---------------------------------------------------------------- context and addresses

  private void onContext(long offset, long index, long bits, int vmid, long contextId) {
    if (sync != Sync.SYNCED) {
      return;
    }
    for (int k = 0; k < live; k++) {
      updateContext(walkers[k], offset, bits, vmid, contextId);
    }
    afterPacket(offset, index);
  }

  private void updateContext(Walker w, long offset, long bits, int vmid, long contextId) {
    w.el = (int) (bits & 0xFF);
    w.sf = (bits & (1 << 8)) != 0;
    w.ns = (bits & (1 << 9)) != 0;
    if ((bits & (1 << 10)) != 0) {
      w.vmid = vmid;
    }
    if ((bits & (1 << 11)) != 0) {
      w.contextId = contextId;
    }
    w.needContext = false;
    if (!w.needAddress) {
      reportDropped(w);
    }
    put(w, T_CONTEXT, w.el | (w.sf ? 1 << 8 : 0) | (w.ns ? 1 << 9 : 0), w.contextId, w.vmid,
        offset, 0, 0, 0);
  }

  private void onAddress(long offset, long index, long address, long bits, int vmid,
      long contextId) {
    if (sync != Sync.SYNCED) {
      return;
    }
    if (bits >= 0) {
      for (int k = 0; k < live; k++) {
        updateContext(walkers[k], offset, bits, vmid, contextId);
      }
    }
    for (int k = 0; k < live; k++) {
      while (true) {
        Walker w = walkers[k];
        int status = w.exceptionPending
            ? completeException(w, address)
            : takeAddress(w, address, offset, index);
        if (status == OK) {
          break;
        }
        if (!fork(k, offset, index)) {
          if (w.exceptionPending) {
            // the exception itself is certain; only the walk to it was given up
            w.exceptionPending = false;
            put(w, T_EXCEPTION, w.exceptionType, address, w.exceptionOffset, 0, 0, w.walkFrom,
                tNext);
            w.walkFrom = tPrev;
            w.pc = address;
            passedCse(w);
          }
          return;
        }
      }
    }
    afterPacket(offset, index);
  }

  private int takeAddress(Walker w, long address, long offset, long index) {
    if (!w.needAddress && !w.addressFree && w.pc != address) {
      contradiction(w, offset, index, "address packet 0x%x where the walk is at 0x%x and waits"
          + " for no target", address, w.pc);
    }
    setPc(w, address);
    return OK;
  }

  private void setPc(Walker w, long address) {
    reportDropped(w);
    w.pc = address;
    w.needAddress = false;
    w.addressFree = false;
    w.resyncing = false;
  }

  // ---------------------------------------------------------------- P0 elements

  private void onAtoms(long offset, long index, int bits, int count) {
    if (sync != Sync.SYNCED) {
      return;
    }
    if (walkers[0].exceptionPending) {
      breakFlow(offset);
      error(walkers[0], offset, index, "atoms before the exception's return address");
      loseSync(FlowSink.GAP_ERROR, offset);
      return;
    }
    if (!sites) {
      // no site can fork the walk: one walker, nothing to drop, merge or decide
      Walker w = walkers[0];
      for (int i = 0; i < count; i++) {
        walkFixed(w, ((bits >>> i) & 1) != 0, offset, index);
      }
      return;
    }
    for (int i = 0; i < count; i++) {
      boolean taken = ((bits >>> i) & 1) != 0;
      for (int k = 0; k < live; k++) {
        boolean abandoned = false;
        while (walkStep(walkers[k], taken, offset, index) == FORK) {
          if (!fork(k, offset, index)) {
            abandoned = true;
            break;
          }
        }
        if (abandoned) {
          break;
        }
      }
      afterPacket(offset, index);
    }
  }

  /**
   * {@link #walkStep} where no word depends on the window state (no poke sites): block by block
   * only, small enough to be inlined into the atom loop.
   */
  private void walkFixed(Walker w, boolean taken, long offset, long index) {
    if (w.needAddress || w.needContext) {
      walkStep(w, taken, offset, index);
      return;
    }
    long start = w.pc;
    int n = 0;
    long at = start;
    while (true) {
      int slot = blocks.lookup(at, version);
      long trap = blocks.trapPc(slot);
      if (trap != BlockCache.NO_TRAP) {
        trapped(w, start, trap, n + (int) ((trap - at) >>> 2) + 1, offset, index);
        return;
      }
      n += blocks.count(slot);
      int end = blocks.endClass(slot);
      if (end == BlockCache.END_LIMIT) {
        at = blocks.nextPc(slot);
      } else if (end == BlockCache.END_NOT_MAPPED) {
        unmapped(w, start, blocks.nextPc(slot), n, offset);
        return;
      } else {
        waypoint(w, start, n, end & A64.KIND_MASK, blocks.lastPc(slot), blocks.target(slot), taken,
            offset, index);
        return;
      }
    }
  }

  /** One atom for one walker: the range from pc to the next waypoint, then the atom's outcome. */
  private int walkStep(Walker w, boolean taken, long offset, long index) {
    if (w.needAddress || w.needContext) {
      if (group) {
        contradiction(w, offset, index, "atom while the walk waits for a target address");
      } else if (!w.resyncing) {
        if (w.droppedAtoms == 0) {
          w.droppedOffset = offset;
          w.droppedIndex = index;
        }
        w.droppedAtoms++;
      }
      return OK;
    }
    equals = 0;
    long start = w.pc;
    int n = 0;
    long at = start;
    boolean windows = sites;
    while (true) {
      int slot = blocks.lookup(at, version);
      if (windows && blocks.touchesPoke(slot)) {
        // Word by word through this block: its poke sites may hold other words for this core.
        long end = blocks.nextPc(slot);
        while (at != end) {
          long word = wordAt(w, at);
          if (word == FORK_WORD) {
            return FORK;
          }
          if (word == MemoryImage.NOT_MAPPED) {
            return unmapped(w, start, at, n, offset);
          }
          int cls = A64.classify((int) word);
          n++;
          if (BlockCache.traps(cls)) {
            return trapped(w, start, at, n, offset, index);
          }
          if (A64.isWaypoint(cls, blocks.pauthBranches(), blocks.wfxWaypoints())) {
            long target = A64.hasDirectTarget(cls) ? A64.directTarget((int) word, at) : -1L;
            return waypoint(w, start, n, cls & A64.KIND_MASK, at, target, taken, offset, index);
          }
          at += 4;
        }
        continue;
      }
      if (blocks.trapPc(slot) != BlockCache.NO_TRAP) {
        long trap = blocks.trapPc(slot);
        return trapped(w, start, trap, n + (int) ((trap - at) >>> 2) + 1, offset, index);
      }
      n += blocks.count(slot);
      int end = blocks.endClass(slot);
      if (end == BlockCache.END_LIMIT) {
        at = blocks.nextPc(slot);
        continue;
      }
      if (end == BlockCache.END_NOT_MAPPED) {
        return unmapped(w, start, blocks.nextPc(slot), n, offset);
      }
      return waypoint(w, start, n, end & A64.KIND_MASK, blocks.lastPc(slot), blocks.target(slot),
          taken, offset, index);
    }
  }

  private int unmapped(Walker w, long start, long nacc, int n, long offset) {
    emitEquals(w, offset);
    if (n > 0) {
      range(w, start, nacc, n, FlowSink.LAST_OTHER, true, offset);
    }
    put(w, T_GAP, FlowSink.GAP_NACC, nacc, offset, 0, 0, 0, 0);
    w.needAddress = true;
    w.overrides = 0;
    w.walkFrom = tPrev;
    return OK;
  }

  private int trapped(Walker w, long start, long trap, int n, long offset, long index) {
    emitEquals(w, offset);
    range(w, start, trap + 4, n, FlowSink.LAST_OTHER, true, offset);
    w.walkFrom = tPrev;
    contradiction(w, offset, index, "atom walks past the exception-generating instruction at"
        + " 0x%x with no Exception packet: the image does not match the trace", trap);
    w.needAddress = true;
    w.overrides = 0;
    return OK;
  }

  private int waypoint(Walker w, long start, int n, int kind, long last, long target,
      boolean taken, long offset, long index) {
    emitEquals(w, offset);
    long next = last + 4;
    range(w, start, next, n, lastKind(kind), taken, offset);
    w.overrides = 0;
    w.walkFrom = tPrev;
    if (!taken) {
      if (kind == A64.DIRECT) {
        contradiction(w, offset, index,
            "N atom on the unconditional branch at 0x%x: the image does not match the trace",
            last);
        w.needAddress = true;
        return OK;
      }
      if (kind == A64.INDIRECT || kind == A64.RETURN || kind == A64.ERET || kind == A64.ISB) {
        contradiction(w, offset, index, "N atom on the %s at 0x%x, which always executes: the"
            + " image does not match the trace", kind == A64.ISB ? "ISB" : "indirect branch", last);
        w.needAddress = true;
        return OK;
      }
      w.pc = next;
      return OK;
    }
    switch (kind) {
      case A64.DIRECT, A64.COND -> w.pc = target;
      case A64.INDIRECT, A64.RETURN -> w.needAddress = true;
      case A64.ERET -> {
        w.needAddress = true;
        passedCse(w);
      }
      case A64.ISB -> {
        w.pc = next;
        passedCse(w);
      }
      default -> w.pc = next; // WFx
    }
    return OK;
  }

  private static int lastKind(int a64Kind) {
    return a64Kind <= A64.ISB ? a64Kind : FlowSink.LAST_OTHER; // the codes coincide by design
  }

  private static final long FORK_WORD = -2L;

  /**
   * The word walker {@code w} executes at {@code at} in WINDOWS mode: the word it assumed after a
   * fork, the only candidate, or one of candidates that all have the same effect on the flow
   * (noted for an unresolved report); {@link #FORK_WORD} when the candidates differ and the walk
   * must fork (they are in {@link #forkWords}).
   */
  private long wordAt(Walker w, long at) {
    long o = w.override(at);
    if (o >= 0) {
      return o;
    }
    int n = timeline.siteWords(at, w.lastCse, tNext == FlowSink.NO_TIME ? Long.MAX_VALUE : tNext,
        siteScratch);
    if (n < 0) {
      return timeline.read32(at, 0);
    }
    if (n == 0) {
      return MemoryImage.NOT_MAPPED;
    }
    if (n > 1) {
      if (!sameEffect(siteScratch, n, at)) {
        System.arraycopy(siteScratch, 0, forkWords, 0, n);
        forkCount = n;
        forkPc = at;
        return FORK_WORD;
      }
      if (equals < equalPc.length) {
        equalPc[equals] = at;
        equalPool[equals] = candidatePool.size();
        equalCount[equals] = n;
        equals++;
        for (int i = 0; i < n; i++) {
          candidatePool.add(siteScratch[i]);
        }
      }
    }
    return siteScratch[0] & 0xFFFFFFFFL;
  }

  /** True when every word gives the same pc sequence: same waypoint kind and target, or none. */
  private boolean sameEffect(int[] words, int n, long at) {
    long first = effect(words[0], at);
    for (int i = 1; i < n; i++) {
      if (effect(words[i], at) != first) {
        return false;
      }
    }
    return true;
  }

  private long effect(int word, long at) {
    int cls = A64.classify(word);
    if (BlockCache.traps(cls)) {
      int k = cls & A64.KIND_MASK;
      // SVC, HVC and SMC return past themselves, the others to themselves
      return k == A64.SVC || k == A64.HVC || k == A64.SMC ? -3 : -4;
    }
    if (!A64.isWaypoint(cls, blocks.pauthBranches(), blocks.wfxWaypoints())) {
      return -1;
    }
    int k = cls & A64.KIND_MASK;
    long target = A64.hasDirectTarget(cls) ? A64.directTarget(word, at) : 0;
    return target * 31 + k; // distinct targets differ (targets are word aligned)
  }

  private void emitEquals(Walker w, long offset) {
    for (int i = 0; i < equals; i++) {
      put(w, T_DECISION, equalPc[i], (1L << 32) | (candidatePool.getInt(equalPool[i]) & 0xFFFFFFFFL),
          equalPool[i], equalCount[i], offset, w.walkFrom, tNext);
    }
    equals = 0;
  }

  private void onException(long offset, long index, int type, int addressInfo) {
    if (sync != Sync.SYNCED) {
      return;
    }
    if (walkers[0].exceptionPending) {
      breakFlow(offset);
      error(walkers[0], offset, index,
          "exception packet while the previous one still waits for its address");
      loseSync(FlowSink.GAP_ERROR, offset);
      return;
    }
    for (int k = 0; k < live; k++) {
      Walker w = walkers[k];
      w.exceptionPending = true;
      w.exceptionType = type;
      w.exceptionAddressInfo = addressInfo;
      w.exceptionOffset = offset;
      w.exceptionIndex = index;
    }
  }

  /** The address after an Exception packet: instructions up to it ran, then the exception. */
  private int completeException(Walker w, long ret) {
    if (w.exceptionAddressInfo == 2) {
      // the return address is also the target of the previous P0 element: nothing ran since
      if (!w.needAddress && !w.needContext && w.pc != ret) {
        contradiction(w, w.exceptionOffset, w.exceptionIndex, "exception at the previous branch"
            + " target 0x%x, but the walk is at 0x%x", ret, w.pc);
      }
      setPc(w, ret);
    } else if (!w.needAddress && !w.needContext && w.pc != ret) {
      equals = 0;
      if (walkToAddress(w, ret) == FORK) {
        return FORK;
      }
    }
    w.exceptionPending = false;
    w.overrides = 0;
    put(w, T_EXCEPTION, w.exceptionType, ret, w.exceptionOffset, 0, 0, w.walkFrom, tNext);
    w.walkFrom = tPrev;
    w.pc = ret;
    w.needAddress = true; // execution continues at the vector, given by the next address packet
    passedCse(w);
    return OK;
  }

  /** OpenCSD walks linearly (not following branches) from pc to the return address. */
  private int walkToAddress(Walker w, long ret) {
    long distance = ret - w.pc;
    if (distance <= 0 || distance > MAX_EXCEPTION_WALK || (distance & 3) != 0) {
      contradiction(w, w.exceptionOffset, w.exceptionIndex,
          "exception return address 0x%x cannot be reached from pc 0x%x", ret, w.pc);
      return OK;
    }
    long start = w.pc;
    int n = 0;
    int lastCls = A64.OTHER;
    long waypointAt = NONE; // kernel addresses are negative as longs: compare with an odd value
    long trapAt = NONE;
    boolean windows = sites;
    for (long at = start; at != ret; at += 4) {
      long word = windows ? wordAt(w, at) : timeline.read32(at, version);
      if (word == FORK_WORD) {
        return FORK;
      }
      if (word == MemoryImage.NOT_MAPPED) {
        emitEquals(w, w.exceptionOffset);
        if (n > 0) {
          range(w, start, at, n, lastKind(lastCls & A64.KIND_MASK), true, w.exceptionOffset);
        }
        put(w, T_GAP, FlowSink.GAP_NACC, at, w.exceptionOffset, 0, 0, 0, 0);
        return OK;
      }
      lastCls = A64.classify((int) word);
      if (waypointAt == NONE && at + 4 != ret
          && A64.isWaypoint(lastCls, blocks.pauthBranches(), blocks.wfxWaypoints())) {
        waypointAt = at;
      }
      if (trapAt == NONE && BlockCache.traps(lastCls) && !(at + 4 == ret && returnsPast(lastCls))) {
        trapAt = at;
      }
      n++;
    }
    emitEquals(w, w.exceptionOffset);
    range(w, start, ret, n, lastKind(lastCls & A64.KIND_MASK), true, w.exceptionOffset);
    if (waypointAt != NONE) {
      contradiction(w, w.exceptionOffset, w.exceptionIndex,
          "exception return address 0x%x lies past the waypoint at 0x%x that had no atom", ret,
          waypointAt);
    } else if (trapAt != NONE) {
      contradiction(w, w.exceptionOffset, w.exceptionIndex, "exception return address 0x%x lies"
          + " past the exception-generating instruction at 0x%x", ret, trapAt);
    }
    return OK;
  }

  private static final long NONE = -1L;

  private static boolean returnsPast(int cls) {
    int k = cls & A64.KIND_MASK;
    return k == A64.SVC || k == A64.HVC || k == A64.SMC;
  }

  private void onExceptionReturn(long offset, long index) {
    if (sync != Sync.SYNCED) {
      return;
    }
    for (int k = 0; k < live; k++) {
      Walker w = walkers[k];
      put(w, T_ERET, offset, 0, 0, 0, 0, tPrev, tNext);
      passedCse(w);
    }
    afterPacket(offset, index);
  }

  // ---------------------------------------------------------------- forks

  /**
   * Splits walker {@code k} at the site in {@link #forkPc}: it and its new copies each assume one
   * candidate word. False when that would pass the bound: the ambiguity is then given up and the
   * decode resumes at the next address packet.
   */
  private boolean fork(int k, long offset, long index) {
    Walker w = walkers[k];
    if (!group) {
      flushUnflagged(w); // what came before the fork is certain: deliver it unflagged
    }
    int pool = candidatePool.size();
    for (int i = 0; i < forkCount; i++) {
      candidatePool.add(forkWords[i]);
    }
    if (live + forkCount - 1 > walkers.length || w.overrides == Walker.MAX_OVERRIDES) {
      decision(w, forkPc, forkWords[0], pool, forkCount);
      walkers[0] = w; // the alternatives go; w carries the flagged history
      live = 1;
      giveUp(w, offset);
      put(w, T_GAP, FlowSink.GAP_ERROR, forkPc, offset, 0, 0, 0, 0);
      w.overrides = 0;
      w.needAddress = true;
      w.resyncing = true;
      w.dropped = false;
      return false;
    }
    group = true;
    for (int i = 1; i < forkCount; i++) {
      Walker x = w.copy();
      x.overridePc[x.overrides] = forkPc;
      x.overrideWord[x.overrides] = forkWords[i];
      x.overrides++;
      decision(x, forkPc, forkWords[i], pool, forkCount);
      walkers[live++] = x;
    }
    w.overridePc[w.overrides] = forkPc;
    w.overrideWord[w.overrides] = forkWords[0];
    w.overrides++;
    decision(w, forkPc, forkWords[0], pool, forkCount);
    return true;
  }

  private void decision(Walker w, long pc, int word, int pool, int count) {
    w.add(T_DECISION, pc, word & 0xFFFFFFFFL, pool, count, 0, w.walkFrom, tNext);
  }

  /** After each atom or packet: drop contradicted walkers, merge equal ones, decide. */
  private void afterPacket(long offset, long index) {
    if (!group) {
      return;
    }
    int n = 0;
    Walker fallback = null;
    for (int k = 0; k < live; k++) {
      Walker w = walkers[k];
      if (w.dropped) {
        if (fallback == null) {
          fallback = w;
        }
      } else {
        walkers[n++] = w;
      }
    }
    live = n;
    if (live == 0) {
      allContradicted(fallback, offset, index);
      return;
    }
    for (int i = 0; i < live; i++) {
      for (int j = i + 1; j < live; j++) {
        if (walkers[i].sameState(walkers[j])) {
          walkers[i].merged = true;
          walkers[i].walkFrom = Math.min(walkers[i].walkFrom, walkers[j].walkFrom);
          walkers[j] = walkers[--live];
          j--;
        }
      }
    }
    if (live == 1) {
      Walker w = walkers[0];
      emit(w, w.merged ? FlowSink.FLAG_AMBIGUOUS : FlowSink.FLAG_RESOLVED, !w.merged, offset);
      w.merged = false;
      group = false;
      return;
    }
    for (int k = 0; k < live; k++) {
      if (walkers[k].outCount > MAX_HELD) {
        // too long undecided: keep memory bounded, give up and resume at the next address
        Walker w = walkers[k];
        walkers[0] = w;
        live = 1;
        giveUp(w, offset);
        put(w, T_GAP, FlowSink.GAP_ERROR, 0, offset, 0, 0, 0, 0);
        w.needAddress = true;
        w.resyncing = true;
        return;
      }
    }
  }

  /** Every candidate walk contradicts the trace: the image timeline cannot explain it. */
  private void allContradicted(Walker w, long offset, long index) {
    // the site executions stay unresolved; none of the walks' ranges can be claimed
    deliver(w, FlowSink.FLAG_AMBIGUOUS, false, offset, true);
    group = false;
    w.dropped = false;
    w.merged = false;
    w.overrides = 0;
    w.needAddress = true;
    w.resyncing = true;
    walkers[0] = w;
    live = 1;
    error(w, offset, index, "every candidate word of the ambiguous site executions contradicts"
        + " the trace here");
    put(w, T_GAP, FlowSink.GAP_ERROR, 0, offset, 0, 0, 0, 0);
  }

  /** Ends an undecided fork as unresolved, keeping {@code w}'s walk (flagged). */
  private void giveUp(Walker w, long offset) {
    emit(w, FlowSink.FLAG_AMBIGUOUS, false, offset);
    w.merged = false;
    walkers[0] = w;
    live = 1;
    group = false;
  }

  // ---------------------------------------------------------------- delivery

  private void contradiction(Walker w, long offset, long index, String format, Object... args) {
    if (group) {
      w.dropped = true;
    } else {
      error(w, offset, index, String.format(format, args));
    }
  }

  private void error(Walker w, long offset, long index, String message) {
    messages.add(message);
    put(w, T_ERROR, offset, index, messages.size() - 1, 0, 0, 0, 0);
  }

  private void reportDropped(Walker w) {
    if (w.droppedAtoms > 0) {
      error(w, w.droppedOffset, w.droppedIndex, String.format(
          "%d atom(s) dropped: no address or context known yet", w.droppedAtoms));
      w.droppedAtoms = 0;
    }
  }

  private void range(Walker w, long start, long end, int n, int lastKind, boolean taken,
      long offset) {
    if (!group && w.outCount == 0) {
      // the hot case of put, kept small enough to be inlined into the walk
      sink.range(cpu, start, end, n, lastKind, taken, w.walkFrom, tNext, FlowSink.FLAG_NONE,
          offset);
    } else {
      w.add(T_RANGE, start, end, n, lastKind | (taken ? 1 << 8 : 0), offset, w.walkFrom, tNext);
    }
  }

  /** Delivers the single walker's elements when no fork is open. */
  private void flushSingle() {
    if (!group) {
      flushUnflagged(walkers[0]);
    }
  }

  private void flushUnflagged(Walker w) {
    emit(w, FlowSink.FLAG_NONE, false, 0);
    messages.clear();
    candidatePool.clear();
  }

  private void emit(Walker w, int flag, boolean resolved, long at) {
    deliver(w, flag, resolved, at, false);
  }

  /**
   * Adds an element to {@code w}'s history, or sends it to the sink at once while no fork is open
   * and nothing is held before it (it would be delivered unflagged at the segment's end anyway).
   */
  private void put(Walker w, long type, long a, long b, long c, long d, long e, long from,
      long to) {
    if (!group && w.outCount == 0) {
      deliverOne((int) type, a, b, c, d, e, from, to, FlowSink.FLAG_NONE, false, 0);
    } else {
      w.add(type, a, b, c, d, e, from, to);
    }
  }

  /** Sends {@code w}'s elements to the sink with {@code flag} on its ranges, then forgets them. */
  private void deliver(Walker w, int flag, boolean resolved, long at, boolean decisionsOnly) {
    long[] out = w.out;
    for (int k = 0; k < w.outCount; k++) {
      int i = k * Walker.STRIDE;
      int type = (int) out[i];
      if (decisionsOnly && type != T_DECISION) {
        continue;
      }
      deliverOne(type, out[i + 1], out[i + 2], out[i + 3], out[i + 4], out[i + 5], out[i + 6],
          out[i + 7], flag, resolved, at);
    }
    w.outCount = 0;
  }

  private void deliverOne(int type, long a, long b, long c, long d, long e, long from, long to,
      int flag, boolean resolved, long at) {
      switch (type) {
        case T_RANGE -> sink.range(cpu, a, b, (int) c, (int) (d & 0xFF), (d & (1 << 8)) != 0,
            from, to, flag, e);
        case T_EXCEPTION -> sink.exception(cpu, (int) a, b, from, to, c);
        case T_ERET -> sink.exceptionReturn(cpu, from, to, a);
        case T_CONTEXT -> sink.context(cpu, (int) (a & 0xFF), (a & (1 << 8)) != 0,
            (a & (1 << 9)) != 0, b, (int) c, d);
        case T_GAP -> sink.gap(cpu, (int) a, b, c);
        case T_ERROR -> sink.error(cpu, a, b, messages.get((int) c));
        case T_DECISION -> {
          boolean equal = (b >>> 32) != 0;
          int[] candidates = new int[(int) d];
          for (int j = 0; j < candidates.length; j++) {
            candidates[j] = candidatePool.getInt((int) c + j);
          }
          boolean ok = resolved && !equal;
          sink.ambiguity(cpu, a, candidates, ok, ok ? (int) b : 0, from, to,
              equal ? e : at);
        }
        default -> throw new IllegalStateException("element type " + type);
      }
  }
}
