package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.analysis.TestDatasets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AVG_PER_UNIT (issue 16) through the whole engine with the zero-noise seam: its answer equals the mean of per-unit
 * means computed independently with plain SQL, on PUMS_null plus ten busy people with 200 rows each and fifty
 * people whose income is always NULL, so that it differs widely from AVG (which the busy people dominate) and from
 * a count that included the NULL-only people. Explain shows its sensitivities R times smaller than AVG's.
 */
class AvgPerUnitTest {
  /** Rows per group allowed: the busy people's 200 rows all count towards AVG. */
  private static final int R = 200;

  @TempDir
  static Path dir;
  static Path csv;
  static Connection reference;

  @BeforeAll
  static void skewedData() throws SQLException {
    csv = dir.resolve("skew.csv");
    reference = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = reference.createStatement()) {
      s.execute("COPY (SELECT * FROM read_csv('" + PumsFiles.pums("PUMS_null.csv") + "', all_varchar = true) "
          // ten busy people (pid 5000..5009), 200 rows each, each in one sex, high incomes
          + "UNION ALL SELECT '90', CAST(i % 2 AS VARCHAR), '16', '1', CAST(400000 + i AS VARCHAR), '1', "
          + "CAST(5000 + i % 10 AS VARCHAR) FROM range(2000) r(i) "
          // fifty people whose income is always NULL: they add nothing to AVG_PER_UNIT
          + "UNION ALL SELECT '40', CAST(i % 2 AS VARCHAR), '9', '1', NULL, '0', CAST(6000 + i % 50 AS VARCHAR) "
          + "FROM range(150) r(i)) TO '" + csv + "' (HEADER)");
      s.execute("CREATE TABLE raw AS SELECT CAST(age AS INTEGER) AS age, sex, CAST(income AS DOUBLE) AS income, pid "
          + "FROM read_csv('" + csv + "', all_varchar = true)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    reference.close();
  }

  /** The reference's (key, number) rows as a map, the key as text. */
  private static Map<String, Double> grouped(String sql) throws SQLException {
    Map<String, Double> out = new HashMap<>();
    for (List<Object> row : TestDatasets.rows(reference, sql)) {
      out.put(String.valueOf(row.get(0)), ((Number) row.get(1)).doubleValue());
    }
    return out;
  }

  /**
   * The mean over people of each person's mean income (clamped to [0, 500000]), per value of {@code key} (a column,
   * or a constant for one group), over the rows where {@code where} holds.
   */
  private static Map<String, Double> perPersonMeans(String key, String where) throws SQLException {
    return grouped("SELECT k, AVG(m) FROM (SELECT pid, " + key + " AS k, AVG(CASE WHEN income < 0 THEN 0 "
        + "WHEN income > 500000 THEN 500000 ELSE income END) AS m FROM raw WHERE " + where + " GROUP BY pid, k) "
        + "GROUP BY k");
  }

  /** The zero-noise answer to {@code sql} over the skewed data with G = {@code groups} and R = 200. */
  private static QueryResult answer(String name, int groups, String sql) {
    Path yaml = PumsFiles.pumsYaml(dir.resolve(name), csv, "pid", groups, R, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      return dpq.query(sql);
    }
  }

  @Test
  void groupedAnswerIsTheMeanOfPerPersonMeansNotTheRowMean() throws SQLException {
    // sex has a public domain of two values and G = 2: no group limit, every person's rows count
    QueryResult r = answer("grouped", 2, "SELECT sex, AVG_PER_UNIT(income) AS pu, AVG(income) AS a FROM pums "
        + "GROUP BY sex ORDER BY sex");
    Map<String, Double> perPerson = perPersonMeans("sex", "TRUE");
    // every person has at most R rows, so AVG's reference is the plain row mean
    Map<String, Double> rows = grouped("SELECT sex, AVG(income) FROM raw GROUP BY sex");
    assertEquals(2, r.rows().size());
    for (int i = 0; i < 2; i++) {
      String sex = r.getString(i, "sex");
      double pu = r.getDouble(i, "pu");
      double a = r.getDouble(i, "a");
      assertEquals(perPerson.get(sex), pu, 1e-6, "AVG_PER_UNIT, sex " + sex);
      assertEquals(rows.get(sex), a, 1e-6, "AVG, sex " + sex);
      // the busy people pull AVG up by far more than the tolerance: AVG computed as AVG_PER_UNIT would fail
      assertTrue(a - pu > 100_000, "AVG " + a + " vs AVG_PER_UNIT " + pu);
    }
    // counting the NULL-only people would lower the mean by about 5%
    Map<String, Double> withNullPeople = grouped("SELECT sex, SUM(COALESCE(m, 0)) / COUNT(*) FROM (SELECT pid, sex, "
        + "AVG(income) AS m FROM raw GROUP BY pid, sex) GROUP BY sex");
    for (String sex : List.of("0", "1")) {
      assertTrue(perPerson.get(sex) - withNullPeople.get(sex) > 1_000, "the NULL-only people matter: " + sex);
    }
  }

  @Test
  void besideCountAndWithWhereWithoutGroupBy() throws SQLException {
    QueryResult r = answer("mixed", 1, "SELECT COUNT(*) AS n, AVG_PER_UNIT(income) AS pu, SUM(income) AS s "
        + "FROM pums WHERE age > 30");
    double count = grouped("SELECT 'all', SUM(LEAST(n, " + R + ")) FROM (SELECT pid, COUNT(*) AS n FROM raw "
        + "WHERE age > 30 GROUP BY pid)").get("all");
    double sum = grouped("SELECT 'all', SUM(income) FROM raw WHERE age > 30").get("all");
    assertEquals(count, r.getLong(0, "n").doubleValue());
    assertEquals(perPersonMeans("'all'", "age > 30").get("all"), r.getDouble(0, "pu"), 1e-6);
    assertEquals(sum, r.getDouble(0, "s"), 1e-3);
  }

  /**
   * With {@code nullable: false} every person in a group has a value, so AVG_PER_UNIT divides by the units per group,
   * the one count partition selection measures anyway: two measurements, not three, and the same answer.
   */
  @Test
  void aNonNullableColumnSharesTheUnitCountOfPartitionSelection() throws Exception {
    String sql = "SELECT educ, AVG_PER_UNIT(age) AS pu FROM pums GROUP BY educ";
    Path nullable = PumsFiles.pumsYaml(dir.resolve("nullable"), "PUMS_dup.csv", "pid", 1, 4, "50");
    Path nonNullable = dir.resolve("non-nullable").resolve("pums.yaml");
    java.nio.file.Files.createDirectories(nonNullable.getParent());
    java.nio.file.Files.writeString(nonNullable, java.nio.file.Files.readString(nullable)
        .replace("upper: 100 }", "upper: 100, nullable: false }"));
    QueryOptions options = QueryOptions.defaults().withEpsilon("1.0").withDelta("1e-6");
    List<String> shared;
    try (Dpq dpq = TestSeams.openWithoutNoise(nonNullable)) {
      shared = dpq.explain(sql, options).measurements().stream().map(MeasurementExplanation::name).toList();
      assertEquals(List.of("SUM over pid of MEAN((age - 50)) per pid", "COUNT(DISTINCT pid) [partition selection]"),
          shared);
      QueryResult r = dpq.query(sql, options);
      // each person's rows are identical, so a person lies in one educ group; per-person means over PUMS_dup
      Map<String, Double> reference = grouped("SELECT educ, AVG(age) FROM (SELECT DISTINCT pid, educ, CAST(age AS "
          + "DOUBLE) AS age FROM read_csv('" + PumsFiles.pums("PUMS_dup.csv") + "', all_varchar = true)) GROUP BY educ");
      assertTrue(r.rows().size() > 5, "groups released: " + r.rows().size());
      for (int i = 0; i < r.rows().size(); i++) {
        assertEquals(reference.get(r.getString(i, "educ")), r.getDouble(i, "pu"), 1e-6, r.getString(i, "educ"));
      }
    }
    try (Dpq dpq = TestSeams.openWithoutNoise(nullable)) {
      assertEquals(3, dpq.explain(sql, options).measurements().size(), "a nullable column has its own unit count");
    }
  }

  @Test
  void forRowUnitsItIsAvg() {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("rows"), "PUMS_null.csv", "row", 1, 1, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query("SELECT sex, AVG_PER_UNIT(income) AS pu, AVG(income) AS a FROM pums GROUP BY sex");
      for (int i = 0; i < r.rows().size(); i++) {
        assertEquals(r.getDouble(i, "a"), r.getDouble(i, "pu"));
      }
      Explanation e = dpq.explain("SELECT AVG_PER_UNIT(income) FROM pums", QueryOptions.defaults());
      Explanation avg = dpq.explain("SELECT AVG(income) FROM pums", QueryOptions.defaults());
      assertEquals(avg.measurements(), e.measurements());
    }
  }

  @Test
  void explainShowsSensitivitiesRTimesSmallerThanAvg() {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("explain"), "PUMS_dup.csv", "pid", 1, 4, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      QueryOptions options = QueryOptions.defaults().withEpsilon("1.0").withDelta("0");
      List<MeasurementExplanation> perUnit = dpq.explain("SELECT AVG_PER_UNIT(income) FROM pums", options)
          .measurements();
      List<MeasurementExplanation> avg = dpq.explain("SELECT AVG(income) FROM pums", options).measurements();
      assertEquals(2, perUnit.size(), perUnit::toString);
      assertEquals(2, avg.size(), avg::toString);
      // a person adds one mean in [0, 500000] (centred: |x - 250000| <= 250000) and 1 to the count; AVG: R = 4 rows
      assertEquals("SUM over pid of MEAN((income - 250000)) per pid", perUnit.get(0).name());
      assertEquals(250_000, perUnit.get(0).l1());
      assertEquals(1_000_000, avg.get(0).l1());
      assertEquals("COUNT(DISTINCT pid with income)", perUnit.get(1).name());
      assertEquals(1, perUnit.get(1).l1());
      assertEquals(4, avg.get(1).l1());
      for (int i = 0; i < 2; i++) {
        assertTrue(perUnit.get(i).halfWidth95() < avg.get(i).halfWidth95() / 3.9, perUnit.get(i) + " vs " + avg.get(i));
      }
      assertEquals(0, dpq.budgetStatus().spent().epsilon().signum(), "explain is free");
    }
  }
}
