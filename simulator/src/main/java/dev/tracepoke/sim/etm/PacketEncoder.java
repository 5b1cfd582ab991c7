package dev.tracepoke.sim.etm;

/**
 * Writes ETMv4 instruction-trace packets (A64, IS0, no cycle counts, no data trace) into a
 * {@link TraceBuffer}. The encoder also holds the state packets are compressed against, exactly as
 * a decoder rebuilds it: the three-entry address history (reset by Trace Info, pushed by every
 * address packet including exact matches) and the last timestamp value (0 after Trace Info).
 *
 * <p>Methods named after one form ({@link #shortAddress1}, {@link #longAddress64}, ...) write that
 * form; the caller vouches that it reconstructs the address. {@link #address} and
 * {@link #addressWithContext} pick the shortest correct form.
 */
public final class PacketEncoder {

  /** ETMv4 A-profile exception types (Exception packet TYPE field). */
  public static final int EXC_CALL = 0x2;
  public static final int EXC_TRAP = 0x3;
  public static final int EXC_INST_DEBUG = 0x6;
  public static final int EXC_IRQ = 0xE;

  /** Exception E1:E0 = 01: the preferred return address follows. */
  public static final int EXC_RETURN_ADDRESS_FOLLOWS = 0b01;
  /**
   * Exception E1:E0 = 10: the return address follows and is also where the previous P0 element
   * led, so no instruction ran in between (what Cortex-A53 emits for an IRQ at a branch target).
   */
  public static final int EXC_RETURN_ADDRESS_IS_TARGET = 0b10;

  private static final int HDR_EXTENSION = 0x00;
  private static final int HDR_TRACE_INFO = 0x01;
  private static final int HDR_TIMESTAMP = 0x02;
  private static final int HDR_TRACE_ON = 0x04;
  private static final int HDR_EXCEPTION = 0x06;
  private static final int HDR_EXCEPTION_RETURN = 0x07;
  private static final int HDR_CONTEXT = 0x81;
  private static final int HDR_ADDR_CTXT_32_IS0 = 0x82;
  private static final int HDR_ADDR_CTXT_64_IS0 = 0x85;
  private static final int HDR_EXACT_MATCH = 0x90;
  private static final int HDR_SHORT_IS0 = 0x95;
  private static final int HDR_LONG_32_IS0 = 0x9A;
  private static final int HDR_LONG_64_IS0 = 0x9D;
  private static final int EXT_OVERFLOW = 0x05;

  private static final int CTXT_SF = 1 << 4;
  private static final int CTXT_NS = 1 << 5;
  private static final int CTXT_C = 1 << 7;

  // Atom patterns, bit 0 = oldest atom, 1 = E: the fixed patterns of formats 4 and 5.
  private static final int F4_NEEE = 0b1110;
  private static final int F4_NNNN = 0b0000;
  private static final int F4_NENE = 0b1010;
  private static final int F4_ENEN = 0b0101;
  private static final int F5_NEEEE = 0b11110;
  private static final int F5_NNNNN = 0b00000;
  private static final int F5_NENEN = 0b01010;
  private static final int F5_ENENE = 0b10101;

  /** Most atoms one packet holds (format 6: 23 E atoms then one more). */
  public static final int MAX_ATOMS_PER_PACKET = 24;

  private final TraceBuffer out;
  private final PacketListener listener;
  private final boolean longAddressAfterContext;
  /** The next plain address must be a 64-bit long address (see {@link EtmConfig#longAddressAfterContext}). */
  private boolean longNext;
  private final long[] history = new long[3];
  private long lastTimestamp;
  private final long[] counts = new long[PacketKind.VALUES.length];
  private final long[] atomsByFormat = new long[6];

  /**
   * @param longAddressAfterContext {@link #address} sends the first address after an address with
   *     context as a 64-bit long address, like Cortex-A72 hardware
   */
  public PacketEncoder(TraceBuffer out, PacketListener listener, boolean longAddressAfterContext) {
    this.out = out;
    this.listener = listener;
    this.longAddressAfterContext = longAddressAfterContext;
  }

  public PacketEncoder(TraceBuffer out, PacketListener listener) {
    this(out, listener, false);
  }

  public PacketEncoder(TraceBuffer out) {
    this(out, null, false);
  }

  /** Bytes written so far. */
  public int offset() {
    return out.size();
  }

  /** Packets written of one form. */
  public long count(PacketKind kind) {
    return counts[kind.ordinal()];
  }

  /** Atoms written in format {@code f} (1..6). */
  public long atomsInFormat(int f) {
    return atomsByFormat[f - 1];
  }

  /** Address history entry {@code i} (0 = most recent). */
  public long historyEntry(int i) {
    return history[i];
  }

  // ---------------------------------------------------------------- synchronisation and markers

  /** A-sync: eleven zero bytes then {@code 80}. */
  public void async() {
    int start = out.size();
    for (int i = 0; i < 11; i++) {
      out.put(0x00);
    }
    out.put(0x80);
    done(PacketKind.ASYNC, start, 0, 0);
  }

  /**
   * Trace Info. With {@code infoSection} the PLCTL byte announces the INFO section and {@code info}
   * (bit 0 cycle counting, bits [3:1] conditional mode, bits 4/5 load/store P0) follows as a cont
   * field, as Cortex-A53 does ({@code 01 01 00}); without it the packet is {@code 01 00}. Resets the
   * address history and the timestamp base, as the decoder does.
   */
  public void traceInfo(boolean infoSection, int info) {
    int start = out.size();
    out.put(HDR_TRACE_INFO);
    if (infoSection) {
      out.put(0x01);
      putCont(info);
    } else {
      out.put(0x00);
    }
    history[0] = 0;
    history[1] = 0;
    history[2] = 0;
    lastTimestamp = 0;
    done(PacketKind.TRACE_INFO, start, info, 0);
  }

  /**
   * Trace Info announcing cycle counting: PLCTL {@code 09} (INFO and CYCT sections), INFO = 1 (cycle
   * counting on), then the threshold, as a unit with TRCCONFIGR.CCI emits it ({@code 01 09 01 16}
   * in OpenCSD's {@code maxspec0_commopt1}). Resets address history and timestamp base.
   */
  public void traceInfoCycleCounting(int threshold) {
    int start = out.size();
    out.put(HDR_TRACE_INFO);
    out.put(0x09);
    putCont(1);
    putCont(threshold);
    history[0] = 0;
    history[1] = 0;
    history[2] = 0;
    lastTimestamp = 0;
    done(PacketKind.TRACE_INFO, start, 1, threshold);
  }

  /**
   * Cycle Count format 1 without commit field ({@code 0E}, TRCIDR0.COMMOPT = 1): {@code count}
   * cycles, sent as the amount above the Trace Info threshold ({@code count >= threshold}).
   */
  public void cycleCount(int count, int threshold) {
    if (count < threshold) {
      throw new IllegalArgumentException("cycle count " + count + " below the threshold " + threshold);
    }
    int start = out.size();
    out.put(0x0E);
    putCont(count - threshold);
    done(PacketKind.CYCLE_COUNT, start, count, 0);
  }

  /** Trace On: trace restarts after a gap. */
  public void traceOn() {
    int start = out.size();
    out.put(HDR_TRACE_ON);
    done(PacketKind.TRACE_ON, start, 0, 0);
  }

  /** Overflow ({@code 00 05}): trace was lost; the decoder needs A-sync + Trace Info again. */
  public void overflow() {
    int start = out.size();
    out.put(HDR_EXTENSION);
    out.put(EXT_OVERFLOW);
    done(PacketKind.OVERFLOW, start, 0, 0);
  }

  /**
   * Timestamp ({@code 02}): as few 7-bit groups as replace the changed low bits of the last value
   * sent (nine bytes, the last with 8 bits, for all 64 bits).
   */
  public void timestamp(long value) {
    int groups = 1;
    while (groups < 9 && (value >>> (7 * groups)) != (lastTimestamp >>> (7 * groups))) {
      groups++;
    }
    int start = out.size();
    out.put(HDR_TIMESTAMP);
    for (int g = 0; g < groups && g < 8; g++) {
      int bits = (int) (value >>> (7 * g)) & 0x7F;
      out.put(g + 1 < groups ? bits | 0x80 : bits);
    }
    if (groups == 9) {
      out.put((int) (value >>> 56) & 0xFF);
    }
    lastTimestamp = value;
    done(PacketKind.TIMESTAMP, start, value, 0);
  }

  // ---------------------------------------------------------------- context

  /** The Context info byte for an AArch64 core at {@code el}. */
  public static int contextInfo(int el, boolean nonSecure, boolean withContextId) {
    return (el & 3) | CTXT_SF | (nonSecure ? CTXT_NS : 0) | (withContextId ? CTXT_C : 0);
  }

  /** Context ({@code 81}): info byte, then CONTEXTID (4 bytes, little-endian) when info.C is set. */
  public void context(int info, int contextId) {
    int start = out.size();
    out.put(HDR_CONTEXT);
    putContextPayload(info, contextId);
    done(PacketKind.CONTEXT, start, info, contextId & 0xFFFF_FFFFL);
  }

  // ---------------------------------------------------------------- addresses

  /** Writes the shortest address packet that gives {@code address}; returns the form used. */
  public PacketKind address(long address) {
    if (longNext) {
      longAddress64(address);
      return PacketKind.LONG_ADDR_64;
    }
    for (int i = 0; i < 3; i++) {
      if (history[i] == address) {
        exactMatch(i);
        return PacketKind.EXACT_MATCH;
      }
    }
    long h0 = history[0];
    if ((address >>> 9) == (h0 >>> 9)) {
      shortAddress1(address);
      return PacketKind.SHORT_ADDR_1;
    }
    if ((address >>> 17) == (h0 >>> 17)) {
      shortAddress2(address);
      return PacketKind.SHORT_ADDR_2;
    }
    if ((address >>> 32) == (h0 >>> 32)) {
      longAddress32(address);
      return PacketKind.LONG_ADDR_32;
    }
    longAddress64(address);
    return PacketKind.LONG_ADDR_64;
  }

  /**
   * Writes the shorter address-with-context packet for {@code address}: the 32-bit form when the
   * upper half equals history entry 0, else the 64-bit form. Returns the form used.
   */
  public PacketKind addressWithContext(long address, int info, int contextId) {
    if ((address >>> 32) == (history[0] >>> 32)) {
      addressWithContext32(address, info, contextId);
      return PacketKind.ADDR_CTXT_32;
    }
    addressWithContext64(address, info, contextId);
    return PacketKind.ADDR_CTXT_64;
  }

  /** Exact match ({@code 90 + entry}): the address is history entry {@code entry}. */
  public void exactMatch(int entry) {
    if (entry < 0 || entry > 2) {
      throw new IllegalArgumentException("address history entry " + entry);
    }
    long address = history[entry];
    int start = out.size();
    out.put(HDR_EXACT_MATCH + entry);
    push(address);
    done(PacketKind.EXACT_MATCH, start, address, entry);
  }

  /** Short address, one byte: replaces a[8:2] of history entry 0. */
  public void shortAddress1(long address) {
    int start = out.size();
    out.put(HDR_SHORT_IS0);
    out.put((int) (address >>> 2) & 0x7F);
    push(address);
    done(PacketKind.SHORT_ADDR_1, start, address, 0);
  }

  /** Short address, two bytes: replaces a[16:2] of history entry 0. */
  public void shortAddress2(long address) {
    int start = out.size();
    out.put(HDR_SHORT_IS0);
    out.put(0x80 | ((int) (address >>> 2) & 0x7F));
    out.put((int) (address >>> 9) & 0xFF);
    push(address);
    done(PacketKind.SHORT_ADDR_2, start, address, 0);
  }

  /** Long address, 32-bit IS0 ({@code 9A}): replaces a[31:2] of history entry 0. */
  public void longAddress32(long address) {
    int start = out.size();
    out.put(HDR_LONG_32_IS0);
    putAddress32(address);
    push(address);
    done(PacketKind.LONG_ADDR_32, start, address, 0);
  }

  /** Long address, 64-bit IS0 ({@code 9D}). */
  public void longAddress64(long address) {
    int start = out.size();
    out.put(HDR_LONG_64_IS0);
    putAddress64(address);
    push(address);
    done(PacketKind.LONG_ADDR_64, start, address, 0);
  }

  /** Address with context, 32-bit IS0 ({@code 82}): a[31:2] over history entry 0, then context. */
  public void addressWithContext32(long address, int info, int contextId) {
    int start = out.size();
    out.put(HDR_ADDR_CTXT_32_IS0);
    putAddress32(address);
    putContextPayload(info, contextId);
    push(address);
    longNext = longAddressAfterContext;
    done(PacketKind.ADDR_CTXT_32, start, address, ((long) (info & 0xFF) << 32) | (contextId & 0xFFFF_FFFFL));
  }

  /** Address with context, 64-bit IS0 ({@code 85}). */
  public void addressWithContext64(long address, int info, int contextId) {
    int start = out.size();
    out.put(HDR_ADDR_CTXT_64_IS0);
    putAddress64(address);
    putContextPayload(info, contextId);
    push(address);
    longNext = longAddressAfterContext;
    done(PacketKind.ADDR_CTXT_64, start, address, ((long) (info & 0xFF) << 32) | (contextId & 0xFFFF_FFFFL));
  }

  // ---------------------------------------------------------------- exceptions

  /**
   * Exception ({@code 06}): one info byte (bit 6 = E1, bits [5:1] = TYPE, bit 0 = E0) for types
   * below 32. The preferred return address must be the next address packet.
   */
  public void exception(int type, int e1e0) {
    if (type < 0 || type > 31) {
      throw new IllegalArgumentException("exception type " + type + " needs the second info byte");
    }
    int start = out.size();
    out.put(HDR_EXCEPTION);
    out.put(((e1e0 & 2) << 5) | (type << 1) | (e1e0 & 1));
    done(PacketKind.EXCEPTION, start, type, e1e0);
  }

  /** Exception Return ({@code 07}). */
  public void exceptionReturn() {
    int start = out.size();
    out.put(HDR_EXCEPTION_RETURN);
    done(PacketKind.EXCEPTION_RETURN, start, 0, 0);
  }

  // ---------------------------------------------------------------- atoms

  /** Format 1 ({@code F6}/{@code F7}): one atom. */
  public void atomF1(boolean e) {
    atomPacket(PacketKind.ATOM_F1, 0xF6 | (e ? 1 : 0), e ? 1 : 0, 1);
  }

  /** Format 2 ({@code D8}-{@code DB}): two atoms, bit 0 oldest. */
  public void atomF2(int pattern) {
    atomPacket(PacketKind.ATOM_F2, 0xD8 | (pattern & 3), pattern & 3, 2);
  }

  /** Format 3 ({@code F8}-{@code FF}): three atoms, bit 0 oldest. */
  public void atomF3(int pattern) {
    atomPacket(PacketKind.ATOM_F3, 0xF8 | (pattern & 7), pattern & 7, 3);
  }

  /** Format 4: one of the four-atom patterns NEEE, NNNN, NENE, ENEN (oldest first). */
  public void atomF4(int pattern) {
    int header = switch (pattern) {
      case F4_NEEE -> 0xDC;
      case F4_NNNN -> 0xDD;
      case F4_NENE -> 0xDE;
      case F4_ENEN -> 0xDF;
      default -> throw new IllegalArgumentException("no format-4 atom packet for pattern " + Integer.toBinaryString(pattern));
    };
    atomPacket(PacketKind.ATOM_F4, header, pattern, 4);
  }

  /** Format 5: one of the five-atom patterns NEEEE, NNNNN, NENEN, ENENE (oldest first). */
  public void atomF5(int pattern) {
    int header = switch (pattern) {
      case F5_NEEEE -> 0xF5;
      case F5_NNNNN -> 0xD5;
      case F5_NENEN -> 0xD6;
      case F5_ENENE -> 0xD7;
      default -> throw new IllegalArgumentException("no format-5 atom packet for pattern " + Integer.toBinaryString(pattern));
    };
    atomPacket(PacketKind.ATOM_F5, header, pattern, 5);
  }

  /** Format 6: {@code leadingE} (3..23) E atoms, then one E ({@code lastE}) or N atom. */
  public void atomF6(int leadingE, boolean lastE) {
    if (leadingE < 3 || leadingE > 23) {
      throw new IllegalArgumentException("format 6 holds 3..23 leading E atoms, not " + leadingE);
    }
    int count = leadingE + 1;
    int pattern = (1 << leadingE) - 1 | (lastE ? 1 << leadingE : 0);
    atomPacket(PacketKind.ATOM_F6, 0xC0 | (lastE ? 0 : 0x20) | (leadingE - 3), pattern, count);
  }

  /**
   * Writes the one atom packet that holds the most of the oldest atoms of {@code pattern} (bit 0
   * oldest, 1 = E; {@code count} atoms, 1..24) and returns how many atoms it took.
   */
  public int atoms(int pattern, int count) {
    if (count < 1 || count > MAX_ATOMS_PER_PACKET) {
      throw new IllegalArgumentException("atom count " + count);
    }
    int leadingE = Integer.numberOfTrailingZeros(~pattern);
    if (count >= 4 && leadingE >= 3) {
      if (leadingE >= count) {
        atomF6(count - 1, true);
        return count;
      }
      atomF6(leadingE, false);
      return leadingE + 1;
    }
    if (count >= 5) {
      int five = pattern & 0x1F;
      if (five == F5_NEEEE || five == F5_NNNNN || five == F5_NENEN || five == F5_ENENE) {
        atomF5(five);
        return 5;
      }
    }
    if (count >= 4) {
      int four = pattern & 0xF;
      if (four == F4_NEEE || four == F4_NNNN || four == F4_NENE || four == F4_ENEN) {
        atomF4(four);
        return 4;
      }
    }
    if (count >= 3) {
      atomF3(pattern);
      return 3;
    }
    if (count == 2) {
      atomF2(pattern);
      return 2;
    }
    atomF1((pattern & 1) != 0);
    return 1;
  }

  // ---------------------------------------------------------------- internals

  private void atomPacket(PacketKind kind, int header, int pattern, int count) {
    int start = out.size();
    out.put(header);
    atomsByFormat[kind.ordinal() - PacketKind.ATOM_F1.ordinal()] += count;
    done(kind, start, pattern, count);
  }

  private void putCont(int value) {
    while ((value & ~0x7F) != 0) {
      out.put((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.put(value);
  }

  private void putContextPayload(int info, int contextId) {
    out.put(info & 0xFF);
    if ((info & CTXT_C) != 0) {
      out.put(contextId);
      out.put(contextId >>> 8);
      out.put(contextId >>> 16);
      out.put(contextId >>> 24);
    }
  }

  // IS0: bits [1:0] are never sent; bit 7 of the first two bytes is unused.
  private void putAddress32(long a) {
    out.put((int) (a >>> 2) & 0x7F);
    out.put((int) (a >>> 9) & 0x7F);
    out.put((int) (a >>> 16) & 0xFF);
    out.put((int) (a >>> 24) & 0xFF);
  }

  private void putAddress64(long a) {
    putAddress32(a);
    out.put((int) (a >>> 32) & 0xFF);
    out.put((int) (a >>> 40) & 0xFF);
    out.put((int) (a >>> 48) & 0xFF);
    out.put((int) (a >>> 56) & 0xFF);
  }

  private void push(long address) {
    longNext = false;
    history[2] = history[1];
    history[1] = history[0];
    history[0] = address;
  }

  private void done(PacketKind kind, int start, long value, long extra) {
    counts[kind.ordinal()]++;
    if (listener != null) {
      listener.packet(kind, start, out.size() - start, value, extra);
    }
  }
}
