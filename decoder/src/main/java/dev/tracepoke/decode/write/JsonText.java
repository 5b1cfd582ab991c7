package dev.tracepoke.decode.write;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** JSON string literals as UTF-8 bytes, escaped as Jackson's generator escapes them. */
final class JsonText {
  private JsonText() {}

  private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /** {@code "s"} with {@code "} and {@code \} escaped, and control characters as short or \\u00XX escapes. */
  static byte[] quoted(String s) {
    ByteArrayOutputStream o = new ByteArrayOutputStream(s.length() + 8);
    o.write('"');
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      o.writeBytes(s.substring(from, i).getBytes(StandardCharsets.UTF_8));
      from = i + 1;
      o.write('\\');
      switch (c) {
        case '"', '\\' -> o.write(c);
        case '\b' -> o.write('b');
        case '\t' -> o.write('t');
        case '\n' -> o.write('n');
        case '\f' -> o.write('f');
        case '\r' -> o.write('r');
        default -> {
          o.write('u');
          o.write('0');
          o.write('0');
          o.write(HEX_UPPER[c >> 4]);
          o.write(HEX_UPPER[c & 15]);
        }
      }
    }
    o.writeBytes(s.substring(from).getBytes(StandardCharsets.UTF_8));
    o.write('"');
    return o.toByteArray();
  }
}
