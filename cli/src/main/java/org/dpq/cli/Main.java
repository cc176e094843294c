package org.dpq.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dpq.engine.PlanningWarmup;
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
  /**
   * The subcommands, by name, in the order help lists them. They are added to the command line in code rather
   * than in {@code @Command(subcommands = ...)}, so that a call that names one ({@code dpq query ...}) builds
   * picocli's model of that command only: building all of them (reflection over every option of every command,
   * with picocli's Java 5 classes, which the start-up archive cannot hold) was a visible part of a CLI call's
   * fixed cost. {@code help}, {@code completion} and anything that is not a subcommand's name get all of them.
   */
  private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("query", QueryCommand.class);
    m.put("explain", ExplainCommand.class);
    m.put("shell", ShellCommand.class);
    m.put("budget", BudgetCommand.class);
    m.put("datasets", DatasetsCommand.class);
    m.put("samples", SamplesCommand.class);
    m.put("serve", ServeCommand.class);
    m.put("token", TokenCommand.class);
    m.put("completion", CompletionCommand.class);
    m.put("help", HelpCommand.class);
    return Collections.unmodifiableMap(m);
  }

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
    if (plansLocally(args)) {
      // The YAML reader and SQLite's library get ready on the second core while this thread parses the arguments.
      OpeningWarmup.start();
      // An idle second core loads the planner's classes while this thread opens the dataset.
      PlanningWarmup.startWhenACoreIsIdle();
    }
    PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
        StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
        StandardCharsets.UTF_8), true);
    int code = execute(System.in, System.console() != null, out, err, args);
    System.exit(code);
  }

  /**
   * True for a command that will plan a query in this process: {@code query}, {@code explain} or {@code shell}
   * without {@code --server} (a remote call plans on the server).
   */
  static boolean plansLocally(String... args) {
    if (args.length == 0 || !List.of("query", "explain", "shell").contains(args[0])) {
      return false;
    }
    return Arrays.stream(args).noneMatch(a -> a.equals("--server") || a.startsWith("--server="));
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
    CommandLine cl = commandLine(new Main(in, inIsTerminal, environment), out, err, only(args));
    int code;
    try {
      code = cl.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
    return code;
  }

  /** The configured command line with every subcommand. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(new Main(InputStream.nullInputStream(), true, System.getenv()), out, err, null);
  }

  /**
   * The one subcommand {@code args} runs, when its first word names one that needs no other ({@code help} and
   * {@code completion} describe all of them); else null, for all of them.
   */
  static String only(String... args) {
    if (args.length == 0 || !SUBCOMMANDS.containsKey(args[0])) {
      return null;
    }
    return args[0].equals("help") || args[0].equals("completion") ? null : args[0];
  }

  /** {@code subcommand}: the only subcommand to add, or null for all of them. */
  private static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err, String subcommand) {
    CommandLine cl = new CommandLine(main);
    SUBCOMMANDS.forEach((name, type) -> {
      if (subcommand == null || subcommand.equals(name)) {
        cl.addSubcommand(name, type);
      }
    });
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
