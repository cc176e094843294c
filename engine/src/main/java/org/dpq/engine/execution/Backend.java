package org.dpq.engine.execution;

import java.util.List;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.errors.BackendException;

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

  /**
   * Runs {@code sql} where no data can be read (e.g. on an empty table of the same schema), so that a query the
   * backend cannot run at all is rejected before the charge rather than failing after it. Must not read data.
   * The default checks nothing.
   *
   * @throws org.dpq.errors.QueryRejectedException when the backend refuses the query
   */
  default void dryRun(String sql) {
  }

  /**
   * True when this backend picks the faster of the two {@link org.dpq.engine.rewrite.GroupLimit} orders from a
   * sample of the data (measured on DuckDB); otherwise the bounded query limits groups aggregate-first.
   */
  default boolean choosesGroupLimit() {
    return false;
  }

  /**
   * Asks every query this backend is running now to stop (the analyst pressed Ctrl-C). Those queries then fail as
   * any failure after the charge does; the charge stands. Returns how many were asked to stop. The default stops
   * nothing.
   */
  default int cancelRunning() {
    return 0;
  }

  @Override
  void close();
}
