package dev.tracepoke.decode.etm4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes in, exact packets out, for every packet kind. Expected values were cross-checked with
 * OpenCSD 1.3.3's trc_pkt_lister on the same bytes (see {@link ListerConformanceTest} for the
 * machine check).
 */
public class PacketReaderTest {

  /** A Cortex-A57-like ETMv4.4: 32-bit context ID, 32-bit VMID, 12-bit cycle counts, no Q. */
  public static final Etm4Config V44 =
      new Etm4Config(0x1, 0x10, 0x08000CA1, 0x4200F440, 0x20001088, 0, 0, 0, 0, 0, 0);

  /** The Juno Cortex-A53 ETMv4.0 of the shipped snapshots: 8-bit VMID, 32-bit context ID. */
  static final Etm4Config A53 =
      new Etm4Config(0xC1, 0x10, 0x28000EA1, 0x4100F403, 0x00000488, 0, 0, 0, 0, 0, 0);

  public static final int[] ASYNC = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};

  public static byte[] bytes(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    byte[] b = new byte[n];
    int i = 0;
    for (int[] p : parts) {
      for (int v : p) {
        b[i++] = (byte) v;
      }
    }
    return b;
  }

  public static int[] b(int... v) {
    return v;
  }

  /** Lists {@code data} pushed in one piece. */
  public static List<String> list(Etm4Config config, byte[] data) {
    StringBuilder out = new StringBuilder();
    PacketReader r = new PacketReader(config, new PacketPrinter(out));
    r.push(data);
    r.finish();
    return lines(out);
  }

  public static List<String> lines(CharSequence s) {
    List<String> l = new ArrayList<>();
    for (String x : s.toString().split("\n")) {
      if (!x.isEmpty()) {
        l.add(x);
      }
    }
    return l;
  }

  /** Lists {@code data} and checks every two-chunk split gives the same listing. */
  static List<String> listAllSplits(Etm4Config config, byte[] data) {
    List<String> whole = list(config, data);
    for (int cut = 0; cut <= data.length; cut++) {
      StringBuilder out = new StringBuilder();
      PacketReader r = new PacketReader(config, new PacketPrinter(out));
      r.push(data, 0, cut);
      r.push(data, cut, data.length - cut);
      r.finish();
      assertEquals(whole, lines(out), "split at " + cut);
    }
    // and byte by byte
    StringBuilder out = new StringBuilder();
    PacketReader r = new PacketReader(config, new PacketPrinter(out));
    for (int i = 0; i < data.length; i++) {
      r.push(data, i, 1);
    }
    r.finish();
    assertEquals(whole, lines(out), "byte by byte");
    return whole;
  }

  @Test
  void minimalStreamFromTheReferenceProbe() {
    byte[] data =
        bytes(
            ASYNC,
            b(0x01, 0x01, 0x00),
            b(0x04),
            b(0x85, 0x00, 0x00, 0x40, 0, 0, 0, 0, 0, 0xB0, 0x34, 0x12, 0x00, 0x00),
            b(0x02, 0xAB, 0x93, 0x9E, 0xAB, 0xB4, 0x24),
            b(0xF7),
            b(0x06, 0x1D),
            b(0x95, 0x03),
            b(0x90));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "15 2 TRACE_ON",
            "16 3 ADDR_CTXT_L64_IS0 0x0000000000400000 EL0 AArch64 NS cid=0x1234",
            "30 4 TIMESTAMP 0x123456789ab bits=64",
            "37 5 ATOM_F1 E",
            "38 6 EXCEPTION IRQ(0xe) ret-addr-follows",
            "40 7 ADDR_S_IS0 0x000000000040000c",
            "42 8 ADDR_MATCH[0] 0x000000000040000c"),
        listAllSplits(A53, data));
  }

  @Test
  void everyAtomFormat() {
    byte[] data =
        bytes(
            ASYNC,
            b(0x01, 0x00),
            b(0xF6, 0xF7, 0xD8, 0xDB, 0xF8, 0xFD, 0xFF),
            b(0xDC, 0xDD, 0xDE, 0xDF),
            b(0xD5, 0xD6, 0xD7, 0xF5),
            b(0xC0, 0xE0, 0xD4, 0xF4, 0xC1));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 ATOM_F1 N",
            "15 3 ATOM_F1 E",
            "16 4 ATOM_F2 NN",
            "17 5 ATOM_F2 EE",
            "18 6 ATOM_F3 NNN",
            "19 7 ATOM_F3 ENE",
            "20 8 ATOM_F3 EEE",
            "21 9 ATOM_F4 NEEE",
            "22 10 ATOM_F4 NNNN",
            "23 11 ATOM_F4 NENE",
            "24 12 ATOM_F4 ENEN",
            "25 13 ATOM_F5 NNNNN",
            "26 14 ATOM_F5 NENEN",
            "27 15 ATOM_F5 ENENE",
            "28 16 ATOM_F5 NEEEE",
            "29 17 ATOM_F6 EEEE",
            "30 18 ATOM_F6 EEEN",
            "31 19 ATOM_F6 EEEEEEEEEEEEEEEEEEEEEEEE",
            "32 20 ATOM_F6 EEEEEEEEEEEEEEEEEEEEEEEN",
            "33 21 ATOM_F6 EEEEE"),
        listAllSplits(A53, data));
  }

  @Test
  void unsynchronisedBytesThenExtraZerosBeforeTheAsync() {
    // 15 bytes of garbage (one 00 inside), three extra zeros, then the A-sync: OpenCSD reports
    // NOT_SYNC at 0 and the A-sync at the first of the zeros (15), not at 18.
    byte[] data =
        bytes(
            b(0x55, 0x44, 0, 0x12, 0x33, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0),
            ASYNC,
            b(0x01, 0x0F, 0x01, 0x05, 0x03, 0x04));
    assertEquals(
        List.of(
            "0 0 NOT_SYNC",
            "15 1 ASYNC",
            "30 2 TRACE_INFO info=0x1 key=5 spec=3 cc_threshold=4"),
        listAllSplits(V44, data));
  }

  @Test
  void contextsTimestampsAndCycleCounts() {
    byte[] data =
        bytes(
            ASYNC,
            b(0x01, 0x0F, 0x01, 0x05, 0x03, 0x04),
            b(0x81, 0xD1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88),
            b(0x80),
            b(0x02, 0x81, 0x01),
            b(0x03, 0x85, 0x01, 0x82, 0x03),
            b(0x0F, 0x0E),
            b(0x0E, 0x03, 0x85, 0x01),
            b(0x0C, 0x35),
            b(0x13),
            b(0x02, 0x01),
            b(0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x1 key=5 spec=3 cc_threshold=4",
            "18 2 CONTEXT EL1 AArch64 S vmid=0x44332211 cid=0x88776655",
            "28 3 CONTEXT same",
            // the first timestamp after a Trace Info is a full value
            "29 4 TIMESTAMP 0x81 bits=64",
            "32 5 TIMESTAMP 0x85 bits=14 cc=386",
            "37 6 CCNT_F1 count=unknown commit=14",
            "39 7 CCNT_F1 count=137 commit=3",
            "43 8 CCNT_F2 count=9 commit=4",
            "45 9 CCNT_F3 count=7 commit=1",
            "46 10 TIMESTAMP 0x81 bits=7",
            "48 11 TIMESTAMP 0xffffffffffffffff bits=64"),
        listAllSplits(V44, data));
  }

  @Test
  void speculationPackets() {
    byte[] data =
        bytes(
            ASYNC,
            b(0x01, 0x00),
            b(0x2D, 0x85, 0x01),
            b(0x2E, 0x03),
            b(0x2F, 0x84, 0x01),
            b(0x30, 0x31, 0x32, 0x33),
            b(0x34, 0x35, 0x36, 0x37),
            b(0x38, 0x39, 0x3F));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 COMMIT 133",
            "17 3 CANCEL_F1 3",
            "19 4 CANCEL_F1 132 mispredict",
            "22 5 MISPREDICT",
            "23 6 MISPREDICT atoms=E",
            "24 7 MISPREDICT atoms=EE",
            "25 8 MISPREDICT atoms=N",
            "26 9 CANCEL_F2 1 mispredict",
            "27 10 CANCEL_F2 1 mispredict atoms=E",
            "28 11 CANCEL_F2 1 mispredict atoms=EE",
            "29 12 CANCEL_F2 1 mispredict atoms=N",
            "30 13 CANCEL_F3 2 mispredict",
            "31 14 CANCEL_F3 2 mispredict atoms=E",
            "32 15 CANCEL_F3 5 mispredict atoms=E"),
        listAllSplits(V44, data));
  }

  @Test
  void addressesAreCompletedFromTheHistory() {
    byte[] data =
        bytes(
            ASYNC,
            // before any Trace Info: only the sent bits are known
            b(0x95, 0x85, 0x12),
            b(0x9A, 0x81, 0x82, 0x83, 0x84),
            b(0x96, 0x05),
            b(0x9B, 0x7F, 0xFF, 0x01, 0x02),
            b(0x90, 0x91, 0x92),
            b(0x01, 0x00),
            b(0x81, 0x11),
            b(0x9D, 1, 2, 3, 4, 5, 6, 7, 8),
            // AArch64: a 32-bit address keeps the upper half
            b(0x9A, 1, 1, 1, 1),
            b(0x96, 0x85, 0x03),
            // AArch32: it does not
            b(0x81, 0x01),
            b(0x9A, 1, 1, 1, 1),
            b(0x85, 1, 2, 3, 4, 5, 6, 7, 8, 0x11),
            // the address is completed before this packet's context (AArch32) applies
            b(0x82, 3, 3, 3, 3, 0x01),
            b(0x91));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 ADDR_S_IS0 0x0000000000002414 known-bits=17",
            "15 2 ADDR_L32_IS0 0x0000000084830404 known-bits=32",
            "20 3 ADDR_S_IS1 0x000000008483040a known-bits=32",
            "22 4 ADDR_L32_IS1 0x000000000201fffe known-bits=32",
            "27 5 ADDR_MATCH[0] 0x000000000201fffe known-bits=32",
            "28 6 ADDR_MATCH[1] 0x000000000201fffe known-bits=32",
            "29 7 ADDR_MATCH[2] 0x000000000201fffe known-bits=32",
            "30 8 TRACE_INFO info=0x0",
            "32 9 CONTEXT EL1 AArch64 S",
            "34 10 ADDR_L64_IS0 0x0807060504030404",
            "43 11 ADDR_L32_IS0 0x0807060501010204",
            "48 12 ADDR_S_IS1 0x080706050101030a",
            "51 13 CONTEXT EL1 AArch32 S",
            "53 14 ADDR_L32_IS0 0x0000000001010204",
            "58 15 ADDR_CTXT_L64_IS0 0x0807060504030404 EL1 AArch64 S",
            "68 16 ADDR_CTXT_L32_IS0 0x080706050303060c EL1 AArch32 S",
            "74 17 ADDR_MATCH[1] 0x0807060504030404"),
        listAllSplits(V44, data));
  }

  @Test
  void exceptionsEventsAndSingleBytePackets() {
    byte[] data =
        bytes(
            ASYNC,
            b(0x01, 0x00),
            b(0x06, 0x05),
            b(0x06, 0x5C),
            b(0x06, 0x9D, 0x2A),
            b(0x06, 0x80, 0x01),
            b(0x07, 0x04, 0x71, 0x7F, 0x70),
            b(0x00, 0x03, 0x00, 0x05));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 EXCEPTION call(0x2) ret-addr-follows",
            "16 3 EXCEPTION IRQ(0xe) ret-addr-follows-match-prev",
            "18 4 EXCEPTION type(0x14e) ret-addr-follows fault-pending",
            "21 5 EXCEPTION type(0x20) addr-info=0",
            "24 6 EXCEPTION_RETURN",
            "25 7 TRACE_ON",
            "26 8 EVENT 0x1",
            "27 9 EVENT 0xf",
            "28 10 IGNORE",
            "29 11 DISCARD",
            "31 12 OVERFLOW"),
        listAllSplits(V44, data));
  }

  @Test
  void qPacketsWhenSupported() {
    Etm4Config q = new Etm4Config(0x1, 0x10, 0x08008CA1, 0x4200F440, 0x20001088, 0, 0, 0, 0, 0, 0);
    byte[] data =
        bytes(
            ASYNC,
            b(0x01, 0x00),
            b(0xA0, 0x05),
            b(0xA5, 0x12, 0x07),
            b(0xA5, 0x92, 0x34, 0x07),
            b(0xA6, 0x12, 0x07),
            b(0xAA, 0x01, 0x02, 0x03, 0x04, 0x07),
            b(0xAC, 0x09),
            b(0xAF),
            b(0xA3));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 Q type=0x0 count=5 0x0000000000000000",
            "16 3 Q type=0x5 count=7 0x0000000000000048",
            "19 4 Q type=0x5 count=7 0x0000000000006848",
            "23 5 Q type=0x6 count=7 0x0000000000006824",
            "26 6 Q type=0xa count=7 0x0000000004030404",
            "32 7 Q type=0xc count=9",
            "34 8 Q type=0xf",
            "35 9 ERROR reserved-header header=0xa3 length=1"),
        listAllSplits(q, data));
  }

  @Test
  void headersNotValidForTheConfigurationAreErrors() {
    // ETMv4.2, no Q: Ignore, TS marker, Q and function return are reserved here.
    Etm4Config v42 = new Etm4Config(0x1, 0x10, 0x08000CA1, 0x4100F423, 0x20001088, 0, 0, 0, 0, 0, 0);
    byte[] data =
        bytes(ASYNC, b(0x01, 0x00), b(0x70, 0x88, 0xA0, 0x05, 0x20, 0x2C, 0x40, 0x6D, 0x47, 0x08, 0xB0, 0xF7));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 TRACE_INFO info=0x0",
            "14 2 ERROR not-in-config header=0x70 length=1",
            "15 3 ERROR not-in-config header=0x88 length=1",
            "16 4 ERROR not-in-config header=0xa0 length=1",
            "17 5 ERROR not-in-config header=0x05 length=1",
            "18 6 ERROR not-valid-for-config header=0x20 length=1",
            "19 7 ERROR not-valid-for-config header=0x2c length=1",
            "20 8 ERROR not-valid-for-config header=0x40 length=1",
            "21 9 ERROR not-valid-for-config header=0x6d length=1",
            "22 10 ERROR reserved-header header=0x47 length=1",
            "23 11 ERROR reserved-header header=0x08 length=1",
            "24 12 ERROR not-in-config header=0xb0 length=1",
            "25 13 ATOM_F1 E"),
        listAllSplits(v42, data));
    Etm4Config v46 = new Etm4Config(0x1, 0x10, 0x08000CA1, 0x4100F463, 0x20001088, 0, 0, 0, 0, 0, 0);
    assertEquals(
        List.of("0 0 ASYNC", "12 1 TRACE_INFO info=0x0", "14 2 TS_MARKER", "15 3 IGNORE"),
        listAllSplits(v46, bytes(ASYNC, b(0x01, 0x00, 0x88, 0x70))));
  }

  @Test
  void badSequencesAndTheEndOfTheStream() {
    byte[] data =
        bytes(
            ASYNC,
            b(0x00, 0x07),
            b(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            b(0x80),
            b(0, 0, 0, 0, 0x80),
            b(0x9D, 0x01, 0x02));
    assertEquals(
        List.of(
            "0 0 ASYNC",
            "12 1 ERROR bad-extension header=0x00 length=2",
            "14 2 ERROR bad-async header=0x00 length=12",
            "26 3 CONTEXT same",
            "27 4 ERROR bad-async header=0x00 length=5",
            "32 5 ERROR incomplete-at-end header=0x9d length=3"),
        listAllSplits(V44, data));
    assertEquals(
        List.of("0 0 ERROR unsynced-at-end length=1"), listAllSplits(V44, bytes(b(0x00))));
    assertEquals(
        List.of("0 0 NOT_SYNC", "6 1 ERROR incomplete-at-end header=0x00 length=2"),
        listAllSplits(V44, bytes(b(0, 0, 0, 0, 0, 0x80, 0, 0))));
    assertEquals(
        List.of("0 0 ASYNC", "12 1 ERROR incomplete-at-end header=0x00 length=1"),
        listAllSplits(V44, bytes(ASYNC, b(0x00))));
  }
}
