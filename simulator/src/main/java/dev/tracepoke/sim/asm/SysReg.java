package dev.tracepoke.sim.asm;

/**
 * System registers the machine implements, with their (op0, op1, CRn, CRm, op2) encoding.
 * {@link #HOSTCALL} is an IMPLEMENTATION DEFINED register (S3_7_C15_C0_0): writing it calls the
 * machine's host-call hook, the simulator's way for guest code to ask for simulator services.
 */
public enum SysReg {
  SPSR_EL1(3, 0, 4, 0, 0),
  ELR_EL1(3, 0, 4, 0, 1),
  SP_EL0(3, 0, 4, 1, 0),
  SP_EL1(3, 4, 4, 1, 0),
  SPSEL(3, 0, 4, 2, 0),
  CURRENT_EL(3, 0, 4, 2, 2),
  NZCV(3, 3, 4, 2, 0),
  DAIF(3, 3, 4, 2, 1),
  ESR_EL1(3, 0, 5, 2, 0),
  VBAR_EL1(3, 0, 12, 0, 0),
  MPIDR_EL1(3, 0, 0, 0, 5),
  CTR_EL0(3, 3, 0, 0, 1),
  TPIDR_EL0(3, 3, 13, 0, 2),
  TPIDR_EL1(3, 0, 13, 0, 4),
  CNTFRQ_EL0(3, 3, 14, 0, 0),
  CNTVCT_EL0(3, 3, 14, 0, 2),
  /** GICv3 CPU interface: acknowledge the highest-priority pending interrupt (returns its INTID). */
  ICC_IAR1_EL1(3, 0, 12, 12, 0),
  /** GICv3 CPU interface: end of interrupt. */
  ICC_EOIR1_EL1(3, 0, 12, 12, 1),
  /** GICv3 CPU interface: generate a Group 1 SGI (an IPI) to a target list or to all other PEs. */
  ICC_SGI1R_EL1(3, 0, 12, 11, 5),
  HOSTCALL(3, 7, 15, 0, 0);

  private final int key;

  SysReg(int op0, int op1, int crn, int crm, int op2) {
    this.key = (op0 & 1) << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
  }

  /** The 15-bit o0:op1:CRn:CRm:op2 field as it sits at bit 5 of MRS/MSR. */
  public int key() {
    return key;
  }

  /** The register with this key, or null. */
  public static SysReg ofKey(int key) {
    for (SysReg r : values()) {
      if (r.key == key) {
        return r;
      }
    }
    return null;
  }
}
