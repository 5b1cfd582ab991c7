package dev.tracepoke.sim.workload;

/**
 * Where the generated kernel keeps things: the guest ABI shared by the image's code, the host that
 * fills its data (schedule, per-cpu seeds) and the patch host that answers its host calls. All
 * offsets are bytes; every value here is fixed, so an image never depends on host state.
 */
public final class Layout {
  private Layout() {}

  /** Kernel text base (arm64 KIMAGE_VADDR of a 48-bit VA kernel); the vector table sits here. */
  public static final long KERNEL_BASE = 0xffff800008000000L;
  /** Kernel data (globals, per-cpu areas, tables, patch queue): a fixed distance above the text. */
  public static final long DATA_BASE = KERNEL_BASE + 0x0400_0000L;
  /** Kernel stacks, {@link #KERNEL_STACK_SIZE} per cpu, growing down from the top of each slot. */
  public static final long KERNEL_STACK_BASE = KERNEL_BASE + 0x0800_0000L;
  public static final int KERNEL_STACK_SIZE = 0x4000;
  /** The EL0 program every cpu runs between system calls. */
  public static final long USER_BASE = 0x0000_0000_0040_0000L;
  public static final long USER_STACK_BASE = 0x0000_0000_0080_0000L;
  public static final int USER_STACK_SIZE = 0x1000;
  /** Largest text the fixed data base leaves room for. */
  public static final int MAX_TEXT_BYTES = (int) (DATA_BASE - KERNEL_BASE);

  // ---- globals (offsets from DATA_BASE)
  public static final int G_NCORES = 0x00;
  public static final int G_STOP_GEN = 0x08;
  public static final int G_STOP_RELEASE = 0x10;
  public static final int G_KICK_GEN = 0x18;
  public static final int G_PATCH_NEXT = 0x20;
  public static final int G_PATCH_COUNT = 0x28;
  /** One 8-byte generation per cpu: the last stop each cpu arrived at. */
  public static final int G_ARRIVE = 0x100;
  /** One 8-byte generation per cpu: the last kick each cpu acknowledged. */
  public static final int G_ACK = 0x300;

  // ---- per-cpu areas
  public static final int PERCPU = 0x1000;
  public static final int PERCPU_SIZE = 0x100;
  public static final int PCPU_CPU = 0x00;
  public static final int PCPU_RNG = 0x08;
  public static final int PCPU_FTRACE_HITS = 0x10;
  public static final int PCPU_KPROBE_HITS = 0x18;
  public static final int PCPU_SYSCALLS = 0x20;
  public static final int PCPU_TICKS = 0x28;
  public static final int PCPU_EMULATIONS = 0x30;
  /** User-loop iterations between two system calls (read at boot into X27). */
  public static final int PCPU_USER_ITERS = 0x38;
  /** Seed of the user loop's xorshift state (read at boot into X28). */
  public static final int PCPU_USER_SEED = 0x40;

  // ---- tables
  public static final int SYS_CALL_TABLE = 0x5000;
  /** Indirect-call tables, {@link #FPTR_TABLE_ENTRIES} function pointers each. */
  public static final int FPTR_TABLES = 0x6000;
  public static final int FPTR_TABLE_ENTRIES = 4;
  /** kprobe table: (site address, out-of-line slot address) per kprobe site. */
  public static final int KPROBE_TABLE = 0x10000;
  /** brk-emulate table: (action, target) per patch site, indexed by BRK immediate - {@link #BRK_EMULATE_BASE}. */
  public static final int EMULATE_TABLE = 0x20000;
  public static final int EMULATE_ENTRY_SIZE = 16;
  /** Patch queue: {@link #OP_SIZE}-byte operations the patching core runs one per patch IRQ. */
  public static final int PATCH_QUEUE = 0x100000;
  public static final int OP_SIZE = 0x100;
  public static final int MAX_SITES = (EMULATE_TABLE - KPROBE_TABLE) / EMULATE_ENTRY_SIZE;
  /** Data bytes before the patch queue (the rest is sized by the schedule). */
  public static final int DATA_FIXED_SIZE = PATCH_QUEUE;

  // ---- one patch operation in the queue
  public static final int OP_PROTOCOL = 0x00;
  public static final int OP_STYLE = 0x08;
  public static final int OP_NSITES = 0x10;
  /** Non-zero: run the next operation in the same interrupt (stop-machine patching a group site by site). */
  public static final int OP_CHAIN = 0x18;
  public static final int OP_SITES = 0x20;
  public static final int OP_SITE_SIZE = 0x28;
  /** Sites one operation can carry. */
  public static final int OP_MAX_SITES = (OP_SIZE - OP_SITES) / OP_SITE_SIZE;
  public static final int SITE_ADDR = 0x00;
  public static final int SITE_OLD = 0x08;
  public static final int SITE_NEW = 0x0C;
  public static final int SITE_INDEX = 0x10;
  public static final int SITE_BRK = 0x14;
  public static final int SITE_ACTION = 0x18;
  public static final int SITE_TARGET = 0x20;

  // ---- protocol codes in OP_PROTOCOL (the guest's switch)
  public static final int PROTO_STOP = 0;
  public static final int PROTO_NOSYNC = 1;
  public static final int PROTO_KICK = 2;
  public static final int PROTO_BRK = 3;
  public static final int PROTO_BRK_NO_FIRST_SYNC = 4;

  // ---- event styles in OP_STYLE
  public static final int STYLE_NONE = 0;
  public static final int STYLE_LANDED = 1;
  public static final int STYLE_PRE_POST = 2;

  // ---- emulation actions in the brk-emulate table
  public static final int ACT_NOP = 0;
  public static final int ACT_B = 1;
  public static final int ACT_BL = 2;
  /** Run the original instruction in its out-of-line slot (target = slot). */
  public static final int ACT_XOL = 3;
  /** An armed kprobe: count the hit, then run the original out of line (target = slot). */
  public static final int ACT_KPROBE = 4;

  // ---- interrupts (GICv3 INTIDs)
  public static final int INTID_STOP = 1;
  public static final int INTID_KICK = 2;
  public static final int INTID_PATCH = 23;
  public static final int INTID_TIMER = 27;

  // ---- BRK immediates
  /** arm64 KPROBES_BRK_IMM. */
  public static final int BRK_KPROBE = 0x004;
  /** brk-emulate uses BRK #(0x100 + site index). */
  public static final int BRK_EMULATE_BASE = 0x100;

  // ---- host calls: the value written to the HOSTCALL register; arguments in X1..X3
  /** X1: reason. The guest hit something it cannot handle. */
  public static final int HC_PANIC = 1;
  /** X1: address, X2: old word | new word << 32, X3: phase (0 landed, 1 PRE, 2 POST). */
  public static final int HC_TEXT_POKE = 2;
  /** X1: operation index. The patching core starts an operation. */
  public static final int HC_POKE_BEGIN = 3;
  /** X1: operation index. The operation is complete on the patching core. */
  public static final int HC_POKE_END = 4;
  /** X1: operation index. The final words are written and their cache maintenance is complete. */
  public static final int HC_MAINT_DONE = 5;
  /** X1: number of target cores. An SGI was sent to every other core. */
  public static final int HC_IPI_SENT = 6;
  /** Another core entered / left the stop-machine rendezvous. */
  public static final int HC_STOP_ENTER = 7;
  public static final int HC_STOP_EXIT = 8;
  /** A core trapped on a brk-emulate BRK / finished emulating it. */
  public static final int HC_TRAP_ENTER = 9;
  public static final int HC_TRAP_EXIT = 10;

  public static final int PANIC_BAD_VECTOR = 1;
  public static final int PANIC_BAD_SYNC = 2;
  public static final int PANIC_NO_KPROBE = 3;
  public static final int PANIC_OLD_WORD_MISMATCH = 4;

  /** Address of cpu {@code cpu}'s per-cpu area. */
  public static long percpu(int cpu) {
    return DATA_BASE + PERCPU + (long) cpu * PERCPU_SIZE;
  }

  /** Initial kernel stack pointer of {@code cpu} (16-byte aligned top of its slot). */
  public static long kernelStackTop(int cpu) {
    return KERNEL_STACK_BASE + (long) (cpu + 1) * KERNEL_STACK_SIZE;
  }

  public static long userStackTop(int cpu) {
    return USER_STACK_BASE + (long) (cpu + 1) * USER_STACK_SIZE;
  }

  /** Address of patch operation {@code index} in the queue. */
  public static long op(int index) {
    return DATA_BASE + PATCH_QUEUE + (long) index * OP_SIZE;
  }
}
