package dev.tracepoke.decode.etm4;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * The packet listing of {@code tracepoke dump --packets}: one line per packet,
 * {@code <offset> <index> <TYPE> <payload>}, offsets in the trace-ID stream, values in hex where
 * they are addresses or bit patterns. Example:
 *
 * <pre>
 * 0 0 ASYNC
 * 12 1 TRACE_INFO info=0x0
 * 15 2 TRACE_ON
 * 16 3 ADDR_CTXT_L64_IS0 0x0000000000400000 EL0 AArch64 NS cid=0x1234
 * 30 4 TIMESTAMP 0x123456789ab bits=64
 * 37 5 ATOM_F1 E
 * 38 6 EXCEPTION IRQ(0xe) ret-addr-follows
 * 40 7 ADDR_S_IS0 0x000000000040000c
 * </pre>
 *
 * Lines are appended to an {@link Appendable}; an I/O failure is rethrown unchecked.
 */
public final class PacketPrinter implements PacketSink {

  private static final List<String> EXCEPTION_NAMES =
      List.of(
          "PE-reset", "debug-halt", "call", "trap", "system-error", "reserved-5", "inst-debug",
          "data-debug", "reserved-8", "reserved-9", "alignment", "inst-fault", "data-fault",
          "reserved-13", "IRQ", "FIQ");

  private final Appendable out;
  private final String prefix;
  private final StringBuilder line = new StringBuilder(128);

  /** Prints to {@code out}. */
  public PacketPrinter(Appendable out) {
    this(out, "");
  }

  /** Prints to {@code out}, every line starting with {@code prefix} (e.g. {@code "id 0x10 "}). */
  public PacketPrinter(Appendable out, String prefix) {
    this.out = Objects.requireNonNull(out, "out");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
  }

  private StringBuilder start(long offset, long index, String type) {
    line.setLength(0);
    return line.append(prefix).append(offset).append(' ').append(index).append(' ').append(type);
  }

  private void emit() {
    line.append('\n');
    try {
      out.append(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StringBuilder hex64(StringBuilder sb, long v) {
    sb.append("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
      sb.append(Character.forDigit((int) (v >>> shift) & 0xF, 16));
    }
    return sb;
  }

  static StringBuilder hex(StringBuilder sb, long v) {
    return sb.append("0x").append(Long.toHexString(v));
  }

  static StringBuilder atomString(StringBuilder sb, int bits, int count) {
    for (int i = 0; i < count; i++) {
      sb.append(((bits >>> i) & 1) != 0 ? 'E' : 'N');
    }
    return sb;
  }

  private void contextFields(
      StringBuilder sb,
      int el,
      boolean sf,
      boolean ns,
      boolean vmidUpdated,
      int vmid,
      boolean contextIdUpdated,
      int contextId) {
    sb.append(" EL").append(el).append(sf ? " AArch64" : " AArch32").append(ns ? " NS" : " S");
    if (vmidUpdated) {
      hex(sb.append(" vmid="), vmid & 0xFFFF_FFFFL);
    }
    if (contextIdUpdated) {
      hex(sb.append(" cid="), contextId & 0xFFFF_FFFFL);
    }
  }

  private static String addressType(AddressForm form, int isa) {
    return switch (form) {
      case EXACT_MATCH -> "ADDR_MATCH";
      case SHORT_1, SHORT_2 -> isa == 0 ? "ADDR_S_IS0" : "ADDR_S_IS1";
      case LONG_32 -> isa == 0 ? "ADDR_L32_IS0" : "ADDR_L32_IS1";
      case LONG_64 -> isa == 0 ? "ADDR_L64_IS0" : "ADDR_L64_IS1";
    };
  }

  @Override
  public void notSync(long offset, long index) {
    start(offset, index, "NOT_SYNC");
    emit();
  }

  @Override
  public void async(long offset, long index) {
    start(offset, index, "ASYNC");
    emit();
  }

  @Override
  public void traceInfo(
      long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold) {
    StringBuilder sb = start(offset, index, "TRACE_INFO");
    hex(sb.append(" info="), info);
    if ((sections & 2) != 0) {
      sb.append(" key=").append(key);
    }
    if ((sections & 4) != 0) {
      sb.append(" spec=").append(specDepth);
    }
    if ((sections & 8) != 0) {
      sb.append(" cc_threshold=").append(ccThreshold);
    }
    emit();
  }

  @Override
  public void traceOn(long offset, long index) {
    start(offset, index, "TRACE_ON");
    emit();
  }

  @Override
  public void timestamp(
      long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount) {
    StringBuilder sb = start(offset, index, "TIMESTAMP");
    hex(sb.append(' '), value).append(" bits=").append(updatedBits);
    if (hasCycleCount) {
      sb.append(" cc=").append(cycleCount);
    }
    emit();
  }

  @Override
  public void exception(long offset, long index, int type, int addressInfo, boolean faultPending) {
    StringBuilder sb = start(offset, index, "EXCEPTION");
    sb.append(' ').append(type < 16 ? EXCEPTION_NAMES.get(type) : "type");
    hex(sb.append('('), type).append(')');
    sb.append(
        switch (addressInfo) {
          case 1 -> " ret-addr-follows";
          case 2 -> " ret-addr-follows-match-prev";
          default -> " addr-info=" + addressInfo;
        });
    if (faultPending) {
      sb.append(" fault-pending");
    }
    emit();
  }

  @Override
  public void exceptionReturn(long offset, long index) {
    start(offset, index, "EXCEPTION_RETURN");
    emit();
  }

  @Override
  public void functionReturn(long offset, long index) {
    start(offset, index, "FUNCTION_RETURN");
    emit();
  }

  @Override
  public void atoms(long offset, long index, int format, int bits, int count) {
    StringBuilder sb = start(offset, index, "ATOM_F").append(format).append(' ');
    atomString(sb, bits, count);
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
    StringBuilder sb = start(offset, index, addressType(form, isa));
    if (form == AddressForm.EXACT_MATCH) {
      sb.append('[').append(matchEntry).append(']');
    }
    hex64(sb.append(' '), address);
    if (knownBits < 64) {
      sb.append(" known-bits=").append(knownBits);
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
    String type =
        form == AddressForm.LONG_64
            ? (isa == 0 ? "ADDR_CTXT_L64_IS0" : "ADDR_CTXT_L64_IS1")
            : (isa == 0 ? "ADDR_CTXT_L32_IS0" : "ADDR_CTXT_L32_IS1");
    StringBuilder sb = start(offset, index, type);
    hex64(sb.append(' '), address);
    if (knownBits < 64) {
      sb.append(" known-bits=").append(knownBits);
    }
    contextFields(sb, el, sf, ns, vmidUpdated, vmid, contextIdUpdated, contextId);
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
    StringBuilder sb = start(offset, index, "CONTEXT");
    if (updated) {
      contextFields(sb, el, sf, ns, vmidUpdated, vmid, contextIdUpdated, contextId);
    } else {
      sb.append(" same");
    }
    emit();
  }

  @Override
  public void overflow(long offset, long index) {
    start(offset, index, "OVERFLOW");
    emit();
  }

  @Override
  public void discard(long offset, long index) {
    start(offset, index, "DISCARD");
    emit();
  }

  @Override
  public void cycleCount(
      long offset, long index, int format, int count, boolean countKnown, int commit) {
    StringBuilder sb = start(offset, index, "CCNT_F").append(format);
    if (countKnown) {
      sb.append(" count=").append(count & 0xFFFF_FFFFL);
    } else {
      sb.append(" count=unknown");
    }
    if (commit >= 0) {
      sb.append(" commit=").append(commit);
    }
    emit();
  }

  @Override
  public void commit(long offset, long index, int count) {
    start(offset, index, "COMMIT").append(' ').append(count & 0xFFFF_FFFFL);
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
    StringBuilder sb = start(offset, index, "CANCEL_F").append(format);
    sb.append(' ').append(count & 0xFFFF_FFFFL);
    if (mispredict) {
      sb.append(" mispredict");
    }
    if (atomCount > 0) {
      atomString(sb.append(" atoms="), atomBits, atomCount);
    }
    emit();
  }

  @Override
  public void mispredict(long offset, long index, int atomBits, int atomCount) {
    StringBuilder sb = start(offset, index, "MISPREDICT");
    if (atomCount > 0) {
      atomString(sb.append(" atoms="), atomBits, atomCount);
    }
    emit();
  }

  @Override
  public void event(long offset, long index, int mask) {
    hex(start(offset, index, "EVENT").append(' '), mask);
    emit();
  }

  @Override
  public void q(long offset, long index, int type, int count, AddressForm form, long address) {
    StringBuilder sb = start(offset, index, "Q");
    hex(sb.append(" type="), type);
    if (type != 0xF) {
      sb.append(" count=").append(count & 0xFFFF_FFFFL);
    }
    if (form != null) {
      hex64(sb.append(' '), address);
    }
    emit();
  }

  @Override
  public void transactionStart(long offset, long index) {
    start(offset, index, "TRANS_START");
    emit();
  }

  @Override
  public void transactionCommit(long offset, long index) {
    start(offset, index, "TRANS_COMMIT");
    emit();
  }

  @Override
  public void transactionFail(long offset, long index) {
    start(offset, index, "TRANS_FAIL");
    emit();
  }

  @Override
  public void peReset(long offset, long index) {
    start(offset, index, "PE_RESET");
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
    StringBuilder sb = start(offset, index, "SRC_").append(addressType(form, isa));
    if (form == AddressForm.EXACT_MATCH) {
      sb.append('[').append(matchEntry).append(']');
    }
    hex64(sb.append(' '), address);
    if (knownBits < 64) {
      sb.append(" known-bits=").append(knownBits);
    }
    emit();
  }

  @Override
  public void ignore(long offset, long index) {
    start(offset, index, "IGNORE");
    emit();
  }

  @Override
  public void timestampMarker(long offset, long index) {
    start(offset, index, "TS_MARKER");
    emit();
  }

  @Override
  public void error(long offset, long index, int header, long length, PacketError reason) {
    StringBuilder sb = start(offset, index, "ERROR ");
    sb.append(reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    if (header >= 0) {
      sb.append(" header=0x");
      sb.append(Character.forDigit(header >>> 4, 16)).append(Character.forDigit(header & 15, 16));
    }
    sb.append(" length=").append(length);
    emit();
  }

  @Override
  public void end(long offset, long packets) {
    // The listing has no end line; callers print a summary if they want one.
  }
}
