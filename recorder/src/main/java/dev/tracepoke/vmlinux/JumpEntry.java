package dev.tracepoke.vmlinux;

/**
 * One {@code struct jump_entry} of {@code __jump_table}, decoded (arm64 since 4.20: s32 code, s32
 * target, s64 key, each an offset from its own field's address; before: u64 code, target, key,
 * absolute).
 *
 * @param entry address of the entry itself
 * @param code the patched word (the site)
 * @param target where the site's B goes when the key takes the branch
 * @param key address of the {@code struct static_key}
 * @param branch key bit 0: the branch sense ({@code static_branch_likely})
 * @param init key bit 1: the site lies in init text
 */
public record JumpEntry(long entry, long code, long target, long key, boolean branch, boolean init) {
  /** Bytes of one relative entry (4.20+). */
  public static final int SIZE = 16;
  /** Bytes of one absolute entry (before 4.20, or without relative jump labels). */
  public static final int ABSOLUTE_SIZE = 24;
}
