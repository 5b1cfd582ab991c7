package dev.tracepoke.decode.a64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-checked encodings (assembled from the Arm ARM field layouts) with exact results. */
class A64Test {
  private static final long PC = 0xffff800008001000L;

  @Test
  void directTargetsOfEveryImmediateWidth() {
    assertEquals(PC + 4, A64.directTarget(0x14000001, PC)); // b .+4
    assertEquals(PC - 4, A64.directTarget(0x97ffffff, PC)); // bl .-4
    assertEquals(PC - 0x8000000L, A64.directTarget(0x16000000, PC)); // b, imm26 = most negative
    assertEquals(PC + 0x7fffffcL, A64.directTarget(0x15ffffff, PC)); // b, imm26 = most positive
    assertEquals(PC + 0x40, A64.directTarget(0x54000200, PC)); // b.eq .+0x40
    assertEquals(PC - 0x100000L, A64.directTarget(0x54800000, PC)); // b.eq, imm19 most negative
    assertEquals(PC + 8, A64.directTarget(0x54000050, PC)); // bc.eq .+8
    assertEquals(PC - 4, A64.directTarget(0xb4ffffe3, PC)); // cbz x3, .-4
    assertEquals(PC + 0x7ffc, A64.directTarget(0x3603ffe0, PC)); // tbz w0, #0, imm14 max
    assertEquals(PC - 0x8000, A64.directTarget(0xb7fc0005, PC)); // tbnz x5, #63, imm14 min
    assertThrows(IllegalArgumentException.class, () -> A64.directTarget(0xd65f03c0, PC));
  }

  @Test
  void kindsAndFlagsOfHandPickedWords() {
    assertEquals(A64.DIRECT | A64.F_CMODX_SAFE, A64.classify(0x14000001));
    assertEquals(A64.DIRECT | A64.F_LINK | A64.F_CMODX_SAFE, A64.classify(0x94000000));
    assertEquals(A64.RETURN, A64.classify(0xd65f03c0)); // ret
    assertEquals(A64.RETURN | A64.F_PAUTH, A64.classify(0xd65f0bff)); // retaa
    assertEquals(A64.OTHER, A64.classify(0xd65f0bdf)); // retaa with Rn != 31: unallocated
    assertEquals(A64.INDIRECT | A64.F_LINK | A64.F_PAUTH, A64.classify(0xd73f0c41)); // blrab x2,x1
    assertEquals(A64.ERET | A64.F_PAUTH, A64.classify(0xd69f0fff)); // eretab
    assertEquals(A64.ISB | A64.F_CMODX_SAFE, A64.classify(0xd5033fdf));
    assertEquals(A64.OTHER, A64.classify(0xd5033fde)); // ISB with Rt != 31 is an MSR
    assertEquals(A64.OTHER | A64.F_HINT | A64.F_NOP | A64.F_CMODX_SAFE, A64.classify(0xd503201f));
    assertEquals(A64.OTHER | A64.F_HINT, A64.classify(0xd503233f)); // paciasp
    assertEquals(A64.OTHER | A64.F_HINT | A64.F_WFX, A64.classify(0xd503207f)); // wfi
    assertEquals(A64.OTHER | A64.F_WFX, A64.classify(0xd5031021)); // wfit x1
    assertEquals(A64.SVC | A64.F_CMODX_SAFE, A64.classify(0xd4000001));
    assertEquals(A64.BRK | A64.F_CMODX_SAFE, A64.classify(0xd4200000));
    assertEquals(A64.HLT, A64.classify(0xd4400000));
    assertEquals(A64.DCPS, A64.classify(0xd4a00003));
    assertEquals(A64.UDF, A64.classify(0x0000abcd));
    assertEquals(A64.OTHER, A64.classify(0x00010000));
    assertEquals(A64.OTHER, A64.classify(0x8b000000)); // add x0, x0, x0
    assertEquals(A64.OTHER, A64.classify(0xd5033f9f)); // dsb sy: never a waypoint
  }

  @Test
  void waypointsFollowOpenCsdArchitectureGates() {
    int retaa = A64.classify(0xd65f0bff);
    assertFalse(A64.isWaypoint(retaa, false, false)); // v8.0 core: runs past RETAA
    assertTrue(A64.isWaypoint(retaa, true, false));
    int wfi = A64.classify(0xd503207f);
    assertFalse(A64.isWaypoint(wfi, true, false));
    assertTrue(A64.isWaypoint(wfi, true, true));
    assertTrue(A64.isWaypoint(A64.classify(0xd5033fdf), false, false)); // isb
    assertFalse(A64.isWaypoint(A64.classify(0xd4000001), true, true)); // svc: exception packet
    assertTrue(A64.isExceptionGenerating(A64.classify(0x00000000)));
    assertFalse(A64.isExceptionGenerating(A64.classify(0xd69f03e0)));
  }

  @Test
  void recordAtTheApiEdge() {
    Insn bl = A64.decode(PC, 0x97ffffff);
    assertEquals(new Insn(PC, 0x97ffffff, InsnKind.DIRECT, A64.F_LINK | A64.F_CMODX_SAFE, PC - 4), bl);
    assertTrue(bl.link());
    assertTrue(bl.cmodxSafe());
    assertEquals("direct", bl.kind().label());
    Insn br = A64.decode(PC, 0xd61f0000);
    assertEquals(InsnKind.INDIRECT, br.kind());
    assertFalse(br.hasTarget());
    assertEquals(Insn.NO_TARGET, br.target());
  }
}
