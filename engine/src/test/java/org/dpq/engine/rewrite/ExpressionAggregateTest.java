package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.PrivacyUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aggregates over expressions (issue 14, item 1): the bounds derived by interval arithmetic are the per-row clamp,
 * columns read as values are clamped to their declared bounds first, and on data inside the bounds the bounded
 * query equals the plain SQL.
 */
class ExpressionAggregateTest {
  private static Connection db;

  @BeforeAll
  static void load() throws SQLException {
    db = TestDatasets.duckdb();
    TestDatasets.loadPums(db, "pums", "PUMS_dup.csv");
    try (Statement s = db.createStatement()) {
      s.execute("CREATE TABLE wild AS SELECT * FROM pums");
      s.execute("INSERT INTO wild VALUES (1000, '1', '9', '1', 1e12, '1', 5001), (-7, '0', '9', '1', "
          + "'NaN'::DOUBLE, '0', 5002), (NULL, '0', '9', '1', 'Infinity'::DOUBLE, '0', 5003)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static double scalar(String sql) throws SQLException {
    return ((Number) TestDatasets.rows(db, sql).get(0).get(0)).doubleValue();
  }

  private static BoundedRunner.Result rowUnits(String table, String sql) throws SQLException {
    return BoundedRunner.run(db, TestDatasets.dataset(table, new PrivacyUnit.Row(), 1, 1,
        TestDatasets.pumsColumns()), sql, 11);
  }

  @Test
  void expressionsOverDataInsideTheBoundsEqualThePlainSql() throws SQLException {
    String sql = "SELECT SUM(age * (1 - income / 1000000)), SUM(CASE WHEN sex = '1' THEN income ELSE 0 END), "
        + "COUNT(CASE WHEN age > 60 THEN 1 END), SUM(income) FILTER (WHERE married = '1'), "
        + "COUNT(*) FILTER (WHERE educ = '9'), SUM(ABS(age - 50)), SUM(LEAST(age, 30) + GREATEST(age, 70)), "
        + "SUM(ROUND(income / 3, 1)), SUM(CAST(age AS DOUBLE) / 4) FROM pums";
    double[] r = rowUnits("pums", sql).only();
    assertEquals(scalar("SELECT SUM(age * (1 - income / 1000000)) FROM pums"), r[0], 1e-6);
    assertEquals(scalar("SELECT SUM(CASE WHEN sex = '1' THEN income ELSE 0 END) FROM pums"), r[1], 1e-6);
    assertEquals(scalar("SELECT COUNT(*) FROM pums WHERE age > 60"), r[2]);
    assertEquals(scalar("SELECT SUM(income) FROM pums WHERE married = '1'"), r[3], 1e-6);
    assertEquals(scalar("SELECT COUNT(*) FROM pums WHERE educ = '9'"), r[4]);
    assertEquals(scalar("SELECT SUM(ABS(age - 50)) FROM pums"), r[5]);
    assertEquals(scalar("SELECT SUM(LEAST(age, 30) + GREATEST(age, 70)) FROM pums"), r[6]);
    assertEquals(scalar("SELECT SUM(ROUND(income / 3, 1)) FROM pums"), r[7], 1e-3);
    assertEquals(scalar("SELECT SUM(age / 4.0) FROM pums"), r[8], 1e-6);
  }

  @Test
  void eachColumnIsClampedBeforeTheExpressionAndTheValueToTheDerivedBound() throws SQLException {
    // age 1000 reads as 100, -7 as 0, NULL stays NULL; income 1e12 and +Infinity read as 500000, NaN as NULL.
    double[] r = rowUnits("wild", "SELECT SUM(age + 1), SUM(income / 1000 + age), COUNT(income - 1) FROM wild")
        .only();
    assertEquals(scalar("SELECT SUM(age + 1) FROM pums") + 101 + 1, r[0]);
    assertEquals(scalar("SELECT SUM(income / 1000 + age) FROM pums") + 500 + 100, r[1], 1e-6,
        "the NULL age row and the NaN income row add nothing; 1e12 reads as 500000");
    assertEquals(scalar("SELECT COUNT(income) FROM pums") + 2, r[2], "NaN is not counted, +Inf and 1e12 are");
  }

  @Test
  void theDerivedBoundIsTheClampAndExplainShowsItsOrigin() throws SQLException {
    BoundedRunner.Result r = rowUnits("pums", "SELECT SUM(age * (1 - income / 1000000)) AS s, AVG(age + income) "
        + "FROM pums");
    Measurement sum = r.plan().measurements().get(0);
    assertEquals(MeasurementKind.SUM, sum.kind());
    assertEquals(0, sum.lower());
    assertEquals(100, sum.upper());
    String derivation = sum.derivation().orElseThrow();
    assertTrue(derivation.contains("in [0, 100]") && derivation.contains("age in [0, 100] (declared)")
        && derivation.contains("income in [0, 500000] (declared)"), derivation);
    Measurement avgSum = r.plan().measurements().stream().filter(m -> m.kind() == MeasurementKind.SUM
        && m.center() != 0).findFirst().orElseThrow();
    assertEquals(0, avgSum.lower());
    assertEquals(500_100, avgSum.upper());
    assertEquals(250_050, avgSum.center());
    assertTrue(r.query().sql().contains("CASE"), "the argument is clamped in the bounded SQL");
    assertTrue(!r.query().sql().contains("DPQ_CLAMP"), r.query().sql());
  }

  @Test
  void conditionsThatCouldFailOnSomeRowsAreEvaluatedWithTryOnDuckDb() throws SQLException {
    // CAST(educ AS INTEGER) fails on the text 'x'; the row's argument becomes NULL instead of failing the query.
    try (Statement s = db.createStatement()) {
      s.execute("CREATE TABLE texty AS SELECT * FROM pums");
      s.execute("INSERT INTO texty VALUES (40, '1', 'x', '1', 10, '1', 6001)");
    }
    double[] r = rowUnits("texty", "SELECT SUM(CASE WHEN CAST(educ AS INTEGER) > 8 THEN age ELSE 0 END) FROM texty")
        .only();
    assertEquals(scalar("SELECT SUM(CASE WHEN CAST(educ AS INTEGER) > 8 THEN age ELSE 0 END) FROM pums"), r[0]);
  }
}
