package org.dpq.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.dpq.server.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dpq token create NAME}: a fresh 256-bit token, shown once, and the config line holding only its hash. */
@Command(name = "token", mixinStandardHelpOptions = true, subcommands = TokenCommand.Create.class,
    description = "Creates bearer tokens for dpq serve.")
public final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code dpq token create NAME}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Prints a fresh random token (256 bits, shown only this once: hand it to NAME) and the "
          + "principals: line to paste into server.yaml, which holds only the token's SHA-256."},
      footer = {"", "Example:", "  dpq token create alice"})
  public static final class Create implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @Parameters(index = "0", paramLabel = "NAME", description = "The principal's name.")
    String name;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!NAME.matcher(name).matches()) {
        throw new CliUsageException("NAME must be letters, digits, '.', '_' or '-' (at most 64)");
      }
      String token = Tokens.create();
      PrintWriter out = spec.commandLine().getOut();
      out.println("token for " + name + " (shown once; give it to them, e.g. as DPQ_TOKEN):");
      out.println("  " + token);
      out.println("line for server.yaml under principals: (set role and budgets):");
      out.println("  " + name + ": { role: analyst, token_sha256: \"" + Tokens.sha256(token) + "\", budgets: { } }");
      out.flush();
      return ExitCodes.OK;
    }
  }
}
