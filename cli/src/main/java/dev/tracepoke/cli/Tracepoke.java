package dev.tracepoke.cli;

import dev.tracepoke.decode.write.OutputFailed;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tracepoke} command: wiring and printing only; the work lives in the library modules. */
@Command(
    name = "tracepoke",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Decode CoreSight ETMv4 branch traces of a live kernel across text that changes while it is traced.",
    subcommands = {
      DemoCommand.class,
      SimulateCommand.class,
      DumpCommand.class,
      DecodeCommand.class,
      DiffCommand.class,
      SitesCommand.class,
      GoldenCommand.class,
      CompareProtocolsCommand.class,
      BenchCommand.class,
      ExportCommand.class,
      ReportCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class Tracepoke {
  /** Whether picocli's writer is this process's standard output (not a test's capture). */
  private final boolean ownsStandardOutput;

  private Tracepoke(boolean ownsStandardOutput) {
    this.ownsStandardOutput = ownsStandardOutput;
  }

  boolean ownsStandardOutput() {
    return ownsStandardOutput;
  }

  public static void main(String[] args) {
    System.exit(commandLine(true).execute(args));
  }

  /** The configured command line, shared by {@link #main} and the tests. */
  public static CommandLine commandLine() {
    return commandLine(false);
  }

  private static CommandLine commandLine(boolean ownsStandardOutput) {
    CommandLine cl = new CommandLine(new Tracepoke(ownsStandardOutput));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // A failure is one line naming the command and what went wrong (the library's exceptions name
    // the file and byte offset); TRACEPOKE_DEBUG=1 adds the stack trace.
    // a usage error a converter reports in its command's own words: one line, exit 2 (as before)
    CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler((ex, args) -> {
      if (ex.getCause() instanceof UsageError u) {
        ex.getCommandLine().getErr().println(ex.getCommandLine().getCommandSpec().qualifiedName() + ": " + u.getMessage());
        ex.getCommandLine().getErr().flush();
        return 2;
      }
      return usage.handleParseException(ex, args);
    });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      OutputFailed output = outputFailure(ex);
      if (output != null && output.readerGone()) {
        return 0; // the reader of our output (| head) has all it wanted
      }
      String what = output != null ? output.getMessage()
          : ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      if (ex instanceof java.nio.file.NoSuchFileException && !what.contains(" ")) {
        what = what + ": no such file";
      }
      cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + what);
      if (System.getenv("TRACEPOKE_DEBUG") != null) {
        ex.printStackTrace(cmd.getErr());
      }
      cmd.getErr().flush();
      return 1;
    });
    return cl;
  }

  private static OutputFailed outputFailure(Throwable t) {
    for (; t != null; t = t.getCause()) {
      if (t instanceof OutputFailed o) {
        return o;
      }
    }
    return null;
  }

  /** A bad argument, said in the command's own words (picocli adds nothing to it). */
  static final class UsageError extends CommandLine.TypeConversionException {
    UsageError(String message) {
      super(message);
    }
  }
}
