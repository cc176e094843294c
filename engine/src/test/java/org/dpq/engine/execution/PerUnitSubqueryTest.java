package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17, per-unit subqueries on DuckDB over PUMS_dup (1-4 identical rows per person): the bounded answers equal a
 * reference computed here from the CSV (each person's first min(n, m) rows, m = min(G*R, C)), the derived bounds
 * are what the analysis declares, shapes that cannot be bounded are rejected, and a rewrite that skips the per-unit
 * row limit is caught by the same comparison.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerUnitSubqueryTest {
  private static final long SECRET = 0x5eed_d00d_cafeL;
  private static final String INNER = "SELECT pid, SUM(income) AS s, COUNT(*) AS n, AVG(age) AS a FROM pums "
      + "GROUP BY pid";

  private final TestTable table = TestTable.pums("PUMS_dup.csv");
  /** pid to (rows, income, age) of its identical rows. */
  private final Map<Integer, double[]> people = new HashMap<>();
  private Backend duckdb;

  @BeforeAll
  void open() throws Exception {
    List<String> lines = Files.readAllLines(table.csv());
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      int pid = Integer.parseInt(f[6]);
      double[] p = people.computeIfAbsent(pid, k -> new double[] {0, Double.parseDouble(f[4]),
          Double.parseDouble(f[0])});
      assertEquals(p[1], Double.parseDouble(f[4]), "PUMS_dup's rows of one person are identical");
      p[0]++;
    }
    assertTrue(people.values().stream().anyMatch(p -> p[0] > 2), "some person has more than 2 rows");
    duckdb = DuckDbBackend.open(table.dataset(table.csvSource(), 1, 1));
  }

  @AfterAll
  void close() {
    duckdb.close();
  }

  private Dataset dataset(int groups, int rows) {
    return table.dataset(table.csvSource(), groups, rows);
  }

  private double only(BoundedRows rows, int measurement) {
    assertEquals(1, rows.rows().size());
    return ((Number) rows.rows().values().iterator().next().get(measurement)).doubleValue();
  }

  @Test
  void countOfUnitsWhosePerUnitTotalPassesAFilterEqualsTheReference() {
    for (int r : new int[] {1, 2, 4}) {
      int m = r;
      String sql = "SELECT COUNT(*) AS c FROM (" + INNER + ") t WHERE s > 40000";
      BoundedRows rows = BoundedRows.run(duckdb, dataset(1, r), sql, SECRET);
      long expected = people.values().stream().filter(p -> Math.min(p[0], m) * p[1] > 40000).count();
      assertEquals(expected, (long) only(rows, 0), "R=" + r + ": " + sql);
      assertEquals(m, rows.plan().perUnit().orElseThrow().rowLimit());
    }
    long atTwo = people.values().stream().filter(p -> Math.min(p[0], 2) * p[1] > 40000).count();
    long atOne = people.values().stream().filter(p -> p[1] > 40000).count();
    assertTrue(atTwo > atOne, "the row limit changes this answer, so the comparison is not vacuous");
  }

  @Test
  void sumsAndAveragesOfPerUnitValuesEqualTheReferenceWithinDerivedBounds() {
    String sql = "SELECT COUNT(*) AS c, SUM(n) AS tn, SUM(s) AS ts, AVG(a) AS aa FROM (" + INNER + ") t";
    BoundedRows rows = BoundedRows.run(duckdb, dataset(1, 3), sql, SECRET);
    DpPlan plan = rows.plan();
    int m = 3;
    assertEquals(people.size(), (long) only(rows, rows.indexOf(MeasurementKind.COUNT_ROWS)));
    double n = 0;
    double s = 0;
    for (double[] p : people.values()) {
      n += Math.min(p[0], m);
      s += Math.min(p[0], m) * p[1];
    }
    boolean sawN = false;
    boolean sawS = false;
    for (int i = 0; i < plan.measurements().size(); i++) {
      Measurement x = plan.measurements().get(i);
      if (x.kind() == MeasurementKind.SUM && x.center() == 0 && x.upper() == m) {
        assertEquals(n, only(rows, i), 1e-9, "SUM(n)");
        assertEquals(0, x.lower());
        assertEquals(m, x.l1(), 0, "one unit adds at most m to SUM(n)");
        sawN = true;
      }
      if (x.kind() == MeasurementKind.SUM && x.center() == 0 && x.upper() == m * 500000.0) {
        assertEquals(s, only(rows, i), 1e-6 * s, "SUM(s)");
        assertEquals(m * 500000.0, x.l1(), 0, "one unit adds at most m*U to SUM(s)");
        sawS = true;
      }
    }
    assertTrue(sawN && sawS, "SUM(n) and SUM(s) are measured with the derived bounds: " + plan.measurements());
  }

  @Test
  void aHistogramOfPerUnitTotalsCountsEachUnitOnce() {
    String sql = "SELECT FLOOR(s / 100000) AS b, COUNT(*) AS c FROM (" + INNER + ") t GROUP BY 1";
    BoundedRows rows = BoundedRows.run(duckdb, dataset(1, 2), sql, SECRET);
    Map<Long, Long> expected = new HashMap<>();
    for (double[] p : people.values()) {
      expected.merge((long) Math.floor(Math.min(p[0], 2) * p[1] / 100000), 1L, Long::sum);
    }
    Map<Long, Long> got = new HashMap<>();
    rows.rows().forEach((k, v) -> got.put(((Number) k.get(0)).longValue(), (Long) v.get(0)));
    assertEquals(expected, got);
  }

  @Test
  void aRewriteThatSkipsThePerUnitRowLimitIsCaught() {
    String sql = "SELECT COUNT(*) AS c FROM (" + INNER + ") t WHERE n > 1";
    BoundedRows rows = BoundedRows.run(duckdb, dataset(1, 1), sql, SECRET);
    assertEquals(0, (long) only(rows, 0), "with m = 1 no unit has n > 1");
    BoundedRows broken = BoundedRows.run(duckdb, dataset(1, 1), sql, SECRET, Rewriter.withoutPerUnitBoundsForTest());
    assertEquals(people.values().stream().filter(p -> p[0] > 1).count(), (long) only(broken, 0));
    assertTrue(only(broken, 0) > 0, "the broken rewrite lets units exceed their derived bound n <= m");
  }

  @Test
  void withAnswersLikeTheSubqueryAndIsRejectedWhenReadTwice() {
    String sub = "SELECT FLOOR(s / 100000) AS b, COUNT(*) AS c, AVG(n) AS an FROM (" + INNER + ") t GROUP BY 1";
    String with = "WITH per_unit AS (" + INNER + ") SELECT FLOOR(s / 100000) AS b, COUNT(*) AS c, AVG(n) AS an "
        + "FROM per_unit GROUP BY 1";
    BoundedRows a = BoundedRows.run(duckdb, dataset(1, 2), sub, SECRET);
    BoundedRows b = BoundedRows.run(duckdb, dataset(1, 2), with, SECRET);
    a.assertSameAs(b, "WITH vs subquery");
    assertEquals(a.sql(), b.sql());
    Analyzer analyzer = new Analyzer();
    for (String sql : List.of(
        "WITH p AS (" + INNER + ") SELECT COUNT(*) FROM p JOIN p q ON p.pid = q.pid",
        "WITH p AS (" + INNER + "), q AS (" + INNER + ") SELECT COUNT(*) FROM q",
        "WITH p AS (" + INNER + ") SELECT COUNT(*) FROM pums")) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> analyzer.analyze(dataset(1, 1),
          sql), sql);
      assertTrue(e.getMessage().contains("read once"), sql + " -> " + e.getMessage());
    }
  }

  @Test
  void explainNamesTheInnerAggregateAndItsDerivedBounds() {
    DpPlan plan = new Analyzer().analyze(dataset(2, 2), "SELECT SUM(s) AS t FROM (" + INNER + ") x");
    assertEquals("s = SUM(income) per pid over at most 4 rows of the unit, in [0, 2000000]",
        plan.perUnit().orElseThrow().describe(1).orElseThrow());
  }

  @Test
  void shapesThatCannotBeBoundedAreRejectedBeforeAnyCharge() {
    Analyzer analyzer = new Analyzer();
    Dataset d = dataset(1, 1);
    Map<String, String> cases = Map.of(
        "SELECT COUNT(*) FROM (SELECT sex, SUM(income) AS s FROM pums GROUP BY sex) t", "exactly the privacy unit",
        "SELECT COUNT(*) FROM (SELECT pid, sex, SUM(income) AS s FROM pums GROUP BY pid, sex) t",
        "exactly the privacy unit",
        "SELECT COUNT(*) FROM (SELECT pid, SUM(educ) AS s FROM pums GROUP BY pid) t", "cannot be bounded",
        "SELECT COUNT(*) FROM (SELECT pid, COUNT(DISTINCT age) AS s FROM pums GROUP BY pid) t", "DISTINCT",
        "SELECT COUNT(*) FROM (SELECT pid, COUNT(*) AS c FROM (SELECT pid, COUNT(*) AS n FROM pums GROUP BY pid) u "
            + "GROUP BY pid) t", "nested",
        "SELECT COUNT(*) FROM (SELECT pid, VAR_POP(age) AS v FROM pums GROUP BY pid) t", "not supported",
        "SELECT pid, COUNT(*) FROM (SELECT pid, SUM(age) AS s FROM pums GROUP BY pid) t GROUP BY pid",
        "privacy unit");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> analyzer.analyze(d, c.getKey()),
          c.getKey());
      assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
    }
    Dataset rows = table.dataset(table.csvSource(), "row", 1, 1);
    QueryRejectedException e = assertThrows(QueryRejectedException.class,
        () -> analyzer.analyze(rows, "SELECT COUNT(*) FROM (" + INNER + ") t"));
    assertTrue(e.getMessage().contains("privacy unit is the row"), e.getMessage());
  }
}
