package org.dpq.cli;

import java.util.concurrent.Callable;
import org.dpq.api.DpqService;
import org.dpq.cli.output.ExplanationRenderer;
import org.dpq.engine.Explanation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dpq explain}: shows how a query would be bounded and what it would cost, without reading data and
 * without charging anything.
 */
@Command(name = "explain", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Shows what a query would do and cost, without reading data or charging the budget.",
        "",
        "Prints the bounded SQL sent to the backend, how groups are released, and for each noisy measurement "
            + "its sensitivity (L1, L2), its share of epsilon and delta, the mechanism, the noise scale and the "
            + "expected 95%% error, then the total cost and the remaining budget."},
    footer = {"", "Examples:",
        "  dpq explain --dataset samples/ratings.yaml \"SELECT rating, COUNT(*) FROM ratings GROUP BY rating\"",
        "  dpq explain -d samples/transactions.yaml --epsilon 1 --delta 1e-7 --format json \\",
        "      \"SELECT merchant, SUM(amount) FROM transactions GROUP BY merchant\""})
public final class ExplainCommand implements Callable<Integer> {
  @Mixin DatasetOption dataset;
  @Mixin LossOptions loss;
  @Mixin FormatOption format;
  @Mixin ServerOption server;

  @Parameters(index = "0", paramLabel = "SQL", description = "The query (use - to read it from standard input).")
  String sql;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    server.checkAnalyst(loss);
    String target = server.dataset(dataset);
    var options = loss.toQueryOptions();
    String text = SqlArgument.text(sql, System.in);
    Explanation explanation;
    Progress progress = Progress.spinner(Progress.interactive(), spec.commandLine().getErr(), "planning the query");
    try (DpqService service = server.open()) {
      explanation = service.explain(target, text, options);
    } finally {
      progress.close();
    }
    ExplanationRenderer.print(explanation, format.format(), spec.commandLine().getOut());
    return ExitCodes.OK;
  }
}
