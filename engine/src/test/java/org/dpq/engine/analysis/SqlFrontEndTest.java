package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.sql.SqlExplainLevel;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.Planner;
import org.apache.calcite.tools.ValidationException;
import org.dpq.engine.catalog.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SqlFrontEnd} gives the analyzer the same trees and the same validation failures as Calcite's own
 * Planner, which it replaces because of what the Planner sets up and dpq never uses (its rule set).
 */
class SqlFrontEndTest {
  private static final Dataset PUMS = TestDatasets.pums(3, 2);
  private static final FrameworkConfig CONFIG = CatalogSchema.config(PUMS);

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT COUNT(*) FROM pums",
      "SELECT sex, COUNT(*) AS n, SUM(income) FROM pums WHERE age BETWEEN 20 AND 60 GROUP BY sex",
      "SELECT educ, AVG(income) FROM pums WHERE sex IN ('1', '2') AND NOT (age < 18) GROUP BY educ "
          + "HAVING COUNT(*) > 10 ORDER BY 2 DESC LIMIT 3",
      "SELECT CASE WHEN age < 30 THEN 'young' ELSE 'old' END AS band, COUNT(DISTINCT pid) FROM pums GROUP BY 1",
      "WITH t AS (SELECT pid, income FROM pums WHERE income > 0) SELECT SUM(income) FROM t",
      "SELECT sex, VAR_POP(income), STDDEV(age) FROM pums WHERE educ LIKE '1%' OR educ IS NULL GROUP BY sex",
      "SELECT GREATEST(age, 18) AS a, COUNT(*) FROM (SELECT age FROM pums) s GROUP BY GREATEST(age, 18)"})
  void convertsAsCalcitesPlannerDoes(String sql) throws Exception {
    RelRoot ours = ours(sql);
    RelRoot calcites = calcites(sql);
    assertEquals(RelOptUtil.toString(calcites.rel, SqlExplainLevel.EXPPLAN_ATTRIBUTES),
        RelOptUtil.toString(ours.rel, SqlExplainLevel.EXPPLAN_ATTRIBUTES));
    assertEquals(calcites.rel.getRowType().getFullTypeString(), ours.rel.getRowType().getFullTypeString());
    assertEquals(calcites.validatedRowType.getFullTypeString(), ours.validatedRowType.getFullTypeString());
    assertEquals(calcites.fields, ours.fields);
    assertEquals(calcites.collation, ours.collation);
    assertEquals(calcites.kind, ours.kind);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT nosuch FROM pums",
      "SELECT COUNT(*) FROM elsewhere",
      "SELECT COUNT(*) FROM pums WHERE age",
      "SELECT age, COUNT(*) FROM pums GROUP BY sex"})
  void failsValidationAsCalcitesPlannerDoes(String sql) throws Exception {
    SqlFrontEnd front = new SqlFrontEnd(CONFIG);
    SqlNode parsed = front.parse(sql);
    ValidationException ours = assertThrows(ValidationException.class, () -> front.validate(parsed));
    Planner planner = Frameworks.getPlanner(CONFIG);
    try {
      SqlNode theirs = planner.parse(sql);
      ValidationException calcites = assertThrows(ValidationException.class, () -> planner.validate(theirs));
      assertEquals(calcites.getMessage(), ours.getMessage());
      assertEquals(calcites.getCause().getClass(), ours.getCause().getClass());
    } finally {
      planner.close();
    }
  }

  @Test
  void setsUpNoOptimisationRules() throws Exception {
    String sql = "SELECT sex, COUNT(*) FROM pums GROUP BY sex";
    assertTrue(ours(sql).rel.getCluster().getPlanner().getRules().isEmpty());
    // what the replacement avoids: Calcite's Planner registers its default rule set before the first parse
    assertFalse(calcites(sql).rel.getCluster().getPlanner().getRules().isEmpty());
  }

  @Test
  void convertsOnlyAValidatedStatement() {
    assertThrows(IllegalStateException.class, () -> new SqlFrontEnd(CONFIG).rel(null));
  }

  private static RelRoot ours(String sql) throws Exception {
    SqlFrontEnd front = new SqlFrontEnd(CONFIG);
    return front.rel(front.validate(front.parse(sql)));
  }

  private static RelRoot calcites(String sql) throws Exception {
    Planner planner = Frameworks.getPlanner(CONFIG);
    try {
      return planner.rel(planner.validate(planner.parse(sql)));
    } finally {
      planner.close();
    }
  }
}
