package org.dpq.engine.analysis;

import org.dpq.errors.QueryRejectedException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.sql.SqlKind;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.junit.jupiter.api.Test;

/** Other engines' spellings become the standard query, and every rule then applies to it unchanged. */
class DialectHabitsTest {
  private static final Analyzer ANALYZER = new Analyzer();

  @Test
  void topBecomesLimit() {
    assertEquals("SELECT       educ, COUNT(*) FROM t GROUP BY educ LIMIT 5",
        DialectHabits.topAsLimit("SELECT TOP 5 educ, COUNT(*) FROM t GROUP BY educ"));
    assertEquals(" -- c\nselect " + " ".repeat("top (20) ".length()) + "educ FROM t LIMIT 20",
        DialectHabits.topAsLimit(" -- c\nselect top (20) educ FROM t"));
    assertEquals("SELECT      \n educ FROM t -- all\nLIMIT 3", // a line comment must not swallow LIMIT
        DialectHabits.topAsLimit("SELECT TOP 3\n educ FROM t -- all"));
    assertEquals("SELECT top_n FROM t", DialectHabits.topAsLimit("SELECT top_n FROM t"), "a column named top_n");
    assertTrue(assertThrows(QueryRejectedException.class, () -> DialectHabits.topAsLimit(
        "SELECT TOP 5 educ FROM t LIMIT 3")).getMessage().contains("TOP together with LIMIT"));
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 1), "SELECT TOP 3 educ, COUNT(*) FROM pums GROUP BY educ");
    assertEquals(OptionalLong.of(3), plan.post().limit());
  }

  @Test
  void errorPositionsAfterTopAreTheAnalysts() {
    Dataset pums = TestDatasets.pums(1, 1);
    // validation: an unknown column after TOP is reported where the analyst wrote it
    String unknown = "SELECT TOP 10 educ, COUNT(*) FROM pums GROUP BY edcu";
    String v = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(pums, unknown)).getMessage();
    assertTrue(v.contains("line 1, column " + (unknown.indexOf("edcu") + 1)), v);
    // parse: the stop on a later line, after a TOP that is followed by a line break
    String parse = "SELECT TOP (10)\n  educ, COUNT(*) FROM pums\nWHERE age > GROUP BY educ";
    String p = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(pums, parse)).getMessage();
    int column = parse.substring(parse.lastIndexOf('\n') + 1).indexOf("> GROUP") + 1;
    assertTrue(p.contains("(line 3, column " + column + ")"), p);
    // a stop inside the appended LIMIT is reported at the analyst's last character, never past it
    String cut = "SELECT TOP 3 educ, COUNT(*) FROM pums WHERE";
    String c = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(pums, cut)).getMessage();
    assertTrue(c.contains("line 1, column " + cut.length() + "."), c);
    assertTrue(c.contains("the end of the query") && !c.contains("LIMIT"), "names no LIMIT the analyst did not write: "
        + c);
    // a trailing line comment does not drop the limit
    assertEquals(OptionalLong.of(2), ANALYZER.analyze(pums, "SELECT TOP 2 educ, COUNT(*) FROM pums GROUP BY educ "
        + "-- top two").post().limit());
  }

  @Test
  void varStdAndStdevAreTheStandardAggregates() {
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 1),
        "SELECT VAR(age) AS v, STD(income) AS s, stdev(age) AS d FROM pums");
    AggregateSpec.Variance v = assertInstanceOf(AggregateSpec.Variance.class, plan.aggregates().get(0));
    AggregateSpec.Variance s = assertInstanceOf(AggregateSpec.Variance.class, plan.aggregates().get(1));
    AggregateSpec.Variance d = assertInstanceOf(AggregateSpec.Variance.class, plan.aggregates().get(2));
    assertTrue(!v.stddev() && s.stddev() && d.stddev());
    assertEquals(500_000, s.upper());
    assertTrue(assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(TestDatasets.pums(1, 1),
        "SELECT VAR(educ) FROM pums")).getMessage().contains("VARIANCE"), "the usual rules apply");
  }

  @Test
  void dateTruncIsFloorToItsUnitAndOtherUnitsAreRejectedNamingTheAllowedOnes() {
    Dataset dated = dated();
    for (String unit : List.of("year", "quarter", "MONTH", "week", "day")) {
      DpPlan plan = ANALYZER.analyze(dated, "SELECT date_trunc('" + unit + "', d) AS p, COUNT(*) AS n FROM t "
          + "GROUP BY 1");
      RexCall key = assertInstanceOf(RexCall.class, plan.keys().get(0).expression());
      assertEquals(SqlKind.FLOOR, key.getKind(), unit);
      assertEquals(unit.toUpperCase(java.util.Locale.ROOT), ((RexLiteral) key.getOperands().get(1)).getValue()
          .toString(), "FLOOR(d TO " + unit + ")");
    }
    for (String bad : List.of("date_trunc('hour', d)", "date_trunc('decade', d)", "date_trunc(d, MONTH)")) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(dated,
          "SELECT " + bad + " AS p, COUNT(*) AS n FROM t GROUP BY 1"), bad);
      assertTrue(e.getMessage().contains("'year', 'quarter', 'month', 'week' or 'day'"), e.getMessage());
    }
  }

  @Test
  void extractAndYearOrMonthOfADateAreKeysAndUnitsWhoseMeaningDiffersAreRejected() {
    Dataset dated = dated();
    DpPlan plan = ANALYZER.analyze(dated, "SELECT EXTRACT(YEAR FROM d) AS y, MONTH(d) AS m, QUARTER(d) AS q, "
        + "COUNT(*) AS n FROM t GROUP BY y, m, q");
    assertEquals(3, plan.keys().size());
    QueryRejectedException ceil = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(dated,
        "SELECT CEIL(d TO MONTH) AS p, COUNT(*) AS n FROM t GROUP BY 1"));
    assertTrue(ceil.getMessage().contains("date_trunc('month', d)"), ceil.getMessage());
    for (String bad : List.of("EXTRACT(DOW FROM d)", "EXTRACT(EPOCH FROM d)", "EXTRACT(WEEK FROM d)")) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(dated,
          "SELECT " + bad + " AS p, COUNT(*) AS n FROM t GROUP BY 1"), bad);
      assertTrue(e.getMessage().contains("YEAR, QUARTER, MONTH or DAY"), e.getMessage());
    }
  }

  private static Dataset dated() {
    return TestDatasets.dataset("t", new PrivacyUnit.ByColumn("pid"), 1, 1, List.of(
        TestDatasets.plain("pid", ColumnType.INT),
        new Column("d", ColumnType.DATE, OptionalDouble.of(LocalDate.parse("2020-01-01").toEpochDay()),
            OptionalDouble.of(LocalDate.parse("2024-12-31").toEpochDay()), Optional.empty())));
  }
}
