package org.dpq.cli;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.Callable;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.budget.Allocation;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.cli.output.BudgetRenderer;
import org.dpq.client.DpqClient;
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
        BudgetCommand.Raise.class, BudgetCommand.Allocate.class},
    footer = {"", "Examples:", "  dpq budget status --dataset samples/ratings.yaml",
        "  dpq budget history --dataset samples/ratings.yaml --format csv",
        "  dpq budget verify --dataset samples/ratings.yaml",
        "  dpq budget raise --dataset samples/ratings.yaml --epsilon 5 --reason \"approved by the board, ref 42\"",
        "  dpq budget allocate --server https://dpq.example.org:8443 --dataset ratings --analyst alice --epsilon 2 "
            + "--reason \"project x\""})
public final class BudgetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
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
      // Embedded, the YAML's accounting is the ledger's (opening the dataset refused any difference above).
      boolean zcdp = !server.remote() && org.dpq.engine.catalog.DatasetLoader.load(java.nio.file.Path.of(target))
          .accounting() == org.dpq.budget.Accounting.ZCDP;
      format.print(spec, out -> BudgetRenderer.printStatus(view.status(), zcdp, format.format(), out));
      return ExitCodes.OK;
    }
  }

  /** {@code dpq budget history}. */
  @Command(name = "history", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Lists every ledger entry: who asked which query when, its cost per measurement, and the "
          + "released result (JSON format shows everything, including the hash chain).",
      footer = {"", "Examples:", "  dpq budget history --dataset samples/ratings.yaml --format json",
          "  dpq budget history --server https://dpq.example.org:8443 --dataset ratings   (an officer's token in "
              + "DPQ_TOKEN)"})
  public static final class History implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Mixin ServerOption server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String target = server.dataset(dataset);
      List<LedgerEntry> history;
      try (DpqService service = server.open(PhaseListener.NONE, spec.commandLine().getErr())) {
        history = service.history(target);
      }
      format.print(spec, out -> BudgetRenderer.printHistory(history, format.format(), out));
      return ExitCodes.OK;
    }
  }

  /** {@code dpq budget verify}. */
  @Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
      description = "Recomputes the ledger's hash chain and balances. Exits 0 when intact, 5 when an entry was "
          + "changed, removed or reordered (naming the first bad entry).",
      footer = {"", "Examples:", "  dpq budget verify --dataset samples/ratings.yaml",
          "  dpq budget verify --server https://dpq.example.org:8443 --dataset ratings   (an officer's token in "
              + "DPQ_TOKEN)"})
  public static final class Verify implements Callable<Integer> {
    @Mixin DatasetOption dataset;
    @Mixin FormatOption format;
    @Mixin ServerOption server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String target = server.dataset(dataset);
      VerifyReport report;
      try (DpqService service = server.open(PhaseListener.NONE, spec.commandLine().getErr())) {
        report = service.verify(target);
      }
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
        description = "Who raises it, recorded in the ledger (default: your user name; with --server, the "
            + "principal of your token).")
    String actor;

    @Mixin FormatOption format;
    @Mixin ServerOption server;
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
      if (server.remote() && actor != null) {
        throw new CliUsageException("--actor cannot be used with --server: the server records the principal of "
            + "your token");
      }
      String who = actor != null ? actor.strip() : System.getProperty("user.name", "unknown");
      if (who.isBlank()) {
        throw new CliUsageException("--actor must not be blank");
      }
      PrivacyLoss increase = new PrivacyLoss(epsilon, delta);
      LedgerStatus before;
      LedgerStatus after;
      boolean zcdp = false;
      if (server.remote()) {
        String target = server.dataset(dataset);
        try (DpqClient client = server.client()) {
          before = client.budget(target).status();
          after = client.raise(target, increase, reason.strip());
        }
      } else {
        try (Dpq dpq = Dpq.open(dataset.file())) {
          before = dpq.budgetStatus();
          after = dpq.raiseBudget(increase, who, reason.strip());
          zcdp = dpq.dataset().accounting() == org.dpq.budget.Accounting.ZCDP;
          BudgetDrift.warn(dpq.dataset(), after, spec.commandLine().getErr());
        }
      }
      boolean zcdpShown = zcdp;
      format.print(spec, out -> BudgetRenderer.printRaise(before, after, zcdpShown, format.format(), out));
      return ExitCodes.OK;
    }
  }

  /** {@code dpq budget allocate}: an officer sets an analyst's share of a served dataset's budget. */
  @Command(name = "allocate", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Sets an analyst's allocation on a dataset served by a dpq server: their whole lifetime share "
          + "of the dataset's budget (not an increment; 0 revokes it), recorded as a hash-chained ALLOCATE entry "
          + "with who set it and why. Every charge of the analyst must fit both this share and the dataset's total.",
          "", "Needs --server and an officer's token; locally there are no principals to share a budget between."},
      footer = {"", "Example:", "  dpq budget allocate --server https://dpq.example.org:8443 --dataset ratings "
          + "--analyst alice --epsilon 2 --delta 1e-6 --reason \"project x, ticket 42\""})
  public static final class Allocate implements Callable<Integer> {
    @Mixin DatasetOption dataset;

    @Option(names = "--analyst", paramLabel = "NAME", required = true,
        description = "The principal (of the server's config) whose allocation is set.")
    String analyst;

    @Option(names = {"--epsilon", "-e"}, paramLabel = "E", required = true,
        converter = LossOptions.DecimalConverter.class, description = "The analyst's whole epsilon share.")
    BigDecimal epsilon;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "0", converter = LossOptions.DecimalConverter.class,
        description = "The analyst's whole delta share (default 0).")
    BigDecimal delta;

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
        description = "Why, recorded in the ledger (a decision or ticket, never data values).")
    String reason;

    @Mixin FormatOption format;
    @Mixin ServerOption server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!server.remote()) {
        throw new CliUsageException("allocations share a served dataset's budget between the server's principals; "
            + "give --server URL (and an officer's token in DPQ_TOKEN)");
      }
      if (epsilon.signum() < 0 || delta.signum() < 0) {
        throw new CliUsageException("an allocation cannot be negative; 0 revokes it");
      }
      if (reason.isBlank()) {
        throw new CliUsageException("--reason must say why the allocation is set");
      }
      String target = server.dataset(dataset);
      Allocation a;
      try (DpqClient client = server.client()) {
        a = client.allocate(target, analyst, new PrivacyLoss(epsilon, delta), reason.strip());
      }
      format.print(spec, out -> BudgetRenderer.printAllocation(target, a, format.format(), out));
      return ExitCodes.OK;
    }
  }
}
