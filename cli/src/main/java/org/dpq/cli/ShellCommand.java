package org.dpq.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dpq.cli.shell.Shell;
import org.dpq.engine.Dpq;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpq shell}: an interactive SQL shell on one dataset, which stays open (backend loaded) between queries.
 * Each query is charged exactly as {@code dpq query} charges it.
 */
@Command(name = "shell", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "An interactive shell on one dataset: type SQL ending with ';', get noisy answers.",
        "",
        "The dataset is loaded once and stays open between queries. Every query is charged to the dataset's "
            + "ledger as with 'dpq query'. History (in ~/.dpq_history), TAB completion of SQL keywords, the table "
            + "and its columns, and dot commands: .explain SQL, .budget, .format FORMAT, .timer on|off, .help, "
            + ".quit. Ctrl-C stops waiting for a running query (its charge stands), Ctrl-D quits."},
    footer = {"", "Examples:",
        "  dpq shell --dataset samples/clinic.yaml",
        "  dpq shell -d samples/ratings.yaml --epsilon 0.5 --format markdown",
        "  dpq shell -d samples/clinic.yaml < queries.sql     # one query per ';', no prompts needed"})
public final class ShellCommand implements Callable<Integer> {
  @Mixin DatasetOption dataset;
  @Mixin LossOptions loss;

  @Option(names = {"--format", "-f"}, paramLabel = "FORMAT", defaultValue = "table",
      converter = FormatConverter.class, completionCandidates = FormatConverter.Names.class,
      description = "Initial output format (.format changes it): table, csv, json, markdown or jsonl.")
  org.dpq.cli.output.OutputFormat format;

  @Option(names = {"--verbose", "-v"}, description = "Start with .timer on.")
  boolean verbose;

  @Option(names = "--history", paramLabel = "FILE", description = "History file (default: ~/.dpq_history).")
  Path history;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var options = loss.toQueryOptions();
    Path historyFile = history != null ? history
        : Path.of(System.getProperty("user.home"), ".dpq_history");
    VerboseOption.Phases phases = new VerboseOption.Phases();
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = Progress.spinner(Progress.interactive(), err, "opening the dataset");
    Dpq dpq;
    try {
      dpq = Dpq.open(dataset.file(), phases);
    } finally {
      progress.close();
    }
    try (dpq; Terminal terminal = terminal()) {
      new Shell(dpq, terminal, options, format, verbose, phases, historyFile).run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the terminal", e);
    }
    return ExitCodes.OK;
  }

  /** The user's terminal; plain streams (dumb, no prompts' editing) when standard input is not a terminal. */
  private Terminal terminal() throws IOException {
    if (Main.stdinIsTerminal(spec)) {
      return TerminalBuilder.builder().system(true).name("dpq").build();
    }
    return Shell.plainTerminal(Main.stdin(spec), spec.commandLine().getOut());
  }
}
