package org.dpq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dpq.cli.output.DatasetRenderer;
import org.dpq.engine.Dpq;
import org.dpq.engine.catalog.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dpq datasets}: checks and describes dataset YAML files without showing any data. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "Checks and describes dataset YAML files (declarations only, never data values).",
    subcommands = {DatasetsCommand.Inspect.class, DatasetsCommand.Validate.class},
    footer = {"", "Examples:", "  dpq datasets validate --dataset samples/clinic.yaml",
        "  dpq datasets inspect --dataset samples/ratings.yaml --format json"})
public final class DatasetsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  static Dataset load(Path yaml, PrintWriter err) {
    try (Progress progress = Progress.spinner(Progress.interactive(), err, "loading the dataset");
         Dpq dpq = Dpq.open(yaml)) {
      return dpq.dataset();
    }
  }

  /** {@code dpq datasets inspect}. */
  @Command(name = "inspect", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Shows a dataset's declaration: source, privacy unit, contribution bounds G and R, budget "
          + "and per-query defaults, ledger location, and each column's type, bounds and public values.",
      footer = {"", "Example:", "  dpq datasets inspect --dataset samples/transactions.yaml"})
  public static final class Inspect implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      DatasetRenderer.print(load(dataset.file(), spec.commandLine().getErr()), format.format(), spec.commandLine().getOut());
      return ExitCodes.OK;
    }
  }

  /** {@code dpq datasets validate}. */
  @Command(name = "validate", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Loads a dataset YAML file and reports every problem found (exit 2), or OK (exit 0).",
      footer = {"", "Example:", "  dpq datasets validate --dataset samples/clinic.yaml"})
  public static final class Validate implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Path yaml = dataset.file();
      Dataset d = load(yaml, spec.commandLine().getErr());
      spec.commandLine().getOut().printf("%s: OK (dataset %s, table %s, %d columns)%n", yaml.getFileName(), d.name(),
          d.table(), d.columns().size());
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
