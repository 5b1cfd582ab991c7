package dev.tracepoke.decode.a64;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.SplittableRandom;

/**
 * The deterministic word set the classifier is checked on: every field combination that selects
 * an instruction in the branch / exception-generating / hint / barrier encodings (immediates and
 * registers sampled), then random words inside the op0 = x101 group, then uniformly random words.
 */
final class A64Vectors {
  static final long SEED = 0x7eac3b0e5L;
  static final int RANDOM_WORDS = 100_000;

  private A64Vectors() {}

  static int[] generate() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    IntArrayList w = new IntArrayList();

    // B, BL: imm26 edges and samples.
    int[] imm26 = {0, 1, 2, 0x1FFFFFF, 0x2000000, 0x3FFFFFF, 0x3FFFFFE};
    for (int op = 0; op < 2; op++) {
      for (int imm : imm26) {
        w.add(op << 31 | 0x14000000 | imm);
      }
      for (int i = 0; i < 200; i++) {
        w.add(op << 31 | 0x14000000 | rnd.nextInt(1 << 26));
      }
    }
    // CBZ/CBNZ and TBZ/TBNZ: every sf/b5, op, bit 25 and b40, imm sampled, Rt edges.
    for (int top = 0; top < 2; top++) {
      for (int op = 0; op < 2; op++) {
        for (int tb = 0; tb < 2; tb++) {
          for (int mid = 0; mid < 32; mid++) {
            for (int k = 0; k < 4; k++) {
              int low24 = mid << 19 | rnd.nextInt(1 << 19);
              if (tb == 0 && k == 0) {
                low24 = 0x7FFFF << 5 | 31; // imm19 = -1, Rt = 31
              }
              w.add(top << 31 | 0x34000000 | tb << 25 | op << 24 | (low24 & 0xFFFFFF));
            }
          }
        }
      }
    }
    // 0x54/0x55 page: B.cond, BC.cond, and the unallocated o1 = 1 half.
    for (int o1 = 0; o1 < 2; o1++) {
      for (int o0 = 0; o0 < 2; o0++) {
        for (int cond = 0; cond < 16; cond++) {
          int[] imms = {0, 1, 0x3FFFF, 0x40000, 0x7FFFF, rnd.nextInt(1 << 19), rnd.nextInt(1 << 19)};
          for (int imm : imms) {
            w.add(0x54000000 | o1 << 24 | imm << 5 | o0 << 4 | cond);
          }
        }
      }
    }
    // Exception generation: every opc, op2, LL; imm16 edges and samples.
    for (int opc = 0; opc < 8; opc++) {
      for (int op2 = 0; op2 < 8; op2++) {
        for (int ll = 0; ll < 4; ll++) {
          int[] imms = {0, 0xFFFF, rnd.nextInt(1 << 16)};
          for (int imm : imms) {
            w.add(0xD4000000 | opc << 21 | imm << 5 | op2 << 2 | ll);
          }
        }
      }
    }
    // System CRn = 0010 (hints), 0011 (barriers), 0001 (WFET/WFIT): every CRm:op2, Rt edges.
    for (int crn : new int[] {1, 2, 3}) {
      for (int crmOp2 = 0; crmOp2 < 128; crmOp2++) {
        for (int rt : new int[] {31, 0, 1 + rnd.nextInt(30)}) {
          w.add(0xD5030000 | crn << 12 | crmOp2 << 5 | rt);
        }
      }
    }
    // Unconditional branch (register): every opc and op3, op2 edges, Rn/op4 edges and samples.
    for (int opc = 0; opc < 16; opc++) {
      for (int op3 = 0; op3 < 64; op3++) {
        for (int op2 : new int[] {31, rnd.nextInt(31)}) {
          for (int rn : new int[] {0, 30, 31}) {
            for (int op4 : new int[] {0, 31, 1 + rnd.nextInt(30)}) {
              w.add(0xD6000000 | opc << 21 | op2 << 16 | op3 << 10 | rn << 5 | op4);
            }
          }
        }
      }
    }
    // UDF and its neighbours.
    w.add(0x00000000);
    w.add(0x0000FFFF);
    w.add(0x00010000);
    w.add(0x80000000);
    for (int i = 0; i < 200; i++) {
      w.add(rnd.nextInt(1 << 16));
      w.add(rnd.nextInt(1 << 16) | (1 << (16 + rnd.nextInt(16))));
    }
    // Random words inside op0 = x101 (branches, exception generating, system).
    for (int i = 0; i < 20_000; i++) {
      w.add((rnd.nextInt() & ~0x1C000000) | 0x14000000);
    }
    for (int i = 0; i < RANDOM_WORDS; i++) {
      w.add(rnd.nextInt());
    }
    return w.toIntArray();
  }
}
