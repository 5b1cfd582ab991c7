package dev.tracepoke.kallsyms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KallsymsTest {
  static final String TEXT = String.join("\n",
      "0000000000000000 A fixed_percpu_data",
      "ffff800008000000 T _text",
      "ffff800008010000 t __stext_local",
      "ffff800008010000 T _stext",
      "ffff800008010040 T __kloop",
      "ffff800008010040 T kloop",
      "ffff800008010080 t kfar",
      "ffff800008010080 t kfar_alias",
      "ffff800009000000 D init_task",
      "ffff800009000100 d local_data",
      "ffff800009100000 B __bss_start",
      "ffff800000f30000 t ext4_init\t[ext4]",
      "ffff800000f30040 T ext4_fill_super\t[ext4]",
      "");

  private static Kallsyms parse(String s) throws Exception {
    return Kallsyms.read(new StringReader(s), "kallsyms");
  }

  @Test
  void parsesEveryField() throws Exception {
    Kallsyms k = parse(TEXT);
    assertEquals(13, k.size());
    assertEquals(0xFFFF_8000_0801_0040L, k.address(5));
    assertEquals('T', k.type(5));
    assertEquals("kloop", k.name(5));
    assertEquals(null, k.module(5));
    assertEquals("ext4_fill_super", k.name(12));
    assertEquals("ext4", k.module(12));
    assertEquals('t', k.type(11));
  }

  @Test
  void writesTheSameText() throws Exception {
    StringWriter w = new StringWriter();
    parse(TEXT).write(w);
    assertEquals(TEXT, w.toString());
  }

  @Test
  void fileRoundTrip(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("kallsyms");
    Kallsyms.of(List.of(new Kallsyms.Symbol(0xFFFF_8000_0801_0000L, 'T', "_stext", null),
        new Kallsyms.Symbol(0x1234, 'a', "abs", null),
        new Kallsyms.Symbol(0xFFFF_8000_00F3_0000L, 't', "m_init", "mymod"))).write(f);
    assertEquals("ffff800008010000 T _stext\n0000000000001234 a abs\nffff800000f30000 t m_init\t[mymod]\n",
        Files.readString(f));
    Kallsyms k = Kallsyms.read(f);
    assertEquals(3, k.size());
    assertEquals("mymod", k.module(2));
    assertEquals(List.of(dir.resolve("kallsyms")), Files.list(dir).toList());
  }

  @Test
  void lookupGivesSymbolAndOffset() throws Exception {
    Kallsyms k = parse(TEXT);
    assertEquals(Optional.of(new Kallsyms.Hit(5, "kloop", 4)), k.lookup(0xFFFF_8000_0801_0044L));
    assertEquals(Optional.of(new Kallsyms.Hit(3, "_stext", 0)), k.lookup(0xFFFF_8000_0801_0000L));
    assertEquals(Optional.of(new Kallsyms.Hit(1, "_text", 0xFFFF)), k.lookup(0xFFFF_8000_0800_FFFFL));
    assertEquals(Optional.of(new Kallsyms.Hit(6, "kfar", 4)), k.lookup(0xFFFF_8000_0801_0084L));
    assertEquals(Optional.of(new Kallsyms.Hit(12, "ext4_fill_super", 0x10)),
        k.lookup(0xFFFF_8000_00F3_0050L));
    assertEquals(Optional.of(new Kallsyms.Hit(0, "fixed_percpu_data", 0x10)), k.lookup(0x10));
    assertEquals(Optional.of(new Kallsyms.Hit(10, "__bss_start", 0x7FFF_F6EF_FFFFL)), k.lookup(-1L));
    assertEquals(9, k.indexAt(0xFFFF_8000_0900_01FFL));
    Kallsyms noZero = parse("ffff800008000000 T _text\n");
    assertEquals(-1, noZero.indexAt(0xFFFF_8000_07FF_FFFFL));
    assertEquals(Optional.empty(), noZero.lookup(5));
    assertEquals(-1, Kallsyms.of(List.of()).indexAt(0));
  }

  @Test
  void nameToAddress() throws Exception {
    Kallsyms k = parse(TEXT);
    assertEquals(OptionalLong.of(0xFFFF_8000_0801_0040L), k.addressOf("kloop"));
    assertEquals(OptionalLong.of(0xFFFF_8000_0800_0000L), k.addressOf("_text"));
    assertEquals(OptionalLong.empty(), k.addressOf("nosuch"));
    assertEquals(8, k.indexOf("init_task"));
    assertEquals(-1, k.indexOf("nosuch"));
    // the first of two equal names wins
    Kallsyms dup = parse("ffff800008000010 t init\nffff800008000020 t init\n");
    assertEquals(OptionalLong.of(0xFFFF_8000_0800_0010L), dup.addressOf("init"));
  }

  @Test
  void malformedLinesNameLineAndOffset() {
    KallsymsFormatException e = assertThrows(KallsymsFormatException.class,
        () -> parse("ffff800008000000 T _text\nzzzz T foo\n"));
    assertEquals("kallsyms line 2 (byte offset 25): expected a hex address of 1..16 digits then a space",
        e.getMessage());
    e = assertThrows(KallsymsFormatException.class, () -> parse("ffff800008000000 T\n"));
    assertEquals(1, e.line());
    assertEquals(17, e.offset());
    e = assertThrows(KallsymsFormatException.class, () -> parse("ffff800008000000 T foo\text4\n"));
    assertEquals("kallsyms line 1 (byte offset 23): expected '[module]' after the tab", e.getMessage());
    e = assertThrows(KallsymsFormatException.class, () -> parse("1ffff800008000000 T foo\n"));
    assertEquals(0, e.offset());
  }

  @Test
  void byteThatIsNotUtf8IsNamedWithItsOffset(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("kallsyms");
    byte[] text = "ffff800008000000 T _stext\nffff800008000010 t bad_\u00e9name\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    text[26 + 24] = (byte) 'n'; // "é" loses its continuation byte: 0xC3 then 'n'
    Files.write(f, text);
    KallsymsFormatException e = assertThrows(KallsymsFormatException.class, () -> Kallsyms.read(f));
    assertEquals(f + " line 2 (byte offset 49): expected UTF-8 text, found byte 0xc3", e.getMessage());
  }

  @Test
  void aSymbolTypeThatIsNoLetterIsNamed() {
    // found by KallsymsFuzzTest: the table's own check threw an IllegalArgumentException
    KallsymsFormatException e = assertThrows(KallsymsFormatException.class,
        () -> Kallsyms.read(new StringReader("ffff800008000000 T _stext\nffff800008000010 \u00d4 vector\n"), "k"));
    assertEquals("k line 2 (byte offset 43): expected a symbol type letter after the address, found U+00D4", e.getMessage());
  }
}
