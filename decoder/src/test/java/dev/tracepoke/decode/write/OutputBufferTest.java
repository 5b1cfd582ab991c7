package dev.tracepoke.decode.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written number formats against the JDK's. */
class OutputBufferTest {
  private static String decimal(long v) {
    byte[] b = new byte[32];
    return new String(b, 0, OutputBuffer.decimal(b, 0, v), StandardCharsets.US_ASCII);
  }

  private static String hex(long v) {
    byte[] b = new byte[32];
    return new String(b, 0, OutputBuffer.hex(b, 0, v), StandardCharsets.US_ASCII);
  }

  @Test
  void decimalEdges() {
    assertEquals("0", decimal(0));
    assertEquals("9", decimal(9));
    assertEquals("10", decimal(10));
    assertEquals("99", decimal(99));
    assertEquals("100", decimal(100));
    assertEquals("2147483647", decimal(Integer.MAX_VALUE));
    assertEquals("2147483648", decimal(Integer.MAX_VALUE + 1L));
    assertEquals("999999999999999999", decimal(999_999_999_999_999_999L));
    assertEquals("1000000000000000000", decimal(1_000_000_000_000_000_000L));
    assertEquals("9223372036854775807", decimal(Long.MAX_VALUE));
    assertEquals("-1", decimal(-1));
    assertEquals("-9223372036854775808", decimal(Long.MIN_VALUE));
    byte[] b = new byte[16];
    assertEquals("  123", new String(b, 0, OutputBuffer.decimal(b, 0, 123, 5, (byte) ' '), StandardCharsets.US_ASCII));
    assertEquals("000000007", new String(b, 0, OutputBuffer.decimal(b, 0, 7, 9, (byte) '0'), StandardCharsets.US_ASCII));
  }

  @Test
  void randomValuesAsTheJdkWritesThem() {
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      long v = r.nextLong() >> r.nextInt(64);
      assertEquals(Long.toString(v), decimal(v));
      assertEquals(Long.toHexString(v), hex(v));
      byte[] b = new byte[16];
      assertEquals(String.format("%016x", v), new String(b, 0, OutputBuffer.hex16(b, 0, v), StandardCharsets.US_ASCII));
      assertEquals(String.format("%08x", (int) v), new String(b, 0, OutputBuffer.hex8(b, 0, (int) v), StandardCharsets.US_ASCII));
    }
  }
}
