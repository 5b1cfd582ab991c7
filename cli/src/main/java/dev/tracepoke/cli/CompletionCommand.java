package dev.tracepoke.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tracepoke completion}: the bash completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true, description = "Print a bash (and zsh) completion "
    + "script for tracepoke, generated from the commands themselves by picocli's AutoComplete. Use it with: "
    + "source <(tracepoke completion), or save it under /etc/bash_completion.d/tracepoke.")
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String script = AutoComplete.bash(spec.root().name(), spec.root().commandLine());
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
