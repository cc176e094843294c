package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.sql.dialect.MysqlSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.execution.DuckDbDialect;
import org.junit.jupiter.api.Test;

/** The emitted SQL's shape: where the window sits, which hash each dialect uses, and what never appears. */
class RewriterSqlTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final Rewriter REWRITER = new Rewriter();

  private static DpPlan plan(int groups, String sql) {
    return ANALYZER.analyze(TestDatasets.pums(groups, 2), sql);
  }

  @Test
  void groupLimitWindowRunsOverPreAggregatedRowsWithASecretKeyedHash() {
    String sql = REWRITER.rewrite(plan(1, "SELECT educ, COUNT(*), AVG(income) FROM pums GROUP BY educ"),
        DuckDbDialect.INSTANCE, 123456789L).sql();
    String upper = sql.toUpperCase(Locale.ROOT);
    assertFalse(upper.contains("RAND"), sql);
    assertEquals(1, count(upper, "ROW_NUMBER()"), sql);
    assertTrue(upper.contains("PARTITION BY \"PID\" ORDER BY HASH(123456789, \"PID\", \"EDUC\")"), sql);
    // The SELECT holding the window groups by unit and key: the window ranks pre-aggregated rows.
    int window = upper.indexOf("ROW_NUMBER()");
    int from = upper.indexOf("FROM \"PUMS\"", window);
    String windowSelect = upper.substring(window, upper.indexOf(")", upper.indexOf("GROUP BY", from)) + 1);
    assertTrue(windowSelect.contains("GROUP BY \"PID\", \"EDUC\""), sql);
    assertTrue(upper.contains("\"DPQ_RANK\" <= 1"), sql);
    assertFalse(upper.contains("GREATEST") || upper.contains("LEAST"), sql);
  }

  @Test
  void noWindowWithoutKeysOrWhenTheDomainFitsInG() {
    String noKeys = REWRITER.rewrite(plan(1, "SELECT COUNT(*) FROM pums"), DuckDbDialect.INSTANCE, 1).sql();
    assertFalse(noKeys.contains("ROW_NUMBER"), noKeys);
    // sex has 2 public values: with G = 2 a person can touch every group, so no limit is needed
    String fits = REWRITER.rewrite(plan(2, "SELECT sex, COUNT(*) FROM pums GROUP BY sex"), DuckDbDialect.INSTANCE, 1)
        .sql();
    assertFalse(fits.contains("ROW_NUMBER"), fits);
    String tooMany = REWRITER.rewrite(plan(3, "SELECT sex, married, COUNT(*) FROM pums GROUP BY sex, married"),
        DuckDbDialect.INSTANCE, 1).sql();
    assertTrue(tooMany.contains("ROW_NUMBER"), tooMany);
  }

  @Test
  void rowUnitIsOneGroupByWithoutUnitStage() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pumsRows(), "SELECT educ, COUNT(*), SUM(income) FROM pums GROUP BY educ");
    String sql = REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, 1).sql().toUpperCase(Locale.ROOT);
    assertEquals(1, count(sql, "GROUP BY"), sql);
    assertFalse(sql.contains("ROW_NUMBER"), sql);
  }

  @Test
  void rowUnitAppliesThePublicDomainToGroupsNotRowsAndPassesCountsAsTheyAre() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pumsRows(), "SELECT sex, COUNT(*), SUM(income) FROM pums GROUP BY sex");
    String sql = REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, 1).sql().toUpperCase(Locale.ROOT);
    assertFalse(sql.contains("WHERE"), sql);
    int domain = sql.indexOf("\"SEX\" IN ('0', '1')");
    assertTrue(domain > sql.indexOf("GROUP BY") && sql.contains("HAVING CASE WHEN COUNT(*) > 0"), sql);
    assertTrue(sql.startsWith("SELECT \"SEX\" AS \"K0\", COUNT(*) AS \"M0\""), sql);
    // with units of several rows the domain filters rows, before a unit's groups are chosen
    String perUnit = REWRITER.rewrite(plan(1, "SELECT sex, married, COUNT(*) FROM pums GROUP BY sex, married"),
        DuckDbDialect.INSTANCE, 1).sql().toUpperCase(Locale.ROOT);
    assertTrue(perUnit.indexOf("\"SEX\" IN ('0', '1')") < perUnit.indexOf("GROUP BY"), perUnit);
    assertFalse(perUnit.contains("HAVING"), perUnit);
  }

  @Test
  void eachDialectRendersItsOwnHash() {
    DpPlan plan = plan(1, "SELECT educ, COUNT(*) FROM pums GROUP BY educ");
    String postgres = REWRITER.rewrite(plan, PostgresqlSqlDialect.DEFAULT, 77).sql().toUpperCase(Locale.ROOT);
    assertTrue(postgres.contains("HASHTEXTEXTENDED(CONCAT_WS('|', QUOTE_NULLABLE(CAST(\"PID\" AS VARCHAR)), "
        + "QUOTE_NULLABLE(CAST(\"EDUC\" AS VARCHAR))), 77)"), postgres);
    assertFalse(postgres.contains("HASH("), postgres);
    String spark = REWRITER.rewrite(plan, SparkSqlDialect.DEFAULT, 77).sql().toUpperCase(Locale.ROOT);
    assertTrue(spark.contains("XXHASH64(77, `PID`, `PID` IS NULL, `EDUC`, `EDUC` IS NULL)"), spark);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> REWRITER.rewrite(plan, MysqlSqlDialect.DEFAULT, 77));
    assertTrue(e.getMessage().contains("HashFunction"), e::getMessage);
  }

  @Test
  void outputColumnsAreKeysThenMeasurements() {
    DpPlan plan = plan(1, "SELECT sex, married, AVG(income), COUNT(*) FROM pums GROUP BY sex, married");
    BoundedQuery query = REWRITER.rewrite(plan, DuckDbDialect.INSTANCE, 1);
    assertEquals(2, query.keyCount());
    assertEquals(plan.measurements().size(), query.measurementCount());
    String head = query.sql().substring(0, query.sql().indexOf("\nFROM"));
    assertTrue(head.matches("(?s)SELECT \"dpq_k0\" AS \"k0\", \"dpq_k1\" AS \"k1\", .*\"m0\", .*\"m1\", .*\"m2\""),
        head);
  }

  /**
   * An aggregate over an expression reads it from a column of its own, computed once per row in a subquery: the
   * clamp and the aggregates above it name that column. Inlined, the clamp repeated its argument five times and
   * each aggregate repeated the clamp, so the expression's text appeared dozens of times (DuckDB paid for each in
   * parsing and planning). A plain column stays inline.
   */
  @Test
  void anExpressionArgumentIsComputedOnceAndReadByName() {
    String expression = "SUM(CASE WHEN age >= 18 THEN LEAST(income, 1000) ELSE 0 END)";
    String perUnit = REWRITER.rewrite(plan(1, "SELECT educ, " + expression + " FROM pums GROUP BY educ"),
        DuckDbDialect.INSTANCE, 1).sql();
    String rows = REWRITER.rewrite(ANALYZER.analyze(TestDatasets.pumsRows(), "SELECT educ, " + expression
        + " FROM pums GROUP BY educ"), DuckDbDialect.INSTANCE, 1).sql();
    for (String sql : java.util.List.of(perUnit, rows)) {
      assertEquals(1, count(sql, "\"age\" >= 18"), sql);
      assertEquals(1, count(sql, "AS \"dpq_x0\""), sql);
      assertTrue(count(sql, "\"dpq_x0\"") > 2, sql);
    }
    String plain = REWRITER.rewrite(plan(1, "SELECT educ, SUM(income) FROM pums GROUP BY educ"),
        DuckDbDialect.INSTANCE, 1).sql();
    assertFalse(plain.contains("dpq_x"), plain);
  }

  private static int count(String text, String part) {
    Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
