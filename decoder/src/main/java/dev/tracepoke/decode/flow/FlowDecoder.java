package dev.tracepoke.decode.flow;

import dev.tracepoke.decode.a64.A64;
import dev.tracepoke.decode.etm4.AddressForm;
import dev.tracepoke.decode.etm4.PacketError;
import dev.tracepoke.decode.etm4.PacketSink;
import dev.tracepoke.decode.image.BlockCache;
import dev.tracepoke.decode.image.MemoryImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reconstructs one core's instruction flow from its ETMv4 packets over one image version, walking
 * A64 code the way OpenCSD 1.3.3 does (reference/etmv4-opencsd.md section 2), so that on a static
 * image its ranges equal {@code trc_pkt_lister}'s.
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
 * <p>Where OpenCSD drops information silently this decoder reports it: atoms that arrive with no
 * known address or context, an N atom on an unconditional branch (the image contradicts the
 * trace), an exception return address behind the pc or past a waypoint. Speculation packets
 * (commit, cancel, mispredict) and Q packets are not supported: cancel, mispredict and Q report an
 * error and resynchronise (traces with TRCIDR8.MAXSPEC = 0 contain none); the return stack
 * (TRCCONFIGR.RS) is not modelled.
 *
 * <p>Times: an element's time lies between the timestamp before it and the one after it in the
 * stream, so elements are held (in primitive arrays) until the next timestamp and then delivered
 * with {@code [previous, next]}. At the end of the trace, or when {@value #MAX_HELD} elements wait,
 * they go out with {@code timeTo = NO_TIME} (no known upper bound). Not thread-safe: one decoder
 * per core.
 */
public final class FlowDecoder implements PacketSink {
  /** Elements held back waiting for a closing timestamp before they are sent without one. */
  public static final int MAX_HELD = 8192;

  /** Longest linear walk to an exception's return address (bytes) before it is called an error. */
  static final long MAX_EXCEPTION_WALK = 1 << 20;

  private enum Sync {
    NO_SYNC,
    WAIT_INFO,
    SYNCED
  }

  private final int cpu;
  private final BlockCache blocks;
  private final int version;
  private final FlowSink sink;

  private Sync sync = Sync.NO_SYNC;
  private boolean needAddress = true;
  private boolean needContext = true;
  private long pc;
  private int el;
  private boolean sf;
  private boolean ns;
  private long contextId;
  private int vmid;

  private boolean exceptionPending;
  private int exceptionType;
  private int exceptionAddressInfo;
  private long exceptionOffset;
  private long exceptionIndex;

  private long droppedAtoms;
  private long droppedOffset;
  private long droppedIndex;

  // Held elements: STRIDE longs each; messages of held errors by index.
  private static final int STRIDE = 6;
  private static final int T_RANGE = 1;
  private static final int T_EXCEPTION = 2;
  private static final int T_ERET = 3;
  private static final int T_CONTEXT = 4;
  private static final int T_GAP = 5;
  private static final int T_ERROR = 6;
  private long[] held = new long[STRIDE * 64];
  private int heldCount;
  private final List<String> heldMessages = new ArrayList<>();
  private long timeFrom = FlowSink.NO_TIME;

  /**
   * @param cpu the core number reported with every element
   * @param blocks the block cache over the image (its waypoint settings apply)
   * @param version the image version to decode against
   * @param sink where elements go
   */
  public FlowDecoder(int cpu, BlockCache blocks, int version, FlowSink sink) {
    this.cpu = cpu;
    this.blocks = blocks;
    this.version = version;
    this.sink = sink;
  }

  // ---------------------------------------------------------------- synchronisation

  @Override
  public void notSync(long offset, long index) {}

  @Override
  public void async(long offset, long index) {
    if (sync == Sync.NO_SYNC) {
      sync = Sync.WAIT_INFO;
    }
  }

  @Override
  public void traceInfo(
      long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold) {
    if (sync == Sync.WAIT_INFO) {
      sync = Sync.SYNCED;
      needAddress = true;
      needContext = true;
      exceptionPending = false;
    }
  }

  private void loseSync(int reason, long offset) {
    reportDropped();
    if (sync == Sync.SYNCED) {
      hold(T_GAP, reason, needAddress ? 0 : pc, offset, 0);
    }
    sync = Sync.NO_SYNC;
    needAddress = true;
    needContext = true;
    exceptionPending = false;
  }

  @Override
  public void overflow(long offset, long index) {
    loseSync(FlowSink.GAP_OVERFLOW, offset);
  }

  /** A discard breaks the flow like an overflow; reported as a {@code GAP_ERROR} gap. */
  @Override
  public void discard(long offset, long index) {
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  @Override
  public void error(long offset, long index, int header, long length, PacketError reason) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    holdError(offset, index, String.format("bad packet (header 0x%02x, %d bytes): %s", header,
        length, reason));
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  @Override
  public void end(long offset, long packets) {
    reportDropped();
    if (exceptionPending) {
      holdError(exceptionOffset, exceptionIndex, "trace ends before the exception's return address");
      exceptionPending = false;
    }
    flush(FlowSink.NO_TIME);
  }

  // ---------------------------------------------------------------- time

  @Override
  public void timestamp(
      long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount) {
    flush(value);
    timeFrom = value;
  }

  // ---------------------------------------------------------------- addresses and context

  @Override
  public void address(
      long offset, long index, long address, int isa, AddressForm form, int matchEntry,
      int knownBits) {
    if (sync != Sync.SYNCED) {
      return;
    }
    if (exceptionPending) {
      completeException(address, offset);
      return;
    }
    setPc(address);
  }

  @Override
  public void addressWithContext(
      long offset, long index, long address, int isa, AddressForm form, int knownBits, int el,
      boolean sf, boolean ns, boolean vmidUpdated, int vmid, boolean contextIdUpdated,
      int contextId) {
    if (sync != Sync.SYNCED) {
      return;
    }
    updateContext(offset, el, sf, ns, vmidUpdated, vmid, contextIdUpdated, contextId);
    if (exceptionPending) {
      completeException(address, offset);
      return;
    }
    setPc(address);
  }

  @Override
  public void context(
      long offset, long index, boolean updated, int el, boolean sf, boolean ns,
      boolean vmidUpdated, int vmid, boolean contextIdUpdated, int contextId) {
    if (sync != Sync.SYNCED || !updated) {
      return;
    }
    updateContext(offset, el, sf, ns, vmidUpdated, vmid, contextIdUpdated, contextId);
  }

  private void updateContext(long offset, int el, boolean sf, boolean ns, boolean vmidUpdated,
      int vmid, boolean contextIdUpdated, int contextId) {
    this.el = el;
    this.sf = sf;
    this.ns = ns;
    if (vmidUpdated) {
      this.vmid = vmid;
    }
    if (contextIdUpdated) {
      this.contextId = contextId & 0xFFFFFFFFL;
    }
    needContext = false;
    if (!needAddress) {
      reportDropped();
    }
    hold(T_CONTEXT, el | (sf ? 1 << 8 : 0) | (ns ? 1 << 9 : 0), this.contextId, this.vmid, offset);
  }

  private void setPc(long address) {
    reportDropped();
    pc = address;
    needAddress = false;
  }

  // ---------------------------------------------------------------- P0 elements

  @Override
  public void atoms(long offset, long index, int format, int bits, int count) {
    if (sync != Sync.SYNCED) {
      return;
    }
    if (exceptionPending) {
      holdError(offset, index, "atoms before the exception's return address");
      loseSync(FlowSink.GAP_ERROR, offset);
      return;
    }
    for (int i = 0; i < count; i++) {
      if (needAddress || needContext) {
        if (droppedAtoms == 0) {
          droppedOffset = offset;
          droppedIndex = index;
        }
        droppedAtoms += count - i;
        return;
      }
      walkToWaypoint(((bits >>> i) & 1) != 0, offset, index);
    }
  }

  /** One atom: the range from pc to the next waypoint, then the atom's outcome. */
  private void walkToWaypoint(boolean taken, long offset, long index) {
    long start = pc;
    int n = 0;
    long at = pc;
    while (true) {
      int slot = blocks.lookup(at, version);
      n += blocks.count(slot);
      int end = blocks.endClass(slot);
      if (end == BlockCache.END_LIMIT) {
        at = blocks.nextPc(slot);
        continue;
      }
      if (end == BlockCache.END_NOT_MAPPED) {
        long nacc = blocks.nextPc(slot);
        if (n > 0) {
          hold(T_RANGE, start, nacc, n, packLast(FlowSink.LAST_OTHER, true), offset);
        }
        hold(T_GAP, FlowSink.GAP_NACC, nacc, offset, 0);
        needAddress = true;
        return;
      }
      int kind = end & A64.KIND_MASK;
      long next = blocks.nextPc(slot);
      hold(T_RANGE, start, next, n, packLast(lastKind(kind), taken), offset);
      if (!taken) {
        if (kind == A64.DIRECT) {
          holdError(offset, index, String.format(
              "N atom on the unconditional branch at 0x%x: the image does not match the trace",
              blocks.lastPc(slot)));
          needAddress = true;
          return;
        }
        pc = next;
        return;
      }
      switch (kind) {
        case A64.DIRECT, A64.COND -> pc = blocks.target(slot);
        case A64.INDIRECT, A64.RETURN, A64.ERET -> needAddress = true;
        default -> pc = next; // ISB, WFx
      }
      return;
    }
  }

  private static int lastKind(int a64Kind) {
    return a64Kind <= A64.ISB ? a64Kind : FlowSink.LAST_OTHER; // the codes coincide by design
  }

  private static long packLast(int lastKind, boolean taken) {
    return lastKind | (taken ? 1 << 8 : 0);
  }

  @Override
  public void exception(long offset, long index, int type, int addressInfo, boolean faultPending) {
    if (sync != Sync.SYNCED) {
      return;
    }
    if (exceptionPending) {
      holdError(offset, index, "exception packet while the previous one still waits for its address");
      loseSync(FlowSink.GAP_ERROR, offset);
      return;
    }
    exceptionPending = true;
    exceptionType = type;
    exceptionAddressInfo = addressInfo;
    exceptionOffset = offset;
    exceptionIndex = index;
  }

  /** The address after an Exception packet: instructions up to it ran, then the exception. */
  private void completeException(long ret, long offset) {
    exceptionPending = false;
    if (exceptionAddressInfo == 2) {
      // the return address is also the target of the previous P0 element: nothing ran since
      setPc(ret);
    } else if (!needAddress && !needContext && pc != ret) {
      walkToAddress(ret);
    }
    hold(T_EXCEPTION, exceptionType, ret, exceptionOffset, 0);
    pc = ret;
    needAddress = true; // execution continues at the vector, given by the next address packet
  }

  /** OpenCSD walks linearly (not following branches) from pc to the return address. */
  private void walkToAddress(long ret) {
    long distance = ret - pc;
    if (distance <= 0 || distance > MAX_EXCEPTION_WALK || (distance & 3) != 0) {
      holdError(exceptionOffset, exceptionIndex, String.format(
          "exception return address 0x%x cannot be reached from pc 0x%x", ret, pc));
      return;
    }
    long start = pc;
    int n = 0;
    int lastCls = A64.OTHER;
    long waypointAt = -1;
    for (long at = start; at != ret; at += 4) {
      long w = blocks.image().read32(at, version);
      if (w == MemoryImage.NOT_MAPPED) {
        if (n > 0) {
          hold(T_RANGE, start, at, n, packLast(lastKind(lastCls & A64.KIND_MASK), true),
              exceptionOffset);
        }
        hold(T_GAP, FlowSink.GAP_NACC, at, exceptionOffset, 0);
        return;
      }
      lastCls = A64.classify((int) w);
      if (waypointAt < 0 && at + 4 != ret
          && A64.isWaypoint(lastCls, blocks.pauthBranches(), blocks.wfxWaypoints())) {
        waypointAt = at;
      }
      n++;
    }
    hold(T_RANGE, start, ret, n, packLast(lastKind(lastCls & A64.KIND_MASK), true),
        exceptionOffset);
    if (waypointAt >= 0) {
      holdError(exceptionOffset, exceptionIndex, String.format(
          "exception return address 0x%x lies past the waypoint at 0x%x that had no atom",
          ret, waypointAt));
    }
  }

  @Override
  public void exceptionReturn(long offset, long index) {
    if (sync == Sync.SYNCED) {
      hold(T_ERET, offset, 0, 0, 0);
    }
  }

  @Override
  public void traceOn(long offset, long index) {}

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
    unsupported(offset, index, "cancel packet (speculative trace is not supported)");
  }

  @Override
  public void mispredict(long offset, long index, int atomBits, int atomCount) {
    unsupported(offset, index, "mispredict packet (speculative trace is not supported)");
  }

  @Override
  public void q(long offset, long index, int type, int count, AddressForm form, long address) {
    unsupported(offset, index, "Q packet (not supported)");
  }

  private void unsupported(long offset, long index, String what) {
    if (sync == Sync.NO_SYNC) {
      return;
    }
    holdError(offset, index, what);
    loseSync(FlowSink.GAP_ERROR, offset);
  }

  @Override
  public void event(long offset, long index, int mask) {}

  @Override
  public void ignore(long offset, long index) {}

  @Override
  public void timestampMarker(long offset, long index) {}

  // ---------------------------------------------------------------- holding and delivery

  private void reportDropped() {
    if (droppedAtoms > 0) {
      holdError(droppedOffset, droppedIndex, String.format(
          "%d atom(s) dropped: no address or context known yet", droppedAtoms));
      droppedAtoms = 0;
    }
  }

  private void holdError(long offset, long index, String message) {
    heldMessages.add(message);
    hold(T_ERROR, offset, index, heldMessages.size() - 1, 0, 0);
  }

  private void hold(int type, long a, long b, long c, long d) {
    hold(type, a, b, c, d, 0);
  }

  private void hold(int type, long a, long b, long c, long d, long e) {
    if (heldCount == MAX_HELD) {
      flush(FlowSink.NO_TIME);
    }
    int i = heldCount * STRIDE;
    if (i + STRIDE > held.length) {
      held = Arrays.copyOf(held, held.length * 2);
    }
    held[i] = type;
    held[i + 1] = a;
    held[i + 2] = b;
    held[i + 3] = c;
    held[i + 4] = d;
    held[i + 5] = e;
    heldCount++;
  }

  private void flush(long timeTo) {
    for (int k = 0; k < heldCount; k++) {
      int i = k * STRIDE;
      long a = held[i + 1];
      long b = held[i + 2];
      long c = held[i + 3];
      long d = held[i + 4];
      long e = held[i + 5];
      switch ((int) held[i]) {
        case T_RANGE -> sink.range(cpu, a, b, (int) c, (int) (d & 0xFF), (d & (1 << 8)) != 0,
            timeFrom, timeTo, FlowSink.FLAG_NONE, e);
        case T_EXCEPTION -> sink.exception(cpu, (int) a, b, timeFrom, timeTo, c);
        case T_ERET -> sink.exceptionReturn(cpu, timeFrom, timeTo, a);
        case T_CONTEXT -> sink.context(cpu, (int) (a & 0xFF), (a & (1 << 8)) != 0,
            (a & (1 << 9)) != 0, b, (int) c, d);
        case T_GAP -> sink.gap(cpu, (int) a, b, c);
        case T_ERROR -> sink.error(cpu, a, b, heldMessages.get((int) c));
        default -> throw new IllegalStateException("held element type " + held[i]);
      }
    }
    heldCount = 0;
    heldMessages.clear();
  }
}
