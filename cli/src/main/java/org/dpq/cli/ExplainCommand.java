package org.dpq.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.dpq.api.DpqService;
import org.dpq.cli.output.ExplanationRenderer;
import org.dpq.engine.Explanation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dpq explain}: shows how a query would be bounded and what it would cost, without reading data and
 * without charging anything.
 */
@Command(name = "explain", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Shows what a query would do and cost, without reading data or charging the budget.",
        "",
        "Prints, for each noisy measurement, its sensitivity (L1, L2), its share of epsilon and delta, the "
            + "mechanism, the noise scale and the expected 95%% error, warns where that error is larger than the "
            + "range a value can take, then how groups are released, the total cost and the remaining budget. "
            + "With --sql it also prints the bounded SQL sent to the backend (JSON always includes it)."},
    footer = {"", "Examples:",
        "  dpq explain --dataset samples/ratings.yaml \"SELECT rating, COUNT(*) FROM ratings GROUP BY rating\"",
        "  dpq explain -d samples/clinic.yaml --sql \"SELECT clinic, AVG(cost) FROM visits GROUP BY clinic\"",
        "  dpq explain -d samples/transactions.yaml --epsilon 1 --delta 1e-7 --format json \\",
        "      \"SELECT merchant, SUM(amount) FROM transactions GROUP BY merchant\""})
public final class ExplainCommand implements Callable<Integer> {
  @Mixin DatasetOption dataset;
  @Mixin LossOptions loss;
  @Mixin FormatOption format;
  @Mixin SqlInput input;
  @Mixin VerboseOption verbose;
  @Mixin ServerOption server;

  @Option(names = "--sql", description = "Also print the bounded SQL sent to the backend, pretty-printed, after "
      + "the measurements and the cost.")
  boolean sql;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    server.checkAnalyst(loss);
    String target = server.dataset(dataset);
    var options = loss.toQueryOptions();
    String text = input.text(Main.stdin(spec), Main.stdinIsTerminal(spec));
    PrintWriter err = spec.commandLine().getErr();
    VerboseOption.Phases phases = new VerboseOption.Phases();
    Explanation explanation;
    Progress progress = Progress.spinner(Progress.interactive(), err, "planning the query");
    try (DpqService service = server.open(verbose.listener(phases), err)) {
      explanation = service.explain(target, text, options);
    } finally {
      progress.close();
      verbose.report(phases, err);
    }
    format.print(spec, out -> ExplanationRenderer.print(explanation, format.format(), sql, out));
    return ExitCodes.OK;
  }
}
