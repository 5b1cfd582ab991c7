package dev.tracepoke.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tracepoke export}: write a recording in another tool's format, one subcommand per format. */
@Command(
    mixinStandardHelpOptions = true,
    name = "export",
    description = "Write a recording in another tool's format.",
    subcommands = {ExportOpenCsdCommand.class, ExportPerfettoCommand.class})
final class ExportCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
