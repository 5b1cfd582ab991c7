package dev.tracepoke.decode.a64;

/** The kinds {@link A64#classify} distinguishes, as an enum for the API edge. */
public enum InsnKind {
  OTHER(A64.OTHER, "other"),
  DIRECT(A64.DIRECT, "direct"),
  COND(A64.COND, "cond"),
  INDIRECT(A64.INDIRECT, "indirect"),
  RETURN(A64.RETURN, "return"),
  ERET(A64.ERET, "eret"),
  ISB(A64.ISB, "isb"),
  SVC(A64.SVC, "svc"),
  HVC(A64.HVC, "hvc"),
  SMC(A64.SMC, "smc"),
  BRK(A64.BRK, "brk"),
  HLT(A64.HLT, "hlt"),
  UDF(A64.UDF, "udf"),
  DCPS(A64.DCPS, "dcps");

  private static final InsnKind[] BY_CODE = new InsnKind[A64.KIND_MASK + 1];

  static {
    for (InsnKind k : values()) {
      BY_CODE[k.code] = k;
    }
  }

  private final int code;
  private final String label;

  InsnKind(int code, String label) {
    this.code = code;
    this.label = label;
  }

  /** The kind code used in packed classifications. */
  public int code() {
    return code;
  }

  /** Lower-case name used in output formats (the {@code last} field of a range). */
  public String label() {
    return label;
  }

  /** The kind of a packed {@link A64#classify} result. */
  public static InsnKind of(int cls) {
    InsnKind k = BY_CODE[cls & A64.KIND_MASK];
    if (k == null) {
      throw new IllegalArgumentException("no instruction kind has code " + (cls & A64.KIND_MASK));
    }
    return k;
  }
}
