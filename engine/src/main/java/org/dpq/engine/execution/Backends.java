package org.dpq.engine.execution;

import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.Source;

/**
 * Chooses the backend where a dataset's rows live, so that the bounded query runs there and only bounded
 * aggregates come back. Owns no privacy property beyond that choice.
 */
public final class Backends {
  private Backends() {}

  /**
   * DuckDB (loaded table) for CSV and Parquet sources.
   *
   * @throws BackendException for JDBC sources (the PostgreSQL backend is not yet available) or when the source
   *     cannot be opened
   */
  public static Backend open(Dataset dataset) {
    Source source = dataset.source();
    if (source instanceof Source.Jdbc) {
      throw new BackendException("dataset '" + dataset.name() + "' has a JDBC source, but the PostgreSQL backend "
          + "is not yet available; export the table to CSV or Parquet for now");
    }
    return DuckDbBackend.open(dataset);
  }
}
