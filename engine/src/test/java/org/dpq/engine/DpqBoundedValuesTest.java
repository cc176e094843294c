package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the zero-noise seam, the whole engine's released values equal the bounded values computed
 * independently with plain SQL on DuckDB over PUMS_dup (people with 1 to 4 identical rows).
 */
class DpqBoundedValuesTest {
  @TempDir
  static Path dir;
  static Connection reference;

  @BeforeAll
  static void loadReference() throws SQLException {
    reference = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = reference.createStatement()) {
      s.execute("CREATE TABLE raw AS SELECT * FROM read_csv('" + PumsFiles.pums("PUMS_dup.csv")
          + "', all_varchar = true)");
      s.execute("CREATE TABLE person AS SELECT pid, COUNT(*) AS n, ANY_VALUE(CAST(age AS INTEGER)) AS age, "
          + "ANY_VALUE(sex) AS sex, ANY_VALUE(educ) AS educ, ANY_VALUE(CAST(income AS DOUBLE)) AS income "
          + "FROM raw GROUP BY pid");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    reference.close();
  }

  private static double scalar(String sql) throws SQLException {
    try (Statement s = reference.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  private static Map<String, Double> grouped(String sql) throws SQLException {
    Map<String, Double> out = new HashMap<>();
    try (Statement s = reference.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getDouble(2));
      }
    }
    return out;
  }

  @Test
  void countCountsPeopleNotRowsWhenEachPersonContributesOneRow() throws SQLException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("a"), "PUMS_dup.csv", "pid", 1, 1, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query("SELECT COUNT(*) AS n FROM pums");
      assertEquals(1000L, r.value(0, "n"));
      assertEquals(scalar("SELECT COUNT(*) FROM person"), ((Long) r.value(0, "n")).doubleValue());
      assertEquals(1948.0, scalar("SELECT COUNT(*) FROM raw"));
    }
  }

  @Test
  void groupedCountsAndSumsWithTwoRowsPerPersonMatchThePerPersonReference() throws SQLException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("b"), "PUMS_dup.csv", "pid", 1, 2, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query(
          "SELECT sex, COUNT(*) AS n, SUM(income) AS total, SUM(age) AS ages FROM pums GROUP BY sex ORDER BY sex");
      Map<String, Double> n = grouped("SELECT sex, SUM(LEAST(n, 2)) FROM person GROUP BY sex");
      Map<String, Double> total = grouped("SELECT sex, SUM(LEAST(n, 2) * income) FROM person GROUP BY sex");
      Map<String, Double> ages = grouped("SELECT sex, SUM(LEAST(n, 2) * age) FROM person GROUP BY sex");
      assertEquals(2, r.rows().size());
      for (int i = 0; i < 2; i++) {
        String sex = String.valueOf(r.value(i, "sex"));
        assertEquals(n.get(sex), ((Number) r.value(i, "n")).doubleValue(), 1e-9, "count for sex " + sex);
        assertEquals(total.get(sex), ((Number) r.value(i, "total")).doubleValue(), 1e-6, "sum for sex " + sex);
        assertEquals(ages.get(sex), ((Number) r.value(i, "ages")).doubleValue(), 1e-9, "ages for sex " + sex);
      }
    }
  }

  @Test
  void meanAndVarianceAreDerivedFromCentredComponents() throws SQLException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("c"), "PUMS_dup.csv", "pid", 1, 1, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query("SELECT AVG(age) AS a, VAR_POP(age) AS v, STDDEV_POP(age) AS s FROM pums");
      assertEquals(scalar("SELECT AVG(age) FROM person"), (Double) r.value(0, "a"), 1e-9);
      assertEquals(scalar("SELECT VAR_POP(age) FROM person"), (Double) r.value(0, "v"), 1e-6);
      assertEquals(Math.sqrt(scalar("SELECT VAR_POP(age) FROM person")), (Double) r.value(0, "s"), 1e-6);
    }
  }

  @Test
  void filtersApplyBeforeBounding() throws SQLException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("d"), "PUMS_dup.csv", "pid", 1, 1, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query("SELECT COUNT(*) AS n, SUM(income) AS s FROM pums WHERE age BETWEEN 30 AND 50 "
          + "AND educ IN ('9', '13')");
      assertEquals(scalar("SELECT COUNT(*) FROM person WHERE age BETWEEN 30 AND 50 AND educ IN ('9', '13')"),
          ((Long) r.value(0, "n")).doubleValue());
      assertEquals(scalar("SELECT SUM(income) FROM person WHERE age BETWEEN 30 AND 50 AND educ IN ('9', '13')"),
          ((Number) r.value(0, "s")).doubleValue(), 1e-6);
    }
  }

  @Test
  void javaHelpersWriteTheSqlTheyNameAndAnswerIt() throws SQLException {
    Path yaml = PumsFiles.pumsYaml(dir.resolve("e"), "PUMS_dup.csv", "pid", 1, 1, "50");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult counts = dpq.count().where("age >= 40").groupBy("sex").run();
      Map<String, Double> reference = grouped("SELECT sex, COUNT(*) FROM person WHERE age >= 40 GROUP BY sex");
      assertEquals(2, counts.rows().size());
      for (int i = 0; i < 2; i++) {
        assertEquals(reference.get((String) counts.value(i, "sex")),
            ((Long) counts.value(i, "count")).doubleValue());
      }
      QueryResult mean = dpq.mean("income").where("age >= 40").run();
      assertEquals(scalar("SELECT AVG(income) FROM person WHERE age >= 40"),
          (Double) mean.value(0, "avg_income"), 1e-6);
      QueryResult sum = dpq.sum("age").run();
      assertEquals(scalar("SELECT SUM(age) FROM person"), ((Number) sum.value(0, "sum_age")).doubleValue());
      assertEquals("SELECT VAR_POP(\"age\") AS \"var_pop_age\" FROM \"pums\"", dpq.variance("age").sql());
    }
  }
}
