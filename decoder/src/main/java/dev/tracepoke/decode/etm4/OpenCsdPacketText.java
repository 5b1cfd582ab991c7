package dev.tracepoke.decode.etm4;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our packets in the words of OpenCSD 1.3.3's {@code trc_pkt_lister} (packet mode), normalised, so
 * the two listings can be compared line by line: {@code Idx:<n>\t<NAME : description; details>}.
 *
 * <p>The text after the tab is what the lister prints for the packet, with one normalisation applied
 * to both sides by {@link #normalise}: an address is written as its value in upper-case hex without
 * leading zeros (OpenCSD pads to 8 or 16 digits depending on internal state that carries no
 * information) plus {@code /<bits>} when fewer than 32 low bits are known. Everything else — packet
 * names, atom strings, exception names, contexts, timestamps, cycle counts, error packets — is
 * compared verbatim.
 *
 * <p>{@code Idx} is OpenCSD's index of the packet: the stream offset for a raw ({@code
 * source_data}) buffer, the position in the formatted buffer for CoreSight frames (the caller
 * supplies the mapping).
 */
public final class OpenCsdPacketText implements PacketSink {

  private static final List<String> EXCEPTIONS =
      List.of(
          "PE Reset", "Debug Halt", "Call", "Trap", "System Error", "Reserved", "Inst Debug",
          "Data Debug", "Reserved", "Reserved", "Alignment", "Inst Fault", "Data Fault", "Reserved",
          "IRQ", "FIQ");

  private static final Pattern ADDRESS =
      Pattern.compile("Addr=0x([?0-9A-Fa-f]+)(?: \\((\\d+):0\\))?");
  private static final Pattern LISTER_PACKET =
      Pattern.compile("Idx:(\\d+); ID:([0-9a-fA-F]+);(?: \\[[^\\]]*\\];)?\\t(.*)$");

  private final LongUnaryOperator indexOf;
  private final Consumer<String> out;
  private final StringBuilder sb = new StringBuilder(160);

  // How many bits the packet behind each address-history entry carried (OpenCSD's pkt_bits): a Q
  // packet prints the update mask of the address it used, even for an exact match.
  private final int[] historyPacketBits = new int[3];
  private int printedThreshold;
  private int packetBits;
  /** ETE prints the TSTATE bit of Trace Info (OpenCSD: protocol version 5.x). */
  private final boolean ete;

  private void pushPacketBits(int bits) {
    packetBits = bits;
    historyPacketBits[2] = historyPacketBits[1];
    historyPacketBits[1] = historyPacketBits[0];
    historyPacketBits[0] = bits;
  }

  private void trackAddress(AddressForm form, int isa, int matchEntry) {
    pushPacketBits(form == AddressForm.EXACT_MATCH ? historyPacketBits[matchEntry] : form.updatedBits(isa));
  }

  /**
   * @param indexOf maps a stream offset to OpenCSD's index ({@code LongUnaryOperator.identity()}
   *     for a raw buffer)
   * @param out receives one normalised line per packet
   */
  public OpenCsdPacketText(LongUnaryOperator indexOf, Consumer<String> out) {
    this(indexOf, out, false);
  }

  /**
   * @param ete the packets come from a unit of trace architecture 5 (ETE), whose Trace Info the
   *     lister prints with its TSTATE bit
   */
  public OpenCsdPacketText(LongUnaryOperator indexOf, Consumer<String> out, boolean ete) {
    this.indexOf = Objects.requireNonNull(indexOf, "indexOf");
    this.out = Objects.requireNonNull(out, "out");
    this.ete = ete;
  }

  /**
   * Parses one line of {@code trc_pkt_lister} output. Returns {@code null} for lines that are not
   * packet lines; otherwise {@code {traceId, normalisedLine}} with the trace ID as the lister
   * printed it (hex). Error lines, which the lister prefixes with its error message, are accepted.
   */
  public static String[] parseListerLine(String line) {
    int at = line.indexOf("Idx:");
    if (at < 0) {
      return null;
    }
    Matcher m = LISTER_PACKET.matcher(line);
    if (!m.find(at) || m.start() != at) {
      return null;
    }
    return new String[] {m.group(2), "Idx:" + m.group(1) + "\t" + normalise(m.group(3))};
  }

  /** Rewrites every {@code Addr=...} of a lister packet text into the comparison form. */
  public static String normalise(String text) {
    Matcher m = ADDRESS.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length());
    int last = 0;
    do {
      b.append(text, last, m.start());
      String digits = m.group(1).replace("?", "");
      long value = digits.isEmpty() ? 0 : Long.parseUnsignedLong(digits, 16);
      b.append("Addr=0x").append(Long.toHexString(value).toUpperCase(Locale.ROOT));
      if (m.group(2) != null) {
        int bits = Integer.parseInt(m.group(2)) + 1;
        if (bits < 32) {
          b.append('/').append(bits);
        }
      }
      last = m.end();
    } while (m.find());
    return b.append(text, last, text.length()).toString();
  }

  private StringBuilder start(long offset, String nameAndDescription) {
    sb.setLength(0);
    return sb.append("Idx:")
        .append(indexOf.applyAsLong(offset))
        .append('\t')
        .append(nameAndDescription);
  }

  private void emit() {
    out.accept(sb.toString());
  }

  private StringBuilder address(StringBuilder b, long address, int knownBits) {
    b.append("Addr=0x").append(Long.toHexString(address).toUpperCase(Locale.ROOT));
    if (knownBits < 32) {
      b.append('/').append(knownBits);
    }
    return b;
  }

  private static StringBuilder upperHex(StringBuilder b, long v) {
    return b.append("0x").append(Long.toHexString(v).toUpperCase(Locale.ROOT));
  }

  private static StringBuilder lowerHex(StringBuilder b, long v) {
    return b.append("0x").append(Long.toHexString(v));
  }

  private static StringBuilder padded(StringBuilder b, long v, int digits) {
    String h = Long.toHexString(v);
    b.append("0x");
    for (int i = h.length(); i < digits; i++) {
      b.append('0');
    }
    return b.append(h);
  }

  private static void context(
      StringBuilder b,
      int el,
      boolean sf,
      boolean ns,
      boolean vmidUpdated,
      int vmid,
      boolean contextIdUpdated,
      int contextId) {
    b.append("Ctxt: ").append(sf ? "AArch64," : "AArch32, ").append("EL").append(el);
    b.append(ns ? ", NS; " : ", S; ");
    if (contextIdUpdated) {
      padded(b.append("CID="), contextId & 0xFFFF_FFFFL, 8).append("; ");
    }
    if (vmidUpdated) {
      padded(b.append("VMID="), vmid & 0xFFFF_FFFFL, 4).append("; ");
    }
  }

  private static String atoms(int bits, int count) {
    return PacketPrinter.atomString(new StringBuilder(24), bits, count).toString();
  }

  /** OpenCSD's name of the packet a header starts (for error packets that name it). */
  static String headerName(int header, long length) {
    if (header == 0) {
      return length >= 2 ? "I_ASYNC" : "I_EXTENSION";
    }
    if (header >= 0x10 && header <= 0x1F) {
      return "I_CCNT_F3";
    }
    if (header >= 0x20 && header <= 0x27) {
      return "I_NUM_DS_MKR";
    }
    if (header >= 0x28 && header <= 0x2C) {
      return "I_UNNUM_DS_MKR";
    }
    if (header >= 0x40 && header <= 0x42) {
      return "I_COND_I_F2";
    }
    if (header >= 0x44 && header <= 0x46) {
      return "I_COND_RES_F4";
    }
    if ((header >= 0x48 && header <= 0x4A) || (header >= 0x4C && header <= 0x4E)) {
      return "I_COND_RES_F2";
    }
    if (header >= 0x50 && header <= 0x5F) {
      return "I_COND_RES_F3";
    }
    if ((header >= 0x68 && header <= 0x6B) || header == 0x6E || header == 0x6F) {
      return "I_COND_RES_F1";
    }
    if (header >= 0xA0 && header <= 0xAF) {
      return "I_Q";
    }
    return switch (header) {
      case 0x01 -> "I_TRACE_INFO";
      case 0x02, 0x03 -> "I_TIMESTAMP";
      case 0x06 -> "I_EXCEPT";
      case 0x07 -> "I_EXCEPT_RTN";
      case 0xB4 -> "I_SRC_ADDR_S_IS0";
      case 0xB5 -> "I_SRC_ADDR_S_IS1";
      case 0xB6 -> "I_SCR_ADDR_L_32IS0";
      case 0xB7 -> "I_SRC_ADDR_L_32IS1";
      case 0xB8 -> "I_SRC_ADDR_L_64IS0";
      case 0xB9 -> "I_SRC_ADDR_L_64IS1";
      case 0x0C, 0x0D -> "I_CCNT_F2";
      case 0x0E, 0x0F -> "I_CCNT_F1";
      case 0x2D -> "I_COMMIT";
      case 0x2E -> "I_CANCEL_F1";
      case 0x2F -> "I_CANCEL_F1_MISPRED";
      case 0x43 -> "I_COND_FLUSH";
      case 0x6C -> "I_COND_I_F1";
      case 0x6D -> "I_COND_I_F3";
      case 0x80, 0x81 -> "I_CTXT";
      case 0x82 -> "I_ADDR_CTXT_L_32IS0";
      case 0x83 -> "I_ADDR_CTXT_L_32IS1";
      case 0x85 -> "I_ADDR_CTXT_L_64IS0";
      case 0x86 -> "I_ADDR_CTXT_L_64IS1";
      case 0x95 -> "I_ADDR_S_IS0";
      case 0x96 -> "I_ADDR_S_IS1";
      case 0x9A -> "I_ADDR_L_32IS0";
      case 0x9B -> "I_ADDR_L_32IS1";
      case 0x9D -> "I_ADDR_L_64IS0";
      case 0x9E -> "I_ADDR_L_64IS1";
      default -> "I_UNKNOWN";
    };
  }

  @Override
  public void notSync(long offset, long index) {
    start(offset, "I_NOT_SYNC : I Stream not synchronised");
    emit();
  }

  @Override
  public void async(long offset, long index) {
    start(offset, "I_ASYNC : Alignment Synchronisation.");
    emit();
  }

  @Override
  public void traceInfo(
      long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold) {
    java.util.Arrays.fill(historyPacketBits, 0);
    packetBits = 0;
    StringBuilder b = start(offset, "I_TRACE_INFO : Trace Info.; INFO=");
    lowerHex(b, info & 0xFFFF_FFFFL).append(" { CC.").append(info & 1);
    if (ete) {
      b.append(", TSTATE.").append((info >>> 6) & 1);
    }
    b.append(" }");
    // OpenCSD prints the last threshold it was given, even when this packet has no CYCT section.
    if ((sections & 8) != 0) {
      printedThreshold = ccThreshold;
    }
    if ((info & 1) != 0) {
      lowerHex(b.append("; CC_THRESHOLD="), printedThreshold & 0xFFFF_FFFFL);
    }
    emit();
  }

  @Override
  public void traceOn(long offset, long index) {
    start(offset, "I_TRACE_ON : Trace On.");
    emit();
  }

  @Override
  public void timestamp(
      long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount) {
    StringBuilder b = start(offset, "I_TIMESTAMP : Timestamp.; Updated val = ");
    lowerHex(b, value);
    if (hasCycleCount) {
      lowerHex(b.append("; CC="), cycleCount & 0xFFFF_FFFFL);
    }
    emit();
  }

  @Override
  public void exception(long offset, long index, int type, int addressInfo, boolean faultPending) {
    StringBuilder b = start(offset, "I_EXCEPT : Exception.;  ");
    b.append(type < 16 ? EXCEPTIONS.get(type) : "Reserved").append(';');
    if (addressInfo == 1) {
      b.append(" Ret Addr Follows;");
    } else if (addressInfo == 2) {
      b.append(" Ret Addr Follows, Match Prev;");
    }
    emit();
  }

  @Override
  public void exceptionReturn(long offset, long index) {
    start(offset, "I_EXCEPT_RTN : Exception Return.");
    emit();
  }

  @Override
  public void functionReturn(long offset, long index) {
    start(offset, "I_FUNC_RET : V8M - function return.");
    emit();
  }

  @Override
  public void atoms(long offset, long index, int format, int bits, int count) {
    StringBuilder b = start(offset, "I_ATOM_F").append(format);
    b.append(" : Atom format ").append(format).append(".; ").append(atoms(bits, count));
    emit();
  }

  @Override
  public void address(
      long offset,
      long index,
      long address,
      int isa,
      AddressForm form,
      int matchEntry,
      int knownBits) {
    trackAddress(form, isa, matchEntry);
    StringBuilder b;
    switch (form) {
      case EXACT_MATCH -> {
        b = start(offset, "I_ADDR_MATCH : Exact Address Match., [").append(matchEntry).append("]; ");
        address(b, address, knownBits).append("; ");
      }
      case SHORT_1, SHORT_2 -> {
        b =
            start(
                offset,
                isa == 0 ? "I_ADDR_S_IS0 : Address, Short, IS0.; " : "I_ADDR_S_IS1 : Address, Short, IS1.; ");
        address(b, address, knownBits);
        upperHex(b.append(" ~["), address & ((1L << form.updatedBits(isa)) - 1)).append(']');
      }
      case LONG_32 -> {
        b =
            start(
                offset,
                isa == 0
                    ? "I_ADDR_L_32IS0 : Address, Long, 32 bit, IS0.; "
                    : "I_ADDR_L_32IS1 : Address, Long, 32 bit, IS1.; ");
        address(b, address, knownBits).append("; ");
      }
      default -> {
        b =
            start(
                offset,
                isa == 0
                    ? "I_ADDR_L_64IS0 : Address, Long, 64 bit, IS0.; "
                    : "I_ADDR_L_64IS1 : Address, Long, 64 bit, IS1.; ");
        address(b, address, knownBits).append("; ");
      }
    }
    emit();
  }

  @Override
  public void addressWithContext(
      long offset,
      long index,
      long address,
      int isa,
      AddressForm form,
      int knownBits,
      int el,
      boolean sf,
      boolean ns,
      boolean vmidUpdated,
      int vmid,
      boolean contextIdUpdated,
      int contextId) {
    // OpenCSD 1.3.3 describes the 32-bit IS1 form as "IS0" too; reproduced as printed.
    String name =
        form == AddressForm.LONG_64
            ? (isa == 0
                ? "I_ADDR_CTXT_L_64IS0 : Address & Context, Long, 64 bit, IS0.; "
                : "I_ADDR_CTXT_L_64IS1 : Address & Context, Long, 64 bit, IS1.; ")
            : (isa == 0
                ? "I_ADDR_CTXT_L_32IS0 : Address & Context, Long, 32 bit, IS0.; "
                : "I_ADDR_CTXT_L_32IS1 : Address & Context, Long, 32 bit, IS0.; ");
    trackAddress(form, isa, -1);
    StringBuilder b = start(offset, name);
    address(b, address, knownBits).append("; ");
    context(b, el, sf, ns, vmidUpdated, vmid, contextIdUpdated, contextId);
    emit();
  }

  @Override
  public void context(
      long offset,
      long index,
      boolean updated,
      int el,
      boolean sf,
      boolean ns,
      boolean vmidUpdated,
      int vmid,
      boolean contextIdUpdated,
      int contextId) {
    StringBuilder b = start(offset, "I_CTXT : Context Packet.; ");
    if (updated) {
      context(b, el, sf, ns, vmidUpdated, vmid, contextIdUpdated, contextId);
    } else {
      b.append("Ctxt: Same");
    }
    emit();
  }

  @Override
  public void overflow(long offset, long index) {
    start(offset, "I_OVERFLOW : Overflow.");
    emit();
  }

  @Override
  public void discard(long offset, long index) {
    start(offset, "I_DISCARD : Discard.");
    emit();
  }

  @Override
  public void cycleCount(
      long offset, long index, int format, int count, boolean countKnown, int commit) {
    StringBuilder b = start(offset, "I_CCNT_F").append(format);
    b.append(" : Cycle Count format ").append(format).append(".; Count=");
    lowerHex(b, countKnown ? count & 0xFFFF_FFFFL : 0);
    emit();
  }

  @Override
  public void commit(long offset, long index, int count) {
    start(offset, "I_COMMIT : Commit; Commit(").append(count & 0xFFFF_FFFFL).append(')');
    emit();
  }

  @Override
  public void cancel(
      long offset,
      long index,
      int format,
      int count,
      boolean mispredict,
      int atomBits,
      int atomCount) {
    StringBuilder b;
    if (format == 1) {
      b =
          mispredict
              ? start(offset, "I_CANCEL_F1_MISPRED : Cancel Format 1 + Mispredict.; Cancel(")
              : start(offset, "I_CANCEL_F1 : Cancel Format 1.; Cancel(");
      b.append(count & 0xFFFF_FFFFL).append(')');
      if (mispredict) {
        b.append(", Mispredict");
      }
    } else {
      b = start(offset, format == 2 ? "I_CANCEL_F2 : Cancel Format 2.; " : "I_CANCEL_F3 : Cancel Format 3.; ");
      if (atomCount > 0) {
        b.append("Atom: ").append(atoms(atomBits, atomCount)).append(", ");
      }
      b.append("Cancel(").append(count).append("), Mispredict");
    }
    emit();
  }

  @Override
  public void mispredict(long offset, long index, int atomBits, int atomCount) {
    StringBuilder b = start(offset, "I_MISPREDICT : Mispredict.; ");
    if (atomCount > 0) {
      b.append("Atom: ").append(atoms(atomBits, atomCount)).append(", ");
    }
    b.append("Mispredict");
    emit();
  }

  @Override
  public void event(long offset, long index, int mask) {
    start(offset, "I_EVENT : Trace Event.");
    emit();
  }

  @Override
  public void q(long offset, long index, int type, int count, AddressForm form, long address) {
    StringBuilder b = start(offset, "I_Q : Q Packet.; Count(");
    if (type != 0xF) {
      b.append(count & 0xFFFF_FFFFL).append(')');
    } else {
      b.append("Unknown)");
    }
    if (form != null) {
      // Q types 0-2 match history entries 0-2; 6 and B are the IS1 forms.
      trackAddress(form, type == 0x6 || type == 0xB ? 1 : 0, type);
      if (form == AddressForm.EXACT_MATCH) {
        b.append("; [").append(type).append(']');
      }
      address(b.append("; "), address, 64);
      if (packetBits != 0 && packetBits < 64) {
        upperHex(b.append(" ~["), address & ((1L << packetBits) - 1)).append(']');
      }
    }
    emit();
  }

  @Override
  public void transactionStart(long offset, long index) {
    start(offset, "I_TRANS_ST : Transaction Start.");
    emit();
  }

  @Override
  public void transactionCommit(long offset, long index) {
    start(offset, "I_TRANS_COMMIT : Transaction Commit.");
    emit();
  }

  @Override
  public void transactionFail(long offset, long index) {
    pushPacketBits(64);
    start(offset, "I_TRANS_FAIL : Transaction Fail.");
    emit();
  }

  @Override
  public void peReset(long offset, long index) {
    pushPacketBits(64);
    start(offset, "I_PE_RESET : PE Reset.");
    emit();
  }

  @Override
  public void sourceAddress(
      long offset,
      long index,
      long address,
      int isa,
      AddressForm form,
      int matchEntry,
      int knownBits) {
    trackAddress(form, isa, matchEntry);
    StringBuilder b;
    switch (form) {
      case EXACT_MATCH -> {
        b = start(offset, "I_SRC_ADDR_MATCH : Exact Source Address Match., [").append(matchEntry).append("]; ");
        address(b, address, knownBits).append("; ");
      }
      case SHORT_1, SHORT_2 -> {
        b =
            start(
                offset,
                isa == 0
                    ? "I_SRC_ADDR_S_IS0 : Source Address, Short, IS0.; "
                    : "I_SRC_ADDR_S_IS1 : Source Address, Short, IS1.; ");
        address(b, address, knownBits);
        upperHex(b.append(" ~["), address & ((1L << form.updatedBits(isa)) - 1)).append(']');
      }
      case LONG_32 -> {
        // "SCR" is how OpenCSD spells the IS0 form's name
        b =
            start(
                offset,
                isa == 0
                    ? "I_SCR_ADDR_L_32IS0 : Source Address, Long, 32 bit, IS0.; "
                    : "I_SRC_ADDR_L_32IS1 : Source Address, Long, 32 bit, IS1.; ");
        address(b, address, knownBits).append("; ");
      }
      default -> {
        b =
            start(
                offset,
                isa == 0
                    ? "I_SRC_ADDR_L_64IS0 : Source Address, Long, 64 bit, IS0.; "
                    : "I_SRC_ADDR_L_64IS1 : Source Address, Long, 64 bit, IS1.; ");
        address(b, address, knownBits).append("; ");
      }
    }
    emit();
  }

  @Override
  public void ignore(long offset, long index) {
    start(offset, "I_IGNORE : Ignore.");
    emit();
  }

  @Override
  public void timestampMarker(long offset, long index) {
    start(offset, "I_TS_MARKER : Timestamp Marker");
    emit();
  }

  @Override
  public void error(long offset, long index, int header, long length, PacketError reason) {
    switch (reason) {
      case RESERVED_HEADER, NOT_IN_CONFIG -> start(offset, "I_RESERVED : Reserved Packet Header");
      case NOT_VALID_FOR_CONFIG ->
          start(offset, "I_RESERVED_CFG : Reserved header for current configuration.[")
              .append(headerName(header, length))
              .append(']');
      case BAD_EXTENSION -> start(offset, "I_BAD_SEQUENCE : Invalid Sequence in packet.[I_EXTENSION]");
      case BAD_ASYNC -> start(offset, "I_BAD_SEQUENCE : Invalid Sequence in packet.[I_ASYNC]");
      case INCOMPLETE_AT_END ->
          start(offset, "I_INCOMPLETE_EOT : Incomplete packet at end of trace.[")
              .append(headerName(header, length))
              .append(']');
      case UNSYNCED_AT_END ->
          start(offset, "I_INCOMPLETE_EOT : Incomplete packet at end of trace.[I_NOT_SYNC]");
    }
    emit();
  }

  @Override
  public void end(long offset, long packets) {
    // The lister's END OF TRACE DATA line carries no packet; nothing to compare.
  }
}
