package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.Interval;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIN, MAX, MEDIAN and PERCENTILE_CONT/DISC through the whole engine on PUMS_dup (1,000 people with 1 to 4 identical
 * rows): answered grouped and ungrouped, mixed with other aggregates, charged once per query, keyed apart in the
 * stored answers, rejected (free) where they cannot be bounded.
 */
class OrderStatisticsTest {
  @TempDir
  static Path dir;
  static Connection reference;

  @BeforeAll
  static void loadReference() throws SQLException {
    reference = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = reference.createStatement()) {
      s.execute("CREATE TABLE raw AS SELECT * FROM read_csv('" + PumsFiles.pums("PUMS_dup.csv")
          + "', all_varchar = true)");
      s.execute("CREATE TABLE person AS SELECT pid, ANY_VALUE(CAST(age AS INTEGER)) AS age, "
          + "ANY_VALUE(sex) AS sex, ANY_VALUE(CAST(income AS DOUBLE)) AS income FROM raw GROUP BY pid");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    reference.close();
  }

  private static Map<String, double[]> grouped(String sql) throws SQLException {
    Map<String, double[]> out = new HashMap<>();
    try (Statement s = reference.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        double[] v = new double[n - 1];
        for (int i = 1; i < n; i++) {
          v[i - 1] = rs.getDouble(i + 1);
        }
        out.put(rs.getString(1), v);
      }
    }
    return out;
  }

  private static double number(QueryResult r, int row, String column) {
    return ((Number) r.value(row, column)).doubleValue();
  }

  /**
   * Zero noise (the node noise is 0, the tree's noise floor still applies) at epsilon 50, R = 1: each person counts
   * once, so the released quantiles are the per-person quantiles up to the tree's resolution. Margin: each released
   * p-quantile lies between the exact (p - 0.01)- and (p + 0.01)-quantiles (one percentile rank), widened by one leaf.
   */
  @Test
  void zeroNoiseQuantilesAreThePerPersonQuantilesWithinOnePercentileRank() throws SQLException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("a"), "PUMS_dup.csv", "pid", 1, 1, "100");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query("SELECT sex, MEDIAN(age) AS med, PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY age) "
          + "AS q1, PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY income) AS p90, COUNT(*) AS n, AVG(age) AS mean "
          + "FROM pums GROUP BY sex ORDER BY sex", QueryOptions.defaults().withEpsilon("50"));
      Map<String, double[]> ref = grouped("SELECT sex, quantile_disc(age, 0.49), quantile_disc(age, 0.51), "
          + "quantile_disc(age, 0.24), quantile_disc(age, 0.26), quantile_disc(income, 0.89), "
          + "quantile_disc(income, 0.91), COUNT(*), AVG(age) FROM person GROUP BY sex");
      assertEquals(2, r.rows().size());
      for (int row = 0; row < 2; row++) {
        double[] e = ref.get(String.valueOf(r.value(row, "sex")));
        assertBetween(number(r, row, "med"), e[0] - 0.4, e[1] + 0.4, "median age");
        assertBetween(number(r, row, "q1"), e[2] - 1, e[3] + 1, "PERCENTILE_DISC(0.25) of age");
        assertTrue(r.value(row, "q1") instanceof Long, "PERCENTILE_DISC of an int column is an integer");
        assertTrue(r.value(row, "med") instanceof Double, "PERCENTILE_CONT is a double");
        assertBetween(number(r, row, "p90"), e[4] - 8, e[5] + 8, "90th percentile of income");
        assertEquals(e[6], number(r, row, "n"), "COUNT beside the quantiles");
        assertEquals(e[7], number(r, row, "mean"), 0.01, "AVG beside the quantiles");
        Interval ci = r.rows().get(row).get(1).ci95();
        assertTrue(ci.contains(number(r, row, "med")), "the interval holds the released median: " + ci);
      }
      assertEquals(new java.math.BigDecimal("50"), r.cost().epsilon(), "one charge for the whole query");
    }
  }

  private static void assertBetween(double value, double low, double high, String what) {
    assertTrue(value >= low && value <= high, what + " " + value + " outside [" + low + ", " + high + "]");
  }

  @Test
  void oneTreePerColumnAnswersEveryOrderStatisticOfIt() {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("b"), "PUMS_dup.csv", "pid", 1, 1, "100");
    try (Dpq dpq = TestSeams.openSeeded(yaml, 7)) {
      Explanation one = dpq.explain("SELECT MEDIAN(age) FROM pums", QueryOptions.defaults());
      Explanation many = dpq.explain("SELECT MIN(age), MAX(age), MEDIAN(age), PERCENTILE_CONT(0.1) WITHIN GROUP "
          + "(ORDER BY age), PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY age DESC) FROM pums", QueryOptions.defaults());
      assertEquals(1, one.measurements().size());
      // epsilon 1, depth 2, G = R = 1: node noise +-6 (95%), rank error about sqrt(2 * 15) * 6 (the README's example)
      assertTrue(one.measurements().get(0).name().contains("95% noise per tree node +-6 values, a quantile's rank off "
          + "by about +-33 values"), one.measurements().get(0).name());
      assertEquals(1, many.measurements().size(), "five order statistics of age share one tree: " + many);
      MeasurementExplanation tree = many.measurements().get(0);
      assertTrue(tree.name().contains("tree of 16^2 leaves over [0, 100]"), tree.name());
      assertTrue(tree.name().contains("a quantile's rank off by about"), tree.name());
      // depth 2, G = R = 1
      assertEquals(2.0, tree.l1());
      Explanation income = dpq.explain("SELECT MEDIAN(income), MEDIAN(age) FROM pums", QueryOptions.defaults());
      assertEquals(2, income.measurements().size());
      assertEquals(4.0, income.measurements().get(0).l1(), "income's tree has depth 4");
    }
  }

  @Test
  void seededReleasesStayWithinTheBoundsGroupedByPartitionSelectionAndAreStoredPerStatistic() {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("c"), "PUMS_dup.csv", "pid", 2, 3, "100");
    try (Dpq dpq = TestSeams.openSeeded(yaml, 11)) {
      QueryOptions options = QueryOptions.defaults().withEpsilon("5").withDelta("1e-6");
      QueryResult r = dpq.query("SELECT educ, MIN(income) AS lo, MEDIAN(income) AS med, MAX(income) AS hi, "
          + "PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY income) AS q3, MIN(income) FILTER (WHERE age > 30) AS lo30 "
          + "FROM pums WHERE age >= 18 GROUP BY educ", options);
      assertFalse(r.rows().isEmpty(), "some education levels pass partition selection");
      for (int row = 0; row < r.rows().size(); row++) {
        for (String c : new String[] {"lo", "med", "hi", "q3", "lo30"}) {
          double v = number(r, row, c);
          assertTrue(v >= 0 && v <= 500000, c + " " + v);
          Interval ci = r.rows().get(row).get(r.columns().indexOf(c)).ci95();
          assertTrue(ci.contains(v) && ci.low() >= 0 && ci.high() <= 500000, c + " " + ci);
        }
        assertTrue(number(r, row, "lo") <= number(r, row, "med") && number(r, row, "med") <= number(r, row, "hi"));
      }
      QueryResult again = dpq.query("SELECT educ, MIN(income) AS lo, MEDIAN(income) AS med, MAX(income) AS hi, "
          + "PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY income) AS q3, MIN(income) FILTER (WHERE age > 30) AS lo30 "
          + "FROM pums WHERE age >= 18 GROUP BY educ", options);
      assertTrue(again.reused());
      QueryResult other = dpq.query("SELECT educ, MIN(income) AS lo, MEDIAN(income) AS med, MAX(income) AS hi, "
          + "PERCENTILE_CONT(0.7) WITHIN GROUP (ORDER BY income) AS q3, MIN(income) FILTER (WHERE age > 30) AS lo30 "
          + "FROM pums WHERE age >= 18 GROUP BY educ", options);
      assertFalse(other.reused(), "another fraction is another release");
      QueryResult whole = dpq.query("SELECT MEDIAN(age) AS m FROM pums", QueryOptions.defaults());
      double m = number(whole, 0, "m");
      assertTrue(m >= 0 && m <= 100);
    }
  }

  @Test
  void orderStatisticsThatCannotBeBoundedAreRejectedFree() {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("d"), "PUMS_dup.csv", "pid", 1, 1, "100");
    try (Dpq dpq = TestSeams.openSeeded(yaml, 13)) {
      java.math.BigDecimal before = dpq.budgetStatus().remaining().epsilon();
      QueryRejectedException fraction = assertThrows(QueryRejectedException.class, () -> dpq.query(
          "SELECT PERCENTILE_CONT(age / 100.0) WITHIN GROUP (ORDER BY income) FROM pums"));
      assertTrue(fraction.getMessage().contains("literal"), fraction.getMessage());
      QueryRejectedException range = assertThrows(QueryRejectedException.class, () -> dpq.query(
          "SELECT PERCENTILE_DISC(1.5) WITHIN GROUP (ORDER BY income) FROM pums"));
      assertTrue(range.getMessage().contains("between 0 and 1"), range.getMessage());
      QueryRejectedException text = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT MEDIAN(educ) FROM pums"));
      assertTrue(text.getMessage().toLowerCase(java.util.Locale.ROOT).contains("numeric"), text.getMessage());
      QueryRejectedException unbounded = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT MAX(pid) FROM pums"));
      assertTrue(unbounded.getMessage().contains("bounds"), unbounded.getMessage());
      assertThrows(QueryRejectedException.class, () -> dpq.query("SELECT MODE() WITHIN GROUP (ORDER BY age) FROM pums"));
      assertEquals(before, dpq.budgetStatus().remaining().epsilon(), "rejections cost nothing");
    }
  }
}
