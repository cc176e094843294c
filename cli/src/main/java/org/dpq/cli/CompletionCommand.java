package org.dpq.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dpq completion bash|zsh}: prints a shell completion script for every command, option and fixed value
 * (picocli's AutoComplete), generated from the same annotations that parse the command line.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = "Prints a completion script for bash or zsh: commands, options, formats and mechanisms complete "
        + "with TAB.",
    footer = {"", "Examples:",
        "  source <(dpq completion bash)                      # this shell only",
        "  dpq completion bash > ~/.local/share/bash-completion/completions/dpq",
        "  dpq completion zsh > \"${fpath[1]}/_dpq\"            # zsh (uses bashcompinit)"})
public final class CompletionCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SHELL", arity = "0..1", defaultValue = "bash",
      completionCandidates = Shells.class, description = "bash (default) or zsh.")
  String shell;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new CliUsageException("completion scripts exist for bash and zsh, not '" + shell + "'");
    }
    String script = AutoComplete.bash("dpq", spec.root().commandLine());
    if (shell.equals("zsh")) {
      script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
    }
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /** The shells offered. */
  static final class Shells implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("bash", "zsh").iterator();
    }
  }
}
