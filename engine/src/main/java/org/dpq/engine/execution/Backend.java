package org.dpq.engine.execution;

import java.util.List;
import org.apache.calcite.sql.SqlDialect;

/**
 * A SQL engine that runs bounded queries where the data lives. Owns the rule that only bounded aggregates
 * leave the backend and that its errors never carry a data value to the caller.
 */
public interface Backend extends AutoCloseable {
  /** The dialect the rewrite must emit for this backend. */
  SqlDialect dialect();

  /**
   * Runs one bounded query and returns its rows (keys then measurements, as JDBC objects).
   *
   * @throws BackendException with a message free of data values
   */
  List<Object[]> execute(String sql);

  @Override
  void close();
}
