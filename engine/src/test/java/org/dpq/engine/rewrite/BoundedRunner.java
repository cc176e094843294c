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

/**
 * Analyses, rewrites and runs a query on DuckDB; results keyed by the group key values. Every run executes both
 * {@link GroupLimit} orders with the same secret and fails unless they agree (counts exactly, sums up to
 * summation order), so each rewrite test also checks that the two plans keep the same groups.
 */
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
    return run(connection, ANALYZER.analyze(dataset, sql), secret, rewriter);
  }

  /** Runs an analysed plan (e.g. one whose dataset was changed after analysis, a deliberately broken rewrite). */
  static Result run(Connection connection, DpPlan plan, long secret, Rewriter rewriter) throws SQLException {
    Result aggregateFirst = run(connection, plan, rewriter.rewrite(plan, DuckDbDialect.INSTANCE, secret));
    Result rankFirst = run(connection, plan,
        rewriter.rewrite(plan, DuckDbDialect.INSTANCE, secret, GroupLimit.RANK_FIRST));
    assertSame(aggregateFirst, rankFirst);
    return aggregateFirst;
  }

  private static void assertSame(Result a, Result b) {
    if (!a.groups().keySet().equals(b.groups().keySet())) {
      throw new AssertionError("the group-limit orders released different groups: " + a.groups().keySet() + " vs "
          + b.groups().keySet());
    }
    for (Map.Entry<List<Object>, double[]> e : a.groups().entrySet()) {
      double[] x = e.getValue();
      double[] y = b.groups().get(e.getKey());
      for (int i = 0; i < x.length; i++) {
        double tolerance = a.plan().measurements().get(i).integral() ? 0 : 1e-9 * Math.max(1, Math.abs(x[i]));
        if (Math.abs(x[i] - y[i]) > tolerance) {
          throw new AssertionError("group " + e.getKey() + " measurement " + i + ": aggregate-first " + x[i]
              + ", rank-first " + y[i]);
        }
      }
    }
  }

  private static Result run(Connection connection, DpPlan plan, BoundedQuery query) throws SQLException {
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
        boolean steps = SumGrid.applies(plan.measurements().get(i));
        Class<?> expected = plan.measurements().get(i).integral() ? Long.class : steps ? Number.class : Double.class;
        if (!expected.isInstance(v) || steps && v instanceof Double) {
          throw new AssertionError("measurement " + i + " is " + v.getClass().getSimpleName() + ", expected "
              + (steps ? "a whole number of grid steps" : expected.getSimpleName()));
        }
        values[i] = steps ? SumGrid.value(v, plan.measurements().get(i)).doubleValue() : ((Number) v).doubleValue();
      }
      if (groups.put(key, values) != null) {
        throw new AssertionError("duplicate group " + key);
      }
    }
    return new Result(plan, query, groups);
  }
}
