package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.execution.DuckDbDialect;
import org.junit.jupiter.api.Test;

/**
 * Row grid steps are 64-bit where the backend sums them into a wider type (BIGINT on DuckDB, DECIMAL(18, 0) on
 * PostgreSQL), so DuckDB adds 64-bit integers instead of 128-bit ones, and the sums stay exact past 2^63 and 10^19
 * steps; Spark keeps DECIMAL(38, 0) row steps.
 */
class NarrowRowStepsTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final String SUM = "SELECT sex, SUM(income) AS s, AVG(income) AS a FROM pums GROUP BY sex";

  @Test
  void rowStepsAreNarrowOnDuckDbAndPostgresAndWideOnSpark() {
    for (DpPlan plan : List.of(ANALYZER.analyze(TestDatasets.pumsRows(), SUM),
        ANALYZER.analyze(TestDatasets.pums(1, 2), SUM))) {
      String duckDb = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 7L).sql().toUpperCase(Locale.ROOT);
      assertTrue(duckDb.contains("+ 5E-1) AS BIGINT)"), duckDb);
      // the sum of BIGINT steps (a HUGEINT on DuckDB) is read as DECIMAL(38, 0), never as a 19-digit DECIMAL
      assertTrue(duckDb.contains("DECIMAL(38, 0)") && !duckDb.contains("DECIMAL(19, 0)"), duckDb);
      String postgres = new Rewriter().rewrite(plan, PostgresqlSqlDialect.DEFAULT, 7L).sql().toUpperCase(Locale.ROOT);
      assertTrue(postgres.contains("+ 5E-1) AS DECIMAL(18, 0))"), postgres);
      String spark = new Rewriter().rewrite(plan, SparkSqlDialect.DEFAULT, 7L).sql().toUpperCase(Locale.ROOT);
      assertFalse(spark.contains("DECIMAL(18, 0)") || spark.contains("AS BIGINT)) AS"), spark);
    }
  }

  /**
   * 6,000,000 rows at the upper bound 10^6, each 10^6 * 2^21 steps: the exact total, 1.26 * 10^19 steps, is beyond
   * a BIGINT and a DECIMAL(19, 0); the backend returns it exactly (one group per sex value; all rows in one).
   */
  @Test
  void narrowRowStepsSumExactlyBeyondSixtyFourBits() throws Exception {
    long rows = 6_000_000L;
    var dataset = TestDatasets.dataset("big", new PrivacyUnit.Row(), 1, 1, List.of(
        TestDatasets.bounded("x", ColumnType.DOUBLE, 0, 1_000_000),
        TestDatasets.publicDomain("g", ColumnType.STRING, "a", "b")));
    DpPlan plan = ANALYZER.analyze(dataset, "SELECT g, SUM(x) AS s FROM big GROUP BY g");
    Measurement sum = plan.measurements().get(0);
    assertTrue(SumGrid.applies(sum));
    String sql = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 7L).sql();
    assertTrue(sql.contains("AS BIGINT)"), sql);
    try (Connection c = TestDatasets.duckdb(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE big AS SELECT 'a' AS g, 1000000.0::DOUBLE AS x FROM range(" + rows + ")");
      try (ResultSet rs = s.executeQuery(sql)) {
        assertTrue(rs.next());
        assertEquals("a", rs.getString(1));
        BigInteger perRow = SumGrid.steps(1_000_000, sum);
        BigInteger expected = perRow.multiply(BigInteger.valueOf(rows));
        assertTrue(expected.compareTo(BigInteger.TEN.pow(19)) > 0, "the total must exceed 10^19 steps");
        BigDecimal exact = new BigDecimal(expected).multiply(SumGrid.value(BigInteger.ONE, sum));
        assertEquals(0, exact.compareTo(SumGrid.value(rs.getObject(2), sum)), String.valueOf(rs.getObject(2)));
        assertFalse(rs.next());
      }
    }
  }
}
