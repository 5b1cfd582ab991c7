package dev.tracepoke.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tracepoke bench}: throughput measurements, one subcommand per component. */
@Command(
    mixinStandardHelpOptions = true,
    name = "bench",
    description = "Measure the throughput of a component.",
    subcommands = {BenchSimulateCommand.class, BenchDecodeCommand.class, BenchPacketsCommand.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
