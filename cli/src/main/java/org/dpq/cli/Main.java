package org.dpq.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code dpq} command. The CLI adds no privacy logic of its own: it parses flags, hands queries to the engine
 * (which bounds, charges and adds noise), prints what the engine released, and maps failures to the exit codes
 * of DESIGN.md without ever printing data values or stack traces. It offers no seed and no way to skip noise.
 */
@Command(name = "dpq", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Differentially private SQL: noisy answers to SQL aggregates, with a per-dataset privacy budget "
        + "that every answer is charged to, and an audit trail of everything released.",
    subcommands = {QueryCommand.class, ExplainCommand.class, BudgetCommand.class, DatasetsCommand.class,
        SamplesCommand.class, ServeCommand.class, TokenCommand.class, HelpCommand.class},
    footer = {"", "Examples:",
        "  dpq query --dataset samples/ratings.yaml \"SELECT rating, COUNT(*) FROM ratings GROUP BY rating\"",
        "  dpq explain --dataset samples/clinic.yaml \"SELECT AVG(cost) FROM visits\"",
        "  dpq budget status --dataset samples/ratings.yaml",
        "  dpq budget history --dataset samples/ratings.yaml --format json",
        "  dpq samples generate transactions --rows 1000000 --out /tmp/tx",
        "", "Run 'dpq COMMAND --help' for a command's options and examples."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:internal error (please report)", "2:usage error (bad flags or dataset file)",
        "3:query rejected before reading data (nothing charged)",
        "4:privacy budget exhausted (nothing charged, nothing released)",
        "5:backend, data or ledger error"})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("dpq: missing command");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** Runs dpq and exits with its exit code. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
        StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
        StandardCharsets.UTF_8), true);
    int code = execute(out, err, args);
    System.exit(code);
  }

  /** Runs dpq with the given streams and returns its exit code (for tests and embedding). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine(out, err);
    int code;
    try {
      code = cl.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
    return code;
  }

  /** The configured command line. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new Failures());
    cl.setParameterExceptionHandler(new UsageErrors());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUsageHelpWidth(100);
    cl.setUsageHelpAutoWidth(true);
    return cl;
  }
}
