package org.dpq.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
    subcommands = {QueryCommand.class, ExplainCommand.class, ShellCommand.class, BudgetCommand.class,
        DatasetsCommand.class, SamplesCommand.class, ServeCommand.class, TokenCommand.class, CompletionCommand.class,
        HelpCommand.class},
    footer = {"", "Examples:",
        "  dpq query --dataset samples/ratings.yaml \"SELECT rating, COUNT(*) FROM ratings GROUP BY rating\"",
        "  dpq explain --dataset samples/clinic.yaml \"SELECT AVG(cost) FROM visits\"",
        "  dpq budget status --dataset samples/ratings.yaml",
        "  dpq budget history --dataset samples/ratings.yaml --format json",
        "  dpq shell --dataset samples/clinic.yaml",
        "  dpq samples generate transactions --rows 1000000 --out /tmp/tx",
        "", "Run 'dpq COMMAND --help' for a command's options and examples."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:internal error (please report)", "2:usage error (bad flags or dataset file)",
        "3:query rejected before reading data (nothing charged)",
        "4:privacy budget exhausted (nothing charged, nothing released)",
        "5:backend, data or ledger error"})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Standard input, and whether it is a terminal (a query is read from it only when it is not). */
  private final InputStream in;
  private final boolean inIsTerminal;
  /** The environment variables the command reads (the token and trust store of {@code --server}). */
  private final Map<String, String> environment;

  Main(InputStream in, boolean inIsTerminal, Map<String, String> environment) {
    this.in = in;
    this.inIsTerminal = inIsTerminal;
    this.environment = Map.copyOf(environment);
  }

  /** The environment of the dpq command that runs {@code spec}. */
  static Map<String, String> environment(CommandSpec spec) {
    return ((Main) spec.root().userObject()).environment;
  }

  /** The standard input of the dpq command that runs {@code spec}. */
  static InputStream stdin(CommandSpec spec) {
    return ((Main) spec.root().userObject()).in;
  }

  /** True when that standard input is a terminal. */
  static boolean stdinIsTerminal(CommandSpec spec) {
    return ((Main) spec.root().userObject()).inIsTerminal;
  }

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
    int code = execute(System.in, System.console() != null, out, err, args);
    System.exit(code);
  }

  /** Runs dpq with the given streams (no standard input) and returns its exit code (for tests and embedding). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return execute(InputStream.nullInputStream(), true, out, err, args);
  }

  /**
   * Runs dpq with the given streams and returns its exit code.
   *
   * @param inIsTerminal true when {@code in} is a terminal: then a missing SQL argument is a usage error rather
   *     than a read of standard input
   */
  public static int execute(InputStream in, boolean inIsTerminal, PrintWriter out, PrintWriter err,
      String... args) {
    return execute(in, inIsTerminal, System.getenv(), out, err, args);
  }

  /**
   * Runs dpq with the given streams and environment variables (instead of the process's) and returns its exit
   * code: for running commands in-process on behalf of another environment, e.g. tests.
   */
  public static int execute(InputStream in, boolean inIsTerminal, Map<String, String> environment,
      PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine(new Main(in, inIsTerminal, environment), out, err);
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
    return commandLine(new Main(InputStream.nullInputStream(), true, System.getenv()), out, err);
  }

  private static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(main);
    // picocli would expand an argument "@file" into the file's words, splitting a query; dpq reads "@FILE" as one
    // query itself (see SqlInput).
    cl.setExpandAtFiles(false);
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
