package dev.tracepoke.decode.etm4;

/**
 * Receives ETMv4 instruction-trace packets from a {@link PacketReader}, one call per packet, in
 * stream order. This is the contract between the packet layer and everything above it (listing,
 * flow decode, statistics).
 *
 * <h2>Common arguments</h2>
 *
 * <ul>
 *   <li>{@code offset}: byte offset of the packet's first (header) byte in the trace-ID stream, that
 *       is the byte stream of one trace source after CoreSight frames are removed (for a raw
 *       {@code source_data} buffer or a perf AUX stream of one CPU, the offset in that buffer).
 *   <li>{@code index}: ordinal of the packet in that stream, starting at 0. Every call counts,
 *       including {@link #notSync} and {@link #error}; {@link #end} receives the total.
 * </ul>
 *
 * <h2>Performance</h2>
 *
 * Calls come from the reader's hot loop: every argument is a primitive or an enum constant, nothing
 * is allocated per packet, and an implementation should not allocate either.
 *
 * <h2>State the reader keeps for you</h2>
 *
 * <ul>
 *   <li>Addresses are resolved: short, long-32 and exact-match packets are completed from the
 *       3-entry address history (most recent first; every address-carrying packet, exact matches
 *       included, pushes its full address; Trace Info resets all entries to 0), so every address
 *       argument is the full 64-bit value. {@code knownBits} says how many low bits are actually
 *       known: 64 after a Trace Info or a 64-bit address; fewer only when a short/32-bit address
 *       arrives before the stream ever gave a full one (then the upper bits are 0 and meaningless).
 *   <li>Timestamps are resolved: a timestamp packet replaces the low bits of the running value and
 *       the sink receives the full running value.
 *   <li>Context: a context packet without payload ({@code 80}) reports the last context values with
 *       {@code updated == false}.
 * </ul>
 *
 * <h2>Synchronisation</h2>
 *
 * Like OpenCSD's packet processor, the reader skips bytes until the first A-sync and reports that
 * with one {@link #notSync} call; an A-sync preceded by extra {@code 00} bytes is reported at its
 * first zero. After that it decodes every header. A bad packet is reported with
 * {@link #error} and the reader carries on with the next byte as a header (the packet layer does not
 * drop sync, exactly as OpenCSD's {@code trc_pkt_lister} lists it); a flow decoder must treat
 * {@link #error}, {@link #overflow} and {@link #discard} as a loss of synchronisation and ignore
 * what follows until the next {@link #async} and {@link #traceInfo}.
 *
 * <h2>Atoms</h2>
 *
 * Atom patterns are {@code (bits, count)}: bit 0 is the oldest atom, a set bit is E (taken /
 * executed), a clear bit is N; {@code count} is 1..24.
 */
public interface PacketSink {

  /**
   * The stream is not synchronised at {@code offset}: bytes from here are skipped until an A-sync.
   * Called once per stream (and again after {@link PacketReader#reset()}), before any other packet
   * if the stream does not begin with an A-sync.
   */
  void notSync(long offset, long index);

  /** A-sync ({@code 00}×11 {@code 80}): a synchronisation point; a Trace Info should follow. */
  void async(long offset, long index);

  /**
   * Trace Info ({@code 01}). Resets the address history to zero and makes the next timestamp a
   * full value.
   *
   * @param sections the PLCTL bits of the sections present: bit 0 INFO, 1 KEY, 2 SPEC, 3 CYCT, 4
   *     WNDW (an ETE section; skipped, its value is not reported)
   * @param info the INFO section (0 if absent): bit 0 cycle counting enabled, bits [3:1]
   *     conditional tracing mode, bit 4 P0 load tracing, bit 5 P0 store tracing
   * @param key the current P0 key (0 if absent)
   * @param specDepth the current speculation depth (0 if absent)
   * @param ccThreshold the cycle-count threshold (0 if absent)
   */
  void traceInfo(
      long offset, long index, int sections, int info, int key, int specDepth, int ccThreshold);

  /** Trace On ({@code 04}): a discontinuity; tracing (re)starts after a gap. */
  void traceOn(long offset, long index);

  /**
   * Timestamp ({@code 02}, {@code 03}).
   *
   * @param value the full running timestamp after this packet
   * @param updatedBits how many low bits this packet replaced (64 if it gave a full value)
   * @param hasCycleCount true for header {@code 03}
   * @param cycleCount the cycle count (masked to TRCIDR2.CCSIZE), 0 if absent
   */
  void timestamp(
      long offset, long index, long value, int updatedBits, boolean hasCycleCount, int cycleCount);

  /**
   * Exception ({@code 06}). A P0 element; its preferred return address comes in the next address
   * packet.
   *
   * @param type exception type number TYPE[9:0] (A-profile: 0 PE reset, 1 debug halt, 2 call, 3
   *     trap, 4 system error, 6 inst debug, 7 data debug, 0xA alignment, 0xB inst fault, 0xC data
   *     fault, 0xE IRQ, 0xF FIQ)
   * @param addressInfo E1:E0: 1 = return address follows, 2 = return address follows and equals
   *     the target of the previous P0 element (0 and 3 are treated like 1 by OpenCSD)
   * @param faultPending the M-profile P bit (second info byte), false on A-profile
   */
  void exception(long offset, long index, int type, int addressInfo, boolean faultPending);

  /** Exception Return ({@code 07}). Not a P0 element on A-profile. */
  void exceptionReturn(long offset, long index);

  /** Function Return ({@code 05}, ETMv4.2+ on v8-M only; reserved elsewhere). */
  void functionReturn(long offset, long index);

  /**
   * Atoms.
   *
   * @param format 1..6, the atom packet format
   * @param bits the pattern, bit 0 = oldest atom, 1 = E
   * @param count number of atoms, 1..24
   */
  void atoms(long offset, long index, int format, int bits, int count);

  /**
   * An address packet without context: exact match ({@code 90}-{@code 92}), short ({@code 95},
   * {@code 96}) or long ({@code 9A}, {@code 9B}, {@code 9D}, {@code 9E}).
   *
   * @param address the full address after completion from the history
   * @param isa the instruction set of the packet: 0 = IS0 (A64, A32), 1 = IS1 (T32)
   * @param form how the packet carried the address
   * @param matchEntry the history entry 0..2 for {@link AddressForm#EXACT_MATCH}, else -1
   * @param knownBits number of valid low bits of {@code address} (normally 64)
   */
  void address(
      long offset,
      long index,
      long address,
      int isa,
      AddressForm form,
      int matchEntry,
      int knownBits);

  /**
   * Address with context ({@code 82}, {@code 83}, {@code 85}, {@code 86}): a long address then a
   * context payload that always has its info byte.
   *
   * @param form {@link AddressForm#LONG_32} or {@link AddressForm#LONG_64}
   * @param el exception level 0..3
   * @param sf true if the PE is in AArch64 state (IS0 means A64)
   * @param ns true if Non-secure
   * @param vmidUpdated true if the packet carried a VMID
   * @param vmid the VMID (the last one received if not updated)
   * @param contextIdUpdated true if the packet carried a CONTEXTIDR value
   * @param contextId the context ID (the last one received if not updated)
   */
  void addressWithContext(
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
      int contextId);

  /**
   * Context ({@code 80}, {@code 81}).
   *
   * @param updated false for {@code 80} ("context unchanged"): the other arguments are then the
   *     last values received and both ID flags are false
   * @see #addressWithContext for the other arguments
   */
  void context(
      long offset,
      long index,
      boolean updated,
      int el,
      boolean sf,
      boolean ns,
      boolean vmidUpdated,
      int vmid,
      boolean contextIdUpdated,
      int contextId);

  /** Overflow ({@code 00 05}): the trace unit lost trace; resynchronise. */
  void overflow(long offset, long index);

  /** Discard ({@code 00 03}): the trace unit discarded speculative elements; resynchronise. */
  void discard(long offset, long index);

  /**
   * Cycle count, format 1 ({@code 0E}/{@code 0F}), 2 ({@code 0C}/{@code 0D}) or 3 ({@code 10}-
   * {@code 1F}).
   *
   * @param format 1, 2 or 3
   * @param count the cycle count, threshold from the last Trace Info already added; 0 if unknown
   * @param countKnown false for format 1 with U = 1 (count unknown, e.g. after an overflow)
   * @param commit number of P0 elements this packet commits; -1 if the packet has no commit field
   *     (TRCIDR0.COMMOPT = 1)
   */
  void cycleCount(long offset, long index, int format, int count, boolean countKnown, int commit);

  /** Commit ({@code 2D}): the {@code count} oldest uncommitted P0 elements are committed. */
  void commit(long offset, long index, int count);

  /**
   * Cancel, format 1 ({@code 2E}/{@code 2F}), 2 ({@code 34}-{@code 37}) or 3 ({@code 38}-{@code
   * 3F}): the {@code count} newest uncommitted P0 elements are cancelled, then, for formats 2 and 3
   * and for {@code 2F}, the newest remaining atom is mispredicted, then {@code atomCount} atoms
   * ({@code atomBits}, oldest in bit 0) are added.
   *
   * @param format 1, 2 or 3
   * @param mispredict true for {@code 2F} and every format 2 and 3 packet
   */
  void cancel(
      long offset,
      long index,
      int format,
      int count,
      boolean mispredict,
      int atomBits,
      int atomCount);

  /**
   * Mispredict ({@code 30}-{@code 33}): the newest atom is flipped, then {@code atomCount} atoms
   * (0..2) are added.
   */
  void mispredict(long offset, long index, int atomBits, int atomCount);

  /** Event ({@code 71}-{@code 7F}); {@code mask} bits 0..3 = events 0..3. */
  void event(long offset, long index, int mask);

  /**
   * Q packet ({@code A0}-{@code AF}, only with TRCIDR0.QSUPP): {@code count} instructions executed
   * without P0 elements, optionally ending at a given address.
   *
   * @param type the header's low nibble
   * @param count instruction count (unsigned 32 bits); type {@code F} has none and gives 0
   * @param form how the address was given, or null without an address (types {@code C}, {@code F})
   * @param address the full address when {@code form != null}, else 0
   */
  void q(long offset, long index, int type, int count, AddressForm form, long address);

  /** Ignore ({@code 70}, ETMv4.3+): padding without meaning. */
  void ignore(long offset, long index);

  /** Timestamp marker ({@code 88}, ETMv4.6+). */
  void timestampMarker(long offset, long index);

  /**
   * ETE Transaction Start ({@code 0A}): a TSTART executed; a P0 element when TRCIDR0.COMMTRANS is 0
   * ({@link Etm4Config#transactionStartIsP0()}).
   */
  default void transactionStart(long offset, long index) {}

  /** ETE Transaction Commit ({@code 0B}): the transaction in progress committed. */
  default void transactionCommit(long offset, long index) {}

  /**
   * ETE Transaction Failure (an Exception packet of TYPE 0x18, always 3 bytes): everything executed
   * since the transaction started was unwound; the next address packet gives where execution goes on.
   * The reader pushes address 0 to the address history for it, as OpenCSD does.
   */
  default void transactionFail(long offset, long index) {}

  /**
   * ETE PE Reset (an Exception packet of TYPE 0, always 3 bytes): no return address follows. The
   * reader pushes address 0 to the address history for it, as OpenCSD does.
   */
  default void peReset(long offset, long index) {}

  /**
   * ETE source address ({@code B0}-{@code B2} exact match, {@code B4}/{@code B5} short, {@code
   * B6}/{@code B7} long 32-bit, {@code B8}/{@code B9} long 64-bit): a P0 element saying the PE
   * executed up to and including the instruction at {@code address} (a taken branch unless the
   * instruction is no branch). Arguments as {@link #address}; source and target addresses share
   * one address history.
   */
  default void sourceAddress(
      long offset,
      long index,
      long address,
      int isa,
      AddressForm form,
      int matchEntry,
      int knownBits) {}

  /**
   * A packet the reader rejected. Reading continues with the next byte as a header (see the class
   * comment for what a decoder should do).
   *
   * @param header the packet's first byte; -1 for {@link PacketError#UNSYNCED_AT_END}, which
   *     covers skipped bytes rather than a packet
   * @param length how many bytes the bad packet covers (the reader resumes at {@code offset +
   *     length})
   * @param reason what was wrong
   */
  void error(long offset, long index, int header, long length, PacketError reason);

  /**
   * End of the stream at {@code offset} (its length); {@code packets} is the number of packets
   * delivered. A packet cut off by the end was reported as {@link PacketError#INCOMPLETE_AT_END}.
   */
  void end(long offset, long packets);
}
