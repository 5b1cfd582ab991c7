package dev.tracepoke.cli;

import dev.tracepoke.decode.write.OutputFailed;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

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
      CampaignCommand.class,
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
    System.exit(forArgs(args, true).execute(args));
  }

  /**
   * The command line for {@code args}: when the first argument names a subcommand, the tree holds
   * only that one (picocli inspects every option of every command it is given, a good part of a
   * small decode's start-up); anything else gets the whole tree.
   */
  static CommandLine forArgs(String[] args, boolean ownsStandardOutput) {
    if (args.length > 0) {
      for (Class<?> c : Tracepoke.class.getAnnotation(Command.class).subcommands()) {
        Command sub = c.getAnnotation(Command.class);
        if (c != CommandLine.HelpCommand.class && sub != null && sub.name().equals(args[0])) {
          CommandSpec root = CommandSpec.wrapWithoutInspection(new Tracepoke(ownsStandardOutput));
          root.name(Tracepoke.class.getAnnotation(Command.class).name());
          root.mixinStandardHelpOptions(true);
          CommandLine cl = new CommandLine(root);
          cl.addSubcommand(sub.name(), new CommandLine(c));
          return configure(cl);
        }
      }
    }
    return commandLine(ownsStandardOutput);
  }

  /** The configured command line, shared by {@link #main} and the tests. */
  public static CommandLine commandLine() {
    return commandLine(false);
  }

  private static CommandLine commandLine(boolean ownsStandardOutput) {
    return configure(new CommandLine(new Tracepoke(ownsStandardOutput)));
  }

  private static CommandLine configure(CommandLine cl) {
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
      // one line, whatever damaged text the message quotes
      cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + what.replace("\r", "\\r").replace("\n", "\\n"));
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
