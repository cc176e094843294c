package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4's sensitivity property: adding one synthetic person with 100,000 rows spread over many groups, with
 * extreme, NaN, infinite and NULL values, changes every measurement in every group by at most its per-unit
 * bound, and over all groups by at most its L1 (and L2) sensitivity. A rewrite without the per-unit clamps
 * fails the same check.
 */
class SensitivityPropertyTest {
  private static final long SECRET = 0x5eed_1234_abcdL;
  private static Connection db;

  @BeforeAll
  static void load() throws SQLException {
    db = TestDatasets.duckdb();
    TestDatasets.loadPums(db, "base", "PUMS_dup.csv");
    try (Statement s = db.createStatement()) {
      s.execute("CREATE TABLE plus AS SELECT * FROM base");
      s.execute("INSERT INTO plus SELECT "
          + "CASE i % 7 WHEN 0 THEN 1000 WHEN 1 THEN -1000 ELSE 50 END AS age, "
          + "CAST(i % 2 AS VARCHAR) AS sex, "
          + "CASE WHEN i % 3 = 0 THEN 'new' || CAST(i % 50 AS VARCHAR) ELSE CAST(i % 16 + 1 AS VARCHAR) END AS educ, "
          + "'1' AS race, "
          + "CASE i % 6 WHEN 0 THEN 1e12 WHEN 1 THEN -1e12 WHEN 2 THEN 'NaN'::DOUBLE WHEN 3 THEN 'Infinity'::DOUBLE "
          + "WHEN 4 THEN NULL ELSE 250000 END AS income, "
          + "CAST(i % 2 AS VARCHAR) AS married, 1000001 AS pid FROM range(100000) r(i)");
    }
    assertEquals(100_000 + 1948, ((Number) TestDatasets.rows(db, "SELECT COUNT(*) FROM plus").get(0).get(0))
        .intValue());
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static final List<String> QUERIES = List.of(
      "SELECT COUNT(*), SUM(income), AVG(income), VAR_POP(age), COUNT(DISTINCT pid), SUM(age), COUNT(income) FROM %s",
      "SELECT sex, COUNT(*), SUM(income), STDDEV(age) FROM %s GROUP BY sex",
      "SELECT educ, COUNT(*), SUM(income), AVG(age), COUNT(income) FROM %s GROUP BY educ",
      "SELECT sex, married, COUNT(*), SUM(age) FROM %s WHERE age > 20 GROUP BY sex, married",
      "SELECT educ, sex, COUNT(DISTINCT pid), VARIANCE(income) FROM %s GROUP BY educ, sex",
      // issue 14: aggregates over expressions, conditions and FILTER, clamped to their derived bounds
      "SELECT sex, SUM(age * (1 - income / 1000000)), AVG(age + income), COUNT(CASE WHEN age > 60 THEN 1 END), "
          + "SUM(income) FILTER (WHERE age > 30), SUM(ABS(age - 50)), STDDEV(LEAST(income, 1000) + ROUND(age / 3.0)) "
          + "FROM %s GROUP BY sex",
      "SELECT educ, SUM(CASE WHEN married = '1' THEN income ELSE -income END), COUNT(*) FILTER (WHERE income > 1000), "
          + "AVG(CAST(age AS DOUBLE) / 7 - 3) FROM %s GROUP BY educ",
      // GROUP BY expressions (derived domains and partition selection), ordinals, aliases; keys only
      "SELECT CASE WHEN age > 60 THEN 'old' ELSE 'young' END AS band, FLOOR(age / 10) AS d, COUNT(*), SUM(income) "
          + "FROM %s GROUP BY 1, d",
      "SELECT SUBSTRING(educ, 1, 1) AS e, income, COUNT(*), AVG(age) FROM %s GROUP BY e, income",
      "SELECT DISTINCT educ FROM %s",
      "SELECT sex FROM %s GROUP BY sex",
      // COUNT(DISTINCT col): at most R distinct values per unit and group
      "SELECT sex, COUNT(DISTINCT educ), COUNT(DISTINCT income), COUNT(*), SUM(age) FROM %s GROUP BY sex",
      "SELECT COUNT(DISTINCT age), COUNT(DISTINCT educ) FILTER (WHERE age > 30), COUNT(DISTINCT pid) FROM %s",
      "SELECT educ, COUNT(DISTINCT MOD(age, 7)) AS a, COUNT(DISTINCT income) FROM %s GROUP BY educ");

  /** Issue 16: AVG_PER_UNIT alone, beside other aggregates, over an expression, with FILTER, without GROUP BY. */
  private static final List<String> PER_UNIT_MEANS = List.of(
      "SELECT educ, AVG_PER_UNIT(income), AVG_PER_UNIT(age), COUNT(*) FROM %s GROUP BY educ",
      "SELECT sex, AVG_PER_UNIT(income) FILTER (WHERE age > 30), AVG(income), SUM(income) FROM %s GROUP BY sex",
      "SELECT AVG_PER_UNIT(age + income), AVG_PER_UNIT(income), COUNT(DISTINCT pid) FROM %s");

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String q : PER_UNIT_MEANS) {
      for (int[] gr : new int[][] {{1, 1}, {3, 2}, {5, 4}}) {
        out.add(Arguments.of(q, gr[0], gr[1], 0));
      }
    }
    // a total cap below G: the heavy person keeps at most C = 3 rows, so reaches at most 3 groups
    out.add(Arguments.of(PER_UNIT_MEANS.get(0), 5, 4, 3));
    for (String q : QUERIES) {
      for (int[] gr : new int[][] {{1, 1}, {3, 2}, {5, 4}}) {
        out.add(Arguments.of(q, gr[0], gr[1], 0));
      }
    }
    // issue 16: a total cap C = 7 < G*R = 20 that the heavy person reaches (counts, sums, expressions, distinct)
    for (int q : new int[] {0, 2, 5, 11}) {
      out.add(Arguments.of(QUERIES.get(q), 5, 4, 7));
    }
    // C = 3 < G = 5 and < R = 4: at most 3 groups per person, and L2 of 3 rows in one group
    out.add(Arguments.of(QUERIES.get(4), 5, 4, 3));
    return out.stream();
  }

  private static Dataset dataset(String table, int groups, int rows) {
    return dataset(table, groups, rows, 0);
  }

  /** PUMS with G, R and {@code max_rows_per_unit: cap} (0: none). */
  private static Dataset dataset(String table, int groups, int rows, int cap) {
    Dataset d = TestDatasets.dataset(table, new PrivacyUnit.ByColumn("pid"), groups, rows, TestDatasets.pumsColumns());
    return cap == 0 ? d : new Dataset(d.name(), d.table(), d.source(), d.unit(), groups, rows, d.budget(), d.defaults(),
        d.ledger(), d.columns(), d.yamlPath(), d.limits(), java.util.OptionalInt.of(cap));
  }

  /** The violations of the per-group, L1 and L2 bounds between the two results. */
  private static List<String> violations(BoundedRunner.Result base, BoundedRunner.Result plus) {
    List<String> out = new ArrayList<>();
    Set<List<Object>> keys = new HashSet<>(base.groups().keySet());
    keys.addAll(plus.groups().keySet());
    List<Measurement> measurements = plus.plan().measurements();
    for (int i = 0; i < measurements.size(); i++) {
      Measurement m = measurements.get(i);
      double bound = Math.max(Math.abs(m.perUnitLower()), Math.abs(m.perUnitUpper()));
      double l1 = 0;
      double l2 = 0;
      double scale = 0;
      for (List<Object> key : keys) {
        double b = base.groups().containsKey(key) ? base.groups().get(key)[i] : 0;
        double p = plus.groups().containsKey(key) ? plus.groups().get(key)[i] : 0;
        double d = Math.abs(p - b);
        double tolerance = 1e-9 * (Math.abs(b) + Math.abs(p) + bound);
        scale += tolerance;
        if (d > bound + tolerance) {
          out.add(m.kind() + " #" + i + " in group " + key + " moved by " + d + " > per-unit bound " + bound);
        }
        l1 += d;
        l2 += d * d;
      }
      if (l1 > m.l1() + scale) {
        out.add(m.kind() + " #" + i + " moved by " + l1 + " in total > L1 " + m.l1());
      }
      if (Math.sqrt(l2) > m.l2() + scale) {
        out.add(m.kind() + " #" + i + " moved by " + Math.sqrt(l2) + " in L2 > " + m.l2());
      }
    }
    return out;
  }

  @ParameterizedTest(name = "G={1} R={2} C={3}: {0}")
  @MethodSource("cases")
  void oneHeavyPersonMovesEachMeasurementByAtMostItsSensitivity(String query, int groups, int rows, int cap)
      throws SQLException {
    BoundedRunner.Result base = BoundedRunner.run(db, dataset("base", groups, rows, cap), query.formatted("base"),
        SECRET);
    BoundedRunner.Result plus = BoundedRunner.run(db, dataset("plus", groups, rows, cap), query.formatted("plus"),
        SECRET);
    List<String> violations = violations(base, plus);
    assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
    // the person did change something (the check is not vacuous)
    assertFalse(violations(base, base).size() > 0);
    boolean changed = false;
    for (List<Object> key : plus.groups().keySet()) {
      double[] b = base.groups().get(key);
      double[] p = plus.groups().get(key);
      changed |= b == null || !java.util.Arrays.equals(b, p);
    }
    assertTrue(changed, "the synthetic person must change the result");
  }

  @Test
  void newGroupsOnlyAppearUpToG() throws SQLException {
    String q = "SELECT educ, COUNT(*) FROM %s GROUP BY educ";
    BoundedRunner.Result base = BoundedRunner.run(db, dataset("base", 3, 2), q.formatted("base"), SECRET);
    BoundedRunner.Result plus = BoundedRunner.run(db, dataset("plus", 3, 2), q.formatted("plus"), SECRET);
    Set<List<Object>> added = new HashSet<>(plus.groups().keySet());
    added.removeAll(base.groups().keySet());
    assertTrue(added.size() <= 3, added::toString);
    assertEquals(66, ((Number) TestDatasets.rows(db, "SELECT COUNT(DISTINCT educ) FROM plus").get(0).get(0))
        .intValue(), "the person spans 66 groups");
  }

  @Test
  void theCheckFlagsARewriteWithoutPerUnitClamps() throws SQLException {
    Rewriter broken = new Rewriter(false);
    for (String query : List.of(QUERIES.get(0), QUERIES.get(2))) {
      BoundedRunner.Result base = BoundedRunner.run(db, dataset("base", 3, 2), query.formatted("base"), SECRET,
          broken);
      BoundedRunner.Result plus = BoundedRunner.run(db, dataset("plus", 3, 2), query.formatted("plus"), SECRET,
          broken);
      List<String> violations = violations(base, plus);
      assertFalse(violations.isEmpty(), "the broken rewrite must be caught: " + query);
      assertTrue(violations.stream().anyMatch(v -> v.startsWith("COUNT_ROWS")), violations::toString);
      assertTrue(violations.stream().anyMatch(v -> v.startsWith("SUM ")), violations::toString);
    }
    // without the cap of R distinct values per unit and group, the person's many values move the distinct counts
    String distinct = QUERIES.get(QUERIES.size() - 3);
    List<String> violations = violations(
        BoundedRunner.run(db, dataset("base", 3, 2), distinct.formatted("base"), SECRET, broken),
        BoundedRunner.run(db, dataset("plus", 3, 2), distinct.formatted("plus"), SECRET, broken));
    assertTrue(violations.stream().anyMatch(v -> v.startsWith("COUNT_DISTINCT_VALUES")), violations::toString);
  }

  @Test
  void theCheckFlagsPerUnitMeansWithoutTheirClampOrTheirGroupLimit() throws SQLException {
    String query = PER_UNIT_MEANS.get(0);
    // no per-unit limits: a person's mean becomes its sum of up to 100,000 rows, and it counts once per row
    Rewriter unclamped = new Rewriter(false);
    List<String> violations = violations(
        BoundedRunner.run(db, dataset("base", 3, 2), query.formatted("base"), SECRET, unclamped),
        BoundedRunner.run(db, dataset("plus", 3, 2), query.formatted("plus"), SECRET, unclamped));
    assertTrue(violations.stream().anyMatch(v -> v.startsWith("UNIT_MEANS") && v.contains("per-unit bound")),
        violations::toString);
    assertTrue(violations.stream().anyMatch(v -> v.startsWith("UNITS_WITH_VALUES")), violations::toString);
    // no group limit: analysed with G = 1, run as if G were 1000 (the person's 66 educ groups all kept)
    List<String> unlimited = violations(withGroups(dataset("base", 1, 1), query, 1000),
        withGroups(dataset("plus", 1, 1), query, 1000));
    assertTrue(unlimited.stream().anyMatch(v -> v.startsWith("UNIT_MEANS") && v.contains("> L1 250000")),
        unlimited::toString);
    assertTrue(unlimited.stream().anyMatch(v -> v.startsWith("UNITS_WITH_VALUES") && v.contains("> L1 1.0")),
        unlimited::toString);
  }

  /** The bounded result of {@code query} analysed against {@code analysed}, rewritten with G = {@code groups}. */
  private static BoundedRunner.Result withGroups(Dataset analysed, String query, int groups) throws SQLException {
    DpPlan plan = BoundedRunner.ANALYZER.analyze(analysed, query.formatted(analysed.table()));
    Dataset d = plan.dataset();
    Dataset wider = new Dataset(d.name(), d.table(), d.source(), d.unit(), groups, d.maxRowsPerGroup(), d.budget(),
        d.defaults(), d.ledger(), d.columns(), d.yamlPath(), d.limits(), d.maxRowsPerUnit());
    return BoundedRunner.run(db, new DpPlan(wider, plan.sql(), plan.scan(), plan.unitField(), plan.where(),
        plan.keys(), plan.measurements(), plan.selectionMeasurement(), plan.aggregates(), plan.post(),
        plan.partitionMode()), SECRET, new Rewriter());
  }

  @Test
  void removingTheBusiestPersonMovesPerUnitMeansByAtMostTheirSensitivity() throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute("CREATE OR REPLACE TABLE minus AS SELECT * FROM base WHERE pid <> (SELECT pid FROM base "
          + "GROUP BY pid ORDER BY COUNT(*) DESC, pid LIMIT 1)");
    }
    for (String query : PER_UNIT_MEANS) {
      BoundedRunner.Result base = BoundedRunner.run(db, dataset("base", 3, 2), query.formatted("base"), SECRET);
      BoundedRunner.Result minus = BoundedRunner.run(db, dataset("minus", 3, 2), query.formatted("minus"), SECRET);
      List<String> violations = violations(minus, base);
      assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
      boolean changed = false;
      for (List<Object> key : base.groups().keySet()) {
        changed |= !java.util.Arrays.equals(base.groups().get(key), minus.groups().get(key));
      }
      assertTrue(changed, "removing the busiest person must change the result: " + query);
    }
  }

  @Test
  void theCheckFlagsARewriteThatIgnoresTheTotalCap() throws SQLException {
    // the analysis declares L1 = C = 7 for COUNT(*); the broken rewrite lets the person contribute G*R = 20 rows
    Rewriter broken = Rewriter.withoutUnitCapForTest();
    String query = QUERIES.get(2);
    List<String> violations = violations(
        BoundedRunner.run(db, dataset("base", 5, 4, 7), query.formatted("base"), SECRET, broken),
        BoundedRunner.run(db, dataset("plus", 5, 4, 7), query.formatted("plus"), SECRET, broken));
    assertTrue(violations.stream().anyMatch(v -> v.startsWith("COUNT_ROWS") && v.contains("> L1 7")),
        violations::toString);
  }
}
