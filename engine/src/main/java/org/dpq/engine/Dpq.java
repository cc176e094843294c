package org.dpq.engine;

import java.nio.file.Path;
import org.dpq.engine.catalog.Dataset;

/**
 * The Java entry point: one dataset, its ledger and its backend. Every answer goes through analysis (reject
 * what cannot be bounded, at no cost), the ledger (charge durably before data is read), the bounded query on
 * the backend, and release (noise from SecureRandom only, keys only via public domains or partition
 * selection).
 *
 * <pre>{@code
 * try (Dpq dpq = Dpq.open(Path.of("samples/ratings.yaml"))) {
 *   QueryResult r = dpq.query("SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating",
 *       QueryOptions.defaults().withEpsilon("1.0"));
 * }
 * }</pre>
 */
public final class Dpq implements AutoCloseable {

  private Dpq() {}

  /** Opens a dataset described by a YAML file (initialising its ledger on first use). */
  public static Dpq open(Path datasetYaml) {
    throw new UnsupportedOperationException("engine facade: being written");
  }

  /** The dataset's catalog entry. */
  public Dataset dataset() {
    throw new UnsupportedOperationException("engine facade: being written");
  }

  /** Answers one query with the given options. */
  public QueryResult query(String sql, QueryOptions options) {
    throw new UnsupportedOperationException("engine facade: being written");
  }

  /** Answers one query with the dataset's default loss. */
  public QueryResult query(String sql) {
    return query(sql, QueryOptions.defaults());
  }

  /** What the query would do and cost, without reading data or charging. */
  public Explanation explain(String sql, QueryOptions options) {
    throw new UnsupportedOperationException("engine facade: being written");
  }

  @Override
  public void close() {}
}
