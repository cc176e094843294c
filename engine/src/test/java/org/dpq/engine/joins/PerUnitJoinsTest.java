package org.dpq.engine.joins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.Dpq;
import org.dpq.engine.TestSeams;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.dpq.engine.execution.BoundedRows;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 over several tables: per-unit subqueries and WITH over the seeded shop (G = 2, R = 3, so a customer
 * reaches the inner aggregate with at most m = 6 rows). The bounded answers equal a reference computed with plain
 * DuckDB over the same files (each customer's value over at most m rows), a neighbour (one extreme customer in every
 * private table) moves the zero-noise answer by at most the declared sensitivity, inner queries that are not per
 * customer are refused for free, and a rewrite that skips the inner row limit is caught by the same comparison.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerUnitJoinsTest {
  private static final long SECRET = 0x5eed_10c4L;
  private static final ShopData SHOP = ShopData.generate(11, 60);
  private static final int M = 6;
  private static final String ISSUE = "SELECT COUNT(*) AS c, SUM(s) AS t FROM (SELECT customer_id, SUM(amount) AS s "
      + "FROM orders GROUP BY customer_id) t WHERE s > 100";
  private static final String ITEMS_PER_CUSTOMER = "SELECT o.customer_id, COUNT(*) AS n FROM items i JOIN orders o "
      + "ON i.order_id = o.order_id GROUP BY o.customer_id";
  private static final String HISTOGRAM = "SELECT n, COUNT(*) AS c FROM (" + ITEMS_PER_CUSTOMER + ") t GROUP BY n";

  @TempDir Path tmp;
  private Dataset dataset;
  private Backend duckdb;

  @BeforeAll
  void open(@TempDir Path dir) {
    dataset = DatasetLoader.load(SHOP.write(dir.resolve("shop")));
    duckdb = Backends.open(dataset);
  }

  @AfterAll
  void close() {
    duckdb.close();
  }

  /** Plain DuckDB over the shop's files: one number per row of {@code sql} (key, value). */
  private Map<Long, Long> reference(String sql) {
    Map<Long, Long> out = new HashMap<>();
    for (Object[] row : duckdb.execute(sql)) {
      out.put(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }
    return out;
  }

  private static Map<Long, Long> counts(BoundedRows rows) {
    int c = rows.indexOf(MeasurementKind.COUNT_ROWS);
    Map<Long, Long> out = new HashMap<>();
    rows.rows().forEach((k, v) -> out.put(((Number) k.get(0)).longValue(), ((Number) v.get(c)).longValue()));
    return out;
  }

  @Test
  void theIssuesExampleOverOrdersEqualsPlainDuckDb() {
    BoundedRows rows = BoundedRows.run(duckdb, dataset, ISSUE, SECRET);
    Object[] expected = duckdb.execute("SELECT COUNT(*), SUM(s) FROM (SELECT customer_id, SUM(amount) AS s "
        + "FROM orders GROUP BY customer_id) t WHERE s > 100").get(0);
    List<Object> got = rows.rows().values().iterator().next();
    assertEquals(((Number) expected[0]).longValue(), rows.total(rows.indexOf(MeasurementKind.COUNT_ROWS)));
    assertTrue(((Number) expected[0]).longValue() > 10, "a non-trivial count");
    BoundedRows asWritten = BoundedRows.run(duckdb, dataset, "SELECT COUNT(*) FROM (SELECT customer_id, SUM(amount) "
        + "AS s FROM orders GROUP BY customer_id) WHERE s > 100", SECRET);
    assertEquals(((Number) expected[0]).longValue(), asWritten.total(0), "the issue's text, without an alias");
    DpPlan plan = rows.plan();
    assertEquals(M, plan.perUnit().orElseThrow().rowLimit(), "m = min(G*R, C) = 6");
    // every customer has at most 6 orders of amounts inside [0, 500], so the bounded sum is the plain one
    boolean sawSum = false;
    for (int i = 0; i < plan.measurements().size(); i++) {
      var x = plan.measurements().get(i);
      if (x.kind() == MeasurementKind.SUM) {
        assertEquals(M * 500.0, x.l1(), 0, "one customer adds at most m * 500 to SUM(s)");
        assertEquals(((Number) expected[1]).doubleValue(), ((Number) got.get(i)).doubleValue(), 1e-6);
        sawSum = true;
      }
    }
    assertTrue(sawSum, "SUM(s) is measured: " + plan.measurements());
    // grouped by the unit table's column through a join: the same customers, the same answer
    BoundedRows joined = BoundedRows.run(duckdb, dataset, "SELECT COUNT(*) AS c, SUM(s) AS t FROM (SELECT "
        + "c.customer_id, SUM(o.amount) AS s FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
        + "GROUP BY c.customer_id) t WHERE s > 100", SECRET);
    assertEquals(rows.rows(), joined.rows());
  }

  @Test
  void aHistogramOfItemsPerCustomerCountsEachCustomerOnceWithAtMostMItems() {
    Map<Long, Long> expected = reference("SELECT LEAST(n, " + M + ") AS n, COUNT(*) FROM (" + ITEMS_PER_CUSTOMER
        + ") t GROUP BY 1");
    assertEquals(expected, counts(BoundedRows.run(duckdb, dataset, HISTOGRAM, SECRET)));
    Map<Long, Long> unlimited = reference("SELECT n, COUNT(*) FROM (" + ITEMS_PER_CUSTOMER + ") t GROUP BY 1");
    assertNotEquals(expected, unlimited, "some customer has more than m items, so the limit is exercised");
  }

  /** A declared max_rows_per_unit C below G*R sets m = C over the joined rows, and explain says so. */
  @Test
  void maxRowsPerUnitLimitsTheJoinedRowsOfAUnitAndExplainShowsIt() {
    Path yaml = SHOP.write(tmp.resolve("capped"), ShopData.YAML.replace("max_rows_per_group: 3",
        "max_rows_per_group: 3\nmax_rows_per_unit: 4"));
    Dataset capped = DatasetLoader.load(yaml);
    assertEquals(4, capped.maxRowsPerUnit().orElseThrow());
    BoundedRows rows = BoundedRows.run(duckdb, capped, HISTOGRAM, SECRET);
    assertEquals(4, rows.plan().perUnit().orElseThrow().rowLimit());
    assertEquals(reference("SELECT LEAST(n, 4) AS n, COUNT(*) FROM (" + ITEMS_PER_CUSTOMER + ") t GROUP BY 1"),
        counts(rows));
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      String explained = dpq.explain(ISSUE, org.dpq.engine.QueryOptions.defaults()).toString();
      assertTrue(explained.contains("over at most 4 rows of the unit"), explained);
    }
  }

  @Test
  void withReadOnceAnswersLikeTheSubquery() {
    String with = "WITH per_customer AS (" + ITEMS_PER_CUSTOMER + ") SELECT n, COUNT(*) AS c FROM per_customer "
        + "GROUP BY n";
    BoundedRows a = BoundedRows.run(duckdb, dataset, HISTOGRAM, SECRET);
    BoundedRows b = BoundedRows.run(duckdb, dataset, with, SECRET);
    a.assertSameAs(b, "WITH vs subquery");
    assertEquals(a.sql(), b.sql());
  }

  @Test
  void aRewriteThatSkipsTheInnerRowLimitIsCaught() {
    Map<Long, Long> expected = reference("SELECT LEAST(n, " + M + ") AS n, COUNT(*) FROM (" + ITEMS_PER_CUSTOMER
        + ") t GROUP BY 1");
    Map<Long, Long> broken = counts(BoundedRows.run(duckdb, dataset, HISTOGRAM, SECRET,
        Rewriter.withoutPerUnitBoundsForTest()));
    assertNotEquals(expected, broken, "the same comparison rejects the unbounded inner query");
    assertTrue(broken.keySet().stream().anyMatch(n -> n > M), "a customer exceeds its derived bound n <= m");
  }

  @Test
  void oneExtremeCustomerMovesTheAnswerByAtMostTheSensitivity() {
    // 40 orders of 1e9 (clamped to 500) with 6 items each: at most m = 6 of its rows reach the inner aggregate
    Path base = SHOP.write(tmp.resolve("base"));
    Path added = SHOP.withUnit(9999, "north", 40, 3, 1e9, 6, 1000, 1e9).write(tmp.resolve("added"));
    double[][] answers = new double[2][];
    Path[] yamls = {base, added};
    for (int i = 0; i < 2; i++) {
      try (Dpq dpq = TestSeams.openWithoutNoise(yamls[i])) {
        var row = dpq.query(ISSUE).rows().get(0);
        answers[i] = new double[] {((Number) row.get(0).value()).doubleValue(),
            ((Number) row.get(1).value()).doubleValue()};
      }
    }
    assertEquals(1, answers[1][0] - answers[0][0], 0, "the new customer (s > 100) is one more unit");
    double moveSum = Math.abs(answers[1][1] - answers[0][1]);
    assertEquals(M * 500.0, moveSum, 1e-6, "its 40 orders count as m = 6 clamped to 500: the sensitivity, no more");
  }

  @Test
  void innerQueriesNotPerCustomerAreRefusedForFree() {
    Map<String, String> cases = Map.of(
        "SELECT COUNT(*) FROM (SELECT product_id, SUM(amount) AS s FROM orders GROUP BY product_id) t",
        "exactly the privacy unit",
        "SELECT COUNT(*) FROM (SELECT i.order_id, COUNT(*) AS n FROM items i JOIN orders o ON i.order_id = o.order_id "
            + "GROUP BY i.order_id) t", "exactly the privacy unit",
        "SELECT COUNT(*) FROM (SELECT o.customer_id, SUM(amount) AS s FROM orders o GROUP BY o.customer_id, "
            + "o.product_id) t", "exactly the privacy unit",
        "SELECT COUNT(*) FROM (SELECT customer_id, COUNT(DISTINCT product_id) AS s FROM orders GROUP BY customer_id) t",
        "DISTINCT");
    try (Dpq dpq = TestSeams.openWithoutNoise(SHOP.write(tmp.resolve("hostile")))) {
      var before = dpq.budgetStatus().remaining();
      for (Map.Entry<String, String> c : cases.entrySet()) {
        QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> dpq.query(c.getKey()),
            c.getKey());
        assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
        assertTrue(!e.getMessage().contains("dpq_"), "no internal names: " + e.getMessage());
      }
      assertEquals(before, dpq.budgetStatus().remaining(), "rejections are free");
    }
  }
}
