package org.dpq.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.dpq.api.BudgetView;
import org.dpq.api.DpqService;
import org.dpq.engine.Dpq;
import org.dpq.engine.Explanation;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;

/**
 * The command interface in this process: a dataset is its YAML path, opened per command. Owns nothing beyond
 * the engine's own guarantees (the embedded threat model: whoever runs this can read the files it reads).
 */
final class EmbeddedService implements DpqService {
  @Override
  public List<String> datasets() {
    throw new CliUsageException("listing datasets needs --server URL; locally, a dataset is its YAML file");
  }

  @Override
  public QueryResult query(String dataset, String sql, QueryOptions options) {
    return with(dataset, dpq -> dpq.query(sql, options));
  }

  @Override
  public Explanation explain(String dataset, String sql, QueryOptions options) {
    return with(dataset, dpq -> dpq.explain(sql, options));
  }

  @Override
  public BudgetView budget(String dataset) {
    return with(dataset, dpq -> new BudgetView(dpq.budgetStatus(), dpq.allocations()));
  }

  private static <T> T with(String yaml, Function<Dpq, T> action) {
    try (Dpq dpq = Dpq.open(Path.of(yaml))) {
      return action.apply(dpq);
    }
  }

  @Override
  public void close() {
    // Each call opens and closes its dataset.
  }
}
