package org.dpq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dpq.cli.output.DatasetRenderer;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dpq datasets}: checks and describes dataset YAML files. Shows declarations only (never data values)
 * and touches no ledger, so neither command spends or initialises a budget.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "Checks and describes dataset YAML files (declarations only, never data values).",
    subcommands = {DatasetsCommand.Inspect.class, DatasetsCommand.Validate.class, DatasetsCommand.ListServed.class},
    footer = {"", "Examples:", "  dpq datasets validate --dataset samples/clinic.yaml",
        "  dpq datasets inspect --dataset samples/ratings.yaml --format json"})
public final class DatasetsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code dpq datasets list --server URL}. */
  @Command(name = "list", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Lists the datasets a dpq server lets you query (needs --server).",
      footer = {"", "Example:", "  DPQ_TOKEN=... dpq datasets list --server https://dpq.example.org:8443"})
  public static final class ListServed implements Callable<Integer> {
    @Mixin ServerOption server;
    @Mixin FormatOption format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      java.util.List<String> names;
      try (org.dpq.api.DpqService service = server.open(org.dpq.engine.PhaseListener.NONE, spec.commandLine().getErr())) {
        names = service.datasets();
      }
      PrintWriter out = spec.commandLine().getOut();
      switch (format.format()) {
        case JSON -> out.println(org.dpq.client.Wire.write(new org.dpq.client.Wire.Datasets(names)));
        case CSV -> {
          out.println("dataset");
          names.forEach(out::println);
        }
        default -> names.forEach(out::println);
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code dpq datasets inspect}. */
  @Command(name = "inspect", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Shows a dataset's declaration: source, privacy unit, contribution bounds G and R, budget "
          + "and per-query defaults, ledger location, and each column's type, bounds and public values. Reads "
          + "the YAML only.",
      footer = {"", "Example:", "  dpq datasets inspect --dataset samples/transactions.yaml"})
  public static final class Inspect implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      DatasetRenderer.print(DatasetLoader.load(dataset.file()), format.format(), spec.commandLine().getOut());
      return ExitCodes.OK;
    }
  }

  /** {@code dpq datasets validate}. */
  @Command(name = "validate", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Checks a dataset: reads the YAML and reports every problem in it (exit 2), then loads the "
          + "source into the backend, checking that it exists and has the declared columns and types (exit 5 if "
          + "not). Prints OK (exit 0) when all is well. Spends no budget.",
      footer = {"", "Example:", "  dpq datasets validate --dataset samples/clinic.yaml"})
  public static final class Validate implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Path yaml = dataset.file();
      PrintWriter out = spec.commandLine().getOut();
      Dataset d = DatasetLoader.load(yaml);
      Progress progress = Progress.spinner(Progress.interactive(), spec.commandLine().getErr(), "loading " + d.table());
      try {
        Backend backend = Backends.open(d); // opening loads and checks the source; nothing is queried
        backend.close();
      } finally {
        progress.close();
      }
      out.printf("%s: OK (dataset %s, table %s, %d columns, source readable)%n", yaml.getFileName(), d.name(),
          d.table(), d.columns().size());
      out.flush();
      return ExitCodes.OK;
    }
  }
}
