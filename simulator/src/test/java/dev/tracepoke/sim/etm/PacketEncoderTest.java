package dev.tracepoke.sim.etm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exact bytes of every packet form the simulated ETMv4 unit writes. */
class PacketEncoderTest {

  private final TraceBuffer buffer = new TraceBuffer(16);
  private final List<String> log = new ArrayList<>();
  private final PacketEncoder enc = new PacketEncoder(buffer,
      (kind, offset, length, value, extra) -> log.add(kind + "@" + offset + "+" + length + ":" + Long.toHexString(value) + "/" + Long.toHexString(extra)));

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  private void assertBytes(int... expected) {
    assertArrayEquals(bytes(expected), buffer.toByteArray());
  }

  @Test
  void asyncIsElevenZerosThen80() {
    enc.async();
    assertBytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80);
    assertEquals(List.of("ASYNC@0+12:0/0"), log);
  }

  @Test
  void traceInfoWithAndWithoutInfoSection() {
    enc.traceInfo(true, 0);
    enc.traceInfo(false, 0);
    enc.traceInfo(true, 0x1);
    assertBytes(0x01, 0x01, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01);
  }

  @Test
  void traceInfoResetsAddressHistoryAndTimestampBase() {
    enc.longAddress64(0xFFFF800008010040L);
    enc.timestamp(0x123456789ABL);
    enc.traceInfo(true, 0);
    assertEquals(0, enc.historyEntry(0));
    int before = buffer.size();
    // Against a zeroed history a user address fits in a 32-bit long address...
    assertEquals(PacketKind.LONG_ADDR_32, enc.address(0x00400000L));
    // ...and the timestamp is sent in full again.
    enc.timestamp(0x123456789ABL);
    byte[] all = buffer.toByteArray();
    byte[] tail = java.util.Arrays.copyOfRange(all, before, all.length);
    assertArrayEquals(bytes(0x9A, 0x00, 0x00, 0x40, 0x00, 0x02, 0xab, 0x93, 0x9e, 0xab, 0xb4, 0x24), tail);
  }

  @Test
  void traceOnOverflowExceptionReturn() {
    enc.traceOn();
    enc.overflow();
    enc.exceptionReturn();
    assertBytes(0x04, 0x00, 0x05, 0x07);
  }

  @Test
  void timestampFullThenPartial() {
    // The reference probe's values: 0x0123456789AB in full, then an update of the low 14 bits.
    enc.timestamp(0x0123456789ABL);
    enc.timestamp(0x012345679C5FL);
    assertBytes(0x02, 0xab, 0x93, 0x9e, 0xab, 0xb4, 0x24, 0x02, 0xdf, 0x38);
  }

  @Test
  void timestampOfAllSixtyFourBitsUsesNineBytes() {
    enc.timestamp(0x8000000000000001L);
    assertBytes(0x02, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
  }

  @Test
  void timestampUnchangedStillSendsOneGroup() {
    enc.timestamp(5);
    enc.timestamp(5);
    assertBytes(0x02, 0x05, 0x02, 0x05);
  }

  @Test
  void contextWithAndWithoutContextId() {
    enc.context(PacketEncoder.contextInfo(1, true, false), 0);
    enc.context(PacketEncoder.contextInfo(0, true, true), 0x1234);
    enc.context(PacketEncoder.contextInfo(2, false, false), 0);
    assertBytes(0x81, 0x31, 0x81, 0xb0, 0x34, 0x12, 0x00, 0x00, 0x81, 0x12);
  }

  @Test
  void addressWithContext64() {
    enc.addressWithContext64(0xFFFF000008080480L, PacketEncoder.contextInfo(1, true, true), 0x1234);
    assertBytes(0x85, 0x20, 0x02, 0x08, 0x08, 0x00, 0x00, 0xff, 0xff, 0xb1, 0x34, 0x12, 0x00, 0x00);
    assertEquals(0xFFFF000008080480L, enc.historyEntry(0));
  }

  @Test
  void addressWithContext32KeepsUpperHalf() {
    enc.longAddress64(0xFFFF000008080480L);
    assertEquals(PacketKind.ADDR_CTXT_32,
        enc.addressWithContext(0xFFFF00000840000CL, PacketEncoder.contextInfo(0, true, false), 0));
    assertBytes(0x9D, 0x20, 0x02, 0x08, 0x08, 0x00, 0x00, 0xff, 0xff,
        0x82, 0x03, 0x00, 0x40, 0x08, 0x30);
    assertEquals(0xFFFF00000840000CL, enc.historyEntry(0));
  }

  @Test
  void addressWithContextChoosesSixtyFourBitsWhenUpperHalfDiffers() {
    assertEquals(PacketKind.ADDR_CTXT_64,
        enc.addressWithContext(0xFFFF000008080480L, PacketEncoder.contextInfo(1, true, false), 0));
    assertBytes(0x85, 0x20, 0x02, 0x08, 0x08, 0x00, 0x00, 0xff, 0xff, 0x31);
  }

  @Test
  void exactMatchAgainstEveryHistoryEntryAndRePush() {
    enc.longAddress64(0x1000);
    enc.longAddress64(0x2000);
    enc.longAddress64(0x3000);
    int start = buffer.size();
    assertEquals(PacketKind.EXACT_MATCH, enc.address(0x3000)); // entry 0; history 3000,3000,2000
    assertEquals(PacketKind.EXACT_MATCH, enc.address(0x2000)); // entry 2; history 2000,3000,3000
    assertEquals(PacketKind.EXACT_MATCH, enc.address(0x3000)); // entry 1
    assertEquals(PacketKind.SHORT_ADDR_2, enc.address(0x1000)); // fell out of the history
    byte[] all = buffer.toByteArray();
    assertArrayEquals(bytes(0x90, 0x92, 0x91, 0x95, 0x80, 0x08), java.util.Arrays.copyOfRange(all, start, all.length));
  }

  @Test
  void exactMatchForcedForms() {
    enc.exactMatch(0);
    enc.exactMatch(1);
    enc.exactMatch(2);
    assertBytes(0x90, 0x91, 0x92);
    assertThrows(IllegalArgumentException.class, () -> enc.exactMatch(3));
  }

  @Test
  void shortAddressOneAndTwoBytes() {
    enc.longAddress64(0x400000);
    assertEquals(PacketKind.SHORT_ADDR_1, enc.address(0x40000C));
    assertEquals(PacketKind.SHORT_ADDR_2, enc.address(0x401FFC));
    assertBytes(0x9D, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x95, 0x03,
        0x95, 0xFF, 0x0F);
  }

  @Test
  void longAddress32And64() {
    enc.longAddress64(0xFFFF800008010000L);
    assertEquals(PacketKind.LONG_ADDR_32, enc.address(0xFFFF800012345678L));
    assertEquals(PacketKind.LONG_ADDR_64, enc.address(0x0000FFFF12345678L));
    assertBytes(0x9D, 0x00, 0x00, 0x01, 0x08, 0x00, 0x80, 0xff, 0xff,
        0x9A, 0x1E, 0x2B, 0x34, 0x12,
        0x9D, 0x1E, 0x2B, 0x34, 0x12, 0xff, 0xff, 0x00, 0x00);
    assertEquals(0x0000FFFF12345678L, enc.historyEntry(0));
    assertEquals(0xFFFF800012345678L, enc.historyEntry(1));
    assertEquals(0xFFFF800008010000L, enc.historyEntry(2));
  }

  @Test
  void firstAddressAfterContextIsLongWhenConfiguredLikeCortexA72() {
    PacketEncoder a72 = new PacketEncoder(buffer, null, true);
    a72.addressWithContext64(0x4D2FF0L, PacketEncoder.contextInfo(0, true, false), 0);
    assertEquals(PacketKind.LONG_ADDR_64, a72.address(0x4D33C4L)); // a short address would do
    assertEquals(PacketKind.SHORT_ADDR_1, a72.address(0x4D33C8L));
    assertEquals(PacketKind.EXACT_MATCH, a72.address(0x4D33C4L));
    assertBytes(0x85, 0x7C, 0x17, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30,
        0x9D, 0x71, 0x19, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x95, 0x72,
        0x91);
  }

  @ParameterizedTest(name = "type {0} E1:E0 {1} -> 06 {2}")
  @CsvSource({
    "2, 1, 05",    // SVC: Call, return address follows (what Cortex-A53 emits)
    "14, 1, 1d",   // IRQ
    "14, 2, 5c",   // IRQ at the previous branch target
    "3, 1, 07",    // UNDEF: Trap
    "6, 1, 0d",    // BRK: instruction debug
  })
  void exceptionInfoByte(int type, int e1e0, String hex) {
    enc.exception(type, e1e0);
    assertBytes(0x06, Integer.parseInt(hex, 16));
  }

  @Test
  void atomFormats1To3() {
    enc.atomF1(false);
    enc.atomF1(true);
    enc.atomF2(0b00);
    enc.atomF2(0b01);
    enc.atomF2(0b11);
    enc.atomF3(0b000);
    enc.atomF3(0b101); // E N E
    enc.atomF3(0b111);
    assertBytes(0xF6, 0xF7, 0xD8, 0xD9, 0xDB, 0xF8, 0xFD, 0xFF);
  }

  @Test
  void atomFormat4FixedPatterns() {
    enc.atomF4(0b1110); // N E E E
    enc.atomF4(0b0000); // N N N N
    enc.atomF4(0b1010); // N E N E
    enc.atomF4(0b0101); // E N E N
    assertBytes(0xDC, 0xDD, 0xDE, 0xDF);
    assertThrows(IllegalArgumentException.class, () -> enc.atomF4(0b1111));
  }

  @Test
  void atomFormat5FixedPatterns() {
    enc.atomF5(0b11110); // N E E E E
    enc.atomF5(0b00000); // N N N N N
    enc.atomF5(0b01010); // N E N E N
    enc.atomF5(0b10101); // E N E N E
    assertBytes(0xF5, 0xD5, 0xD6, 0xD7);
    assertThrows(IllegalArgumentException.class, () -> enc.atomF5(0b11111));
  }

  @Test
  void atomFormat6Counts() {
    enc.atomF6(3, true);   // EEEE: count 0
    enc.atomF6(3, false);  // EEEN
    enc.atomF6(23, true);  // 24 E: count 20
    enc.atomF6(23, false); // 23 E then N
    enc.atomF6(10, false);
    assertBytes(0xC0, 0xE0, 0xD4, 0xF4, 0xE7);
    assertThrows(IllegalArgumentException.class, () -> enc.atomF6(2, true));
    assertThrows(IllegalArgumentException.class, () -> enc.atomF6(24, true));
  }

  @Test
  void atomPackerTakesTheDensestPacketForTheOldestAtoms() {
    assertEquals(24, enc.atoms(0xFFFFFF, 24));             // 24 E -> D4
    assertEquals(6, enc.atoms(0b100000 | 0b011111, 6));     // EEEEE E -> F6 count 2, last E
    assertEquals(6, enc.atoms(0b011111, 6));                // EEEEE N -> F6 count 2, last N
    assertEquals(5, enc.atoms(0b11110, 7));                 // N E E E E ... -> F5
    assertEquals(5, enc.atoms(0b10101, 5));                 // E N E N E -> D7
    assertEquals(4, enc.atoms(0b0101, 4));                  // E N E N -> DF (not 5: ENEN N is no F5)
    assertEquals(3, enc.atoms(0b011, 4));                   // E E N N -> F3 (EEN), N left
    assertEquals(2, enc.atoms(0b10, 2));                    // N E -> DA
    assertEquals(1, enc.atoms(0b1, 1));                     // E -> F7
    assertBytes(0xD4, 0xC2, 0xE2, 0xF5, 0xD7, 0xDF, 0xFB, 0xDA, 0xF7);
    assertEquals(24 + 6 + 6, enc.atomsInFormat(6));
    assertEquals(10, enc.atomsInFormat(5));
    assertEquals(2, enc.count(PacketKind.ATOM_F5));
  }

  @Test
  void listenerSeesOffsetsLengthsAndValues() {
    enc.async();
    enc.addressWithContext64(0x400000, PacketEncoder.contextInfo(0, true, true), 0x1234);
    enc.atomF3(0b101);
    assertEquals(List.of(
        "ASYNC@0+12:0/0",
        "ADDR_CTXT_64@12+14:400000/b000001234",
        "ATOM_F3@26+1:5/3"), log);
  }
}
