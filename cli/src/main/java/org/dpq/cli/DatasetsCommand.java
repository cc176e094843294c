package org.dpq.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dpq.cli.output.DatasetRenderer;
import org.dpq.engine.catalog.CacheLocation;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetDraft;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.catalog.Fingerprint;
import org.dpq.engine.catalog.Source;
import org.dpq.engine.catalog.SourceStamps;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.SourceSniffer;
import org.dpq.engine.execution.UnparsableCells;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dpq datasets}: drafts, checks and describes dataset YAML files. Shows declarations, structure and counts
 * only (never data values) and touches no ledger, so no command spends or initialises a budget.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "Checks and describes dataset YAML files (declarations only, never data values).",
    subcommands = {DatasetsCommand.Inspect.class, DatasetsCommand.Validate.class, DatasetsCommand.Init.class,
        DatasetsCommand.ListServed.class},
    footer = {"", "Examples:", "  dpq datasets init --from data/people.csv",
        "  dpq datasets validate --dataset samples/clinic.yaml",
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

  /**
   * NULL cells (counts only) of each column declared {@code nullable: false}, in the order of the YAML; empty when
   * every such column is free of NULL. One scan for all of them.
   */
  static java.util.Map<String, Long> nullCells(Dataset d, Backend backend) {
    List<org.dpq.engine.catalog.Column> strict = d.columns().stream().filter(c -> !c.nullable()).toList();
    if (strict.isEmpty()) {
      return java.util.Map.of();
    }
    org.apache.calcite.sql.SqlDialect dialect = backend.dialect();
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < strict.size(); i++) {
      String column = dialect.quoteIdentifier(strict.get(i).name());
      sql.append(i == 0 ? "" : ", ").append("COUNT(*) - COUNT(").append(column).append(")");
    }
    sql.append(" FROM ").append(dialect.quoteIdentifier(d.table()));
    Object[] row = backend.execute(sql.toString()).get(0);
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < strict.size(); i++) {
      long n = ((Number) row[i]).longValue();
      if (n > 0) {
        out.put(strict.get(i).name(), n);
      }
    }
    return out;
  }

  /** {@code dpq datasets validate}. */
  @Command(name = "validate", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Checks a dataset: reads the YAML and reports every problem in it (exit 2), then loads the "
          + "source into the backend (and hashes it in full, refreshing the stamp other commands compare), checking that it exists and has the declared columns and types (exit 5 if "
          + "not). For a CSV source it reports, per column, how many non-empty cells do not convert to the "
          + "declared type (they would read as NULL), and fails (exit 5) when a column has more than "
          + "source.max_unparsable_fraction (default 0). Counts the NULL cells of columns declared nullable: false and fails (exit 5) if there are any. Prints OK (exit 0) when all is well. Spends no budget; "
          + "shows counts, never values.",
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
      List<UnparsableCells> cells = List.of();
      java.util.Map<String, Long> nulls = java.util.Map.of();
      try {
        // Opening loads and checks the source; nothing is queried. A CSV opens even above the threshold here,
        // so that every column's counts can be shown.
        if (d.source() instanceof Source.Csv) {
          try (DuckDbBackend backend = DuckDbBackend.open(d, DuckDbBackend.Storage.TABLE, false)) {
            cells = backend.unparsableCells();
            nulls = nullCells(d, backend);
          }
        } else {
          try (Backend backend = Backends.open(d)) {
            nulls = nullCells(d, backend);
          }
        }
        // Always a full hash, and a fresh source stamp for the fingerprint's cheap pre-check (README, privacy).
        Fingerprint.of(d, SourceStamps.in(CacheLocation.of(d)).refreshing());
      } finally {
        progress.close();
      }
      double max = d.source() instanceof Source.Csv csv ? csv.options().maxUnparsableFraction() : 0;
      boolean refused = cells.stream().anyMatch(c -> c.exceeds(max));
      if (cells.stream().anyMatch(c -> c.unparsable() > 0)) {
        PrintWriter to = refused ? spec.commandLine().getErr() : out;
        to.printf("%s: cells that do not convert to the declared type (read as NULL):%n", yaml.getFileName());
        for (UnparsableCells c : cells) {
          if (c.unparsable() > 0) {
            to.printf("  - %s%s%n", c.describe(), c.exceeds(max) ? " (too many)" : "");
          }
        }
        to.flush();
      }
      if (refused) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("%s: FAILED: more unparsable cells than source.max_unparsable_fraction (%s) allows. %s%n",
            yaml.getFileName(), BigDecimal.valueOf(max).stripTrailingZeros().toPlainString(), UnparsableCells.FIX);
        err.flush();
        return ExitCodes.BACKEND;
      }
      if (!nulls.isEmpty()) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("%s: FAILED: columns declared nullable: false hold NULL cells:%n", yaml.getFileName());
        nulls.forEach((column, n) -> err.printf("  - %s: %d NULL cells%n", column, n));
        err.printf("Fix: remove nullable: false from these columns (or fill the cells in the source); a NULL in a "
            + "non-nullable column biases its AVG and VAR towards the middle of its bounds.%n");
        err.flush();
        return ExitCodes.BACKEND;
      }
      out.printf("%s: OK (dataset %s, table %s, %d columns, source readable)%n", yaml.getFileName(), d.name(),
          d.table(), d.columns().size());
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code dpq datasets init}. */
  @Command(name = "init", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Writes a starting dataset YAML for a CSV or Parquet file: column names and types from the "
          + "file's structure (DuckDB's sniffer), the CSV's delimiter, quote, header and date format, and a TODO "
          + "for every privacy decision (privacy unit, G, R, budget, defaults, bounds, public values). "
          + "'dpq datasets validate' refuses the file until every TODO is replaced. Bounds and public values "
          + "must come from domain knowledge: init never writes a value, minimum, maximum or list of values "
          + "read from the data.",
      footer = {"", "Example:", "  dpq datasets init --from data/people.csv --out people.yaml"})
  public static final class Init implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "FILE",
        description = "The CSV or Parquet file (.parquet is read as Parquet, anything else as CSV).")
    Path from;

    @Option(names = "--out", paramLabel = "YAML",
        description = "Where to write the YAML (default: the file's name with .yaml, beside it).")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing YAML file.")
    boolean force;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(from)) {
        throw new CliUsageException("--from: no such file: " + from);
      }
      Path data = from.toAbsolutePath().normalize();
      Path target = (out != null ? out : data.resolveSibling(data.getFileName().toString()
          .replaceFirst("\\.[^.]*$", "") + ".yaml")).toAbsolutePath().normalize();
      if (Files.exists(target) && !force) {
        throw new CliUsageException("--out: " + target + " exists; give another --out or --force to overwrite it");
      }
      Path dir = target.getParent();
      String yaml = DatasetDraft.yaml(SourceSniffer.sniff(data), dir);
      try {
        Files.createDirectories(dir);
        Files.writeString(target, yaml);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + target, e);
      }
      PrintWriter o = spec.commandLine().getOut();
      o.printf("wrote %s: replace every TODO (from domain knowledge, never from the data), then run%n"
          + "  dpq datasets validate --dataset %s%n", target, target);
      o.flush();
      return ExitCodes.OK;
    }
  }
}
