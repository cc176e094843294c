package org.dpq.engine.execution;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ExactSumContract} on DuckDB: per order of the rows, the real backend (default threads) and plain
 * connections with 1 and 4 threads over the same file.
 */
class DuckDbExactSumTest extends ExactSumContract {
  private final List<AutoCloseable> open = new ArrayList<>();

  @Override
  protected List<Run> open(TestTable table, Path work) throws Exception {
    List<Run> runs = new ArrayList<>();
    DuckDbBackend backend = DuckDbBackend.open(table.dataset(table.csvSource(), 2, 3));
    open.add(backend);
    runs.add(new Run("backend", backend.dialect(), backend::execute));
    for (int threads : new int[] {1, 4}) {
      Connection c = DriverManager.getConnection("jdbc:duckdb:");
      open.add(c);
      try (Statement s = c.createStatement()) {
        s.execute("SET threads = " + threads);
        s.execute("CREATE TABLE \"exact\" AS SELECT * FROM read_csv(" + quoted(table.csv())
            + ", header = true, columns = {'pid': 'BIGINT', 'grp': 'VARCHAR', 'x': 'DOUBLE'})");
      }
      runs.add(new Run("threads=" + threads, DuckDbDialect.INSTANCE, sql -> rows(c, sql)));
    }
    return runs;
  }

  @Override
  protected void cleanUp() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }
}
