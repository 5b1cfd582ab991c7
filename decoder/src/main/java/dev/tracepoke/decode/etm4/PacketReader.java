package dev.tracepoke.decode.etm4;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns the byte stream of one ETMv4 trace source into packets, pushed to a {@link PacketSink}.
 *
 * <p>Streaming: feed the stream in chunks of any size with {@link #push}, then call {@link
 * #finish()}. A packet cut by a chunk boundary is carried over (a few bytes copied) and completed by
 * the next chunk, so the packets and offsets do not depend on how the stream was split.
 *
 * <p>Dispatch is a 256-entry table of packet kinds built from the {@link Etm4Config}, so a header
 * that this configuration cannot produce is simply a table entry that reports an error. The reader
 * keeps the state packets are relative to: the 3-entry address history, the current context, the
 * running timestamp and the cycle-count threshold of the last Trace Info. It follows OpenCSD
 * 1.3.3's packet processor in every observable detail (where unsynchronised data ends, how a
 * 32-bit address is completed, which headers are errors), so its packet list can be compared with
 * {@code trc_pkt_lister}'s.
 *
 * <p>Nothing is allocated per packet. Not thread-safe: one reader per trace source.
 */
public final class PacketReader {

  // Packet kinds of the header table.
  private static final byte K_RESERVED = 0;
  private static final byte K_NOT_IN_CONFIG = 1;
  private static final byte K_INVALID_CFG = 2;
  private static final byte K_EXTENSION = 3;
  private static final byte K_TRACE_INFO = 4;
  private static final byte K_TIMESTAMP = 5;
  private static final byte K_TRACE_ON = 6;
  private static final byte K_EXCEPTION = 8;
  private static final byte K_EXCEPTION_RETURN = 9;
  private static final byte K_CCNT_F1 = 10;
  private static final byte K_CCNT_F2 = 11;
  private static final byte K_CCNT_F3 = 12;
  private static final byte K_COMMIT = 13;
  private static final byte K_CANCEL_F1 = 14;
  private static final byte K_MISPREDICT = 15;
  private static final byte K_CANCEL_F2 = 16;
  private static final byte K_CANCEL_F3 = 17;
  private static final byte K_IGNORE = 18;
  private static final byte K_EVENT = 19;
  private static final byte K_CONTEXT = 20;
  private static final byte K_ADDR_CTXT_32 = 21;
  private static final byte K_ADDR_CTXT_64 = 22;
  private static final byte K_TS_MARKER = 23;
  private static final byte K_EXACT_MATCH = 24;
  private static final byte K_SHORT = 25;
  private static final byte K_LONG_32 = 26;
  private static final byte K_LONG_64 = 27;
  private static final byte K_Q = 28;
  private static final byte K_ATOM_F1 = 29;
  private static final byte K_ATOM_F2 = 30;
  private static final byte K_ATOM_F3 = 31;
  private static final byte K_ATOM_F4 = 32;
  private static final byte K_ATOM_F5 = 33;
  private static final byte K_ATOM_F6 = 34;
  // ETE (trace architecture 5 from TRCDEVARCH).
  private static final byte K_TRANS_START = 35;
  private static final byte K_TRANS_COMMIT = 36;
  private static final byte K_SRC_EXACT_MATCH = 37;
  private static final byte K_SRC_SHORT = 38;
  private static final byte K_SRC_LONG_32 = 39;
  private static final byte K_SRC_LONG_64 = 40;

  /** Format 4 atom patterns by header bits [1:0], a nibble each, oldest atom in bit 0: NEEE, NNNN, NENE, ENEN. */
  private static final int F4_PATTERNS = 0x5A0E;

  /**
   * Atom packets by header - 0xC0: format in bits [31:29], count in [28:24], pattern in [23:0]
   * (what {@link #atomPacket} decodes).
   */
  private static final int[] ATOMS = new int[64];

  static {
    for (int h = 0xC0; h <= 0xFF; h++) {
      ATOMS[h - 0xC0] = atomPacket(h);
    }
  }

  // Sub-states while not synchronised, mirroring OpenCSD's so unsynced data ends where it does.
  private static final int US_GARBAGE = 0;
  private static final int US_EXTENSION = 1;
  private static final int US_ASYNC = 2;

  private final Etm4Config config;
  private final PacketSink sink;
  private final byte[] table = new byte[256];
  private final int vmidBytes;
  private final int cidBytes;
  private final long ccMask;
  private final boolean commitOpt;
  private final int maxSpec;
  /** ETE's exception packet: TYPE 0 (PE reset) and 0x18 (transaction failure) are 3 bytes. */
  private final boolean eteExceptions;

  /** Stream offset of the next byte {@link #push} will receive. */
  private long streamOffset;
  /** Packets delivered so far. */
  private long index;

  /** Copy buffer for direct ByteBuffers, allocated on first use. */
  private byte[] scratch;

  // A packet cut by a chunk boundary: its bytes so far and the stream offset of its header.
  private byte[] carry = new byte[64];
  private int carryLen;
  private long carryOffset;

  // Synchronisation.
  private boolean synced;
  private boolean notSyncReported;
  private int usState;
  private boolean usAsyncType;
  private int usLen;
  private long usStart;

  // Address history: entry 0 is the most recent; ISA and known-bit count per entry. Fields, not
  // arrays: every address packet shifts it, and arrays cost a load and a bounds check per move.
  private long histAddr0;
  private long histAddr1;
  private long histAddr2;
  private int histBits0;
  private int histBits1;
  private int histBits2;
  private int histIsa0;
  private int histIsa1;
  private int histIsa2;
  private long addr;
  private int addrBits;
  private int addrIsa;

  // Context.
  private boolean contextValid;
  private int el;
  private boolean sf;
  private boolean ns;
  private int vmid;
  private int contextId;

  // Timestamp and Trace Info state.
  private long timestamp;
  private boolean timestampValid;
  private boolean seenTraceInfo;
  private int ccThreshold;

  /**
   * @param config the trace unit's registers; decides which headers are valid and field widths
   * @param sink receives the packets
   */
  public PacketReader(Etm4Config config, PacketSink sink) {
    this.config = Objects.requireNonNull(config, "config");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.vmidBytes = config.vmidBits() / 8;
    this.cidBytes = config.contextIdBits() / 8;
    this.ccMask = (1L << config.cycleCountBits()) - 1;
    this.commitOpt = config.commitOpt();
    this.maxSpec = config.maxSpeculationDepth();
    this.eteExceptions = config.majorVersion() >= 5;
    buildTable();
    resetState();
  }

  /** The configuration this reader was built from. */
  public Etm4Config config() {
    return config;
  }

  /** Stream offset of the next byte to be pushed (= bytes pushed so far). */
  public long offset() {
    return streamOffset;
  }

  /** Number of packets delivered so far. */
  public long packets() {
    return index;
  }

  /**
   * Starts a new trace session at the current offset (e.g. after a CoreSight 4×FSYNC barrier):
   * unsynchronised, address history, context and timestamp cleared, any partial packet dropped.
   */
  public void reset() {
    carryLen = 0;
    resetState();
  }

  private void resetState() {
    synced = false;
    notSyncReported = false;
    usState = US_GARBAGE;
    usAsyncType = false;
    usLen = 0;
    usStart = streamOffset;
    // OpenCSD's start state: current address 0 with no bits known; the history itself starts as
    // 64-bit zeros (the value a Trace Info also restores).
    clearHistory();
    addr = 0;
    addrBits = 0;
    addrIsa = 0;
    contextValid = false;
    el = 0;
    sf = false;
    ns = false;
    vmid = 0;
    contextId = 0;
    timestamp = 0;
    timestampValid = false;
    seenTraceInfo = false;
    ccThreshold = 0;
  }

  private void buildTable() {
    byte[] t = table;
    Arrays.fill(t, K_RESERVED);
    int version = config.fullVersion();
    t[0x00] = K_EXTENSION;
    t[0x01] = K_TRACE_INFO;
    t[0x02] = K_TIMESTAMP;
    t[0x03] = K_TIMESTAMP;
    t[0x04] = K_TRACE_ON;
    // Function Return exists only on v8-M, which this reader is never configured for.
    t[0x05] = K_NOT_IN_CONFIG;
    t[0x06] = K_EXCEPTION;
    t[0x07] = K_EXCEPTION_RETURN;
    // ETE-only: commit window, transaction start/commit, source addresses.
    t[0x09] = K_NOT_IN_CONFIG;
    t[0x0A] = K_NOT_IN_CONFIG;
    t[0x0B] = K_NOT_IN_CONFIG;
    t[0x0C] = K_CCNT_F2;
    t[0x0D] = K_CCNT_F2;
    t[0x0E] = K_CCNT_F1;
    t[0x0F] = K_CCNT_F1;
    for (int h = 0x10; h <= 0x1F; h++) {
      t[h] = K_CCNT_F3;
    }
    // Data-synchronisation markers exist only with data trace, which OpenCSD never enables.
    for (int h = 0x20; h <= 0x2C; h++) {
      t[h] = K_INVALID_CFG;
    }
    t[0x2D] = K_COMMIT;
    t[0x2E] = K_CANCEL_F1;
    t[0x2F] = K_CANCEL_F1;
    for (int h = 0x30; h <= 0x33; h++) {
      t[h] = K_MISPREDICT;
    }
    for (int h = 0x34; h <= 0x37; h++) {
      t[h] = K_CANCEL_F2;
    }
    for (int h = 0x38; h <= 0x3F; h++) {
      t[h] = K_CANCEL_F3;
    }
    // Conditional instruction/result packets: recognised, never decodable here.
    for (int h = 0x40; h <= 0x6F; h++) {
      boolean reserved = h == 0x47 || h == 0x4B || h == 0x4F || (h >= 0x60 && h <= 0x67);
      t[h] = reserved ? K_RESERVED : K_INVALID_CFG;
    }
    t[0x70] = version >= 0x43 ? K_IGNORE : K_NOT_IN_CONFIG;
    for (int h = 0x71; h <= 0x7F; h++) {
      t[h] = K_EVENT;
    }
    t[0x80] = K_CONTEXT;
    t[0x81] = K_CONTEXT;
    t[0x82] = K_ADDR_CTXT_32;
    t[0x83] = K_ADDR_CTXT_32;
    t[0x85] = K_ADDR_CTXT_64;
    t[0x86] = K_ADDR_CTXT_64;
    t[0x88] = version >= 0x46 ? K_TS_MARKER : K_NOT_IN_CONFIG;
    t[0x90] = K_EXACT_MATCH;
    t[0x91] = K_EXACT_MATCH;
    t[0x92] = K_EXACT_MATCH;
    t[0x95] = K_SHORT;
    t[0x96] = K_SHORT;
    t[0x9A] = K_LONG_32;
    t[0x9B] = K_LONG_32;
    t[0x9D] = K_LONG_64;
    t[0x9E] = K_LONG_64;
    for (int q = 0; q < 16; q++) {
      boolean reservedType = q == 3 || q == 4 || q == 7 || q == 8 || q == 9 || q == 0xD || q == 0xE;
      if (!reservedType) {
        t[0xA0 + q] = config.qSupported() ? K_Q : K_NOT_IN_CONFIG;
      }
    }
    for (int h = 0xB0; h <= 0xB9; h++) {
      if (h != 0xB3) {
        t[h] = K_NOT_IN_CONFIG;
      }
    }
    for (int h = 0xC0; h <= 0xD4; h++) {
      t[h] = K_ATOM_F6;
    }
    for (int h = 0xE0; h <= 0xF4; h++) {
      t[h] = K_ATOM_F6;
    }
    t[0xD5] = K_ATOM_F5;
    t[0xD6] = K_ATOM_F5;
    t[0xD7] = K_ATOM_F5;
    t[0xF5] = K_ATOM_F5;
    for (int h = 0xD8; h <= 0xDB; h++) {
      t[h] = K_ATOM_F2;
    }
    for (int h = 0xDC; h <= 0xDF; h++) {
      t[h] = K_ATOM_F4;
    }
    t[0xF6] = K_ATOM_F1;
    t[0xF7] = K_ATOM_F1;
    for (int h = 0xF8; h <= 0xFF; h++) {
      t[h] = K_ATOM_F3;
    }
    eteTable(t, version);
  }

  /** ETE's changes to the table (OpenCSD 1.3.3: from trace architecture 5, source addresses from 5.0). */
  private void eteTable(byte[] t, int version) {
    if (config.majorVersion() >= 5) {
      // no Exception Return packet: the decoder infers it from the ERET instruction
      t[0x07] = K_INVALID_CFG;
      t[0x0A] = K_TRANS_START;
      t[0x0B] = K_TRANS_COMMIT;
    }
    if (version >= 0x50) {
      t[0xB0] = K_SRC_EXACT_MATCH;
      t[0xB1] = K_SRC_EXACT_MATCH;
      t[0xB2] = K_SRC_EXACT_MATCH;
      t[0xB4] = K_SRC_SHORT;
      t[0xB5] = K_SRC_SHORT;
      t[0xB6] = K_SRC_LONG_32;
      t[0xB7] = K_SRC_LONG_32;
      t[0xB8] = K_SRC_LONG_64;
      t[0xB9] = K_SRC_LONG_64;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Input

  /** Consumes {@code len} bytes of the stream from {@code buf[off]}. */
  public void push(byte[] buf, int off, int len) {
    Objects.checkFromIndexSize(off, len, buf.length);
    int end = off + len;
    long base = streamOffset - off; // stream offset of buf[0]
    int p = off;
    if (carryLen > 0) {
      p = resumeCarry(buf, p, end);
    }
    while (p < end) {
      if (!synced) {
        p = unsynced(buf, p, end, base);
        continue;
      }
      p = common(buf, p, end, base);
      if (p == end || !synced) {
        continue;
      }
      int n = packet(buf, p, end, base + p);
      if (n < 0) {
        startCarry(buf, p, end, base + p);
        break;
      }
      p += n;
    }
    streamOffset += len;
  }

  /**
   * Delivers packets from {@code b[p]} on while they are atoms or whole short IS0, exact-match or
   * 32-bit addresses (nearly all of a trace) and the reader stays synchronised (a sink may reset
   * it); returns where it stopped: {@code end}, or a header for {@link #packet}. The loop makes no
   * call but the sink's: C2 saves every live value around a call it does not inline (packet is too
   * big to), and with push inlined into a caller's own loop those saves landed on the atom path
   * (bench packets: ~530 MB/s down to ~360 MB/s).
   */
  private int common(byte[] b, int p, int end, long base) {
    while (p < end && synced) {
      int h = b[p] & 0xFF;
      if (h >= 0xC0) {
        // Every header from C0 up is a one-byte atom packet (formats 1-6): decode it from a table,
        // without the general dispatch.
        int a = ATOMS[h - 0xC0];
        sink.atoms(base + p, index++, a >>> 29, a & 0xFFFFFF, (a >>> 24) & 0x1F);
        p++;
      } else if (h == 0x95 && end - p >= 3) {
        // cut packets are left to packet, which carries them over
        p += shortAddress(b, p, end, base + p, h);
      } else if (h >= 0x90 && h <= 0x92) {
        exactMatchAddress(base + p, h);
        p++;
      } else if ((h == 0x9A || h == 0x9B) && end - p >= 5) {
        long32Address(b, p, base + p, h);
        p += 5;
      } else {
        break;
      }
    }
    return p;
  }

  /** Consumes all remaining bytes of {@code buf}. */
  public void push(byte[] buf) {
    push(buf, 0, buf.length);
  }

  /**
   * Consumes the remaining bytes of {@code buf} (position to limit) and advances its position. A
   * heap buffer is read in place; a direct one is copied through a scratch array in 64 KiB steps.
   */
  public void push(ByteBuffer buf) {
    int n = buf.remaining();
    if (buf.hasArray()) {
      push(buf.array(), buf.arrayOffset() + buf.position(), n);
      buf.position(buf.limit());
      return;
    }
    if (scratch == null) {
      scratch = new byte[1 << 16];
    }
    while (buf.hasRemaining()) {
      int k = Math.min(scratch.length, buf.remaining());
      buf.get(scratch, 0, k);
      push(scratch, 0, k);
    }
  }

  /**
   * Declares the end of the stream: a packet still incomplete is reported as {@link
   * PacketError#INCOMPLETE_AT_END} (or {@link PacketError#UNSYNCED_AT_END}), then {@link
   * PacketSink#end} is called.
   */
  public void finish() {
    if (carryLen > 0) {
      sink.error(carryOffset, index++, carry[0] & 0xFF, carryLen, PacketError.INCOMPLETE_AT_END);
      carryLen = 0;
    } else if (!synced && usLen > 0) {
      if (usAsyncType) {
        sink.error(usStart, index++, 0, usLen, PacketError.INCOMPLETE_AT_END);
      } else {
        sink.error(usStart, index++, -1, usLen, PacketError.UNSYNCED_AT_END);
      }
      usLen = 0;
    }
    sink.end(streamOffset, index);
  }

  private void startCarry(byte[] buf, int p, int end, long offset) {
    int n = end - p;
    if (n > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(n, 2 * carry.length));
    }
    System.arraycopy(buf, p, carry, 0, n);
    carryLen = n;
    carryOffset = offset;
  }

  /** Completes a carried packet with bytes from buf; returns the position after what it used. */
  private int resumeCarry(byte[] buf, int p, int end) {
    // Add bytes one at a time: packets are short, and this runs once per chunk boundary at most.
    while (p < end) {
      if (carryLen == carry.length) {
        carry = Arrays.copyOf(carry, 2 * carry.length);
      }
      carry[carryLen++] = buf[p++];
      int n = packet(carry, 0, carryLen, carryOffset);
      if (n >= 0) {
        // Bytes are added one at a time, so the packet ends at the last one: n == carryLen.
        carryLen = 0;
        return p;
      }
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // Unsynchronised data: OpenCSD's rules, byte by byte, until an A-sync.

  private int unsynced(byte[] buf, int p, int end, long base) {
    while (p < end) {
      int b = buf[p] & 0xFF;
      long pos = base + p;
      p++;
      usLen++;
      switch (usState) {
        case US_GARBAGE -> {
          if (b == 0) {
            if (usLen > 1) {
              skipped();
              usLen = 1;
            }
            usStart = pos;
            usState = US_EXTENSION;
          } else if (usLen >= 8) {
            skipped();
            usLen = 0;
            usStart = pos + 1;
          }
        }
        case US_EXTENSION -> {
          if (b == 0) {
            usState = US_ASYNC;
            usAsyncType = true;
          } else {
            usState = US_GARBAGE;
          }
        }
        default -> { // US_ASYNC
          if (b != 0) {
            if (usLen != 12) {
              usState = US_GARBAGE;
              usAsyncType = false;
            } else {
              if (b == 0x80) {
                synced = true;
                sink.async(usStart, index++);
              } else {
                sink.error(usStart, index++, 0, 12, PacketError.BAD_ASYNC);
              }
              usState = US_GARBAGE;
              usAsyncType = false;
              usLen = 0;
              usStart = pos + 1;
              if (synced) {
                return p;
              }
            }
          } else if (usLen == 12) {
            // A thirteenth zero: the first one was not part of the A-sync; the A-sync keeps the
            // offset of the first zero of the run, as OpenCSD reports it.
            notSyncReported = true; // OpenCSD's NOT_SYNC report is used up by this (see skipped)
            usLen = 11;
          }
        }
      }
    }
    return p;
  }

  private void skipped() {
    if (!notSyncReported) {
      notSyncReported = true;
      sink.notSync(usStart, index++);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Synchronised: one packet per call.

  /**
   * Reads the packet whose header is {@code b[p]} and delivers it. Returns its length, or -1 if
   * {@code b[p..end)} holds only part of it (nothing is delivered or changed then).
   */
  private int packet(byte[] b, int p, int end, long off) {
    int h = b[p] & 0xFF;
    switch (table[h]) {
      case K_ATOM_F1, K_ATOM_F2, K_ATOM_F3, K_ATOM_F4, K_ATOM_F5, K_ATOM_F6 -> {
        int a = ATOMS[h - 0xC0];
        sink.atoms(off, index++, a >>> 29, a & 0xFFFFFF, (a >>> 24) & 0x1F);
        return 1;
      }
      case K_SHORT -> {
        return shortAddress(b, p, end, off, h);
      }
      case K_LONG_32 -> {
        if (end - p < 5) {
          return -1;
        }
        long32Address(b, p, off, h);
        return 5;
      }
      case K_LONG_64 -> {
        if (end - p < 9) {
          return -1;
        }
        int isa = h == 0x9E ? 1 : 0;
        setAddress64(long64(b, p + 1, isa), isa);
        sink.address(off, index++, addr, isa, AddressForm.LONG_64, -1, addrBits);
        return 9;
      }
      case K_EXACT_MATCH -> {
        exactMatchAddress(off, h);
        return 1;
      }
      case K_ADDR_CTXT_32, K_ADDR_CTXT_64 -> {
        return addressWithContext(b, p, end, off, h);
      }
      case K_CONTEXT -> {
        return context(b, p, end, off, h);
      }
      case K_TIMESTAMP -> {
        return timestamp(b, p, end, off, h);
      }
      case K_EXCEPTION -> {
        if (end - p < 2) {
          return -1;
        }
        int b1 = b[p + 1] & 0xFF;
        int n = (b1 & 0x80) != 0 ? 3 : 2;
        if (eteExceptions) {
          int t1 = (b1 >>> 1) & 0x1F;
          if (t1 == 0 || t1 == 0x18) {
            n = 3;
          }
        }
        if (end - p < n) {
          return -1;
        }
        int type = (b1 >>> 1) & 0x1F;
        boolean pending = false;
        if (n == 3) {
          int b2 = b[p + 2] & 0xFF;
          type |= (b2 & 0x1F) << 5;
          pending = ((b2 >>> 5) & 1) != 0;
        }
        int info = ((b1 & 0x40) >>> 5) | (b1 & 1);
        if (eteExceptions && (type == 0 || type == 0x18)) {
          // OpenCSD gives these packets address 0, which enters the address history
          setAddress64(0, 0);
          if (type == 0) {
            sink.peReset(off, index++);
          } else {
            sink.transactionFail(off, index++);
          }
          return n;
        }
        sink.exception(off, index++, type, info, pending);
        return n;
      }
      case K_TRANS_START -> {
        sink.transactionStart(off, index++);
        return 1;
      }
      case K_TRANS_COMMIT -> {
        sink.transactionCommit(off, index++);
        return 1;
      }
      case K_SRC_EXACT_MATCH -> {
        int entry = h & 3;
        exactMatch(entry);
        sink.sourceAddress(off, index++, addr, addrIsa, AddressForm.EXACT_MATCH, entry, addrBits);
        return 1;
      }
      case K_SRC_SHORT -> {
        return sourceShortAddress(b, p, end, off, h);
      }
      case K_SRC_LONG_32 -> {
        if (end - p < 5) {
          return -1;
        }
        int isa = h & 1;
        setAddress32(long32(b, p + 1, isa), isa);
        sink.sourceAddress(off, index++, addr, isa, AddressForm.LONG_32, -1, addrBits);
        return 5;
      }
      case K_SRC_LONG_64 -> {
        if (end - p < 9) {
          return -1;
        }
        int isa = h & 1;
        setAddress64(long64(b, p + 1, isa), isa);
        sink.sourceAddress(off, index++, addr, isa, AddressForm.LONG_64, -1, addrBits);
        return 9;
      }
      case K_EXCEPTION_RETURN -> {
        sink.exceptionReturn(off, index++);
        return 1;
      }
      case K_TRACE_ON -> {
        sink.traceOn(off, index++);
        return 1;
      }
      case K_TRACE_INFO -> {
        return traceInfo(b, p, end, off);
      }
      case K_EXTENSION -> {
        return extension(b, p, end, off);
      }
      case K_EVENT -> {
        sink.event(off, index++, h & 0xF);
        return 1;
      }
      case K_IGNORE -> {
        sink.ignore(off, index++);
        return 1;
      }
      case K_TS_MARKER -> {
        sink.timestampMarker(off, index++);
        return 1;
      }
      case K_CCNT_F1 -> {
        return cycleCountF1(b, p, end, off, h);
      }
      case K_CCNT_F2 -> {
        if (end - p < 2) {
          return -1;
        }
        int b1 = b[p + 1] & 0xFF;
        // The F bit of the header selects the commit offset (ETMv4 spec; OpenCSD 1.3.3 tests bit 0
        // of the payload instead, which only changes the commit count, never the listing).
        int commit = ((b1 >>> 4) & 0xF) + ((h & 1) != 0 ? maxSpec - 15 : 1);
        sink.cycleCount(off, index++, 2, ccThreshold + (b1 & 0xF), true, commitOpt ? -1 : commit);
        return 2;
      }
      case K_CCNT_F3 -> {
        int commit = commitOpt ? -1 : ((h >>> 2) & 3) + 1;
        sink.cycleCount(off, index++, 3, ccThreshold + (h & 3), true, commit);
        return 1;
      }
      case K_COMMIT, K_CANCEL_F1 -> {
        int n = contLength(b, p + 1, end);
        if (n < 0) {
          return -1;
        }
        int count = contValue(b, p + 1, p + 1 + n, 5);
        if (h == 0x2D) {
          sink.commit(off, index++, count);
        } else {
          sink.cancel(off, index++, 1, count, h == 0x2F, 0, 0);
        }
        return 1 + n;
      }
      case K_MISPREDICT -> {
        sink.mispredict(off, index++, speculationAtomBits(h), speculationAtomCount(h));
        return 1;
      }
      case K_CANCEL_F2 -> {
        sink.cancel(off, index++, 2, 1, true, speculationAtomBits(h), speculationAtomCount(h));
        return 1;
      }
      case K_CANCEL_F3 -> {
        sink.cancel(off, index++, 3, ((h >>> 1) & 3) + 2, true, h & 1, h & 1);
        return 1;
      }
      case K_Q -> {
        return q(b, p, end, off, h);
      }
      case K_INVALID_CFG -> {
        sink.error(off, index++, h, 1, PacketError.NOT_VALID_FOR_CONFIG);
        return 1;
      }
      case K_NOT_IN_CONFIG -> {
        sink.error(off, index++, h, 1, PacketError.NOT_IN_CONFIG);
        return 1;
      }
      default -> {
        sink.error(off, index++, h, 1, PacketError.RESERVED_HEADER);
        return 1;
      }
    }
  }

  /** The atom packet with header {@code h} (C0-FF), packed as in {@link #ATOMS}. */
  private static int atomPacket(int h) {
    int format;
    int bits;
    int count;
    if (h == 0xF6 || h == 0xF7) {
      format = 1;
      bits = h & 1;
      count = 1;
    } else if (h >= 0xD8 && h <= 0xDB) {
      format = 2;
      bits = h & 3;
      count = 2;
    } else if (h >= 0xF8) {
      format = 3;
      bits = h & 7;
      count = 3;
    } else if (h >= 0xDC && h <= 0xDF) {
      format = 4;
      bits = (F4_PATTERNS >>> ((h & 3) << 2)) & 0xF;
      count = 4;
    } else if (h == 0xD5 || h == 0xD6 || h == 0xD7 || h == 0xF5) {
      format = 5;
      bits = switch (((h >>> 3) & 4) | (h & 3)) {
        case 5 -> 0x1E; // NEEEE
        case 2 -> 0x0A; // NENEN
        case 3 -> 0x15; // ENENE
        default -> 0x00; // NNNNN
      };
      count = 5;
    } else {
      format = 6;
      int es = (h & 0x1F) + 3;
      bits = (1 << es) - 1;
      if ((h & 0x20) == 0) {
        bits |= 1 << es;
      }
      count = es + 1;
    }
    return format << 29 | count << 24 | bits;
  }

  /** Atoms added by mispredict / cancel format 2: bits[1:0] 01 = E, 10 = EE, 11 = N. */
  private static int speculationAtomBits(int h) {
    return switch (h & 3) {
      case 1 -> 1;
      case 2 -> 3;
      default -> 0;
    };
  }

  private static int speculationAtomCount(int h) {
    return switch (h & 3) {
      case 1, 3 -> 1;
      case 2 -> 2;
      default -> 0;
    };
  }

  private int extension(byte[] b, int p, int end, long off) {
    if (end - p < 2) {
      return -1;
    }
    int b1 = b[p + 1] & 0xFF;
    switch (b1) {
      case 0x03 -> {
        sink.discard(off, index++);
        return 2;
      }
      case 0x05 -> {
        sink.overflow(off, index++);
        return 2;
      }
      case 0x00 -> {
        // A-sync: eleven zeros then 80; anything else ends it as a bad sequence.
        for (int i = p + 2; ; i++) {
          if (i >= end) {
            return -1;
          }
          int v = b[i] & 0xFF;
          int len = i - p + 1;
          if (v != 0) {
            if (len == 12 && v == 0x80) {
              sink.async(off, index++);
            } else {
              sink.error(off, index++, 0, len, PacketError.BAD_ASYNC);
            }
            return len;
          }
          if (len == 12) {
            sink.error(off, index++, 0, 12, PacketError.BAD_ASYNC);
            return 12;
          }
        }
      }
      default -> {
        sink.error(off, index++, 0, 2, PacketError.BAD_EXTENSION);
        return 2;
      }
    }
  }

  private int traceInfo(byte[] b, int p, int end, long off) {
    int i = p + 1;
    if (i >= end) {
      return -1;
    }
    int plctl = b[i] & 0xFF;
    // Further control bytes follow while bit 7 is set.
    int last = plctl;
    i++;
    while ((last & 0x80) != 0) {
      if (i >= end) {
        return -1;
      }
      last = b[i++] & 0xFF;
    }
    int ctrlEnd = i;
    // Sections INFO, KEY, SPEC, CYCT and (ETE's) WNDW, in that order; OpenCSD 1.3.3 reads all five.
    int sections = plctl & 0x1F;
    for (int s = 0; s < 5; s++) {
      if ((sections & (1 << s)) != 0) {
        int n = contLength(b, i, end);
        if (n < 0) {
          return -1;
        }
        i += n;
      }
    }
    int len = i - p;
    // Values: each present section in order, a continuation field of at most 5 bytes.
    int info = 0;
    int key = 0;
    int spec = 0;
    int cyct = 0;
    int j = ctrlEnd;
    for (int s = 0; s < 4; s++) {
      if ((sections & (1 << s)) != 0 && j < i) {
        int n = contLengthLimited(b, j, i, 5);
        int v = contValue(b, j, j + n, 5);
        j += n;
        switch (s) {
          case 0 -> info = v;
          case 1 -> key = v;
          case 2 -> spec = v;
          default -> cyct = v;
        }
      }
    }
    // A Trace Info restarts address history and timestamp compression.
    timestampValid = false;
    seenTraceInfo = true;
    ccThreshold = cyct;
    clearHistory();
    addr = 0;
    addrBits = 64;
    addrIsa = 0;
    sink.traceInfo(off, index++, sections, info, key, spec, cyct);
    return len;
  }

  private int timestamp(byte[] b, int p, int end, long off, int h) {
    int i = p + 1;
    int tsBytes = 0;
    while (true) {
      if (i >= end) {
        return -1;
      }
      int v = b[i++] & 0xFF;
      tsBytes++;
      if (tsBytes == 9 || (v & 0x80) == 0) {
        break;
      }
    }
    int ccStart = i;
    boolean hasCc = (h & 1) != 0;
    if (hasCc) {
      int n = contLength(b, i, end);
      if (n < 0) {
        return -1;
      }
      i += n;
    }
    long value = 0;
    for (int k = 0; k < tsBytes; k++) {
      int v = b[p + 1 + k] & 0xFF;
      value |= k < 8 ? (long) (v & 0x7F) << (7 * k) : (long) v << 56;
    }
    int bits = tsBytes < 7 ? tsBytes * 7 : 64;
    if (!timestampValid && seenTraceInfo) {
      bits = 64; // first timestamp after a Trace Info: the missing upper bits are zero
    }
    long mask = bits == 64 ? -1L : (1L << bits) - 1;
    timestamp = (timestamp & ~mask) | (value & mask);
    timestampValid = true;
    int cc = 0;
    if (hasCc) {
      cc = (int) (contValue(b, ccStart, i, 3) & ccMask);
    }
    sink.timestamp(off, index++, timestamp, bits, hasCc, cc);
    return i - p;
  }

  private int cycleCountF1(byte[] b, int p, int end, long off, int h) {
    boolean unknown = (h & 1) != 0;
    int i = p + 1;
    int commitStart = i;
    if (!commitOpt) {
      int n = contLength(b, i, end);
      if (n < 0) {
        return -1;
      }
      i += n;
    }
    int countStart = i;
    if (!unknown) {
      int n = contLength(b, i, end);
      if (n < 0) {
        return -1;
      }
      i += n;
    }
    int commit = -1;
    int j = commitStart;
    if (!commitOpt) {
      int n = contLengthLimited(b, j, i, 5);
      commit = contValue(b, j, j + n, 5);
      j += n;
    } else {
      j = countStart;
    }
    int count = 0;
    if (!unknown) {
      count = contValue(b, j, i, 3) + ccThreshold;
    }
    sink.cycleCount(off, index++, 1, count, !unknown, commit);
    return i - p;
  }

  private int context(byte[] b, int p, int end, long off, int h) {
    if (h == 0x80) {
      sink.context(off, index++, false, el, sf, ns, false, vmid, false, contextId);
      return 1;
    }
    if (end - p < 2) {
      return -1;
    }
    int info = b[p + 1] & 0xFF;
    int n = 2 + contextIdBytes(info);
    if (n == 2 && (info & 0xC0) != 0) {
      // V or C set while the ID register says the field is absent: OpenCSD 1.3.3 still takes
      // one more byte into the packet (and ignores it); we keep its packet boundaries.
      n = 3;
    }
    if (end - p < n) {
      return -1;
    }
    applyContext(b, p + 1, info);
    sink.context(
        off,
        index++,
        true,
        el,
        sf,
        ns,
        (info & 0x40) != 0 && vmidBytes > 0,
        vmid,
        (info & 0x80) != 0 && cidBytes > 0,
        contextId);
    return n;
  }

  private int addressWithContext(byte[] b, int p, int end, long off, int h) {
    boolean is64 = h >= 0x85;
    int isa = is64 ? h - 0x85 : h - 0x82;
    int addrLen = is64 ? 8 : 4;
    int infoAt = p + 1 + addrLen;
    if (infoAt >= end) {
      return -1;
    }
    int info = b[infoAt] & 0xFF;
    int n = 2 + addrLen + contextIdBytes(info);
    if (end - p < n) {
      return -1;
    }
    // The address is completed with the context in force before this packet, then the context
    // changes: OpenCSD's order, observable on a 32-bit address that switches SF.
    if (is64) {
      setAddress64(long64(b, p + 1, isa), isa);
    } else {
      setAddress32(long32(b, p + 1, isa), isa);
    }
    applyContext(b, infoAt, info);
    sink.addressWithContext(
        off,
        index++,
        addr,
        isa,
        is64 ? AddressForm.LONG_64 : AddressForm.LONG_32,
        addrBits,
        el,
        sf,
        ns,
        (info & 0x40) != 0 && vmidBytes > 0,
        vmid,
        (info & 0x80) != 0 && cidBytes > 0,
        contextId);
    return n;
  }

  private int contextIdBytes(int info) {
    return ((info & 0x40) != 0 ? vmidBytes : 0) + ((info & 0x80) != 0 ? cidBytes : 0);
  }

  /** Applies the context payload whose info byte is at {@code b[i]}. */
  private void applyContext(byte[] b, int i, int info) {
    contextValid = true;
    el = info & 3;
    sf = (info & 0x10) != 0;
    ns = (info & 0x20) != 0;
    int j = i + 1;
    if ((info & 0x40) != 0 && vmidBytes > 0) {
      vmid = littleEndian(b, j, vmidBytes);
      j += vmidBytes;
    }
    if ((info & 0x80) != 0 && cidBytes > 0) {
      contextId = littleEndian(b, j, cidBytes);
    }
  }

  private static int littleEndian(byte[] b, int i, int n) {
    int v = 0;
    for (int k = 0; k < n; k++) {
      v |= (b[i + k] & 0xFF) << (8 * k);
    }
    return v;
  }

  private int shortAddress(byte[] b, int p, int end, long off, int h) {
    if (end - p < 2) {
      return -1;
    }
    int b1 = b[p + 1] & 0xFF;
    int n = (b1 & 0x80) != 0 ? 3 : 2;
    if (end - p < n) {
      return -1;
    }
    int isa = h == 0x96 ? 1 : 0;
    updateShort(b, p + 1, isa);
    sink.address(
        off,
        index++,
        addr,
        isa,
        n == 3 ? AddressForm.SHORT_2 : AddressForm.SHORT_1,
        -1,
        addrBits);
    return n;
  }

  /** The exact-match address packet with header {@code h} (90-92). */
  private void exactMatchAddress(long off, int h) {
    int entry = h & 3;
    exactMatch(entry);
    sink.address(off, index++, addr, addrIsa, AddressForm.EXACT_MATCH, entry, addrBits);
  }

  /** The whole 32-bit address packet with header {@code h} (9A or 9B) at {@code b[p]}. */
  private void long32Address(byte[] b, int p, long off, int h) {
    int isa = h & 1;
    setAddress32(long32(b, p + 1, isa), isa);
    sink.address(off, index++, addr, isa, AddressForm.LONG_32, -1, addrBits);
  }

  private int sourceShortAddress(byte[] b, int p, int end, long off, int h) {
    if (end - p < 2) {
      return -1;
    }
    int n = (b[p + 1] & 0x80) != 0 ? 3 : 2;
    if (end - p < n) {
      return -1;
    }
    int isa = h & 1;
    updateShort(b, p + 1, isa);
    sink.sourceAddress(off, index++, addr, isa, n == 3 ? AddressForm.SHORT_2 : AddressForm.SHORT_1, -1, addrBits);
    return n;
  }

  /** Applies a short address whose first payload byte is {@code b[i]}; returns its byte count. */
  private int updateShort(byte[] b, int i, int isa) {
    int shift = isa == 0 ? 2 : 1;
    int b1 = b[i] & 0xFF;
    long value = (long) (b1 & 0x7F) << shift;
    int bits = 7 + shift;
    int n = 1;
    if ((b1 & 0x80) != 0) {
      value |= (long) (b[i + 1] & 0xFF) << (7 + shift);
      bits += 8;
      n = 2;
    }
    long mask = (1L << bits) - 1;
    addr = (addr & ~mask) | (value & mask);
    if (addrBits < bits) {
      addrBits = bits;
    }
    addrIsa = isa;
    pushHistory();
    return n;
  }

  private static long long32(byte[] b, int i, int isa) {
    long v;
    if (isa == 0) {
      v = ((long) (b[i] & 0x7F) << 2) | ((long) (b[i + 1] & 0x7F) << 9);
    } else {
      v = ((long) (b[i] & 0x7F) << 1) | ((long) (b[i + 1] & 0xFF) << 8);
    }
    return v | ((long) (b[i + 2] & 0xFF) << 16) | ((long) (b[i + 3] & 0xFF) << 24);
  }

  private static long long64(byte[] b, int i, int isa) {
    long v = long32(b, i, isa);
    for (int k = 4; k < 8; k++) {
      v |= (long) (b[i + k] & 0xFF) << (8 * k);
    }
    return v;
  }

  private void setAddress64(long value, int isa) {
    addr = value;
    addrBits = 64;
    addrIsa = isa;
    pushHistory();
  }

  /** A 32-bit address keeps the upper half only in AArch64 state (as OpenCSD completes it). */
  private void setAddress32(long value, int isa) {
    if (contextValid && sf) {
      addr = (addr & 0xFFFF_FFFF_0000_0000L) | value;
    } else {
      addr = value;
    }
    if (addrBits < 32) {
      addrBits = 32;
    }
    addrIsa = isa;
    pushHistory();
  }

  private void exactMatch(int entry) {
    switch (entry) {
      case 0 -> {
        addr = histAddr0;
        addrBits = histBits0;
        addrIsa = histIsa0;
      }
      case 1 -> {
        addr = histAddr1;
        addrBits = histBits1;
        addrIsa = histIsa1;
      }
      default -> {
        addr = histAddr2;
        addrBits = histBits2;
        addrIsa = histIsa2;
      }
    }
    pushHistory();
  }

  private void pushHistory() {
    histAddr2 = histAddr1;
    histAddr1 = histAddr0;
    histAddr0 = addr;
    histBits2 = histBits1;
    histBits1 = histBits0;
    histBits0 = addrBits;
    histIsa2 = histIsa1;
    histIsa1 = histIsa0;
    histIsa0 = addrIsa;
  }

  /** The history as a reset or a Trace Info leaves it: 64-bit zeros. */
  private void clearHistory() {
    histAddr0 = 0;
    histAddr1 = 0;
    histAddr2 = 0;
    histBits0 = 64;
    histBits1 = 64;
    histBits2 = 64;
    histIsa0 = 0;
    histIsa1 = 0;
    histIsa2 = 0;
  }

  private int q(byte[] b, int p, int end, long off, int h) {
    int type = h & 0xF;
    int i = p + 1;
    AddressForm form = null;
    boolean hasCount = type != 0xF;
    int addrStart = i;
    int isa = 0;
    switch (type) {
      case 0x5, 0x6 -> {
        if (i >= end) {
          return -1;
        }
        int n = (b[i] & 0x80) != 0 ? 2 : 1;
        if (end - i < n) {
          return -1;
        }
        i += n;
        form = n == 2 ? AddressForm.SHORT_2 : AddressForm.SHORT_1;
        isa = type == 0x6 ? 1 : 0;
      }
      case 0xA, 0xB -> {
        if (end - i < 4) {
          return -1;
        }
        i += 4;
        form = AddressForm.LONG_32;
        isa = type == 0xB ? 1 : 0;
      }
      case 0x0, 0x1, 0x2 -> form = AddressForm.EXACT_MATCH;
      default -> {
        // 0xC: count only; 0xF: nothing
      }
    }
    int countStart = i;
    if (hasCount) {
      int n = contLength(b, i, end);
      if (n < 0) {
        return -1;
      }
      i += n;
    }
    if (form == AddressForm.EXACT_MATCH) {
      exactMatch(type);
    } else if (form == AddressForm.LONG_32) {
      setAddress32(long32(b, addrStart, isa), isa);
    } else if (form != null) {
      updateShort(b, addrStart, isa);
    }
    int count = hasCount ? contValue(b, countStart, i, 5) : 0;
    sink.q(off, index++, type, count, form, form == null ? 0 : addr);
    return i - p;
  }

  // ---------------------------------------------------------------------------------------------
  // Continuation fields: 7 bits per byte, bit 7 = another byte follows.

  /** Length of the continuation field starting at b[i], or -1 if it runs past {@code end}. */
  private static int contLength(byte[] b, int i, int end) {
    for (int j = i; j < end; j++) {
      if ((b[j] & 0x80) == 0) {
        return j - i + 1;
      }
    }
    return -1;
  }

  /** Bytes a value extraction limited to {@code limit} bytes takes from b[i..end). */
  private static int contLengthLimited(byte[] b, int i, int end, int limit) {
    int n = 0;
    while (n < limit && i + n < end) {
      n++;
      if ((b[i + n - 1] & 0x80) == 0) {
        break;
      }
    }
    return n;
  }

  /** Value of the first {@code limit} bytes (at most) of the field in b[i..end), as 32 bits. */
  private static int contValue(byte[] b, int i, int end, int limit) {
    int v = 0;
    for (int k = 0; k < limit && i + k < end; k++) {
      int x = b[i + k] & 0xFF;
      v |= (x & 0x7F) << (7 * k);
      if ((x & 0x80) == 0) {
        break;
      }
    }
    return v;
  }
}
