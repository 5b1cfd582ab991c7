package dev.tracepoke.sim.etm;

import dev.tracepoke.sim.machine.CoreObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * One ETMv4 instruction-trace unit attached to one core, producing the byte stream a real unit
 * programmed like {@link EtmConfig} would: non-speculative (MAXSPEC = 0, no commit packets), A64
 * only, with the {@link EtmOptions} it is given (return stack, branch broadcast, cycle counts).
 *
 * <p>What it emits, in stream order:
 * <ul>
 *   <li>at the first instruction: A-sync, Trace Info, Trace On, address with context, timestamp;
 *       again (without Trace On) every 2^TRCSYNCPR bytes at the next P0 element;</li>
 *   <li>one atom per waypoint (E, or N for a conditional branch that fell through; ISB is always
 *       E), held back and packed into the densest of formats 1-6, flushed before any other packet;
 *   </li>
 *   <li>after a taken indirect branch, the target as the shortest address packet;</li>
 *   <li>for an exception: Exception packet (SVC Call, UNDEF Trap, BRK Inst Debug, IRQ IRQ; E1:E0 =
 *       10 when no instruction ran since the previous P0 element, as Cortex-A53 does, else 01), the
 *       preferred return address, then the vector as an address with context when the exception
 *       level changes, else as a plain address;</li>
 *   <li>for ERET: atom E, the target (with context when the level changes), Exception Return;</li>
 *   <li>timestamps of the generic counter at sync points and every
 *       {@link EtmConfig#timestampPeriodTicks()} ticks, and with {@link EtmConfig#cseTimestamps()}
 *       one right before and one right after each exception, ERET and ISB, carrying its time;</li>
 *   <li>during an {@link OverflowWindow}: Overflow, nothing, then A-sync, Trace Info, Trace On and
 *       the address where trace resumes; the lost instructions are reported as an
 *       {@link UntracedStretch}.</li>
 * </ul>
 *
 * <p>The unit relies on the call order of {@link CoreObserver}: a run's {@code instructions} call
 * comes before the waypoint, ERET or exception that ends it. It checks that the runs join up and
 * throws {@link IllegalStateException} where they do not, since the stream would be wrong. The core's
 * exception level when tracing starts is {@link EtmConfig#initialEl()}; the unit follows it through
 * exceptions and returns. Instructions after the last P0 element never reach a decoder (nothing
 * in the stream covers them), as with a real unit.
 */
public final class Etm4TraceUnit implements CoreObserver {

  private final EtmConfig config;
  private final TraceBuffer buffer;
  private final PacketEncoder encoder;
  private final long syncPeriodBytes;
  private final List<OverflowWindow> overflows;
  private final List<UntracedStretch> untraced = new ArrayList<>();

  private boolean started;
  private boolean dropping;
  private int el;
  private int contextId;
  /** Where the decoder walks from next: the address the last P0 element (or address) led to. */
  private long resumePc;
  /** The address the next instruction run must start at. */
  private long expectedPc;
  private int pendingAtoms;
  private int pendingCount;
  private long retired;
  private long runInstructions;
  private int lastSyncOffset;
  private long lastTimestampCounter;
  /** Buffer size just after the last timestamp packet (to avoid writing the same one twice). */
  private long timestampEnd = -1;
  /** Timestamps around every CSE ({@link EtmConfig#cseTimestamps()}, with timestamps on). */
  private final boolean cseTimestamps;
  private int nextOverflow;
  private long overflowFirstInstruction;
  private long overflowFirstPc;
  private long overflowTime;

  // Options (EtmOptions). The return stack mirrors OpenCSD's: 16 entries, the oldest overwritten.
  private final boolean returnStack;
  private final boolean branchBroadcast;
  private final boolean cycleCounting;
  private final long[] retStack = new long[16];
  private int retHead;
  private int retCount;
  /** Time of the last P0 element a cycle count was given for (or of the last sync). */
  private long lastCountTime;

  /** Cycle-count threshold written in Trace Info: every P0 element at least a cycle later is counted. */
  public static final int CC_THRESHOLD = 1;
  /** The largest count the 12-bit cycle counter (TRCIDR2.CCSIZE = 0) holds; it saturates there. */
  public static final int CC_MAX = (1 << 12) - 1;

  public Etm4TraceUnit(EtmConfig config, PacketListener listener) {
    this.config = config;
    this.buffer = new TraceBuffer(1 << 16);
    this.encoder = new PacketEncoder(buffer, listener, config.longAddressAfterContext());
    this.syncPeriodBytes = 1L << config.syncPeriodLog2();
    this.overflows = config.overflows();
    this.el = config.initialEl();
    this.contextId = config.initialContextId();
    this.cseTimestamps = config.timestamps() && config.cseTimestamps();
    EtmOptions o = config.options();
    this.branchBroadcast = o.branchBroadcast();
    this.returnStack = o.returnStack() && !o.branchBroadcast();
    this.cycleCounting = o.cycleCounting();
  }

  public Etm4TraceUnit(EtmConfig config) {
    this(config, null);
  }

  public EtmConfig config() {
    return config;
  }

  /** The stream so far (raw ETMv4 bytes of this one source, no CoreSight frames). */
  public TraceBuffer buffer() {
    return buffer;
  }

  /** The stretches lost to overflows so far, in order. */
  public List<UntracedStretch> untracedStretches() {
    return List.copyOf(untraced);
  }

  // ---------------------------------------------------------------- CoreObserver

  @Override
  public void instructions(long startPc, int count, long time) {
    if (!started) {
      start(startPc, time);
    } else if (startPc != expectedPc) {
      throw new IllegalStateException(String.format(
          "cpu %d: run starts at 0x%x but the previous one led to 0x%x", config.cpu(), startPc, expectedPc));
    }
    expectedPc = startPc + 4L * count;
    retired += count;
    runInstructions += count;
  }

  @Override
  public void waypoint(long pc, int kind, boolean taken, boolean link, long nextPc, long time) {
    requireRunEndsAt(pc, "waypoint");
    if (p0Boundary(time)) {
      boolean cse = kind == ISB && cseTimestamps;
      if (cse) {
        timestampAt(time);
      }
      addAtom(taken || kind == ISB);
      if (taken && link && returnStack) {
        retPush(pc + 4);
      }
      if (kind == BRANCH_INDIRECT && taken) {
        if (returnStack && retCount > 0 && retStack[retHead] == nextPc) {
          // the decoder pops the same entry when no address follows the atom
          retHead = (retHead - 1) & 15;
          retCount--;
        } else {
          flushAtoms();
          encoder.address(nextPc);
        }
      } else if (branchBroadcast && taken && kind != ISB) {
        flushAtoms();
        encoder.address(nextPc);
      }
      countCycles(time);
      if (cse) {
        timestampAt(time);
      }
    }
    endP0(nextPc);
  }

  @Override
  public void exception(int type, long preferredReturn, long vector, int fromEl, int toEl, long time) {
    if (!started) {
      // Taken before any instruction retired: trace starts at the instruction not executed.
      el = fromEl;
      start(preferredReturn, time);
    }
    if (preferredReturn != expectedPc) {
      throw new IllegalStateException(String.format(
          "cpu %d: exception returns to 0x%x but execution had reached 0x%x", config.cpu(), preferredReturn, expectedPc));
    }
    if (fromEl != el) {
      throw new IllegalStateException("cpu " + config.cpu() + ": exception from EL" + fromEl + " while at EL" + el);
    }
    if (p0Boundary(time)) {
      flushAtoms();
      if (cseTimestamps) {
        timestampAt(time);
      }
      int e1e0 = preferredReturn == resumePc
          ? PacketEncoder.EXC_RETURN_ADDRESS_IS_TARGET
          : PacketEncoder.EXC_RETURN_ADDRESS_FOLLOWS;
      encoder.exception(etmExceptionType(type), e1e0);
      encoder.address(preferredReturn);
      targetAddress(vector, toEl);
      countCycles(time);
      if (cseTimestamps) {
        timestampAt(time);
      }
    } else {
      el = toEl;
    }
    endP0(vector);
  }

  @Override
  public void exceptionReturn(long pc, long target, int toEl, long time) {
    requireRunEndsAt(pc, "ERET");
    if (p0Boundary(time)) {
      if (cseTimestamps) {
        timestampAt(time);
      }
      addAtom(true);
      flushAtoms();
      targetAddress(target, toEl);
      encoder.exceptionReturn();
      countCycles(time);
      if (cseTimestamps) {
        timestampAt(time);
      }
    } else {
      el = toEl;
    }
    endP0(target);
  }

  @Override
  public void patchSiteExecuted(long pc, int word, boolean newest, long time) {
    // The trace unit does not see which word was fetched; only the decoder's walk is affected.
  }

  // ---------------------------------------------------------------- beyond CoreObserver

  /**
   * CONTEXTIDR_EL1 changed (a context switch). With context-ID tracing on, a Context packet with
   * the new value follows the atoms traced so far.
   */
  public void contextIdChanged(int newContextId, long time) {
    if (newContextId == contextId) {
      return;
    }
    contextId = newContextId;
    if (config.contextIdTracing() && started && !dropping) {
      flushAtoms();
      encoder.context(contextInfo(), contextId);
    }
  }

  /** Tracing stops (end of the session): atoms held back are written out. */
  public void finish(long time) {
    if (dropping) {
      closeUntraced(expectedPc, time, retired);
      dropping = false;
    } else {
      flushAtoms();
    }
  }

  /** What was emitted so far. */
  public TraceUnitStats stats() {
    long[] atoms = new long[6];
    long[] atomPackets = new long[6];
    for (int f = 1; f <= 6; f++) {
      atoms[f - 1] = encoder.atomsInFormat(f);
      atomPackets[f - 1] = encoder.count(PacketKind.VALUES[PacketKind.ATOM_F1.ordinal() + f - 1]);
    }
    long lost = 0;
    for (UntracedStretch s : untraced) {
      lost += s.instructions();
    }
    return new TraceUnitStats(config.cpu(), buffer.size(), retired, lost, atoms, atomPackets,
        encoder.count(PacketKind.EXACT_MATCH), encoder.count(PacketKind.SHORT_ADDR_1),
        encoder.count(PacketKind.SHORT_ADDR_2), encoder.count(PacketKind.LONG_ADDR_32),
        encoder.count(PacketKind.LONG_ADDR_64), encoder.count(PacketKind.ADDR_CTXT_32),
        encoder.count(PacketKind.ADDR_CTXT_64), encoder.count(PacketKind.CONTEXT),
        encoder.count(PacketKind.EXCEPTION), encoder.count(PacketKind.EXCEPTION_RETURN),
        encoder.count(PacketKind.TIMESTAMP), encoder.count(PacketKind.ASYNC),
        encoder.count(PacketKind.TRACE_INFO), encoder.count(PacketKind.TRACE_ON),
        encoder.count(PacketKind.OVERFLOW));
  }

  /**
   * ETMv4 exception TYPE for a {@link CoreObserver} exception: SVC is a Call, an UNDEFINED
   * instruction a Trap, BRK an instruction debug exception, IRQ an IRQ.
   */
  public static int etmExceptionType(int observerType) {
    return switch (observerType) {
      case EXCEPTION_SVC -> PacketEncoder.EXC_CALL;
      case EXCEPTION_BRK -> PacketEncoder.EXC_INST_DEBUG;
      case EXCEPTION_UNDEF -> PacketEncoder.EXC_TRAP;
      case EXCEPTION_IRQ -> PacketEncoder.EXC_IRQ;
      default -> throw new IllegalArgumentException("exception type " + observerType);
    };
  }

  // ---------------------------------------------------------------- internals

  private void start(long pc, long time) {
    started = true;
    resumePc = pc;
    expectedPc = pc;
    sync(true, time);
  }

  /** A-sync, Trace Info, [Trace On], the address the decoder resumes at with context, timestamp. */
  private void sync(boolean traceOn, long time) {
    lastSyncOffset = buffer.size();
    encoder.async();
    if (cycleCounting) {
      encoder.traceInfoCycleCounting(CC_THRESHOLD);
      lastCountTime = time;
    } else {
      encoder.traceInfo(true, 0);
    }
    // the decoder empties its return stack at Trace Info
    retCount = 0;
    if (traceOn) {
      encoder.traceOn();
    }
    encoder.addressWithContext(resumePc, contextInfo(), contextId);
    if (config.timestamps()) {
      timestamp(time);
    }
  }

  /**
   * With cycle counting, a Cycle Count packet after the P0 element retiring at {@code time} (a
   * count belongs to the element before it, as OpenCSD and the first, unknown, count after Trace
   * Info show): the cycles since the last counted one (the simulated clock runs one cycle per
   * nanosecond), saturated at the counter's width; none when less than the threshold passed.
   */
  private void countCycles(long time) {
    if (!cycleCounting) {
      return;
    }
    long n = time - lastCountTime;
    if (n >= CC_THRESHOLD) {
      flushAtoms();
      encoder.cycleCount((int) Math.min(n, CC_MAX), CC_THRESHOLD);
      lastCountTime = time;
    }
  }

  private void retPush(long returnAddress) {
    retHead = (retHead + 1) & 15;
    retStack[retHead] = returnAddress;
    if (retCount < 16) {
      retCount++;
    }
  }

  private void timestamp(long time) {
    lastTimestampCounter = config.timeConv().counterAt(time);
    encoder.timestamp(lastTimestampCounter);
    timestampEnd = buffer.size();
  }

  /**
   * A timestamp bracketing a context-synchronization event: atoms held back go out first, so that
   * the packet sits exactly at the event in the stream. Skipped when the last packet written is
   * already a timestamp of the same tick (a periodic one just emitted at this P0 element).
   */
  private void timestampAt(long time) {
    flushAtoms();
    if (buffer.size() == timestampEnd && config.timeConv().counterAt(time) == lastTimestampCounter) {
      return;
    }
    timestamp(time);
  }

  /**
   * Everything that happens between P0 elements: overflow start and end, periodic sync, periodic
   * timestamp. Returns whether the P0 element at {@code time} is traced.
   */
  private boolean p0Boundary(long time) {
    if (!dropping && nextOverflow < overflows.size() && time >= overflows.get(nextOverflow).startNs()) {
      flushAtoms();
      encoder.overflow();
      dropping = true;
      overflowFirstInstruction = retired - runInstructions;
      overflowFirstPc = resumePc;
      overflowTime = time;
    }
    if (dropping) {
      if (time < overflows.get(nextOverflow).endNs()) {
        return false;
      }
      closeUntraced(resumePc, time, retired - runInstructions);
      dropping = false;
      nextOverflow++;
      sync(true, time);
      return true;
    }
    if (buffer.size() - lastSyncOffset >= syncPeriodBytes) {
      flushAtoms();
      sync(false, time);
      return true;
    }
    if (config.timestamps() && config.timestampPeriodTicks() > 0
        && config.timeConv().counterAt(time) - lastTimestampCounter >= config.timestampPeriodTicks()) {
      flushAtoms();
      timestamp(time);
    }
    return true;
  }

  private void closeUntraced(long resumeAt, long time, long firstTraced) {
    untraced.add(new UntracedStretch(config.cpu(), overflowFirstInstruction, firstTraced - overflowFirstInstruction,
        overflowFirstPc, resumeAt, overflowTime, time));
  }

  private void targetAddress(long target, int toEl) {
    if (toEl != el) {
      el = toEl;
      encoder.addressWithContext(target, contextInfo(), contextId);
    } else {
      encoder.address(target);
    }
  }

  private void endP0(long next) {
    resumePc = next;
    expectedPc = next;
    runInstructions = 0;
  }

  private void requireRunEndsAt(long pc, String what) {
    if (!started || pc + 4 != expectedPc) {
      throw new IllegalStateException(String.format(
          "cpu %d: %s at 0x%x is not the last instruction of the run reported before it (next 0x%x)",
          config.cpu(), what, pc, expectedPc));
    }
  }

  private int contextInfo() {
    return PacketEncoder.contextInfo(el, config.nonSecure(), config.contextIdTracing());
  }

  private void addAtom(boolean e) {
    if (e) {
      pendingAtoms |= 1 << pendingCount;
    }
    pendingCount++;
    if (pendingCount == PacketEncoder.MAX_ATOMS_PER_PACKET) {
      emitAtomPacket();
    }
  }

  private void flushAtoms() {
    while (pendingCount > 0) {
      emitAtomPacket();
    }
  }

  private void emitAtomPacket() {
    int taken = encoder.atoms(pendingAtoms, pendingCount);
    pendingAtoms >>>= taken;
    pendingCount -= taken;
  }
}
