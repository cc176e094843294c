package org.dpq.cli;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.cli.output.BudgetRenderer;
import org.dpq.engine.Dpq;
import org.dpq.engine.PhaseListener;
import org.dpq.mechanisms.PrivacyLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dpq budget}: the privacy officer's view of a dataset's ledger. */
@Command(name = "budget", mixinStandardHelpOptions = true,
    description = "Shows a dataset's privacy budget, the audit trail of its ledger, and checks the ledger's "
        + "hash chain.",
    subcommands = {BudgetCommand.Status.class, BudgetCommand.History.class, BudgetCommand.Verify.class,
        BudgetCommand.Raise.class},
    footer = {"", "Examples:", "  dpq budget status --dataset samples/ratings.yaml",
        "  dpq budget history --dataset samples/ratings.yaml --format csv",
        "  dpq budget verify --dataset samples/ratings.yaml",
        "  dpq budget raise --dataset samples/ratings.yaml --epsilon 5 --reason \"approved by the board, ref 42\""})
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
      try (DpqService service = server.open(PhaseListener.NONE, spec.commandLine().getErr())) {
        view = service.budget(target);
      }
      format.print(spec, out -> BudgetRenderer.printStatus(view.status(), format.format(), out));
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
      List<LedgerEntry> history = withLedger(dataset, Dpq::history);
      format.print(spec, out -> BudgetRenderer.printHistory(history, format.format(), out));
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
      format.print(spec, out -> BudgetRenderer.printVerify(report, format.format(), out));
      return report.ok() ? ExitCodes.OK : ExitCodes.BACKEND;
    }
  }

  /** {@code dpq budget raise}. */
  @Command(name = "raise", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Raises a dataset's total budget in its ledger by the given epsilon (and delta), recorded as a "
          + "hash-chained RAISE entry with who raised it and why. The YAML's budget is only the initial total: "
          + "update it afterwards to match (status and query warn while they differ).",
          "", "This is a data owner's or privacy officer's decision: every raise lets analysts learn more about "
          + "the same people."},
      footer = {"", "Example:",
          "  dpq budget raise --dataset samples/ratings.yaml --epsilon 5 --reason \"approved by the board, ref 42\""})
  public static final class Raise implements Callable<Integer> {
    @Mixin DatasetOption dataset;

    @Option(names = {"--epsilon", "-e"}, paramLabel = "E", required = true,
        converter = LossOptions.DecimalConverter.class,
        description = "Add E to the total epsilon (0 to raise delta only).")
    BigDecimal epsilon;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "0", converter = LossOptions.DecimalConverter.class,
        description = "Add D to the total delta (default 0); the total delta must stay below 1.")
    BigDecimal delta;

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
        description = "Why, recorded in the ledger (a decision or ticket, never data values).")
    String reason;

    @Option(names = "--actor", paramLabel = "NAME",
        description = "Who raises it, recorded in the ledger (default: your user name).")
    String actor;

    @Mixin FormatOption format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (epsilon.signum() < 0 || delta.signum() < 0) {
        throw new CliUsageException("a raise cannot be negative; the budget can only grow");
      }
      if (epsilon.signum() == 0 && delta.signum() == 0) {
        throw new CliUsageException("nothing to raise: give --epsilon E > 0 or --delta D > 0");
      }
      if (reason.isBlank()) {
        throw new CliUsageException("--reason must say why the budget is raised");
      }
      String who = actor != null ? actor.strip() : System.getProperty("user.name", "unknown");
      if (who.isBlank()) {
        throw new CliUsageException("--actor must not be blank");
      }
      PrivacyLoss increase = new PrivacyLoss(epsilon, delta);
      LedgerStatus before;
      LedgerStatus after;
      Path yaml = dataset.file();
      try (Dpq dpq = Dpq.open(yaml)) {
        before = dpq.budgetStatus();
        after = dpq.raiseBudget(increase, who, reason.strip());
        BudgetDrift.warn(dpq.dataset(), after, spec.commandLine().getErr());
      }
      format.print(spec, out -> BudgetRenderer.printRaise(before, after, format.format(), out));
      return ExitCodes.OK;
    }
  }
}
