package org.dpq.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.dpq.budget.VerifyReport;
import org.dpq.cli.output.BudgetRenderer;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.engine.Dpq;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dpq budget}: the privacy officer's view of a dataset's ledger. */
@Command(name = "budget", mixinStandardHelpOptions = true,
    description = "Shows a dataset's privacy budget, the audit trail of its ledger, and checks the ledger's "
        + "hash chain.",
    subcommands = {BudgetCommand.Status.class, BudgetCommand.History.class, BudgetCommand.Verify.class},
    footer = {"", "Examples:", "  dpq budget status --dataset samples/ratings.yaml",
        "  dpq budget history --dataset samples/ratings.yaml --format csv",
        "  dpq budget verify --dataset samples/ratings.yaml"})
public final class BudgetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  static <T> T withLedger(DatasetOption dataset, Function<Dpq, T> action) {
    Path yaml = dataset.file();
    try (Dpq dpq = Dpq.open(yaml)) {
      return action.apply(dpq);
    }
  }

  /** {@code dpq budget status}. */
  @Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Shows the dataset's total budget, what has been spent and what remains (exact decimals).",
      footer = {"", "Example:", "  dpq budget status --dataset samples/ratings.yaml --format json"})
  public static final class Status implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Mixin ServerOption server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String target = server.dataset(dataset);
      BudgetView view;
      try (DpqService service = server.open()) {
        view = service.budget(target);
      }
      BudgetRenderer.printStatus(view.status(), format.format(), spec.commandLine().getOut());
      return ExitCodes.OK;
    }
  }

  /** {@code dpq budget history}. */
  @Command(name = "history", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Lists every ledger entry: who asked which query when, its cost per measurement, and the "
          + "released result (JSON format shows everything, including the hash chain).",
      footer = {"", "Example:", "  dpq budget history --dataset samples/ratings.yaml --format json"})
  public static final class History implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      BudgetRenderer.printHistory(withLedger(dataset, Dpq::history), format.format(),
          spec.commandLine().getOut());
      return ExitCodes.OK;
    }
  }

  /** {@code dpq budget verify}. */
  @Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Recomputes the ledger's hash chain and balances. Exits 0 when intact, 5 when an entry was "
          + "changed, removed or reordered (naming the first bad entry).",
      footer = {"", "Example:", "  dpq budget verify --dataset samples/ratings.yaml"})
  public static final class Verify implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      VerifyReport report = withLedger(dataset, Dpq::verify);
      BudgetRenderer.printVerify(report, format.format(), spec.commandLine().getOut());
      return report.ok() ? ExitCodes.OK : ExitCodes.BACKEND;
    }
  }
}
