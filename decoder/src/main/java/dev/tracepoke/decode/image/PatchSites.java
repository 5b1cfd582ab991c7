package dev.tracepoke.decode.image;

import dev.tracepoke.vmlinux.JumpEntry;
import dev.tracepoke.vmlinux.PatchTables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The places where the kernel's own tables say its text may change, at run-time addresses, each
 * with the words it may hold (reference/kernel-patch-sites.md): a jump label holds NOP or B to its
 * entry's target, an ftrace call site NOP or BL to {@code ftrace_caller}. Without text-poke
 * records the {@link ImageTimeline} treats every such site as possibly either word at every
 * execution. Immutable.
 *
 * @param sites ascending by address, one per address
 * @param source where the tables came from (a vmlinux path), or empty when there are none
 * @param slide the KASLR offset applied (run-time minus link-time address)
 */
public record PatchSites(List<Site> sites, Optional<String> source, long slide) {
  /** arm64's NOP. */
  public static final int NOP = 0xd503201f;
  /** BRK #4, arm64's KPROBES_BRK_IMM: the word an armed kprobe holds. */
  public static final int KPROBE_BRK = 0xd4200080;
  /** BRK #5, arm64's UPROBES_BRK_IMM: the word an armed uprobe holds in user text. */
  public static final int UPROBE_BRK = 0xd42000a0;

  /** No tables were read: sites are unknown and the image is decoded as it was at the start. */
  public static final PatchSites NONE = new PatchSites(List.of(), Optional.empty(), 0);

  /** What kind of site, by the name {@code tracepoke sites} prints. */
  public enum Kind {
    JUMP_LABEL("jump_label"),
    FTRACE("ftrace"),
    /** A BRK exception where the image holds no BRK: a kprobe armed there (seen in the trace). */
    KPROBE("kprobe");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * One patch site.
   *
   * @param address the patched word
   * @param kind which table named it
   * @param words the words it may hold, the table's default first (NOP)
   */
  public record Site(long address, Kind kind, int[] words) {
    public Site {
      words = words.clone();
    }

    @Override
    public int[] words() {
      return words.clone();
    }

    int word(int i) {
      return words[i];
    }

    int wordCount() {
      return words.length;
    }
  }

  public PatchSites {
    List<Site> sorted = new ArrayList<>(sites);
    sorted.sort(Comparator.comparingLong(Site::address)); // kernel half: signed order is address order
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).address() == sorted.get(i - 1).address()) {
        throw new IllegalArgumentException(String.format("two patch sites at 0x%x", sorted.get(i).address()));
      }
    }
    sites = List.copyOf(sorted);
  }

  public boolean isEmpty() {
    return sites.isEmpty();
  }

  /**
   * The sites of a vmlinux's tables moved by {@code slide}: jump labels {NOP, B target}; ftrace
   * call sites {NOP, BL ftraceCaller} (skipped when {@code ftraceCaller} is empty). A site named
   * twice (the same word in both tables) is kept once, as its first table says.
   */
  public static PatchSites of(PatchTables t, long slide, Optional<Long> ftraceCaller) {
    List<Site> out = new ArrayList<>();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (JumpEntry e : t.jumpEntries()) {
      long site = e.code() + slide;
      if (seen.add(site)) {
        out.add(new Site(site, Kind.JUMP_LABEL, new int[] {NOP, branch(0x14000000, site, e.target() + slide)}));
      }
    }
    if (ftraceCaller.isPresent()) {
      for (long a : t.ftraceSites()) {
        long site = a + slide;
        if (seen.add(site)) {
          out.add(new Site(site, Kind.FTRACE, new int[] {NOP, branch(0x94000000, site, ftraceCaller.get())}));
        }
      }
    }
    return new PatchSites(out, Optional.of(t.file().toString()), slide);
  }

  /** B (0x14000000) or BL (0x94000000) from {@code from} to {@code to}; ±128 MiB. */
  static int branch(int opcode, long from, long to) {
    long d = to - from;
    if ((d & 3) != 0 || d < -(1L << 27) || d >= (1L << 27)) {
      throw new IllegalArgumentException(String.format(
          "no B/BL from 0x%x reaches 0x%x (a word-aligned offset within 128 MiB)", from, to));
    }
    return opcode | (int) ((d >> 2) & 0x03ffffff);
  }
}
