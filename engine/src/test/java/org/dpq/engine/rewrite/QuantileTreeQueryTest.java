package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.mechanisms.QuantileTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The quantile tree's bounded query ({@link Rewriter#treeQuery}) on DuckDB: only (keys, leaf, weight) leave the
 * backend; a unit adds at most R values per group in at most G groups, whatever its rows (checked on neighbouring
 * tables, and shown to fail for the rewrite without per-unit limits); a unit's R values are spread evenly over its
 * own sorted values; without a binding limit the weights are the per-unit value counts.
 */
class QuantileTreeQueryTest {
  private static Connection db;

  @BeforeAll
  static void load() throws SQLException {
    db = TestDatasets.duckdb();
    TestDatasets.loadPums(db, "pums", "PUMS_dup.csv");
    try (Statement s = db.createStatement()) {
      // each person's k-th row gets its own age (people have 1 to 4 distinct values) and moves to another educ
      s.execute("CREATE TABLE spread AS SELECT age + 7 * rn AS age, sex, "
          + "CAST((CAST(educ AS INTEGER) + rn) % 16 + 1 AS VARCHAR) AS educ, race, income, married, pid "
          + "FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY pid ORDER BY age) AS rn FROM pums)");
      // the neighbour: one more person with 60 rows in every sex and 16 educ values, ages in and far outside [0, 100]
      s.execute("CREATE TABLE spread_plus AS SELECT * FROM spread UNION ALL SELECT CASE WHEN i % 3 = 0 THEN 1000 "
          + "WHEN i % 3 = 1 THEN -50 ELSE i END AS age, CAST(i % 2 AS VARCHAR) AS sex, CAST(i % 16 + 1 AS VARCHAR) "
          + "AS educ, '1' AS race, 1e9 AS income, '0' AS married, 999999 AS pid FROM range(60) t(i)");
      s.execute("CREATE TABLE ten AS SELECT CAST(i AS INTEGER) AS age, '0' AS sex, '1' AS educ, '1' AS race, "
          + "0.0 AS income, '0' AS married, 1 AS pid FROM range(1, 11) t(i)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static Dataset dataset(String table, int groups, int rows) {
    return TestDatasets.dataset(table, new PrivacyUnit.ByColumn("pid"), groups, rows, TestDatasets.pumsColumns());
  }

  /** (keys..., leaf) to weight, for the tree of the query's first measurement that is a tree. */
  private static Map<List<Object>, Long> leaves(Rewriter rewriter, Dataset dataset, String sql) throws SQLException {
    DpPlan plan = BoundedRunner.ANALYZER.analyze(dataset, sql);
    int tree = -1;
    for (int i = 0; i < plan.measurements().size() && tree < 0; i++) {
      tree = plan.measurements().get(i).kind() == MeasurementKind.QUANTILE_TREE ? i : -1;
    }
    BoundedQuery q = rewriter.treeQuery(plan, tree, DuckDbDialect.INSTANCE, 42);
    Map<List<Object>, Long> out = new HashMap<>();
    for (List<Object> row : TestDatasets.rows(db, q.sql())) {
      assertEquals(q.keyCount() + 2, row.size(), "keys, leaf and weight only");
      Object w = row.get(row.size() - 1);
      assertTrue(w instanceof Long && (Long) w >= 0, "weights are non-negative BIGINT: " + w);
      out.merge(new ArrayList<>(row.subList(0, row.size() - 1)), (Long) w, Long::sum);
    }
    return out;
  }

  /** The L1 distance between two leaf-count vectors (which bounds every tree level's distance). */
  private static long distance(Map<List<Object>, Long> a, Map<List<Object>, Long> b) {
    Set<List<Object>> cells = new HashSet<>(a.keySet());
    cells.addAll(b.keySet());
    long d = 0;
    for (List<Object> c : cells) {
      d += Math.abs(a.getOrDefault(c, 0L) - b.getOrDefault(c, 0L));
    }
    return d;
  }

  /**
   * One added person with 60 rows (ages inside and far outside the bounds, in both sexes and all 16 educ values) moves
   * the leaf counts by at most G * R in L1, for several (G, R) and groupings; the rewrite without per-unit limits
   * (a deliberately broken seam) moves them by all 60 rows, and the same check rejects it.
   */
  @Test
  void oneAddedPersonMovesTheLeafCountsByAtMostGTimesR() throws SQLException {
    String[] queries = {"SELECT sex, MEDIAN(age) FROM %s GROUP BY sex", "SELECT educ, MAX(age) FROM %s GROUP BY educ",
        "SELECT PERCENTILE_CONT(0.2) WITHIN GROUP (ORDER BY age) FROM %s"};
    int[][] bounds = {{1, 1}, {2, 3}, {3, 7}};
    for (String query : queries) {
      for (int[] gr : bounds) {
        Map<List<Object>, Long> base = leaves(new Rewriter(), dataset("spread", gr[0], gr[1]), query.formatted("spread"));
        Map<List<Object>, Long> plus = leaves(new Rewriter(), dataset("spread_plus", gr[0], gr[1]),
            query.formatted("spread_plus"));
        long allowed = (long) gr[0] * gr[1];
        assertTrue(withinBound(distance(base, plus), allowed), query + " G=" + gr[0] + " R=" + gr[1] + ": "
            + distance(base, plus));
      }
    }
    Map<List<Object>, Long> base = leaves(new Rewriter(false), dataset("spread", 2, 3), queries[1].formatted("spread"));
    Map<List<Object>, Long> plus = leaves(new Rewriter(false), dataset("spread_plus", 2, 3),
        queries[1].formatted("spread_plus"));
    assertTrue(!withinBound(distance(base, plus), 6), "the rewrite without per-unit limits was not caught: "
        + distance(base, plus));
  }

  private static boolean withinBound(long distance, long allowed) {
    return distance <= allowed;
  }

  @Test
  void withoutABindingLimitTheWeightsArePerPersonCountsCappedAtR() throws SQLException {
    // G = 2 covers both sexes: every person's values count, at most R = 2 of them per person
    Map<List<Object>, Long> tree = leaves(new Rewriter(), dataset("spread", 2, 2),
        "SELECT sex, MEDIAN(age) FROM spread GROUP BY sex");
    Map<String, Long> totals = new HashMap<>();
    tree.forEach((k, w) -> totals.merge(String.valueOf(k.get(0)), w, Long::sum));
    for (List<Object> row : TestDatasets.rows(db, "SELECT sex, SUM(LEAST(n, 2)) FROM (SELECT pid, sex, COUNT(age) AS n "
        + "FROM spread GROUP BY pid, sex) GROUP BY sex")) {
      assertEquals(((Number) row.get(1)).longValue(), totals.get(String.valueOf(row.get(0))), "sex " + row.get(0));
    }
  }

  @Test
  void aUnitsRValuesAreEvenlySpacedThroughItsOwnSortedValues() throws SQLException {
    // one person with ages 1..10, R = 2: the values at positions 5 and 10 of 10
    QuantileTree.Shape shape = QuantileTree.Shape.of(0, 100, true);
    Map<List<Object>, Long> tree = leaves(new Rewriter(), dataset("ten", 1, 2), "SELECT MEDIAN(age) FROM ten");
    assertEquals(Map.of(List.of((long) shape.leaf(5)), 1L, List.of((long) shape.leaf(10)), 1L), tree);
    Map<List<Object>, Long> three = leaves(new Rewriter(), dataset("ten", 1, 3), "SELECT MEDIAN(age) FROM ten");
    // positions 10/3, 20/3, 10: values 4, 7, 10
    assertEquals(Map.of(List.of((long) shape.leaf(4)), 1L, List.of((long) shape.leaf(7)), 1L,
        List.of((long) shape.leaf(10)), 1L), three);
  }
}
