package dev.tracepoke.decode.a64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier against GNU objdump's mnemonics: the committed expectations always, and objdump
 * itself where it is installed (which also proves the committed file is still what objdump says).
 */
class A64ObjdumpTest {
  private static final int CMODX = A64.F_CMODX_SAFE;
  private static final int HINT = A64.F_HINT;

  /** objdump mnemonic → expected packed classification; mnemonics not listed are OTHER, no flags. */
  private static final Map<String, Integer> EXPECTED =
      Map.ofEntries(
          Map.entry("b", A64.DIRECT | CMODX),
          Map.entry("bl", A64.DIRECT | A64.F_LINK | CMODX),
          Map.entry("cbz", A64.COND),
          Map.entry("cbnz", A64.COND),
          Map.entry("tbz", A64.COND),
          Map.entry("tbnz", A64.COND),
          Map.entry("br", A64.INDIRECT),
          Map.entry("blr", A64.INDIRECT | A64.F_LINK),
          Map.entry("braa", A64.INDIRECT | A64.F_PAUTH),
          Map.entry("brab", A64.INDIRECT | A64.F_PAUTH),
          Map.entry("braaz", A64.INDIRECT | A64.F_PAUTH),
          Map.entry("brabz", A64.INDIRECT | A64.F_PAUTH),
          Map.entry("blraa", A64.INDIRECT | A64.F_LINK | A64.F_PAUTH),
          Map.entry("blrab", A64.INDIRECT | A64.F_LINK | A64.F_PAUTH),
          Map.entry("blraaz", A64.INDIRECT | A64.F_LINK | A64.F_PAUTH),
          Map.entry("blrabz", A64.INDIRECT | A64.F_LINK | A64.F_PAUTH),
          Map.entry("ret", A64.RETURN),
          Map.entry("retaa", A64.RETURN | A64.F_PAUTH),
          Map.entry("retab", A64.RETURN | A64.F_PAUTH),
          Map.entry("eret", A64.ERET),
          Map.entry("eretaa", A64.ERET | A64.F_PAUTH),
          Map.entry("eretab", A64.ERET | A64.F_PAUTH),
          Map.entry("isb", A64.ISB | CMODX),
          Map.entry("svc", A64.SVC | CMODX),
          Map.entry("hvc", A64.HVC | CMODX),
          Map.entry("smc", A64.SMC | CMODX),
          Map.entry("brk", A64.BRK | CMODX),
          Map.entry("hlt", A64.HLT),
          Map.entry("udf", A64.UDF),
          Map.entry("dcps1", A64.DCPS),
          Map.entry("dcps2", A64.DCPS),
          Map.entry("dcps3", A64.DCPS),
          Map.entry("wfet", A64.OTHER | A64.F_WFX),
          Map.entry("wfit", A64.OTHER | A64.F_WFX),
          Map.entry("nop", A64.OTHER | HINT | A64.F_NOP | CMODX),
          Map.entry("wfe", A64.OTHER | HINT | A64.F_WFX),
          Map.entry("wfi", A64.OTHER | HINT | A64.F_WFX));

  /** Every other name objdump 2.40 gives a word of the HINT space (CRn = 0010, Rt = 31). */
  private static final Set<String> OTHER_HINTS =
      Set.of(
          "hint", "yield", "sev", "sevl", "esb", "psb", "tsb", "csdb", "clearbhb", "bti", "xpaclri",
          "pacia1716", "pacib1716", "autia1716", "autib1716", "paciaz", "pacibz", "autiaz",
          "autibz", "paciasp", "pacibsp", "autiasp", "autibsp");

  static int expected(String mnemonic) {
    if (mnemonic.startsWith("b.") || mnemonic.startsWith("bc.")) {
      return A64.COND;
    }
    Integer e = EXPECTED.get(mnemonic);
    if (e != null) {
      return e;
    }
    return OTHER_HINTS.contains(mnemonic) ? A64.OTHER | HINT : A64.OTHER;
  }

  private static final long PC = 0xffff800008010000L;

  /** Returns the number of entries checked; fails with the first disagreement. */
  private static int check(List<ObjdumpListing.Entry> entries) {
    int n = 0;
    for (ObjdumpListing.Entry e : entries) {
      int cls = A64.classify(e.word());
      String where = String.format("0x%08x (objdump: %s)", e.word(), e.mnemonic());
      assertEquals(expected(e.mnemonic()), cls, where);
      assertEquals(e.hasTarget(), A64.hasDirectTarget(cls), where);
      if (e.hasTarget()) {
        assertEquals(PC + e.delta(), A64.directTarget(e.word(), PC), where);
      }
      n++;
    }
    return n;
  }

  @Test
  void committedVectorsAreTheSeededSetAndClassifyAsObjdumpSays() {
    List<ObjdumpListing.Entry> committed = ObjdumpListing.readCommitted();
    int[] words = A64Vectors.generate();
    assertArrayEquals(words, committed.stream().mapToInt(ObjdumpListing.Entry::word).toArray());
    assertEquals(words.length, check(committed));
    assertTrue(words.length >= 100_000 + 20_000, "vector count " + words.length);
  }

  @Test
  void committedVectorsCoverEveryBranchAndExceptionMnemonic() {
    Set<String> seen =
        committed().stream().map(ObjdumpListing.Entry::mnemonic).collect(Collectors.toSet());
    for (String m : EXPECTED.keySet()) {
      assertTrue(seen.contains(m), "no vector for " + m);
    }
    for (String m : OTHER_HINTS) {
      assertTrue(seen.contains(m), "no vector for " + m);
    }
  }

  private static List<ObjdumpListing.Entry> committed() {
    return ObjdumpListing.readCommitted();
  }

  @Test
  void objdumpLiveAgreesWithCommittedVectors(@TempDir Path tmp) throws Exception {
    String objdump = findOnPath(ObjdumpListing.OBJDUMP);
    if (objdump == null) {
      System.out.println("SKIP: " + ObjdumpListing.OBJDUMP + " not on PATH");
    }
    Assumptions.assumeTrue(objdump != null, ObjdumpListing.OBJDUMP + " not on PATH");
    int[] words = A64Vectors.generate();
    List<ObjdumpListing.Entry> live = ObjdumpListing.run(objdump, words, tmp);
    assertEquals(committed(), live);
    assertEquals(words.length, check(live));
  }

  static String findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
