package org.dpq.engine.analysis;

import org.dpq.errors.QueryRejectedException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Other engines' spellings become the standard query, and every rule then applies to it unchanged. */
class DialectHabitsTest {
  private static final Analyzer ANALYZER = new Analyzer();

  @Test
  void topBecomesLimit() {
    assertEquals("SELECT educ, COUNT(*) FROM t GROUP BY educ LIMIT 5",
        DialectHabits.topAsLimit("SELECT TOP 5 educ, COUNT(*) FROM t GROUP BY educ"));
    assertEquals(" -- c\nselect educ FROM t LIMIT 20", DialectHabits.topAsLimit(" -- c\nselect top (20) educ FROM t"));
    assertEquals("SELECT top_n FROM t", DialectHabits.topAsLimit("SELECT top_n FROM t"), "a column named top_n");
    assertTrue(assertThrows(QueryRejectedException.class, () -> DialectHabits.topAsLimit(
        "SELECT TOP 5 educ FROM t LIMIT 3")).getMessage().contains("TOP together with LIMIT"));
    DpPlan plan = ANALYZER.analyze(TestDatasets.pums(1, 1), "SELECT TOP 3 educ, COUNT(*) FROM pums GROUP BY educ");
    assertEquals(OptionalLong.of(3), plan.post().limit());
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
}
