/**
 * The kernel's own tables of places where its text may change at run time, read from a vmlinux
 * ELF (reference/kernel-patch-sites.md): {@code __jump_table} (arm64's relative {@code struct
 * jump_entry}) and the ftrace call-site table between {@code __start_mcount_loc} and {@code
 * __stop_mcount_loc}, whose entries a PIE link with {@code --no-apply-dynamic-relocs} leaves zero
 * and relocates through {@code .rela.dyn}. {@link dev.tracepoke.vmlinux.PatchTables} reads them;
 * {@link dev.tracepoke.vmlinux.PatchTables#writer} lays them out for a simulated kernel.
 */
package dev.tracepoke.vmlinux;
