package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.analysis.PartitionMode;
import org.dpq.engine.analysis.TestDatasets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounded query on PUMS_dup.csv (1,000 people, 1,948 rows) in DuckDB equals independent references written
 * by hand in plain SQL.
 */
class RewriterPumsTest {
  private static Connection db;

  @BeforeAll
  static void load() throws SQLException {
    db = TestDatasets.duckdb();
    TestDatasets.loadPums(db, "pums", "PUMS_dup.csv");
    try (Statement s = db.createStatement()) {
      // The same people, but each person's k-th row moves to another educ and sex: people span several groups.
      s.execute("CREATE TABLE pums_multi AS SELECT age, "
          + "CAST((CAST(sex AS INTEGER) + rn) % 2 AS VARCHAR) AS sex, "
          + "CAST((CAST(educ AS INTEGER) + rn) % 16 + 1 AS VARCHAR) AS educ, race, income, married, pid "
          + "FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY pid ORDER BY age) AS rn FROM pums)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static double scalar(String sql) throws SQLException {
    return ((Number) TestDatasets.rows(db, sql).get(0).get(0)).doubleValue();
  }

  /** Reference rows keyed by the first column, values of the other columns as doubles. */
  private static Map<String, double[]> reference(String sql) throws SQLException {
    Map<String, double[]> out = new TreeMap<>();
    for (List<Object> row : TestDatasets.rows(db, sql)) {
      double[] v = new double[row.size() - 1];
      for (int i = 1; i < row.size(); i++) {
        v[i - 1] = ((Number) row.get(i)).doubleValue();
      }
      out.put(String.valueOf(row.get(0)), v);
    }
    return out;
  }

  @Test
  void countStarCountsPeopleNotRowsWhenRIsOne() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pums(1, 1), "SELECT COUNT(*) FROM pums", 7);
    assertEquals(1948, scalar("SELECT COUNT(*) FROM pums"));
    assertEquals(1000, scalar("SELECT COUNT(DISTINCT pid) FROM pums"));
    assertEquals(1000.0, r.only()[0]);
  }

  @Test
  void countDistinctOfAColumnEqualsPlainSqlWhenNoBoundBindsAndForRowUnits() throws SQLException {
    String q = "SELECT sex, COUNT(DISTINCT educ), COUNT(DISTINCT age) FILTER (WHERE age > 40) FROM pums_multi "
        + "GROUP BY sex";
    Map<String, double[]> plain = reference("SELECT sex, COUNT(DISTINCT educ), COUNT(DISTINCT age) "
        + "FILTER (WHERE age > 40) FROM pums_multi GROUP BY sex");
    // G and R above any person's groups and rows: every person keeps every value, as plain SQL counts them
    BoundedRunner.Result units = BoundedRunner.run(db, TestDatasets.dataset("pums_multi",
        new org.dpq.engine.catalog.PrivacyUnit.ByColumn("pid"), 16, 100, TestDatasets.pumsColumns()), q, 7);
    BoundedRunner.Result rows = BoundedRunner.run(db, TestDatasets.dataset("pums_multi",
        new org.dpq.engine.catalog.PrivacyUnit.Row(), 1, 1, TestDatasets.pumsColumns()), q, 7);
    for (String sex : List.of("0", "1")) {
      assertEquals(plain.get(sex)[0], units.group(sex)[0], sex);
      assertEquals(plain.get(sex)[1], units.group(sex)[1], sex);
      assertEquals(plain.get(sex)[0], rows.group(sex)[0], sex);
      assertEquals(plain.get(sex)[1], rows.group(sex)[1], sex);
    }
    assertTrue(plain.get("0")[1] > 10, "the FILTER keeps many ages");
    // R = 1, G = 1: each person keeps exactly one of its (person, educ) values, so exactly one per person
    String pairs = "COUNT(DISTINCT pid * 100 + CAST(educ AS INTEGER))";
    BoundedRunner.Result one = BoundedRunner.run(db, TestDatasets.dataset("pums_multi",
        new org.dpq.engine.catalog.PrivacyUnit.ByColumn("pid"), 1, 1, TestDatasets.pumsColumns()),
        "SELECT " + pairs + " FROM pums_multi", 7);
    assertEquals(1000, scalar("SELECT COUNT(DISTINCT pid) FROM pums_multi"));
    assertTrue(scalar("SELECT " + pairs + " FROM pums_multi") > 1200, "people have several educ values");
    assertEquals(1000, one.only()[0]);
  }

  @Test
  void countStarCapsEachPersonAtR() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pums(1, 2), "SELECT COUNT(*) FROM pums", 7);
    double expected = scalar("SELECT SUM(LEAST(n, 2)) FROM (SELECT pid, COUNT(*) AS n FROM pums GROUP BY pid)");
    assertEquals(418 + 2 * (309 + 180 + 93), expected, "reference from the data README");
    assertEquals(expected, r.only()[0]);
  }

  @Test
  void sumsCountEachPersonAsAtMostRRowsOfTheirMean() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pums(1, 2), "SELECT SUM(age), SUM(income) FROM pums",
        7);
    double age = scalar("SELECT SUM(LEAST(n, 2) * a) FROM (SELECT pid, COUNT(age) AS n, "
        + "AVG(LEAST(GREATEST(age, 0), 100)) AS a FROM pums GROUP BY pid)");
    double unclamped = scalar("SELECT SUM(age) FROM pums");
    double sumsClamped = scalar("SELECT SUM(LEAST(s, 200)) FROM (SELECT pid, SUM(age) AS s FROM pums GROUP BY pid)");
    assertTrue(age < unclamped, "the R limit must bite on this data");
    assertTrue(age < sumsClamped - 100, "clamping each person's sum to R*U is a different, biased rule");
    assertEquals(age, r.only()[0], 1e-9 * age);
    double income = scalar("SELECT SUM(LEAST(n, 2) * a) FROM (SELECT pid, COUNT(income) AS n, "
        + "AVG(LEAST(GREATEST(income, 0), 500000)) AS a FROM pums GROUP BY pid)");
    assertEquals(income, r.only()[1], 1e-9 * income);
  }

  @Test
  void groupedBySexWithPublicDomain() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pums(1, 1),
        "SELECT sex, COUNT(*), SUM(income), AVG(income) FROM pums GROUP BY sex", 11);
    assertEquals(PartitionMode.PUBLIC_DOMAIN, r.plan().partitionMode());
    // SUM(income) is not measured: it is derived from AVG's centred sum and count of values
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.SUM, MeasurementKind.COUNT_VALUES),
        r.plan().measurements().stream().map(m -> m.kind()).toList());
    assertEquals(new org.dpq.engine.analysis.AggregateSpec.DerivedSum("EXPR$2", 1, 2, 250000, false, true),
        r.plan().aggregates().get(1));
    // R = 1: each person counts once, with the mean of their (clamped) incomes
    Map<String, double[]> ref = reference("SELECT sex, COUNT(*), SUM(a), SUM(a - 250000), COUNT(a) FROM (SELECT pid, "
        + "sex, AVG(LEAST(GREATEST(income, 0), 500000)) AS a FROM pums GROUP BY pid, sex) GROUP BY sex");
    assertEquals(2, r.groups().size());
    for (String sex : List.of("0", "1")) {
      double[] got = r.group(sex);
      double[] want = ref.get(sex);
      assertEquals(want[0], got[0]);
      assertEquals(want[2], got[1], 1e-9 * Math.abs(want[2]));
      assertEquals(want[3], got[2]);
      // noise-free, the derived sum is the bounded sum a measured SUM would have had
      assertEquals(want[1], got[1] + 250000 * got[2], 1e-9 * Math.abs(want[1]));
    }
  }

  @Test
  void groupedByEducWithThresholdCountsPeople() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pums(1, 3),
        "SELECT educ, COUNT(*), VAR_POP(age) FROM pums GROUP BY educ", 11);
    assertEquals(PartitionMode.THRESHOLD, r.plan().partitionMode());
    int units = r.plan().selectionMeasurement();
    assertEquals(MeasurementKind.COUNT_UNITS, r.plan().measurements().get(units).kind());
    // R = 3: a person with 4 rows in a group counts as 3 rows of their mean (square)
    Map<String, double[]> ref = reference("SELECT educ, COUNT(DISTINCT pid), SUM(LEAST(n, 3)), "
        + "SUM(LEAST(n, 3) * sq), SUM(LEAST(n, 3) * c) FROM (SELECT pid, educ, COUNT(*) AS n, "
        + "AVG((age - 50.0) * (age - 50.0)) AS sq, AVG(age - 50.0) AS c FROM pums GROUP BY pid, educ) "
        + "GROUP BY educ");
    assertEquals(16, ref.size());
    assertEquals(ref.keySet(), new java.util.TreeSet<>(r.groups().keySet().stream().map(k -> (String) k.get(0))
        .toList()));
    List<MeasurementKind> kinds = r.plan().measurements().stream().map(m -> m.kind()).toList();
    for (Map.Entry<String, double[]> e : ref.entrySet()) {
      double[] got = r.group(e.getKey());
      double[] want = e.getValue();
      assertEquals(want[0], got[units], "people in educ " + e.getKey());
      assertEquals(want[1], got[kinds.indexOf(MeasurementKind.COUNT_ROWS)]);
      assertEquals(want[2], got[kinds.indexOf(MeasurementKind.SUM_SQUARES)], 1e-9 * want[2]);
      assertEquals(want[3], got[kinds.indexOf(MeasurementKind.SUM)], 1e-9 * Math.max(1, Math.abs(want[3])));
    }
    double total = r.groups().values().stream().mapToDouble(v -> v[units]).sum();
    assertEquals(1000, total);
  }

  @Test
  void eachPersonAppearsInAtMostGGroups() throws SQLException {
    double spread = scalar("SELECT AVG(g) FROM (SELECT pid, COUNT(DISTINCT educ) AS g FROM pums_multi GROUP BY pid)");
    assertTrue(spread > 1.5, "the fixture must put people in several groups");
    for (int g : new int[] {1, 2, 3}) {
      BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.dataset("pums_multi",
          new org.dpq.engine.catalog.PrivacyUnit.ByColumn("pid"), g, 1, TestDatasets.pumsColumns()),
          "SELECT educ, COUNT(DISTINCT pid), COUNT(*) FROM pums_multi GROUP BY educ", 99);
      double units = r.groups().values().stream().mapToDouble(v -> v[0]).sum();
      double rows = r.groups().values().stream().mapToDouble(v -> v[1]).sum();
      double expected = scalar("SELECT SUM(LEAST(g, " + g + ")) FROM (SELECT pid, COUNT(DISTINCT educ) AS g "
          + "FROM pums_multi GROUP BY pid)");
      assertEquals(expected, units, "G = " + g);
      assertEquals(expected, rows, "R = 1: one row's worth per kept group, G = " + g);
    }
  }

  @Test
  void groupLimitAppliesToPublicDomainKeysToo() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.dataset("pums_multi",
        new org.dpq.engine.catalog.PrivacyUnit.ByColumn("pid"), 1, 1, TestDatasets.pumsColumns()),
        "SELECT sex, COUNT(*) FROM pums_multi GROUP BY sex", 5);
    double total = r.groups().values().stream().mapToDouble(v -> v[0]).sum();
    assertEquals(1000, total);
    assertTrue(scalar("SELECT COUNT(*) FROM (SELECT pid FROM pums_multi GROUP BY pid "
        + "HAVING COUNT(DISTINCT sex) > 1)") > 100, "people with both sexes exist in the fixture");
  }

  @Test
  void theSecretDecidesWhichGroupsAPersonKeepsAndIsDeterministic() throws SQLException {
    var dataset = TestDatasets.dataset("pums_multi", new org.dpq.engine.catalog.PrivacyUnit.ByColumn("pid"), 1, 1,
        TestDatasets.pumsColumns());
    String sql = "SELECT educ, COUNT(*) FROM pums_multi GROUP BY educ";
    BoundedRunner.Result a = BoundedRunner.run(db, dataset, sql, 1);
    BoundedRunner.Result again = BoundedRunner.run(db, dataset, sql, 1);
    BoundedRunner.Result b = BoundedRunner.run(db, dataset, sql, 2);
    assertEquals(counts(a), counts(again));
    assertNotEquals(counts(a), counts(b));
  }

  private static Map<String, Double> counts(BoundedRunner.Result r) {
    Map<String, Double> out = new TreeMap<>();
    r.groups().forEach((k, v) -> out.put((String) k.get(0), v[0]));
    return out;
  }

  @Test
  void whereFilterIsAppliedBeforeBounding() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pums(1, 1),
        "SELECT COUNT(*) FROM pums WHERE age BETWEEN 30 AND 50 AND educ IN ('9', '13') "
            + "AND CASE WHEN income > 20000 THEN 'rich' ELSE 'other' END = 'other'", 3);
    double expected = scalar("SELECT COUNT(DISTINCT pid) FROM pums WHERE age >= 30 AND age <= 50 "
        + "AND (educ = '9' OR educ = '13') AND income <= 20000");
    assertTrue(expected > 10);
    assertEquals(expected, r.only()[0]);
  }

  @Test
  void rowUnitFastPathIsAPlainClampedGroupBy() throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(db, TestDatasets.pumsRows(),
        "SELECT educ, COUNT(*), SUM(income), AVG(age) FROM pums GROUP BY educ", 3);
    String sql = r.query().sql();
    assertTrue(!sql.contains("ROW_NUMBER") && !sql.contains("pid"), sql);
    Map<String, double[]> ref = reference("SELECT educ, COUNT(*), SUM(LEAST(GREATEST(income, 0), 500000)), "
        + "SUM(age - 50.0), COUNT(age) FROM pums GROUP BY educ");
    List<MeasurementKind> kinds = r.plan().measurements().stream().map(m -> m.kind()).toList();
    assertEquals(List.of(MeasurementKind.COUNT_ROWS, MeasurementKind.SUM, MeasurementKind.SUM,
        MeasurementKind.COUNT_VALUES, MeasurementKind.COUNT_UNITS), kinds);
    for (Map.Entry<String, double[]> e : ref.entrySet()) {
      double[] got = r.group(e.getKey());
      assertEquals(e.getValue()[0], got[0]);
      assertEquals(e.getValue()[1], got[1], 1e-9 * e.getValue()[1]);
      assertEquals(e.getValue()[2], got[2], 1e-9);
      assertEquals(e.getValue()[3], got[3]);
      assertEquals(e.getValue()[0], got[4], "COUNT_UNITS is the row count for row units");
    }
  }
}
