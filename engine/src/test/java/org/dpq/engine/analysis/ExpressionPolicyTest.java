package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The row-expression policy at analysis time: what it refuses (naming the function and why), what it keeps
 * answering, and that its cost model grows the way the functions do.
 */
class ExpressionPolicyTest {
  private static final Analyzer ANALYZER = new Analyzer();
  private static final Dataset DATASET;

  static {
    List<org.dpq.engine.catalog.Column> columns = new ArrayList<>(TestDatasets.pumsColumns());
    columns.add(TestDatasets.plain("name", ColumnType.STRING));
    DATASET = TestDatasets.dataset("pums", new PrivacyUnit.ByColumn("pid"), 2, 2, columns);
  }

  /** The table the cost oracles and policy samples read. */
  private static final Dataset PEOPLE = TestDatasets.dataset("people", new PrivacyUnit.ByColumn("pid"), 1, 1,
      List.of(TestDatasets.plain("pid", ColumnType.INT), TestDatasets.plain("name", ColumnType.STRING),
          TestDatasets.bounded("age", ColumnType.INT, 0, 100),
          TestDatasets.bounded("income", ColumnType.DOUBLE, 0, 100_000)));

  private static DpPlan where(String condition) {
    return ANALYZER.analyze(DATASET, "SELECT COUNT(*) FROM pums WHERE " + condition);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "REPLACE(name, 'a', 'aaaaaaaaaa') = 'x'                                   | REPLACE",
      "CASE WHEN pid = 7 AND income > 10 THEN REPLACE(REPLACE(name, 'a', 'aaaa'), 'a', 'aaaa') = '' ELSE TRUE END"
          + " | REPLACE",
      "CHAR_LENGTH(REPEAT(name, 100000)) > 1                                    | REPEAT",
      "LPAD(name, 100000000, 'x') = 'y'                                         | LPAD",
      "RPAD(name, age, 'x') = 'y'                                               | RPAD",
      "OVERLAY(name PLACING 'abc' FROM 2) = 'y'                                 | OVERLAY",
      "TRANSLATE(name, 'a', 'b') = 'y'                                          | TRANSLATE",
      "name SIMILAR TO '(a*)*b'                                                 | SIMILAR TO",
      "name LIKE educ                                                           | LIKE",
      "POSITION(educ IN name) > 0                                               | POSITION",
      "SOUNDEX(name) = 'x'                                                      | SOUNDEX",
  })
  void refusesFunctionsWhoseCostGrowsWithAnArgument(String condition, String function) {
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> where(condition));
    assertTrue(e.getMessage().contains(function), e.getMessage());
    assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
  }

  @Test
  void refusesLongConcatenationChainsButNotShortOnes() {
    where("name || educ || race = 'abc'");
    QueryRejectedException e = assertThrows(QueryRejectedException.class,
        () -> where("name || name || name || name || name || name || name || name || name || name = ''"));
    assertTrue(e.getMessage().contains("builds strings up to 9 S"), e.getMessage());
    assertTrue(e.getMessage().contains("8 S"), e.getMessage());
  }

  @Test
  void refusesHugeLiteralsPatternsAndDeepExpressions() {
    String literal = "x".repeat(ExpressionPolicy.MAX_LITERAL_CHARS + 1);
    assertTrue(assertThrows(QueryRejectedException.class, () -> where("name = '" + literal + "'"))
        .getMessage().contains("literal of 1025 characters"));
    assertTrue(assertThrows(QueryRejectedException.class, () -> where("name IN ('a', '" + literal + "')"))
        .getMessage().contains("literal"));
    assertTrue(assertThrows(QueryRejectedException.class, () -> where("name LIKE '%a%a%a%a%a%a%a%a%a%'"))
        .getMessage().contains("wildcards"));
    String deep = "age";
    for (int i = 0; i < ExpressionPolicy.MAX_DEPTH + 2; i++) {
      deep = "ABS(" + deep + ")";
    }
    String condition = deep + " > 0";
    assertTrue(assertThrows(QueryRejectedException.class, () -> where(condition)).getMessage()
        .contains("deeper than " + ExpressionPolicy.MAX_DEPTH));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "age > 30 AND sex = '1'", "name LIKE 'Zyx%'", "UPPER(name) = 'N1' OR TRIM(educ) = '12'",
      "CHAR_LENGTH(name || educ) > 3", "SUBSTRING(name FROM 2 FOR 3) = 'abc'", "CAST(educ AS INTEGER) > 0",
      "CASE WHEN age > 30 THEN name = 'a' ELSE educ = 'b' END", "COALESCE(income, 0) >= 0",
      "MOD(age, 7) = 1 AND ABS(income - 10) < 5 AND FLOOR(income) > 1", "POSITION('a' IN name) > 0",
      "age IN (1, 2, 3) AND name NOT IN ('a', 'b')", "age BETWEEN 20 AND 60", "CAST(age AS VARCHAR) = '30'"})
  void keepsAnsweringBoundedConditions(String condition) {
    assertTrue(where(condition).where().isPresent());
  }

  @Test
  void theCostModelGrowsLikeTheFunctions() {
    DpPlan plan = where("name || educ = 'a'");
    ExpressionPolicy.Cost concat = ExpressionPolicy.check(plan.where().orElseThrow(), "WHERE");
    DpPlan upper = where("UPPER(name || educ) = 'a'");
    ExpressionPolicy.Cost up = ExpressionPolicy.check(upper.where().orElseThrow(), "WHERE");
    assertTrue(up.workGrowth() > concat.workGrowth(), "UPPER over a concatenation costs more than the concatenation");
    DpPlan like = where("name LIKE '%abc%'");
    ExpressionPolicy.Cost l = ExpressionPolicy.check(like.where().orElseThrow(), "WHERE");
    assertEquals(6, l.workGrowth(), "LIKE costs the operand times the pattern length + 1");
  }

  @Test
  void everyCostOracleIsRejectedAtAnalysisNamingWhy() {
    for (CostOracles.CostOracle c : CostOracles.all()) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(PEOPLE, c.sql()),
          c.id());
      assertTrue(e.getMessage().contains(c.fragment()), c.id() + ": " + e.getMessage());
    }
  }

  @Test
  void everyRuleHasASampleThatTheAnalyzerAccepts() {
    assertEquals(ExpressionPolicy.rules().stream().map(ExpressionPolicy.Rule::name).toList(),
        List.copyOf(PolicySamples.all().keySet()), "one sample per rule, in the list's order");
    for (var sample : PolicySamples.all().entrySet()) {
      assertTrue(ANALYZER.analyze(PEOPLE, "SELECT COUNT(*) AS n FROM people WHERE " + sample.getValue()).where()
          .isPresent(), sample.getKey());
    }
  }

  @Test
  void everyRuleSaysHowItGrowsAndWhetherItCanFail() {
    assertFalse(ExpressionPolicy.rules().isEmpty());
    for (ExpressionPolicy.Rule r : ExpressionPolicy.rules()) {
      assertFalse(r.size().isBlank(), r.name());
      assertFalse(r.spelling().duckdb().isBlank() || r.spelling().postgresql().isBlank()
          || r.spelling().spark().isBlank(), r.name());
    }
    assertTrue(ExpressionPolicy.rule("REPLACE").isEmpty(), "REPLACE is not on the list");
    assertEquals(ExpressionPolicy.Failure.MAY_FAIL, ExpressionPolicy.rule("SUBSTRING").orElseThrow().failure());
  }
}
