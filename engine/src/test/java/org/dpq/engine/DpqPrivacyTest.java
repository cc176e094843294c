package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dpq.budget.LedgerStatus;
import org.dpq.errors.BudgetExhaustedException;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The engine's privacy behaviour end to end: rejection at no cost, budget refusal, key release rules. */
class DpqPrivacyTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      raw rows                    | SELECT age FROM pums                                              | aggregate
      select star                 | SELECT * FROM pums                                                | aggregate
      group by unit               | SELECT pid, COUNT(*) FROM pums GROUP BY pid                       | privacy unit
      sum of unbounded column     | SELECT SUM(pid) FROM pums                                         | bounds
      sum of unbounded expression | SELECT SUM(pid * 2) FROM pums                                     | bounds
      nested aggregate            | SELECT SUM(COUNT(*)) FROM pums GROUP BY sex                       | aggregate
      subquery in from            | SELECT COUNT(*) FROM (SELECT sex FROM pums GROUP BY sex) t        | subquer
      limit in from subquery      | SELECT COUNT(*) FROM (SELECT * FROM pums LIMIT 5) t               | subquer
      subquery in where           | SELECT COUNT(*) FROM pums WHERE age > (SELECT AVG(age) FROM pums) | subquer
      self join                   | SELECT COUNT(*) FROM pums a JOIN pums b ON a.pid = b.pid          | join
      union                       | SELECT COUNT(*) FROM pums UNION SELECT COUNT(*) FROM pums         | UNION
      window function             | SELECT COUNT(*) OVER () FROM pums                                 | window
      min of unbounded column     | SELECT MIN(pid) FROM pums                                         | bounds
      unknown table               | SELECT COUNT(*) FROM people                                       | pums
      ddl                         | DROP TABLE pums                                                   | SELECT
      dml                         | DELETE FROM pums                                                  | SELECT
      several statements          | SELECT COUNT(*) FROM pums; SELECT COUNT(*) FROM pums              | statement
      literal only                | SELECT 1                                                          | aggregate
      """)
  void rejectedQueriesNameTheConstructAndCostNothing(String name, String sql, String expectedWord) {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      LedgerStatus before = dpq.budgetStatus();
      int entries = dpq.history().size();
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> dpq.query(sql));
      assertTrue(e.getMessage().toLowerCase().contains(expectedWord.toLowerCase()),
          name + ": message should mention '" + expectedWord + "': " + e.getMessage());
      assertEquals(before.spent(), dpq.budgetStatus().spent(), "a rejected query must cost nothing");
      assertEquals(entries, dpq.history().size(), "a rejected query must leave no ledger entry");
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      SELECT sex, COUNT(*) FROM pums WHERE (educ = '9' OR (0 = MOD(0, 0) AND age = age)) GROUP BY sex
      SELECT sex, COUNT(*) FROM pums WHERE educ = '9' OR CAST('x' AS INTEGER) = 1 GROUP BY sex
      SELECT COUNT(*) FROM pums WHERE age > 200 AND 1 / 0 = 1
      """)
  void aConstantThatCannotBeEvaluatedIsRejectedBeforeTheCharge(String sql) {
    // DuckDB folds constants while optimising, outside TRY, and may skip them when statistics prune the scan:
    // whether the query failed would depend on the data. They are evaluated before the charge instead.
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> dpq.query(sql));
      assertTrue(e.getMessage().contains("constant expression"), e.getMessage());
      assertEquals(0, dpq.budgetStatus().spent().epsilon().signum(), "nothing is charged");
    }
  }

  /**
   * A constant Calcite evaluates but DuckDB types differently: the comparison's implicit cast of
   * {@code -9223372036854775808 - 0} to DECIMAL(19, 3) overflowed in DuckDB after the charge (found by the SQL
   * fuzzer). The backend now gets the constant's value, so the query is answered (its condition is false).
   */
  @Test
  void aConstantIsFoldedBeforeTheBackendSeesIt() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      var result = dpq.query("SELECT sex, COUNT(*) AS n FROM pums WHERE (NOT (age = age) AND (educ = '1' AND "
          + "987654.321 >= (-9223372036854775808 - 0))) AND sex < ' 1' GROUP BY sex",
          QueryOptions.defaults().withDelta("1e-6"));
      assertEquals(2, result.rows().size(), "sex declares a public domain of two keys");
      assertTrue(dpq.explain("SELECT COUNT(*) AS n FROM pums WHERE 987654.321 >= (-9223372036854775808 - 0)",
          QueryOptions.defaults()).boundedSql().contains("TRY(TRUE)"), "the backend gets the value, not the constant");
    }
  }

  /**
   * Each conjunct of a WHERE gets its own TRY on DuckDB, so that DuckDB can push it to the table it reads (one TRY
   * around the whole condition cannot go below a join); the rows kept are those on which every conjunct is TRUE
   * without error, as before. The second conjunct fails on every row over 80 (a malformed cast): those rows drop out,
   * the others are counted.
   */
  @Test
  void eachConjunctIsGuardedAndARowFailingOneOfThemIsDropped() throws Exception {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_pid.csv", "pid", 1, 1, "10");
    String where = "age > 30 AND CAST(CASE WHEN age > 80 THEN 'x' ELSE educ END AS INTEGER) > 5";
    long expected;
    try (var conn = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        var st = conn.createStatement();
        var rs = st.executeQuery("SELECT COUNT(*) FROM read_csv('" + PumsFiles.pums("PUMS_pid.csv")
            + "', header = true, all_varchar = true) WHERE CAST(age AS INTEGER) > 30 AND CAST(age AS INTEGER) <= 80 "
            + "AND CAST(educ AS INTEGER) > 5")) {
      rs.next();
      expected = rs.getLong(1);
    }
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      String bounded = dpq.explain("SELECT COUNT(*) AS n FROM pums WHERE " + where, QueryOptions.defaults())
          .boundedSql();
      assertEquals(2, bounded.split("TRY\\(", -1).length - 1, "one TRY per conjunct: " + bounded);
      assertTrue(expected > 0 && expected < 1000, "the test data has rows on both sides of the filter");
      assertEquals(expected, ((Number) dpq.query("SELECT COUNT(*) AS n FROM pums WHERE " + where).value(0, "n"))
          .longValue(), "rows over 80 fail the cast and are dropped; the others are counted");
    }
  }

  @Test
  void invalidPrivacyParametersAreRejectedAtNoCost() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      LedgerStatus before = dpq.budgetStatus();
      for (String eps : List.of("0", "-1", "1e-300", "1000")) {
        assertThrows(InvalidPrivacyParameterException.class,
            () -> dpq.query("SELECT COUNT(*) FROM pums", QueryOptions.defaults().withEpsilon(eps)), eps);
      }
      assertThrows(InvalidPrivacyParameterException.class,
          () -> dpq.query("SELECT COUNT(*) FROM pums", QueryOptions.defaults().withDelta("1")));
      QueryRejectedException noDelta = assertThrows(QueryRejectedException.class,
          () -> dpq.query("SELECT educ, COUNT(*) FROM pums GROUP BY educ",
              QueryOptions.defaults().withDelta(BigDecimal.ZERO)));
      assertTrue(noDelta.getMessage().contains("delta"), noDelta.getMessage());
      assertEquals(before.spent(), dpq.budgetStatus().spent());
    }
  }

  @Test
  void aBudgetOfOneAnswersUntilTheNextQueryWouldExceedItThenRefuses() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "1.0");
    try (Dpq dpq = Dpq.open(yaml)) {
      QueryOptions point3 = QueryOptions.defaults().withEpsilon("0.3").withDelta("0");
      for (int i = 0; i < 3; i++) {
        dpq.query("SELECT COUNT(*) FROM pums WHERE age > " + i, point3);
      }
      assertEquals(0, new BigDecimal("0.9").compareTo(dpq.budgetStatus().spent().epsilon()));
      BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
          () -> dpq.query("SELECT COUNT(*) FROM pums WHERE age > 10", point3));
      assertTrue(e.getMessage().contains("0.3") && e.getMessage().contains("0.1"), e.getMessage());
      assertEquals(0, new BigDecimal("0.9").compareTo(dpq.budgetStatus().spent().epsilon()), "refusal is free");
      dpq.query("SELECT COUNT(*) FROM pums WHERE age > 11", QueryOptions.defaults().withEpsilon("0.1")
          .withDelta("0"));
      assertEquals(0, BigDecimal.ONE.compareTo(dpq.budgetStatus().spent().epsilon()));
      assertThrows(BudgetExhaustedException.class, () -> dpq.query("SELECT COUNT(*) FROM pums WHERE age > 12",
          QueryOptions.defaults().withEpsilon("0.000001").withDelta("0")));
    }
  }

  @Test
  void anIdenticalQueryReturnsTheStoredAnswerAtNoCost() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      QueryResult first = dpq.query("SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex");
      BigDecimal spent = dpq.budgetStatus().spent().epsilon();
      QueryResult again = dpq.query("SELECT  sex, count(*) AS n FROM pums GROUP BY sex");
      assertTrue(again.reused());
      assertEquals(first.rows().stream().map(r -> r.get(1).value()).toList(),
          again.rows().stream().map(r -> r.get(1).value()).toList());
      assertEquals(0, spent.compareTo(dpq.budgetStatus().spent().epsilon()));
    }
  }

  @Test
  void partitionSelectionDropsGroupsOfFewPeopleAndKeepsLargeOnes() {
    // race "5" has 1 person and "6" has 5 people; "1" has 550, "3" 265, "4" 108, "2" 71.
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "100");
    for (long seed = 1; seed <= 5; seed++) {
      try (Dpq dpq = TestSeams.openSeeded(yaml, seed)) {
        QueryResult r = dpq.query("SELECT race, COUNT(*) AS n FROM pums WHERE age <> " + (-seed) + " GROUP BY race",
            QueryOptions.defaults().withEpsilon("1.0").withDelta("1e-6"));
        Set<Object> keys = new HashSet<>();
        r.rows().forEach(row -> keys.add(row.get(0).value()));
        assertFalse(keys.contains("5"), "a one-person group must not be released");
        assertFalse(keys.contains("6"), "a five-person group must not be released at this threshold");
        assertTrue(keys.containsAll(List.of("1", "2", "3", "4")), "large groups are released: " + keys);
      }
    }
  }

  @Test
  void publicDomainsReleaseEveryKeyEvenWhenNoRowHasIt() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query("SELECT sex, COUNT(*) AS n FROM pums WHERE sex = '1' GROUP BY sex ORDER BY sex");
      assertEquals(2, r.rows().size());
      assertEquals("0", r.value(0, "sex"));
      assertEquals(0L, r.value(0, "n"), "the absent key is released as a (here noise-free) zero");
      assertNotNull(r.rows().get(0).get(1).ci95());
    }
  }

  @Test
  void explainShowsTheSplitWithoutCharging() {
    Path yaml = PumsFiles.pumsYaml(dir, "PUMS_dup.csv", "pid", 1, 1, "10");
    try (Dpq dpq = Dpq.open(yaml)) {
      Explanation e = dpq.explain("SELECT educ, COUNT(*) AS n, AVG(income) AS m FROM pums GROUP BY educ",
          QueryOptions.defaults().withEpsilon("1.0").withDelta("1e-6"));
      assertEquals("THRESHOLD", e.partitionMode());
      assertTrue(e.threshold().isPresent());
      assertTrue(e.total().epsilon().compareTo(BigDecimal.ONE) <= 0);
      assertTrue(e.measurements().size() >= 3, "count, centred sum and selection count: " + e.measurements());
      assertEquals(0, dpq.budgetStatus().spent().epsilon().signum(), "explain is free");
    }
  }
}
