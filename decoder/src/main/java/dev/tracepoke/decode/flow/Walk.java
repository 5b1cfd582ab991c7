package dev.tracepoke.decode.flow;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.BlockRuns;
import dev.tracepoke.decode.image.ImageTimeline;
import dev.tracepoke.decode.image.MemoryImage;
import dev.tracepoke.decode.image.PatchSites;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * The walk over A64 code: what each P0 packet (atoms, addresses, exceptions, exception returns)
 * and context packet does to every live walker. Each atom walks from the pc to the next waypoint
 * through the {@link BlockCache} and yields one range; at a poke site whose candidate words change
 * the flow differently the walk stops with {@link #FORK} and the candidates in {@link #forkWords}.
 */
final class Walk {
  static final int OK = 0;
  static final int FORK = 1;

  /** ETMv4 exception type of BRK and breakpoints: instruction debug. */
  static final int EXC_INST_DEBUG = 6;
  /** BRK #imm16 is BRK | imm16 &lt;&lt; 5. */
  static final long BRK = 0xd4200000L;
  static final long BRK_MASK = 0xffe0001fL;

  /** Longest linear walk to an exception's return address (bytes) before it is called an error. */
  static final long MAX_EXCEPTION_WALK = 1 << 20;

  private static final long FORK_WORD = -2L;
  private static final long NONE = -1L;

  private BlockCache blocks;
  private ImageTimeline timeline;
  /** Told of every context packet that sets a context ID or VMID (address spaces), or null. */
  private ContextHook contextHook;

  /** What a context packet set, for the decoder that picks the address space from it. */
  @FunctionalInterface
  interface ContextHook {
    void context(boolean contextIdUpdated, long contextId, boolean vmidUpdated, int vmid);
  }
  /** WINDOWS over an image with poke sites: some words differ per core and window. */
  private final boolean sites;
  private final Segment segment;
  private final Forks forks;
  private final Delivery delivery;
  private final SyncState sync;
  /** Where {@link #logCses} keeps the certain CSEs: (earliest, latest) time pairs in trace order. */
  private LongArrayList cseLog;

  private final int[] siteScratch;
  /** The ranges of the run {@link #fastAtoms} is walking, kept for {@link BlockRuns#add}. */
  private final long[] runRanges = new long[2 * BlockRuns.MAX_ATOMS];
  /** The candidate words where the walk stopped with {@link #FORK}. */
  final int[] forkWords;
  int forkCount;
  long forkPc;
  // Ambiguities the current walk settled without a fork, emitted when it completes: candidates
  // with the same effect (unresolved), or the one candidate that can reach the address (decided).
  // (they grow with the sites one walk passes: a linear walk to an exception's return address may
  // pass many, and a site left out would be a fork, or an execution not reported)
  private long[] equalPc = new long[64];
  private int[] equalPool = new int[64];
  private int[] equalCount = new int[64];
  private int[] decidedWord = new int[64];
  private boolean[] decided = new boolean[64];
  private int equals;

  Walk(BlockCache blocks, boolean sites, Segment segment, Forks forks, Delivery delivery,
      SyncState sync) {
    this.blocks = blocks;
    this.timeline = blocks.image();
    this.sites = sites;
    this.segment = segment;
    this.forks = forks;
    this.delivery = delivery;
    this.sync = sync;
    int words = Math.max(2, timeline.maxSiteWindows() + 1);
    siteScratch = new int[words];
    forkWords = new int[words];
  }

  /** TRCCONFIGR.RS: BL/BLR push their return address, a taken indirect branch may pop it. */
  private boolean returnStack;
  /** ETE: no Exception Return packet; the ERET instruction's range is followed by the element. */
  private boolean eteEret;
  /** WINDOWS: a BRK exception where the image has none is a resolved ambiguity (an armed probe). */
  private boolean armedBreakpoints;

  void armedBreakpoints(boolean on) {
    armedBreakpoints = on;
  }

  void traceUnit(boolean returnStack, boolean eteEret) {
    this.returnStack = returnStack;
    this.eteEret = eteEret;
  }

  /**
   * The pop a taken indirect branch left pending (no address packet came before this P0 element):
   * the target is the top of the return stack.
   */
  /** False when the entry to pop was forgotten: the walk cannot go on, nor is it contradicted. */
  private boolean popReturn(Walker w, long offset, long index) {
    if (w.shadowCount > 0) {
      forks.beforePop(w);
    }
    w.popPending = false;
    if (w.retCount == 0 && w.retUnknown) {
      // the entry was forgotten with a given-up fork: the target is unknown, not contradicted
      if (forks.group) {
        forks.returnUnknown = true;
      } else {
        delivery.error(w, offset, index, "return without a target address whose return-stack"
            + " entry was forgotten when an ambiguity was given up: resuming at the next address");
        delivery.put(w, FlowElements.GAP, FlowSink.GAP_ERROR, w.pc, 0, 0, offset,
            FlowSink.NO_TIME, FlowSink.NO_TIME);
        w.resyncing = true;
      }
      return false;
    }
    if (w.retCount == 0) {
      forks.contradiction(w, offset, index, "indirect branch without a target address, and the"
          + " return stack is empty");
      return true;
    }
    long target = w.retStack[w.retHead];
    w.retHead = (w.retHead - 1) & 15;
    w.retCount--;
    if (target == w.pc + 4 && w.topCall() == target) {
      // a BLR popping the entry it pushed itself: a call to its own return address, which the
      // walk reaches at once, so it leaves no frame (kept, such frames pile up under walks that
      // read the atoms after a BLR this way, e.g. el0_sync's loop of system-call handlers)
      w.popCall();
    }
    setPc(w, target);
    return true;
  }

  /** Walks another image from the next packet on (another process's address space). */
  void use(BlockCache b) {
    blocks = b;
    timeline = b.image();
  }

  void contextHook(ContextHook hook) {
    contextHook = hook;
  }

  private void tellContext(long bits, int vmid, long contextId) {
    if (contextHook != null && (bits & (3 << 10)) != 0) {
      contextHook.context((bits & (1 << 11)) != 0, contextId, (bits & (1 << 10)) != 0, vmid);
    }
  }

  void logCses(LongArrayList into) {
    cseLog = into;
  }

  void passedCse(Walker w) {
    w.lastCse = segment.from;
    if (cseLog != null && forks.live == 1 && !forks.group) {
      cseLog.add(segment.from);
      cseLog.add(segment.to);
    }
  }

  // ---------------------------------------------------------------- context and addresses

  void onContext(long offset, long index, long bits, int vmid, long contextId) {
    if (!sync.synced()) {
      return;
    }
    tellContext(bits, vmid, contextId);
    for (int k = 0; k < forks.live; k++) {
      updateContext(forks.walkers[k], offset, bits, vmid, contextId);
    }
    forks.afterPacket(offset, index);
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
    if (w.sf) {
      w.aarch32Atoms = 0;
    }
    if (!w.needAddress) {
      delivery.reportDropped(w);
    }
    delivery.put(w, FlowElements.CONTEXT, FlowElements.contextBits(w.el, w.sf, w.ns), w.contextId,
        w.vmid, 0, offset, FlowSink.NO_TIME, FlowSink.NO_TIME);
  }

  void onAddress(long offset, long index, long address, long bits, int vmid, long contextId,
      int isa) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      forks.walkers[k].isa = isa;
    }
    if (forks.walkers[0].qPending) {
      for (int k = 0; k < forks.live; k++) {
        Walker w = forks.walkers[k];
        completeQ(w, w.qCount, address, w.qOffset);
      }
      if (bits >= 0) {
        for (int k = 0; k < forks.live; k++) {
          updateContext(forks.walkers[k], offset, bits, vmid, contextId);
        }
      }
      forks.afterPacket(offset, index);
      return;
    }
    if (bits >= 0) {
      tellContext(bits, vmid, contextId);
      for (int k = 0; k < forks.live; k++) {
        updateContext(forks.walkers[k], offset, bits, vmid, contextId);
      }
    }
    for (int k = 0; k < forks.live; k++) {
      while (true) {
        Walker w = forks.walkers[k];
        int status = w.exceptionPending
            ? completeException(w, address)
            : takeAddress(w, address, offset, index);
        if (status == OK) {
          break;
        }
        if (!forks.fork(k, offset, index)) {
          if (w.exceptionPending) {
            // the exception itself is certain; only the walk to it was given up
            w.exceptionPending = false;
            delivery.put(w, FlowElements.EXCEPTION, w.exceptionType, address, 0, 0,
                w.exceptionOffset, w.walkFrom, segment.to);
            w.walkFrom = segment.from;
            w.pc = address;
            passedCse(w);
          }
          return;
        }
      }
    }
    forks.afterPacket(offset, index);
  }

  private int takeAddress(Walker w, long address, long offset, long index) {
    w.popPending = false; // the address is the indirect branch's target
    // in AArch32 state atoms do not move the walk (A32/T32 is not decoded): addresses lead it
    if (w.sf && !w.needAddress && !w.addressFree && w.pc != address) {
      forks.contradiction(w, offset, index, "address packet 0x%x where the walk is at 0x%x and"
          + " waits for no target", address, w.pc);
    } else if (w.sf && !w.needAddress && w.addressFree && w.pc != address && forks.group) {
      // the address after a sync point restates the pc: walks elsewhere go if any is there
      w.missedReturn = true;
    }
    setPc(w, address);
    return OK;
  }

  private void setPc(Walker w, long address) {
    if (w.expectReturn != Walker.NO_EXPECTATION) {
      if (w.needAddress && w.expectReturn != address) {
        // a return elsewhere than its call site leaves the call stack as it was (as the trace
        // unit's return stack is left when it must give the address)
        w.pushCall(w.expectReturn);
        w.missedReturn = forks.group;
      }
      w.expectReturn = Walker.NO_EXPECTATION;
    }
    delivery.reportDropped(w);
    w.pc = address;
    w.needAddress = false;
    w.waitBranch = false;
    w.naccPc = Walker.NO_NACC;
    w.addressFree = false;
    w.resyncing = false;
  }

  // ---------------------------------------------------------------- P0 elements

  void onAtoms(long offset, long index, int bits, int count) {
    if (!sync.synced()) {
      return;
    }
    if (forks.walkers[0].exceptionPending) {
      forks.breakFlow(offset);
      delivery.error(forks.walkers[0], offset, index, "atoms before the exception's return address");
      sync.loseSync(FlowSink.GAP_ERROR, offset);
      return;
    }
    if (!sites) {
      // no site can fork the walk: one walker, nothing to drop, merge or decide
      Walker w = forks.walkers[0];
      for (int i = 0; i < count; ) {
        i = fastAtoms(w, bits, i, count, offset);
        if (i < count) {
          walkFixed(w, ((bits >>> i) & 1) != 0, offset, index);
          i++;
        }
      }
      return;
    }
    for (int i = 0; i < count; i++) {
      boolean taken = ((bits >>> i) & 1) != 0;
      for (int k = 0; k < forks.live; k++) {
        boolean abandoned = false;
        while (walkStep(forks.walkers[k], taken, offset, index) == FORK) {
          if (!forks.fork(k, offset, index)) {
            abandoned = true;
            break;
          }
        }
        if (abandoned) {
          break;
        }
      }
      forks.afterPacket(offset, index);
    }
  }

  /**
   * The atoms packet at {@code p[i]} of a segment's packets ({@link FlowDecoder#ATOMS_LONGS} longs
   * each: type | bits &lt;&lt; 8 | count &lt;&lt; 40, offset, index) and the atoms packets right
   * after it whose runs are kept; returns the index after the last packet it took (at least one).
   *
   * <p>Replaying a run changes nothing {@link #onAtoms} and {@link #fastAtoms} check before they
   * replay one (the walk is synced, single, direct to the sink, has its address and context), but
   * its position: so consecutive runs are replayed here with the walk's position in locals and
   * those checks made once, until a packet whose run is not kept (it goes through {@link
   * #onAtoms}, as does a packet here when the checks fail), another kind of packet, or a run that
   * ends waiting for a target. Most packets of a kernel's trace are atoms packets replayed so, and
   * the per-packet calls and checks were most of their cost.
   */
  int onAtomsPackets(long[] p, int i, int used) {
    Walker w = forks.walkers[0];
    BlockRuns runs;
    if (sites || !sync.synced() || w.exceptionPending || w.popPending || !w.sf || w.needAddress
        || w.needContext || equals != 0 || !delivery.direct(w) || (runs = blocks.runs()) == null) {
      return walkPacket(p, i);
    }
    long pc = w.pc;
    long from = w.walkFrom;
    long segmentFrom = segment.from;
    long to = segment.to;
    long end = 0;
    int e = -1;
    boolean lastTaken = false;
    boolean missed = false;
    int at = i;
    while (at < used) {
      long head = p[at];
      if (((int) head & 0xFF) != FlowDecoder.P_ATOMS) {
        break;
      }
      int bits = (int) (head >>> 8);
      int count = (int) (head >>> 40);
      int found = count <= BlockRuns.MAX_ATOMS ? runs.find(pc, BlockRuns.code(bits, count)) : -1;
      if (found < 0) {
        missed = true;
        break;
      }
      e = found;
      lastTaken = ((bits >>> (count - 1)) & 1) != 0;
      sendRun(w, runs, e, count, from, segmentFrom, to, p[at + 1]);
      from = segmentFrom;
      at += FlowDecoder.ATOMS_LONGS;
      end = runs.endPc(e);
      pc = end & ~BlockRuns.WAITS;
      if ((end & BlockRuns.WAITS) != 0) {
        break; // the next packet gives the target (or its atom pops it), as the general path does
      }
    }
    if (e >= 0) {
      leaveRun(w, pc, from, runs.lastSlot(e), lastTaken, (end & BlockRuns.WAITS) != 0);
    }
    // a packet whose run is not kept (or too long to keep): walked, and kept for next time
    return missed ? walkPacket(p, at) : at;
  }

  /** The atoms packet at {@code p[i]} through {@link #onAtoms}; the index after it. */
  private int walkPacket(long[] p, int i) {
    long head = p[i];
    onAtoms(p[i + 1], p[i + 2], (int) (head >>> 8), (int) (head >>> 40));
    return i + FlowDecoder.ATOMS_LONGS;
  }

  /**
   * The atoms from {@code i} on, while each ends a block at a conditional branch or a taken direct
   * one (the packet's last also at a taken indirect branch or return, where the walk then waits
   * for the target) and its range can go straight to the sink: the common run of a fixed image,
   * with the walker's position in locals and nothing else to track (what {@link #waypoint} does
   * for these kinds, and no more). A whole packet's atoms walked so are kept as a run of the block
   * cache ({@link BlockRuns}) and replayed on the next visit. Returns the first atom it did not
   * take; that one goes through {@link #walkFixed}, which looks its block up again.
   */
  private int fastAtoms(Walker w, int bits, int i, int count, long offset) {
    if (w.popPending || !w.sf || w.needAddress || w.needContext || equals != 0
        || !delivery.direct(w)) {
      return i;
    }
    BlockCache b = blocks;
    BlockRuns runs = i == 0 && count <= BlockRuns.MAX_ATOMS ? b.runs() : null;
    long pc = w.pc;
    long code = BlockRuns.code(bits, count);
    if (runs != null) {
      int e = runs.find(pc, code);
      if (e >= 0) {
        replay(w, runs, e, bits, count, offset);
        return count;
      }
    }
    int last = w.lastBlock;
    boolean lastTaken = w.lastTaken;
    int version = segment.version;
    boolean push = returnStack;
    long[] kept = runRanges;
    int took = i;
    // the walk's times in locals: the sink is called per atom, and fields re-read after each call
    // would be kept on the stack around it
    long from = w.walkFrom;
    long segmentFrom = segment.from;
    long to = segment.to;
    boolean waits = false;
    for (; i < count; i++) {
      boolean taken = ((bits >>> i) & 1) != 0;
      int slot = b.next(last, lastTaken, pc, version);
      int end = b.endClass(slot);
      int kind = end & A64.KIND_MASK;
      if (b.trapPc(slot) != BlockCache.NO_TRAP || end == BlockCache.END_LIMIT
          || end == BlockCache.END_NOT_MAPPED) {
        break;
      }
      if (!(kind == A64.COND || (kind == A64.DIRECT && taken))) {
        // a packet's last atom taken on an indirect branch or a return (where the packets of a
        // kernel's code mostly end: the target comes next) ends the walk there, waiting
        if (i < count - 1 || !taken || !(kind == A64.INDIRECT || kind == A64.RETURN)) {
          break;
        }
        waits = true;
      }
      long next = b.nextPc(slot);
      int n = b.count(slot);
      boolean link = (end & A64.F_LINK) != 0;
      delivery.sendRange(pc, next, n, kind, taken, from, to, offset);
      from = segmentFrom;
      if (runs != null) {
        kept[2 * i] = pc;
        kept[2 * i + 1] = BlockRuns.word(n, kind, taken, link);
      }
      if (taken) {
        if (push && link) {
          w.retPush(next);
        }
        pc = waits ? b.lastPc(slot) : b.target(slot);
      } else {
        pc = next;
      }
      last = slot;
      lastTaken = taken;
    }
    if (i > took) {
      if (runs != null && i == count) {
        runs.add(w.pc, code, kept, waits ? pc | BlockRuns.WAITS : pc, last);
      }
      leaveRun(w, pc, from, last, lastTaken, waits);
    }
    return i;
  }

  /**
   * The walker after atoms walked or replayed as a run: at {@code pc} (waiting there for a
   * target if {@code waits}), after block {@code last}.
   */
  private void leaveRun(Walker w, long pc, long walkFrom, int last, boolean lastTaken,
      boolean waits) {
    w.pc = pc;
    w.walkFrom = walkFrom;
    w.lastBlock = last;
    w.lastTaken = lastTaken;
    w.overrides = 0;
    w.lastWaypoint = Walker.WAY_OTHER;
    if (waits) {
      waitAtBranch(w);
    }
  }

  /**
   * After a taken indirect branch or return at {@code w.pc}: the walk waits for the target, an
   * address packet's or (with the return stack) the one its next atom pops, as {@link #waypoint}.
   */
  private void waitAtBranch(Walker w) {
    w.needAddress = true;
    w.waitBranch = true; // OpenCSD's stale address is after it (a Q element walks from there)
    w.popPending = returnStack;
  }

  /** The ranges of run {@code e} for walker {@code w}, as {@link #fastAtoms} walked them. */
  private void replay(Walker w, BlockRuns runs, int e, int bits, int count, long offset) {
    long segmentFrom = segment.from;
    sendRun(w, runs, e, count, w.walkFrom, segmentFrom, segment.to, offset);
    long end = runs.endPc(e);
    leaveRun(w, end & ~BlockRuns.WAITS, segmentFrom, runs.lastSlot(e),
        ((bits >>> (count - 1)) & 1) != 0, (end & BlockRuns.WAITS) != 0);
  }

  /**
   * The {@code count} ranges of run {@code e} to the sink, for the atoms packet at {@code offset}:
   * the first from {@code from}, the others from {@code segmentFrom} (as the walk sends them);
   * with the return stack, a taken branch with link pushes its return address.
   */
  private void sendRun(Walker w, BlockRuns runs, int e, int count, long from, long segmentFrom,
      long to, long offset) {
    boolean push = returnStack;
    int r = runs.first(e);
    // only the sink call in the loop reads or writes memory but the run's own words (see fastAtoms)
    for (int k = 0; k < count; k++, r++) {
      long start = runs.start(e, r);
      long word = runs.packed(r);
      int n = BlockRuns.instructions(word);
      long next = start + 4L * n;
      boolean taken = (word & 1 << 8) != 0;
      delivery.sendRange(start, next, n, (int) word & 0xFF, taken, from, to, offset);
      from = segmentFrom;
      if (push && (word & 1 << 9) != 0 && taken) {
        w.retPush(next);
      }
    }
  }

  /**
   * {@link #walkStep} where no word depends on the window state (no poke sites): block by block
   * only, small enough to be inlined into the atom loop.
   */
  private void walkFixed(Walker w, boolean taken, long offset, long index) {
    if (w.popPending) {
      popReturn(w, offset, index);
    }
    if (!w.sf && !w.needContext && !w.needAddress) {
      aarch32(w, offset, index);
      return;
    }
    if (w.needAddress || w.needContext) {
      walkStep(w, taken, offset, index);
      return;
    }
    long start = w.pc;
    int n = 0;
    long at = start;
    int version = segment.version;
    int slot = blocks.next(w.lastBlock, w.lastTaken, at, version);
    w.lastBlock = -1;
    while (true) {
      long trap = blocks.trapPc(slot);
      if (trap != BlockCache.NO_TRAP) {
        trapped(w, start, trap, n + (int) ((trap - at) >>> 2) + 1, offset, index);
        return;
      }
      n += blocks.count(slot);
      int end = blocks.endClass(slot);
      if (end == BlockCache.END_LIMIT) {
        at = blocks.nextPc(slot);
        slot = blocks.lookup(at, version);
      } else if (end == BlockCache.END_NOT_MAPPED) {
        unmapped(w, start, blocks.nextPc(slot), n, offset);
        return;
      } else {
        waypoint(w, start, n, end, blocks.lastPc(slot), blocks.target(slot), taken, offset, index);
        w.lastBlock = slot;
        w.lastTaken = taken;
        return;
      }
    }
  }

  /** One atom for one walker: the range from pc to the next waypoint, then the atom's outcome. */
  private int walkStep(Walker w, boolean taken, long offset, long index) {
    if (w.popPending && !popReturn(w, offset, index)) {
      return OK;
    }
    if (!w.sf && !w.needContext && !w.needAddress) {
      aarch32(w, offset, index);
      return OK;
    }
    if (w.needAddress || w.needContext) {
      if (forks.group) {
        forks.contradiction(w, offset, index, "atom while the walk waits for a target address");
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
    int version = segment.version;
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
          if (blocks.isWaypoint(cls)) {
            long target = A64.hasDirectTarget(cls) ? A64.directTarget((int) word, at) : -1L;
            return waypoint(w, start, n, cls, at, target, taken, offset, index);
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
      return waypoint(w, start, n, end, blocks.lastPc(slot), blocks.target(slot), taken, offset,
          index);
    }
  }

  /**
   * An atom in AArch32 state: A32/T32 code is not decoded. The first atom of each AArch32 stretch
   * leaves a gap and an error naming the instruction set and address; the walk waits for the next
   * address in AArch64 state.
   */
  private void aarch32(Walker w, long offset, long index) {
    if (w.aarch32Atoms++ == 0) {
      delivery.put(w, FlowElements.GAP, FlowSink.GAP_ERROR, w.pc, 0, 0, offset, FlowSink.NO_TIME,
          FlowSink.NO_TIME);
      delivery.error(w, offset, index, String.format("AArch32 code (%s instruction set) at 0x%x is"
          + " not decoded: only A64 is", w.isa == 0 ? "A32" : "T32", w.pc));
    }
  }

  // ---------------------------------------------------------------- cycle counts and Q

  /** A cycle count ({@code -1}: unknown) for the range before it, on every live walker. */
  void onCycleCount(long count) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      delivery.cycles(forks.walkers[k], count);
    }
  }

  /**
   * Q element: {@code count} instructions ran from the pc without their waypoints traced; then
   * execution goes on at the Q address (given, or the next address packet's).
   */
  void onQ(long offset, long index, int count, boolean hasAddress, long address, int isa) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      Walker w = forks.walkers[k];
      if (w.popPending) {
        popReturn(w, offset, index);
      }
      if (hasAddress) {
        w.isa = isa;
        completeQ(w, count, address, offset);
      } else {
        w.qPending = true;
        w.qCount = count;
        w.qOffset = offset;
      }
    }
    forks.afterPacket(offset, index);
  }

  /**
   * As OpenCSD: the {@code count} instructions from the pc are one executed range when the walk
   * meets no branch before the last of them and ends at the Q address or on a branch (the only
   * way to know where it went); otherwise the path is unknown ({@link FlowSink#noPath}).
   */
  private void completeQ(Walker w, int count, long next, long offset) {
    w.qPending = false;
    if (w.needContext) {
      setPc(w, next);
      return;
    }
    if (!w.sf) {
      aarch32(w, offset, -1);
      setPc(w, next);
      return;
    }
    // with the target of the last branch unknown, OpenCSD walks from the address after it
    long start = w.needAddress && w.waitBranch ? w.pc + 4 : w.pc;
    long at = start;
    int n = 0;
    int lastKind = FlowSink.LAST_OTHER;
    boolean branch = false;
    int version = segment.version;
    while (n < count) {
      long word = sites ? wordAt(w, at) : timeline.read32(at, version);
      if (word == FORK_WORD || word == MemoryImage.NOT_MAPPED) {
        break;
      }
      int cls = A64.classify((int) word);
      n++;
      at += 4;
      int kind = cls & A64.KIND_MASK;
      boolean wp = A64.isWaypoint(cls, blocks.pauthBranches(), false);
      lastKind = wp ? lastKind(kind) : FlowSink.LAST_OTHER;
      branch = wp && kind != A64.ISB;
      if (branch) {
        break;
      }
    }
    equals = 0;
    if (count > 0 && n == count && (at == next || branch)) {
      delivery.range(w, start, at, n, lastKind, true, offset);
    } else {
      delivery.put(w, FlowElements.GAP, FlowSink.GAP_NO_PATH, start, next, count & 0xFFFFFFFFL,
          offset, FlowSink.NO_TIME, FlowSink.NO_TIME);
    }
    w.walkFrom = segment.from;
    setPc(w, next);
  }

  // ---------------------------------------------------------------- ETE

  /**
   * ETE source address: the PE executed from the pc (or from the source address when the pc is
   * unknown or lies past it) up to and including the instruction at {@code src}; OpenCSD counts
   * the range's instructions from its length and takes the instruction's branch as executed.
   */
  void onSourceAddress(long offset, long index, long src, int isa) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      Walker w = forks.walkers[k];
      w.isa = isa;
      if (w.popPending) {
        popReturn(w, offset, index);
      }
      if (w.needContext) {
        continue;
      }
      if (!w.sf) {
        w.pc = src;
        aarch32(w, offset, index);
        continue;
      }
      long word = timeline.read32(src, segment.version);
      if (word == MemoryImage.NOT_MAPPED) {
        delivery.put(w, FlowElements.GAP, FlowSink.GAP_NACC, src, 0, 0, offset, FlowSink.NO_TIME,
            FlowSink.NO_TIME);
        w.needAddress = true;
        continue;
      }
      long start = w.needAddress || Long.compareUnsigned(w.pc, src) > 0 ? src : w.pc;
      int cls = A64.classify((int) word);
      int kind = cls & A64.KIND_MASK;
      boolean wp = blocks.isWaypoint(cls);
      delivery.range(w, start, src + 4, (int) ((src + 4 - start) >>> 2),
          wp ? lastKind(kind) : FlowSink.LAST_OTHER, true, offset);
      w.walkFrom = segment.from;
      setPc(w, src + 4);
      if (wp && (kind == A64.DIRECT || kind == A64.COND)) {
        w.pc = A64.directTarget((int) word, src);
      } else if (wp && (kind == A64.INDIRECT || kind == A64.RETURN || kind == A64.ERET)) {
        w.needAddress = true;
      }
    }
    forks.afterPacket(offset, index);
  }

  /**
   * ETE transaction failure: the instructions since the transaction started were unwound, though
   * their ranges were already output (as OpenCSD does); said in an error. The next address packet
   * gives where execution goes on.
   */
  void onTransactionFail(long offset, long index) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      Walker w = forks.walkers[k];
      delivery.put(w, FlowElements.TRANS, FlowSink.TRANS_FAIL, 0, 0, 0, offset, FlowSink.NO_TIME,
          FlowSink.NO_TIME);
      delivery.error(w, offset, index, "transaction failed: the instructions traced since its"
          + " start were unwound");
      w.needAddress = true;
      w.popPending = false;
    }
  }

  /** ETE transaction start, commit, or trace starting inside a transaction. */
  void onTransaction(int kind, long offset) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      delivery.put(forks.walkers[k], FlowElements.TRANS, kind, 0, 0, 0, offset, FlowSink.NO_TIME,
          FlowSink.NO_TIME);
    }
  }

  /** ETE PE reset: an exception without return address; the next address gives the reset vector. */
  void onPeReset(long offset, long index) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      Walker w = forks.walkers[k];
      delivery.put(w, FlowElements.EXCEPTION, 0, 0, 0, 0, offset, w.walkFrom, segment.to);
      w.needAddress = true;
      w.popPending = false;
      passedCse(w);
    }
  }

  private int unmapped(Walker w, long start, long nacc, int n, long offset) {
    emitEquals(w, offset);
    if (n > 0) {
      delivery.range(w, start, nacc, n, FlowSink.LAST_OTHER, true, offset);
    }
    delivery.put(w, FlowElements.GAP, FlowSink.GAP_NACC, nacc, 0, 0, offset, FlowSink.NO_TIME,
        FlowSink.NO_TIME);
    w.needAddress = true;
    w.naccPc = nacc;
    w.overrides = 0;
    w.walkFrom = segment.from;
    return OK;
  }

  private int trapped(Walker w, long start, long trap, int n, long offset, long index) {
    emitEquals(w, offset);
    delivery.range(w, start, trap + 4, n, FlowSink.LAST_OTHER, true, offset);
    w.walkFrom = segment.from;
    forks.contradiction(w, offset, index, "atom walks past the exception-generating instruction"
        + " at 0x%x with no Exception packet: the image does not match the trace", trap);
    w.needAddress = true;
    w.overrides = 0;
    return OK;
  }

  private int waypoint(Walker w, long start, int n, int cls, long last, long target,
      boolean taken, long offset, long index) {
    int kind = cls & A64.KIND_MASK;
    emitEquals(w, offset);
    long next = last + 4;
    delivery.range(w, start, next, n, lastKind(kind), taken, offset);
    w.overrides = 0;
    w.walkFrom = segment.from;
    w.lastWaypoint = kind == A64.ERET ? Walker.WAY_ERET : Walker.WAY_OTHER;
    if (!taken) {
      if (kind == A64.DIRECT) {
        forks.contradiction(w, offset, index,
            "N atom on the unconditional branch at 0x%x: the image does not match the trace",
            last);
        w.needAddress = true;
        return OK;
      }
      if (kind == A64.INDIRECT || kind == A64.RETURN || kind == A64.ERET || kind == A64.ISB) {
        forks.contradiction(w, offset, index, "N atom on the %s at 0x%x, which always executes:"
            + " the image does not match the trace", kind == A64.ISB ? "ISB" : "indirect branch",
            last);
        w.needAddress = true;
        return OK;
      }
      w.pc = next;
      return OK;
    }
    if (sites) {
      calls(w, cls, kind, last);
    }
    if (returnStack && (cls & A64.F_LINK) != 0) {
      w.retPush(next);
    }
    switch (kind) {
      case A64.DIRECT, A64.COND -> w.pc = target;
      case A64.INDIRECT, A64.RETURN -> {
        w.pc = last; // where the walk waits: walks waiting at different branches never merge
        waitAtBranch(w);
      }
      case A64.ERET -> {
        w.pc = last;
        waitAtBranch(w);
        if (eteEret) {
          delivery.put(w, FlowElements.ERET, 0, 0, 0, 0, offset, segment.from, segment.to);
        }
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

  /**
   * The call stack over a taken waypoint: a call (BL, BLR) pushes its return address, a return
   * pops the address its address packet is expected to give (see {@link Walker#callStack}).
   */
  private static void calls(Walker w, int cls, int kind, long last) {
    w.expectReturn = Walker.NO_EXPECTATION;
    if ((cls & A64.F_LINK) != 0 && (kind == A64.DIRECT || kind == A64.INDIRECT)) {
      w.pushCall(last + 4);
    } else if (kind == A64.RETURN) {
      w.expectReturn = w.popCall();
    } else if (kind == A64.ERET) {
      w.exceptionReturn();
    }
  }

  private static int lastKind(int a64Kind) {
    return a64Kind <= A64.ISB ? a64Kind : FlowSink.LAST_OTHER; // the codes coincide by design
  }

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
    long next = segment.to;
    int n = timeline.siteWords(at, w.lastCse, next == FlowSink.NO_TIME ? Long.MAX_VALUE : next,
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
      settle(at, siteScratch, n, -1);
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
    if (!blocks.isWaypoint(cls)) {
      return -1;
    }
    int k = cls & A64.KIND_MASK;
    long target = A64.hasDirectTarget(cls) ? A64.directTarget(word, at) : 0;
    return target * 31 + k; // distinct targets differ (targets are word aligned)
  }

  private void emitEquals(Walker w, long offset) {
    for (int i = 0; i < equals; i++) {
      if (decided[i]) {
        delivery.put(w, FlowElements.AMBIGUITY | FlowElements.DECIDED << 8, equalPc[i],
            decidedWord[i] & 0xFFFFFFFFL, equalPool[i], equalCount[i], offset, w.walkFrom,
            segment.to);
      } else {
        delivery.put(w, FlowElements.AMBIGUITY | FlowElements.EQUAL << 8, equalPc[i],
            delivery.candidatePool.getInt(equalPool[i]) & 0xFFFFFFFFL, equalPool[i],
            equalCount[i], offset, w.walkFrom, segment.to);
      }
    }
    equals = 0;
  }

  private boolean decidedInWalk() {
    for (int i = 0; i < equals; i++) {
      if (decided[i]) {
        return true;
      }
    }
    return false;
  }

  /**
   * At a site the linear walk to an exception's return address {@code ret} must pass: the one
   * candidate word that lets it get there (not a waypoint before {@code ret}, no trap), kept as
   * decided; -1 when none or several can (the walk forks as at any site).
   */
  private long reachingWord(long at, long ret) {
    int found = -1;
    for (int i = 0; i < forkCount; i++) {
      int cls = A64.classify(forkWords[i]);
      boolean blocks = (at + 4 != ret
          && A64.isWaypoint(cls, this.blocks.pauthBranches(), this.blocks.wfxWaypoints()))
          || (BlockCache.traps(cls) && !(at + 4 == ret && returnsPast(cls)));
      if (!blocks) {
        if (found >= 0) {
          return -1;
        }
        found = i;
      }
    }
    if (found < 0) {
      return -1;
    }
    settle(at, forkWords, forkCount, found);
    return forkWords[found] & 0xFFFFFFFFL;
  }

  /**
   * Notes a site the current walk settled without a fork: {@code words[0..n)} its candidates, the
   * one at {@code decidedIndex} decided (-1: all have the same effect, unresolved).
   */
  private void settle(long at, int[] words, int n, int decidedIndex) {
    if (equals == equalPc.length) {
      int size = equals * 2;
      equalPc = java.util.Arrays.copyOf(equalPc, size);
      equalPool = java.util.Arrays.copyOf(equalPool, size);
      equalCount = java.util.Arrays.copyOf(equalCount, size);
      decidedWord = java.util.Arrays.copyOf(decidedWord, size);
      decided = java.util.Arrays.copyOf(decided, size);
    }
    equalPc[equals] = at;
    equalPool[equals] = delivery.candidatePool.size();
    equalCount[equals] = n;
    decided[equals] = decidedIndex >= 0;
    decidedWord[equals] = decidedIndex >= 0 ? words[decidedIndex] : 0;
    equals++;
    for (int i = 0; i < n; i++) {
      delivery.candidatePool.add(words[i]);
    }
  }

  // ---------------------------------------------------------------- exceptions

  void onException(long offset, long index, int type, int addressInfo) {
    if (!sync.synced()) {
      return;
    }
    Walker first = forks.walkers[0];
    if (first.exceptionPending) {
      forks.breakFlow(offset);
      delivery.error(forks.walkers[0], offset, index,
          "exception packet while the previous one still waits for its address");
      sync.loseSync(FlowSink.GAP_ERROR, offset);
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      Walker w = forks.walkers[k];
      w.exceptionPending = true;
      w.exceptionType = type;
      w.exceptionAddressInfo = addressInfo;
      w.exceptionOffset = offset;
      w.exceptionIndex = index;
    }
  }

  /** The address after an Exception packet: instructions up to it ran, then the exception. */
  private int completeException(Walker w, long ret) {
    if (w.popPending) {
      // OpenCSD pops before the exception: its address is the return address, not the target
      popReturn(w, w.exceptionOffset, w.exceptionIndex);
    }
    if (w.exceptionAddressInfo == 2) {
      // the return address is also the target of the previous P0 element: nothing ran since
      if (!w.needAddress && !w.needContext && w.pc != ret) {
        forks.contradiction(w, w.exceptionOffset, w.exceptionIndex, "exception at the previous"
            + " branch target 0x%x, but the walk is at 0x%x", ret, w.pc);
      }
      setPc(w, ret);
    } else if (!w.sf && !w.needAddress && !w.needContext) {
      aarch32(w, w.exceptionOffset, w.exceptionIndex); // the A32/T32 code up to it is not decoded
    } else if (!w.needAddress && !w.needContext && w.pc != ret) {
      equals = 0;
      if (walkToAddress(w, ret) == FORK) {
        return FORK;
      }
    } else if (w.needAddress && w.naccPc != Walker.NO_NACC && w.naccPc != ret) {
      // OpenCSD walks to the return address from the word it could not read: the same gap again
      // (juno-uname-001: NACC at the atom, NACC again at the exception)
      delivery.put(w, FlowElements.GAP, FlowSink.GAP_NACC, w.naccPc, 0, 0, w.exceptionOffset,
          FlowSink.NO_TIME, FlowSink.NO_TIME);
    }
    w.naccPc = Walker.NO_NACC;
    w.exceptionPending = false;
    w.overrides = 0;
    w.lastWaypoint = Walker.WAY_NONE;
    w.expectReturn = Walker.NO_EXPECTATION;
    if (armedBreakpoints && w.exceptionType == EXC_INST_DEBUG) {
      armedBreakpoint(w, ret);
    }
    delivery.put(w, FlowElements.EXCEPTION, w.exceptionType, ret, 0, 0, w.exceptionOffset,
        w.walkFrom, segment.to);
    w.walkFrom = segment.from;
    w.pc = ret;
    w.needAddress = true; // execution continues at the vector, given by the next address packet
    if (sites) {
      w.enterException();
    }
    passedCse(w);
    return OK;
  }

  /**
   * A BRK exception (instruction debug, return address = the BRK) where the image holds no BRK and
   * no record or table says the word changes: a probe was armed there then. That execution ran
   * BRK, which the trace shows, so it is an ambiguity resolved at the Exception packet, not an
   * error. The trace does not carry the immediate: arm64 arms kprobes with BRK #4
   * (KPROBES_BRK_IMM) and uprobes, in user text, with BRK #5.
   */
  private void armedBreakpoint(Walker w, long pc) {
    if ((pc & 3) != 0 || timeline.isPokeSite(pc)) {
      return; // a record's or a table's site: its words are known (brk-emulate's BRK is one)
    }
    long word = timeline.read32(pc, segment.version);
    if (word == MemoryImage.NOT_MAPPED || (word & BRK_MASK) == BRK) {
      return; // a BRK compiled in: the image already says so
    }
    int brk = pc < 0 ? PatchSites.KPROBE_BRK : PatchSites.UPROBE_BRK; // the kernel lives in the upper half
    int pool = delivery.candidatePool.size();
    delivery.candidatePool.add((int) word);
    delivery.candidatePool.add(brk);
    delivery.put(w, FlowElements.AMBIGUITY | FlowElements.RESOLVED << 8, pc, brk & 0xFFFFFFFFL, pool, 2,
        w.exceptionOffset, w.walkFrom, segment.to);
  }

  /** OpenCSD walks linearly (not following branches) from pc to the return address. */
  private int walkToAddress(Walker w, long ret) {
    long distance = ret - w.pc;
    boolean reachable = distance > 0 && distance <= MAX_EXCEPTION_WALK && (distance & 3) == 0;
    if (!reachable) {
      // OpenCSD walks on past it until memory runs out: the same range and NACC come out here,
      // with the contradiction said (nothing but the error when no end is within the bound)
      forks.contradiction(w, w.exceptionOffset, w.exceptionIndex,
          "exception return address 0x%x cannot be reached from pc 0x%x", ret, w.pc);
      if (forks.group) {
        return OK; // a forked walker the trace contradicts is dropped: no walk for it
      }
      ret = w.pc + MAX_EXCEPTION_WALK;
    }
    long start = w.pc;
    int n = 0;
    int lastCls = A64.OTHER;
    long waypointAt = NONE; // kernel addresses are negative as longs: compare with an odd value
    long trapAt = NONE;
    boolean windows = sites;
    int version = segment.version;
    for (long at = start; at != ret; at += 4) {
      long word = windows && reachable ? wordAt(w, at) : timeline.read32(at, version);
      if (word == FORK_WORD) {
        // candidates that cannot reach the return address are dropped before they fork
        word = reachingWord(at, ret);
        if (word < 0) {
          return FORK;
        }
      }
      if (word == MemoryImage.NOT_MAPPED) {
        emitEquals(w, w.exceptionOffset);
        if (n > 0) {
          delivery.range(w, start, at, n, lastKind(lastCls & A64.KIND_MASK), true,
              w.exceptionOffset);
        }
        delivery.put(w, FlowElements.GAP, FlowSink.GAP_NACC, at, 0, 0, w.exceptionOffset,
            FlowSink.NO_TIME, FlowSink.NO_TIME);
        return OK;
      }
      if (!reachable) {
        n++;
        lastCls = A64.classify((int) word);
        continue;
      }
      lastCls = A64.classify((int) word);
      if (waypointAt == NONE && at + 4 != ret
          && blocks.isWaypoint(lastCls)) {
        waypointAt = at;
      }
      if (trapAt == NONE && BlockCache.traps(lastCls) && !(at + 4 == ret && returnsPast(lastCls))) {
        trapAt = at;
      }
      n++;
      if (forks.group && (waypointAt != NONE || trapAt != NONE)) {
        // a forked walk the trace already contradicts is dropped here: walking on to the return
        // address would only fork it at more sites, all of them contradicted as well
        equals = 0;
        forks.contradiction(w, w.exceptionOffset, w.exceptionIndex,
            "exception return address 0x%x lies past a waypoint or trap", ret);
        return OK;
      }
    }
    if (!reachable) {
      equals = 0;
      return OK;
    }
    boolean decidedHere = decidedInWalk();
    emitEquals(w, w.exceptionOffset);
    if (decidedHere) {
      delivery.decidedRange(w, start, ret, n, lastKind(lastCls & A64.KIND_MASK), true,
          w.exceptionOffset);
    } else {
      delivery.range(w, start, ret, n, lastKind(lastCls & A64.KIND_MASK), true,
          w.exceptionOffset);
    }
    if (waypointAt != NONE) {
      forks.contradiction(w, w.exceptionOffset, w.exceptionIndex,
          "exception return address 0x%x lies past the waypoint at 0x%x that had no atom", ret,
          waypointAt);
    } else if (trapAt != NONE) {
      forks.contradiction(w, w.exceptionOffset, w.exceptionIndex, "exception return address 0x%x"
          + " lies past the exception-generating instruction at 0x%x", ret, trapAt);
    }
    return OK;
  }

  private static boolean returnsPast(int cls) {
    int k = cls & A64.KIND_MASK;
    return k == A64.SVC || k == A64.HVC || k == A64.SMC;
  }

  void onExceptionReturn(long offset, long index) {
    if (!sync.synced()) {
      return;
    }
    for (int k = 0; k < forks.live; k++) {
      Walker w = forks.walkers[k];
      if (w.lastWaypoint == Walker.WAY_OTHER && !w.resyncing && !w.needAddress) {
        // the packet names the instruction whose target came last: an ERET, not this walk's
        forks.contradiction(w, offset, index, "Exception Return packet, but the walk's last"
            + " branch (to 0x%x) is no ERET: the image does not match the trace", w.pc);
      }
      w.lastWaypoint = Walker.WAY_NONE;
      delivery.put(w, FlowElements.ERET, 0, 0, 0, 0, offset, segment.from, segment.to);
      passedCse(w);
    }
    forks.afterPacket(offset, index);
  }
}
