package org.dpq.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.dpq.api.DpqService;
import org.dpq.cli.output.QueryResultRenderer;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dpq query}: answers one SQL aggregate with noise, charging the dataset's ledger before any data is read.
 * The CLI only passes the analyst's options on; every privacy decision (bounds, noise, budget) is the engine's.
 */
@Command(name = "query", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Answers an SQL aggregate with differentially private noise.",
        "",
        "The (epsilon, delta) spent is charged to the dataset's ledger before any data is read; an identical "
            + "earlier query is answered again from the ledger at no cost."},
    footer = {"", "Examples:",
        "  dpq query --dataset samples/ratings.yaml \"SELECT rating, COUNT(*) FROM ratings GROUP BY rating\"",
        "  dpq query -d samples/clinic.yaml --epsilon 0.5 --format json \\",
        "      \"SELECT clinic, AVG(cost) AS avg_cost FROM visits GROUP BY clinic\"",
        "  dpq query -d samples/clinic.yaml --file samples/queries/clinic_cost_by_clinic.sql --format markdown -o costs.md",
        "  echo \"SELECT COUNT(*) FROM transactions\" | dpq query -d samples/transactions.yaml",
        "",
        "Table output shows each value as 'value ± h', h being the half-width of the 95%% noise interval, "
            + "and the cost and remaining budget below. CSV adds <col>_ci_low and <col>_ci_high columns (the cost "
            + "goes to standard error); JSON is one object with columns, rows, ci95, cost, remaining, reused and "
            + "ledgerSequence, epsilon and delta being exact decimal strings; JSONL is one object per row."})
public final class QueryCommand implements Callable<Integer> {
  @Mixin DatasetOption dataset;
  @Mixin LossOptions loss;
  @Mixin FormatOption format;
  @Mixin SqlInput input;
  @Mixin VerboseOption verbose;
  @Mixin ServerOption server;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    server.checkAnalyst(loss);
    String target = server.dataset(dataset);
    QueryOptions options = loss.toQueryOptions();
    String text = input.text(Main.stdin(spec), Main.stdinIsTerminal(spec));
    PrintWriter err = spec.commandLine().getErr();
    VerboseOption.Phases phases = new VerboseOption.Phases();
    QueryResult result;
    Progress progress = Progress.spinner(Progress.interactive(), err, "running the query");
    try (DpqService service = server.open(verbose.listener(phases), err)) {
      result = service.query(target, text, options);
    } finally {
      progress.close();
      verbose.report(phases, err);
    }
    format.print(spec, out -> QueryResultRenderer.print(result, format.format(), out, err));
    return ExitCodes.OK;
  }
}
