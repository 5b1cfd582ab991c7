package dev.tracepoke.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --vmlinux ELF}, shared by every command that reads a recording's kernel: the vmlinux
 * whose patch-site tables ({@code __jump_table}, the ftrace call-site table) say where the kernel
 * may change its text. Without it, the {@code vmlinux} beside the recording is used if there is one.
 */
final class VmlinuxOption {
  @Option(names = "--vmlinux", paramLabel = "ELF",
      description = "The kernel's vmlinux, for its patch-site tables (__jump_table, the ftrace call sites);"
          + " default: REC's vmlinux if present. Read when the recording has no text-poke records:"
          + " every listed site may then hold either of its words at any execution, and the trace decides.")
  Path vmlinux;
}
