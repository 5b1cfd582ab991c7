package dev.tracepoke.decode.flow;

import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.PacketError;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.ImageTimeline;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.Arrays;
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
 * time by the configured conversion (PERF_RECORD_TIME_CONV for recordings, identity for snapshots). At the end of the trace, or at
 * the first multiple of {@value #HOLD_SPAN} stream bytes that lies at least that far past the
 * segment's start, they are decoded with no known upper bound ({@code timeTo = NO_TIME}). That
 * bound is a place in the stream, not a packet count, so a decoder started at a later sync point
 * ({@link #startAt}) decodes its segments at the same places as one that ran from the start:
 * their states can be compared there ({@link #state}) and one stream decoded in stretches.
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
 * periodic Trace Info, where the address restates the pc: there, of forked walks, those elsewhere
 * are dropped when another is at it); an exception return address behind the pc, past a waypoint or past a
 * trapping instruction; an exception "at the previous branch target" that is not where the walk
 * is; an Exception Return packet after the target of a branch that is no ERET. Speculation
 * packets (commit, cancel, mispredict) and Q packets are not supported: cancel, mispredict and Q
 * report an error and resynchronise (traces with TRCIDR8.MAXSPEC = 0 contain none). With {@link #traceUnit} the return stack (TRCCONFIGR.RS) is modelled as OpenCSD keeps it,
 * and for ETE the exception return follows the ERET's range (ETE has no Exception Return packet);
 * ETE source addresses yield ranges, a transaction failure and a PE reset are reported, and code in
 * AArch32 state (A32/T32) is a gap with an error naming the instruction set. Cycle counts are read
 * but not yet delivered. Not thread-safe: one decoder per core.
 *
 * <p>This class is the packet adapter and segment buffer; the jobs behind it are {@link SyncState}
 * (synchronisation), {@link Walk} (the walk over code per packet), {@link Forks} (fork, merge,
 * decide) and {@link Delivery} (held elements and their delivery, in {@link FlowElements}' encoding).
 */
public final class FlowDecoder implements PacketSink {
  /** Elements a walker held while a fork was undecided, when the bound was one per walker. */
  public static final int MAX_HELD = 8192;

  /**
   * Elements all walkers of one core hold together while a fork is undecided before it is given
   * up: the memory bound of 16 walkers at {@link #MAX_HELD} each, whatever the number of walkers
   * (a few walkers undecided over a long loop may each hold more). What forked walks share from
   * before their fork is held once and counted once ({@link History}).
   */
  public static final int MAX_HELD_TOTAL = 16 * MAX_HELD;

  /** Stream bytes per hold span (see the class comment): bounds the packets kept waiting. */
  public static final int HOLD_SPAN = 1 << 13;

  /** Longs {@link #state} writes. */
  public static final int STATE_LONGS = 12 + Walker.STATE_LONGS;

  /** Told where the decoder finished a segment and its state can be compared with another's. */
  @FunctionalInterface
  public interface Checkpoints {
    /**
     * @param key the stream offset of the place, times 2, plus 1 for a span boundary (0 for a
     *     timestamp packet)
     * @param index the packet index there (of the timestamp; of the next packet at a boundary)
     */
    void at(long key, long index);
  }

  /**
   * Walkers alive at once before an ambiguity is given up as unresolved. Walks that differ only in
   * their call stacks keep to the same pc and packets until a return needs an entry, so a few
   * undecided forks in a row multiply them, and one packet's atoms may fork each walk at several
   * sites before the next merge: a quarter of this is where walks are folded after a packet.
   */
  public static final int DEFAULT_MAX_WALKERS = 256;

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

  // Packets of the current segment: PSTRIDE longs each, but atoms packets (most of them) in
  // ATOMS_LONGS: type | bits << 8 | count << 40, offset, index. A segment is thousands of packets
  // written and read back once, and at 64 bytes each they pushed the walk's tables out of L2.
  private static final int PSTRIDE = 8;
  static final int ATOMS_LONGS = 3;
  private static final int P_ASYNC = 1;
  private static final int P_INFO = 2;
  private static final int P_TRACE_ON = 3;
  private static final int P_EXCEPTION = 4;
  private static final int P_ERET = 5;
  static final int P_ATOMS = 6;
  private static final int P_ADDRESS = 7;
  private static final int P_CONTEXT = 8;
  private static final int P_OVERFLOW = 9;
  private static final int P_DISCARD = 10;
  private static final int P_BAD = 11;
  private static final int P_UNSUPPORTED = 12;
  private static final int P_SOURCE = 13;
  private static final int P_TRANS_FAIL = 14;
  private static final int P_PE_RESET = 15;
  private static final int P_SKIPPED = 16;
  private static final int P_BROKEN = 17;
  private static final int P_CYCLES = 18;
  private static final int P_Q = 19;
  private static final int P_TRANS_START = 20;
  private static final int P_TRANS_COMMIT = 21;
  /** Only inside {@link Speculation}: a timestamp (a = perf time) held with speculative packets. */
  private static final int P_TIMESTAMP = 22;
  private static final int P_TRANS_INIT = 23;

  /** Why the stream broke, for each P_BROKEN kept (rare: damaged input only). */
  private final java.util.List<String> breaks = new java.util.ArrayList<>();

  /** Where the reader started skipping bytes before the stream's first sync point (-1: none). */
  private long skippedFrom = -1;
  private long skippedIndex;

  private final ImageTimeline timeline;
  private final Config config;

  private final Segment segment = new Segment();
  private final Delivery delivery;
  private final Forks forks;
  private final SyncState sync;
  private final Walk walk;

  private long[] packets = new long[PSTRIDE * 256];
  /** Longs of {@link #packets} in use. */
  private int packetLongs;
  /** Added to every packet offset: where in the stream this decoder's bytes begin. */
  private long offsetBase;
  /** Stream offset where the packets kept now began to be kept. */
  private long segmentStart;
  private long lastTraceInfo = -1;
  private Checkpoints checkpoints;

  /** Speculation resolution for units with TRCIDR8.MAXSPEC > 0; null when every P0 is committed at once. */
  private Speculation speculation;
  /** The speculation layer's own sync: it holds packets only between a Trace Info and a sync loss. */
  private boolean speculationSynced;
  private boolean speculationAsync;
  /** ETE with TRCIDR0.COMMTRANS = 0 and speculation: a transaction start counts in commits. */
  private boolean transStartP0;

  // Address spaces (perf recordings with per-process maps); null: one image for everything.
  private dev.tracepoke.decode.image.SpaceCaches spaces;
  private boolean pidInVmid;
  private static final int NO_PID = Integer.MIN_VALUE;
  private int pid = NO_PID;
  private BlockCache current;

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
    this.timeline = blocks.image();
    this.config = config;
    segment.version = config.mode() == ImageMode.FIXED ? config.version() : 0;
    // without sites every word is the version-0 word whatever the window state; a table site
    // (no records) is a window that never closes
    boolean sites = config.mode() == ImageMode.WINDOWS && timeline.hasSites();
    delivery = new Delivery(cpu, sink, segment);
    forks = new Forks(config.maxWalkers(), delivery, segment);
    delivery.wire(forks);
    sync = new SyncState(forks, delivery);
    walk = new Walk(blocks, sites, segment, forks, delivery, sync);
    forks.wire(walk);
  }

  /**
   * Whether a breakpoint exception where the image holds no BRK is an armed probe (a resolved
   * ambiguity, with window analysis): true for Linux recordings, false for debugger snapshots.
   */
  public FlowDecoder armedProbes(boolean on) {
    walk.armedBreakpoints(on && config.mode() == ImageMode.WINDOWS);
    return this;
  }

  /**
   * Takes the trace unit's options that change the walk: the return stack (TRCCONFIGR.RS) and, for
   * ETE (trace architecture 5), the exception return inferred from the ERET instruction.
   */
  public FlowDecoder traceUnit(dev.tracepoke.decode.etm4.Etm4Config unit) {
    walk.traceUnit(unit.returnStack(), unit.majorVersion() >= 5);
    ete = unit.isEte();
    delivery.cycleCounting(unit.cycleCounting());
    if (unit.maxSpeculationDepth() > 0) {
      speculation = new Speculation(this::record, unit.maxSpeculationDepth(),
          unit.transactionStartIsP0(), P_ATOMS, P_EXCEPTION, P_ADDRESS, P_CONTEXT, P_SOURCE, P_Q,
          P_TRANS_START, P_TIMESTAMP, P_CYCLES, P_TRANS_COMMIT, P_TRANS_FAIL);
      transStartP0 = unit.transactionStartIsP0();
    }
    return this;
  }

  /**
   * Walks each process's code in its own address space: a context packet's context ID (or VMID,
   * when {@code pidInVmid}: CONTEXTIDR_EL2 on kernels at EL2) names the thread, whose process's
   * maps at the segment's time give the image. Until the first context ID the input's one image
   * applies.
   */
  public FlowDecoder addressSpaces(dev.tracepoke.decode.image.SpaceCaches caches, boolean pidInVmid) {
    this.spaces = caches;
    this.pidInVmid = pidInVmid;
    walk.contextHook(this::onContextIds);
    return this;
  }

  private void onContextIds(boolean contextIdUpdated, long contextId, boolean vmidUpdated, int vmid) {
    if (pidInVmid ? !vmidUpdated : !contextIdUpdated) {
      return;
    }
    int p = spaces.pidOf(pidInVmid ? vmid : (int) contextId);
    if (p != pid) {
      pid = p;
      switchSpace();
    }
  }

  /** The image of the current process at this segment's time (its start; else its end; else perf's final maps). */
  private void switchSpace() {
    long t = segment.from != FlowSink.NO_TIME ? segment.from
        : segment.to != FlowSink.NO_TIME ? segment.to : Long.MAX_VALUE;
    BlockCache c = spaces.cache(pid, t);
    if (c != current) {
      current = c;
      walk.use(c);
    }
  }

  /** A decoder over one fixed image version for a trace unit configured as {@code unit}. */
  public static FlowDecoder forConfig(dev.tracepoke.decode.etm4.Etm4Config unit, int version,
      BlockCache blocks, FlowSink sink) {
    return new FlowDecoder(0, blocks, version, sink).traceUnit(unit);
  }

  // ---------------------------------------------------------------- packets in

  /**
   * This decoder's bytes begin at {@code offset} in the core's stream (a stretch decoded on its
   * own): elements carry stream offsets, and segments end at the same places as in a decode from
   * the start. Call before the first packet.
   */
  public void startAt(long offset) {
    offsetBase = offset;
    segmentStart = offset;
  }

  /** From now on, tells {@code c} where each segment ends (not at the trace's end). */
  public void checkpoints(Checkpoints c) {
    checkpoints = c;
  }

  /**
   * Writes, at a checkpoint, everything that decides this decoder's output from here on into
   * {@code into} ({@link #STATE_LONGS} longs; packet indexes relative to {@code index}, the
   * checkpoint's): two decoders whose states are equal at the same checkpoint of the same stream
   * produce the same elements after it. False (nothing written) while a fork is undecided.
   */
  public boolean state(long[] into, long index) {
    Walker w = forks.walkers[0];
    if (forks.group || forks.live != 1 || packetLongs != 0 || w.out.count != 0
        || speculation != null) {
      // speculative trace keeps packets (and a depth) beyond the walk: never stitched
      return false;
    }
    into[0] = sync.ordinal();
    into[1] = segment.from;
    into[2] = segment.version;
    into[3] = segmentStart;
    into[4] = lastTraceInfo;
    into[5] = pid; // the address space walked (a function of the context, unless none was seen yet)
    w.state(into, 12, index);
    return true;
  }

  private void checkpoint(long key, long index) {
    if (checkpoints != null) {
      checkpoints.at(key, index);
    }
  }

  private void record(int type, long offset, long index, long a, long b, long c, long d) {
    record(type, offset, index, a, b, c, d, 0);
  }

  /**
   * A packet in: straight to the segment, or held by {@link Speculation} while a P0 element before
   * it (or it itself) is not committed.
   */
  private void take(int type, long offset, long index, long a, long b, long c, long d, long e,
      boolean p0) {
    if (speculation == null || !speculationSynced || (!p0 && speculation.empty())) {
      record(type, offset, index, a, b, c, d, e);
    } else {
      speculation.push(type, offset, index, a, b, c, d, e, type == P_Q && c == 0);
    }
  }

  private void take(int type, long offset, long index, long a, long b, long c, long d, boolean p0) {
    take(type, offset, index, a, b, c, d, 0, p0);
  }

  /** A committed packet (or one that is not speculative) joins the segment. */
  private void record(int type, long offset, long index, long a, long b, long c, long d, long e) {
    if (type == P_TIMESTAMP) {
      applyTimestamp(a, offset, index);
      return;
    }
    offset += offsetBase;
    long boundary = offset & -HOLD_SPAN;
    if (boundary - segmentStart >= HOLD_SPAN) {
      decodeSegment(FlowSink.NO_TIME);
      segmentStart = boundary;
      checkpoint(boundary << 1 | 1, index);
    }
    int i = packetLongs;
    if (i + PSTRIDE > packets.length) {
      packets = Arrays.copyOf(packets, packets.length * 2);
    }
    if (type == P_ATOMS) {
      packets[i] = type | (a & 0xFFFFFFFFL) << 8 | b << 40;
      packets[i + 1] = offset;
      packets[i + 2] = index;
      packetLongs = i + ATOMS_LONGS;
      return;
    }
    packets[i] = type;
    packets[i + 1] = offset;
    packets[i + 2] = index;
    packets[i + 3] = a;
    packets[i + 4] = b;
    packets[i + 5] = c;
    packets[i + 6] = d;
    packets[i + 7] = e;
    packetLongs = i + PSTRIDE;
  }

  private static long contextBits(int el, boolean sf, boolean ns, boolean vmidUpdated,
      boolean contextIdUpdated) {
    return el | (sf ? 1 << 8 : 0) | (ns ? 1 << 9 : 0) | (vmidUpdated ? 1 << 10 : 0)
        | (contextIdUpdated ? 1 << 11 : 0);
  }

  /**
   * The byte stream breaks before {@code offset}: bytes were lost in between ({@code what} says
   * where and why). Reported as an error; the flow resynchronises at the next A-sync.
   */
  public void brokenStream(long offset, long index, String what) {
    breaks.add(what);
    record(P_BROKEN, offset, index, breaks.size() - 1, 0, 0, 0);
  }

  @Override
  public void notSync(long offset, long index) {
    if (skippedFrom < 0 && !sync.everSynced()) {
      skippedFrom = offset;
      skippedIndex = index;
    }
  }

  @Override
  public void async(long offset, long index) {
    speculationAsync = true;
    if (skippedFrom >= 0 && offset > skippedFrom && !sync.everSynced()) {
      // trace present but not decoded is named (e.g. a damaged first A-sync, a wrapped buffer)
      record(P_SKIPPED, skippedFrom, skippedIndex, offset, 0, 0, 0);
    }
    skippedFrom = -1;
    record(P_ASYNC, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void traceInfo(
      long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold) {
    if (speculation != null && !speculationSynced && speculationAsync) {
      speculationSynced = true;
      speculation.synced(specDepth);
    }
    take(P_INFO, offset, index, 0, 0, 0, 0, false);
    lastTraceInfo = offset + offsetBase;
    if (ete && (info & 0x40) != 0) {
      // ETE TSTATE: trace starts inside a transaction (marked where a Trace Info synchronises)
      take(P_TRANS_INIT, offset, index, 0, 0, 0, 0, false);
    }
  }

  /** ETE unit (TRCDEVARCH given): Trace Info's TSTATE bit means something. */
  private boolean ete;
  /** The Trace Info just dispatched synchronised the walk (TSTATE applies then only). */
  private boolean infoSynced;

  @Override
  public void traceOn(long offset, long index) {
    take(P_TRACE_ON, offset, index, 0, 0, 0, 0, false);
  }

  @Override
  public void overflow(long offset, long index) {
    unsyncSpeculation(true);
    record(P_OVERFLOW, offset, index, 0, 0, 0, 0);
  }

  /** The flow breaks: what speculation held is dropped (timestamps and cycle counts go on). */
  private void unsyncSpeculation(boolean keepTimes) {
    if (speculation != null) {
      if (keepTimes) {
        speculation.discard();
      } else {
        speculation.clear();
      }
      speculationSynced = false;
      speculationAsync = false;
    }
  }

  /** A discard breaks the flow like an overflow; reported as a {@code GAP_ERROR} gap. */
  @Override
  public void discard(long offset, long index) {
    unsyncSpeculation(true);
    record(P_DISCARD, offset, index, 0, 0, 0, 0);
  }

  @Override
  public void error(long offset, long index, int header, long length, PacketError reason) {
    unsyncSpeculation(false);
    record(P_BAD, offset, index, header, length, reason.ordinal(), 0);
  }

  @Override
  public void timestamp(
      long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount) {
    if (hasCycleCount) {
      // the count in a timestamp packet is the same series as Cycle Count packets'
      take(P_CYCLES, offset, index, cycleCount, 1, 0, 0, false);
    }
    long t = config.time().applyAsLong(value);
    if (speculation != null && speculationSynced && !speculation.empty()) {
      speculation.push(P_TIMESTAMP, offset, index, t, 0, 0, 0, 0, false);
      return;
    }
    applyTimestamp(t, offset, index);
  }

  /** A timestamp takes effect: the packets kept so far lie before {@code t}. */
  private void applyTimestamp(long t, long offset, long index) {
    if (segment.from != FlowSink.NO_TIME && t != FlowSink.NO_TIME && t < segment.from) {
      // time never goes back: this timestamp is damaged; what came before keeps its start time
      long from = segment.from;
      decodeSegment(FlowSink.NO_TIME);
      sync.timeGoesBack(offset, index, from, t);
      segment.from = FlowSink.NO_TIME;
      return;
    }
    decodeSegment(t);
    segment.from = t;
    segmentStart = offset + offsetBase;
    checkpoint(segmentStart << 1, index);
  }

  @Override
  public void address(
      long offset, long index, long address, int isa, AddressForm form, int matchEntry,
      int knownBits) {
    take(P_ADDRESS, offset, index, address, -1, 0, 0, isa, false);
  }

  @Override
  public void addressWithContext(
      long offset, long index, long address, int isa, AddressForm form, int knownBits, int el,
      boolean sf, boolean ns, boolean vmidUpdated, int vmid, boolean contextIdUpdated,
      int contextId) {
    take(P_ADDRESS, offset, index, address,
        contextBits(el, sf, ns, vmidUpdated, contextIdUpdated), vmid, contextId & 0xFFFFFFFFL, isa,
        false);
  }

  @Override
  public void context(
      long offset, long index, boolean updated, int el, boolean sf, boolean ns,
      boolean vmidUpdated, int vmid, boolean contextIdUpdated, int contextId) {
    if (updated) {
      take(P_CONTEXT, offset, index, 0,
          contextBits(el, sf, ns, vmidUpdated, contextIdUpdated), vmid, contextId & 0xFFFFFFFFL,
          false);
    }
  }

  @Override
  public void atoms(long offset, long index, int format, int bits, int count) {
    take(P_ATOMS, offset, index, bits, count, 0, 0, true);
  }

  @Override
  public void exception(long offset, long index, int type, int addressInfo, boolean faultPending) {
    take(P_EXCEPTION, offset, index, type, addressInfo, 0, 0, true);
  }

  @Override
  public void exceptionReturn(long offset, long index) {
    take(P_ERET, offset, index, 0, 0, 0, 0, false);
  }

  @Override
  public void functionReturn(long offset, long index) {}

  @Override
  public void cycleCount(long offset, long index, int format, int count, boolean countKnown,
      int commit) {
    take(P_CYCLES, offset, index, count, countKnown ? 1 : 0, 0, 0, false);
    if (commit > 0 && speculation != null && speculationSynced) {
      speculation.commit(commit);
    }
  }

  /** Without speculation (MAXSPEC = 0) every P0 element is committed on arrival. */
  @Override
  public void commit(long offset, long index, int count) {
    if (speculation != null && speculationSynced) {
      speculation.commit(count);
    }
  }

  /**
   * As OpenCSD: the packet's own atoms join the held ones first, then the newest {@code count}
   * P0 elements are cancelled, then (formats 2 and 3, {@code 2F}) the newest atom mispredicted.
   */
  @Override
  public void cancel(long offset, long index, int format, int count, boolean mispredict,
      int atomBits, int atomCount) {
    if (speculation == null || !speculationSynced) {
      record(P_UNSUPPORTED, offset, index, 0, 0, 0, 0);
      return;
    }
    if (atomCount > 0) {
      speculation.push(P_ATOMS, offset, index, atomBits, atomCount, 0, 0, 0, false);
    }
    boolean ok = speculation.cancel(count);
    if (mispredict) {
      ok &= speculation.mispredict();
    }
    if (!ok) {
      unsyncSpeculation(true);
      record(P_UNSUPPORTED, offset, index, 3, 0, 0, 0);
    }
  }

  @Override
  public void mispredict(long offset, long index, int atomBits, int atomCount) {
    if (speculation == null || !speculationSynced) {
      record(P_UNSUPPORTED, offset, index, 1, 0, 0, 0);
      return;
    }
    if (atomCount > 0) {
      speculation.push(P_ATOMS, offset, index, atomBits, atomCount, 0, 0, 0, false);
    }
    if (!speculation.mispredict()) {
      unsyncSpeculation(true);
      record(P_UNSUPPORTED, offset, index, 4, 0, 0, 0);
    }
  }

  /**
   * Q: {@code count} instructions ran, without their branches traced; the address (given, or in
   * the next address packet) is where execution goes on.
   */
  @Override
  public void q(long offset, long index, int type, int count, AddressForm form, long address) {
    int isa = form != null && form != AddressForm.EXACT_MATCH && (type == 0x6 || type == 0xB)
        ? 1 : 0;
    take(P_Q, offset, index, count & 0xFFFFFFFFL, address, form == null ? 0 : 1, isa, true);
  }

  /** A P0 element when TRCIDR0.COMMTRANS is 0 (it then counts in commits); no range of its own. */
  @Override
  public void transactionStart(long offset, long index) {
    take(P_TRANS_START, offset, index, 0, 0, 0, 0, transStartP0);
  }

  @Override
  public void transactionCommit(long offset, long index) {
    take(P_TRANS_COMMIT, offset, index, 0, 0, 0, 0, false);
  }

  @Override
  public void transactionFail(long offset, long index) {
    take(P_TRANS_FAIL, offset, index, 0, 0, 0, 0, false);
  }

  @Override
  public void peReset(long offset, long index) {
    take(P_PE_RESET, offset, index, 0, 0, 0, 0, false);
  }

  @Override
  public void sourceAddress(long offset, long index, long address, int isa, AddressForm form,
      int matchEntry, int knownBits) {
    take(P_SOURCE, offset, index, address, isa, 0, 0, true);
  }

  @Override
  public void event(long offset, long index, int mask) {}

  @Override
  public void ignore(long offset, long index) {}

  @Override
  public void timestampMarker(long offset, long index) {}

  @Override
  public void end(long offset, long packets) {
    if (speculation != null) {
      speculation.end(); // what was never committed did not (certainly) execute: dropped
    }
    offset += offsetBase;
    decodeSegment(FlowSink.NO_TIME);
    forks.breakFlow(offset);
    Walker w = forks.walkers[0];
    delivery.reportDropped(w);
    if (w.exceptionPending) {
      delivery.error(w, w.exceptionOffset, w.exceptionIndex,
          "trace ends before the exception's return address");
      w.exceptionPending = false;
    }
    if (offset > 0 && !sync.everSynced()) {
      delivery.error(w, skippedFrom < 0 ? 0 : skippedFrom, skippedFrom < 0 ? 0 : skippedIndex, String.format("%d trace bytes, no A-sync followed"
          + " by a Trace Info among them: nothing of this stream decoded", offset));
    }
    delivery.flushEnd();
  }

  /**
   * From now on, keeps every context-synchronization event this core certainly passed (one walker,
   * not a fork in progress) as the time interval it lies in, in trace order: the earliest time
   * (the timestamp before it; {@link FlowSink#NO_TIME} if none) then the latest (the timestamp
   * after it; NO_TIME if none). The pipeline reads a text-poke writer's CSEs from it to bound when
   * the writer's cache maintenance was complete (see {@code ImageTimeline.WriterCses}).
   */
  public void logCses(LongArrayList into) {
    walk.logCses(into);
  }

  // ---------------------------------------------------------------- segments

  /** Decodes the packets kept so far, all lying before {@code next} (perf time or NO_TIME). */
  private void decodeSegment(long next) {
    segment.to = next;
    if (spaces != null && pid != NO_PID) {
      switchSpace(); // a map may have changed since the last segment
    }
    if (config.mode() == ImageMode.NAIVE) {
      segment.version = timeline.versionAt(
          segment.from == FlowSink.NO_TIME ? Long.MIN_VALUE : segment.from);
    }
    long[] p = packets;
    int used = packetLongs;
    for (int i = 0; i < used; ) {
      long head = p[i];
      int type = (int) head & 0xFF;
      if (type == P_ATOMS) {
        // most packets: straight to the walk, which replays the atoms packets that follow while
        // it can, so that the call the loop makes for them is the same whatever C2 inlines into
        // dispatch
        i = walk.onAtomsPackets(p, i, used);
      } else {
        dispatch(type, p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6], p[i + 7]);
        i += PSTRIDE;
      }
    }
    packetLongs = 0;
    delivery.flushSingle();
  }

  private void dispatch(int type, long offset, long index, long a, long b, long c, long d,
      long e) {
    switch (type) {
      case P_ASYNC -> sync.onAsync();
      case P_BROKEN -> {
        forks.breakFlow(offset);
        delivery.error(forks.walkers[0], offset, index, breaks.get((int) a));
        sync.loseSync(FlowSink.GAP_ERROR, offset);
      }
      case P_SKIPPED -> delivery.error(forks.walkers[0], offset, index, String.format(
          "%d trace bytes before the first A-sync (at byte %d) not decoded: expected the stream to begin"
              + " with an A-sync", a - offset, a));
      case P_INFO -> {
        infoSynced = !sync.synced();
        sync.onTraceInfo();
      }
      case P_TRACE_ON -> sync.onTraceOn();
      case P_EXCEPTION -> walk.onException(offset, index, (int) a, (int) b);
      case P_ERET -> walk.onExceptionReturn(offset, index);
      case P_ATOMS -> walk.onAtoms(offset, index, (int) a, (int) b);
      case P_ADDRESS -> walk.onAddress(offset, index, a, b, (int) c, d, (int) e);
      case P_SOURCE -> walk.onSourceAddress(offset, index, a, (int) b);
      case P_TRANS_FAIL -> walk.onTransactionFail(offset, index);
      case P_PE_RESET -> walk.onPeReset(offset, index);
      case P_CONTEXT -> walk.onContext(offset, index, b, (int) c, d);
      case P_CYCLES -> walk.onCycleCount(b != 0 ? a : -1);
      case P_Q -> walk.onQ(offset, index, (int) a, c != 0, b, (int) d);
      case P_TRANS_START -> walk.onTransaction(FlowSink.TRANS_START, offset);
      case P_TRANS_COMMIT -> walk.onTransaction(FlowSink.TRANS_COMMIT, offset);
      case P_TRANS_INIT -> {
        if (infoSynced) {
          walk.onTransaction(FlowSink.TRANS_TRACE_INIT, offset);
        }
      }
      case P_OVERFLOW -> sync.loseSync(FlowSink.GAP_OVERFLOW, offset);
      case P_DISCARD -> sync.loseSync(FlowSink.GAP_ERROR, offset);
      case P_BAD -> sync.onBadPacket(offset, index, (int) a, b, PacketError.values()[(int) c]);
      case P_UNSUPPORTED -> sync.unsupported(offset, index, a == 0
          ? "cancel packet, but the trace unit does not speculate (TRCIDR8.MAXSPEC = 0)"
          : a == 1 ? "mispredict packet, but the trace unit does not speculate (TRCIDR8.MAXSPEC = 0)"
          : a == 3 ? "cancel packet: fewer uncommitted P0 elements than it cancels"
          : "mispredict packet: no uncommitted atom to mispredict");
      default -> throw new IllegalStateException("kept packet type " + type);
    }
  }
}
