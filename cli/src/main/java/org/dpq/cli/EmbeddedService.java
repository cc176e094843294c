package org.dpq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.budget.LedgerEntry;
import org.dpq.budget.LedgerStatus;
import org.dpq.budget.VerifyReport;
import org.dpq.engine.Dpq;
import org.dpq.engine.Explanation;
import org.dpq.engine.PhaseListener;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;

/**
 * The command interface in this process: a dataset is its YAML path, opened per command. Owns nothing beyond
 * the engine's own guarantees (the embedded threat model: whoever runs this can read the files it reads).
 */
final class EmbeddedService implements DpqService {
  private final PhaseListener phases;
  private final PrintWriter err;

  EmbeddedService(PhaseListener phases, PrintWriter err) {
    this.phases = phases;
    this.err = err;
  }

  @Override
  public List<String> datasets() {
    throw new CliUsageException("listing datasets needs --server URL; locally, a dataset is its YAML file");
  }

  @Override
  public QueryResult query(String dataset, String sql, QueryOptions options) {
    return with(dataset, dpq -> {
      dpq.startPlannerSetup(); // overlaps the analysis below
      BudgetDrift.warn(dpq.dataset(), dpq.budgetStatus(), err);
      return dpq.query(sql, options);
    });
  }

  @Override
  public Explanation explain(String dataset, String sql, QueryOptions options) {
    return with(dataset, dpq -> {
      dpq.startPlannerSetup(); // overlaps the analysis below
      return dpq.explain(sql, options);
    });
  }

  @Override
  public BudgetView budget(String dataset) {
    return with(dataset, dpq -> {
      LedgerStatus status = dpq.budgetStatus();
      BudgetDrift.warn(dpq.dataset(), status, err);
      return new BudgetView(status, dpq.allocations());
    });
  }

  @Override
  public List<LedgerEntry> history(String dataset) {
    return with(dataset, Dpq::history);
  }

  @Override
  public VerifyReport verify(String dataset) {
    return with(dataset, Dpq::verify);
  }

  private <T> T with(String yaml, Function<Dpq, T> action) {
    try (Dpq dpq = Dpq.open(Path.of(yaml), phases)) {
      return action.apply(dpq);
    }
  }

  @Override
  public void close() {
    // Each call opens and closes its dataset.
  }
}
