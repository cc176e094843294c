package org.dpq.engine.rewrite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.DuckDbDialect;

/** Analyses, rewrites and runs a query on DuckDB; results keyed by the group key values. */
final class BoundedRunner {
  static final Analyzer ANALYZER = new Analyzer();

  /** One bounded result: the plan, the SQL, and per group key the measurement values. */
  record Result(DpPlan plan, BoundedQuery query, Map<List<Object>, double[]> groups) {
    double[] only() {
      if (groups.size() != 1) {
        throw new AssertionError("expected one row, got " + groups.size());
      }
      return groups.values().iterator().next();
    }

    double[] group(Object... key) {
      double[] values = groups.get(List.of(key));
      if (values == null) {
        throw new AssertionError("no group " + List.of(key) + " in " + groups.keySet());
      }
      return values;
    }
  }

  private BoundedRunner() {}

  static Result run(Connection connection, Dataset dataset, String sql, long secret) throws SQLException {
    return run(connection, dataset, sql, secret, new Rewriter());
  }

  static Result run(Connection connection, Dataset dataset, String sql, long secret, Rewriter rewriter)
      throws SQLException {
    DpPlan plan = ANALYZER.analyze(dataset, sql);
    BoundedQuery query = rewriter.rewrite(plan, DuckDbDialect.INSTANCE, secret);
    Map<List<Object>, double[]> groups = new LinkedHashMap<>();
    for (List<Object> row : TestDatasets.rows(connection, query.sql())) {
      if (row.size() != query.keyCount() + query.measurementCount()) {
        throw new AssertionError("row width " + row.size());
      }
      List<Object> key = new ArrayList<>(row.subList(0, query.keyCount()));
      double[] values = new double[query.measurementCount()];
      for (int i = 0; i < values.length; i++) {
        Object v = row.get(query.keyCount() + i);
        if (v == null) {
          throw new AssertionError("measurement " + i + " is NULL");
        }
        Class<?> expected = plan.measurements().get(i).integral() ? Long.class : Double.class;
        if (!expected.isInstance(v)) {
          throw new AssertionError("measurement " + i + " is " + v.getClass().getSimpleName() + ", expected "
              + expected.getSimpleName());
        }
        values[i] = ((Number) v).doubleValue();
      }
      if (groups.put(key, values) != null) {
        throw new AssertionError("duplicate group " + key);
      }
    }
    return new Result(plan, query, groups);
  }
}
