package org.dpq.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rejection class: the query is refused before any data access, and the message names the construct and
 * carries a fix.
 */
class AnalyzerRejectionTest {
  private static final Analyzer ANALYZER = new Analyzer();

  /** PUMS plus two numeric columns without bounds. */
  private static final Dataset DATASET;

  static {
    List<org.dpq.engine.catalog.Column> columns = new ArrayList<>(TestDatasets.pumsColumns());
    columns.add(TestDatasets.plain("hours", ColumnType.INT));
    columns.add(TestDatasets.plain("ratio", ColumnType.DOUBLE));
    DATASET = TestDatasets.dataset("pums", new PrivacyUnit.ByColumn("pid"), 2, 2, columns);
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        // non-aggregate output
        Arguments.of("SELECT * FROM pums", List.of("non-aggregate output", "raw rows")),
        Arguments.of("SELECT age FROM pums", List.of("non-aggregate output")),
        Arguments.of("SELECT 1 FROM pums", List.of("non-aggregate output")),
        Arguments.of("SELECT age, COUNT(*) FROM pums", List.of("non-aggregate output", "'age'", "GROUP BY")),
        Arguments.of("TABLE pums", List.of("non-aggregate output")),
        // grouping
        Arguments.of("SELECT pid, COUNT(*) FROM pums GROUP BY pid", List.of("privacy unit", "COUNT(DISTINCT pid)")),
        Arguments.of("SELECT sex, COUNT(*) FROM pums GROUP BY ROLLUP(sex)", List.of("ROLLUP")),
        Arguments.of("SELECT COUNT(*) FROM pums GROUP BY (SELECT 1 FROM pums)", List.of("subquery in GROUP BY")),
        Arguments.of("SELECT RAND() > 0.5, COUNT(*) FROM pums GROUP BY RAND() > 0.5",
            List.of("non-deterministic function in GROUP BY")),
        Arguments.of("SELECT sex, COUNT(*) FROM pums GROUP BY GROUPING SETS ((sex), ())", List.of("GROUPING_SETS")),
        // bounds
        Arguments.of("SELECT SUM(hours) FROM pums", List.of("SUM(hours)", "needs bounds", "lower and upper")),
        Arguments.of("SELECT AVG(ratio) FROM pums", List.of("AVG(ratio)", "needs bounds")),
        Arguments.of("SELECT VAR_POP(hours) FROM pums", List.of("VAR_POP(hours)", "needs bounds")),
        Arguments.of("SELECT STDDEV(ratio) FROM pums", List.of("needs bounds")),
        Arguments.of("SELECT SUM(educ) FROM pums", List.of("SUM")),
        // aggregates over expressions, nested, distinct, filter
        Arguments.of("SELECT SUM(income * hours) FROM pums", List.of("SUM(...) cannot be bounded", "'hours'",
            "no declared bounds", "lower and upper")),
        Arguments.of("SELECT AVG(income / (age - 50)) FROM pums", List.of("AVG(...) cannot be bounded",
            "division by (age - 50)", "contains 0")),
        Arguments.of("SELECT SUM(CAST(educ AS INTEGER)) FROM pums", List.of("CAST of VARCHAR", "no bound")),
        Arguments.of("SELECT SUM(EXP(age)) FROM pums", List.of("function EXP", "no bound")),
        Arguments.of("SELECT SUM(age * age * age * age * age * age) FROM pums", List.of("beyond what INTEGER",
            "CAST an operand to DOUBLE")),
        Arguments.of("SELECT SUM(CASE WHEN age > 30 THEN ratio ELSE 0 END) FROM pums", List.of("'ratio'",
            "no declared bounds")),
        Arguments.of("SELECT SUM(COUNT(*)) FROM pums", List.of("nested aggregates")),
        // ROUND/TRUNCATE whose scaled value could lose precision in DOUBLE (income in [0, 500000]: 10^11 is too many)
        Arguments.of("SELECT SUM(ROUND(income, 11)) FROM pums", List.of("ROUND(income, 11)", "beyond 2^52",
            "fewer digits")),
        Arguments.of("SELECT TRUNCATE(income, 12) AS t, COUNT(*) FROM pums GROUP BY t", List.of("beyond 2^52")),
        Arguments.of("SELECT SUM(DISTINCT income) FROM pums", List.of("SUM(DISTINCT", "drop DISTINCT")),
        // issue 16: AVG_PER_UNIT needs what AVG needs, and is not a per-unit subquery's aggregate
        Arguments.of("SELECT AVG_PER_UNIT(ratio) FROM pums", List.of("AVG_PER_UNIT(ratio)", "needs bounds")),
        Arguments.of("SELECT AVG_PER_UNIT(DISTINCT income) FROM pums", List.of("AVG_PER_UNIT(DISTINCT",
            "drop DISTINCT")),
        Arguments.of("SELECT avg_per_unit(educ) FROM pums", List.of("AVG_PER_UNIT")),
        Arguments.of("SELECT COUNT(*) FROM (SELECT pid, AVG_PER_UNIT(income) AS m FROM pums GROUP BY pid) t",
            List.of("AVG_PER_UNIT is not supported in a per-unit subquery")),
        Arguments.of("SELECT COUNT(DISTINCT pid) FILTER (WHERE age > 30) FROM pums", List.of("FILTER", "WHERE")),
        // not yet
        Arguments.of("SELECT MODE() WITHIN GROUP (ORDER BY age) FROM pums", List.of("MODE is not supported yet",
            "MEDIAN")),
        Arguments.of("SELECT MIN(pid) FROM pums", List.of("MIN(pid) needs bounds", "declare lower and upper")),
        Arguments.of("SELECT MEDIAN(educ) FROM pums", List.of("NUMERIC")),
        Arguments.of("SELECT PERCENTILE_DISC(2) WITHIN GROUP (ORDER BY income) FROM pums",
            List.of("between 0 and 1")),
        Arguments.of("SELECT COLLECT(age) FROM pums", List.of("COLLECT is not supported")),
        // subqueries
        // a subquery in FROM that does more than select and filter rows (issue 17 for joins and per-unit work)
        Arguments.of("SELECT COUNT(*) FROM (SELECT sex, COUNT(*) AS n FROM pums GROUP BY sex) t",
            List.of("subquery in FROM with an aggregate", "select columns")),
        Arguments.of("SELECT SUM(s) FROM (SELECT SUM(age) AS s FROM pums) t",
            List.of("subquery in FROM with an aggregate")),
        Arguments.of("SELECT s FROM (SELECT SUM(age) AS s FROM pums) t",
            List.of("subquery in FROM with an aggregate")), // post-processing an inner aggregate is not merged
        Arguments.of("SELECT COUNT(*) FROM (SELECT MEDIAN(age) AS m FROM pums) t",
            List.of("subquery in FROM with an aggregate")),
        Arguments.of("SELECT COUNT(*) FROM (SELECT DISTINCT pid, sex FROM pums) t",
            List.of("subquery in FROM with DISTINCT")),
        Arguments.of("SELECT AVG(age) FROM (SELECT age FROM pums ORDER BY income LIMIT 10) t",
            List.of("subquery in FROM with ORDER BY, LIMIT")),
        Arguments.of("SELECT AVG(age) FROM (SELECT age FROM pums LIMIT 10) t",
            List.of("subquery in FROM with ORDER BY, LIMIT")),
        Arguments.of("SELECT AVG(age) FROM (SELECT age FROM pums UNION ALL SELECT age FROM pums) t",
            List.of("subquery in FROM with UNION")),
        Arguments.of("SELECT COUNT(*) FROM (SELECT a.age FROM pums a JOIN pums b ON a.pid = b.pid) t",
            List.of("JOIN")),
        Arguments.of("SELECT COUNT(*) FROM (SELECT age, ROW_NUMBER() OVER (ORDER BY age) AS r FROM pums) t",
            List.of("window functions")),
        Arguments.of("SELECT COUNT(*) FROM (SELECT * FROM pums WHERE age > (SELECT AVG(age) FROM pums)) t",
            List.of("subquery in the WHERE of a subquery in FROM")),
        Arguments.of("SELECT COUNT(*) FROM (SELECT * FROM people) t", List.of("unknown table 'people'")),
        Arguments.of("SELECT * FROM (SELECT * FROM pums) t", List.of("non-aggregate output")),
        Arguments.of("SELECT sex, COUNT(*) FROM (SELECT pid AS sex FROM pums) t GROUP BY sex",
            List.of("privacy unit")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE age > (SELECT AVG(age) FROM pums)",
            List.of("subquery in WHERE")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE pid IN (SELECT pid FROM pums WHERE age > 3)",
            List.of("subquery in WHERE")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE EXISTS (SELECT 1 FROM pums)", List.of("subquery in WHERE")),
        Arguments.of("SELECT (SELECT COUNT(*) FROM pums) FROM pums", List.of("subquery in the SELECT list")),
        Arguments.of("SELECT sex, COUNT(*) FROM pums GROUP BY sex HAVING COUNT(*) > (SELECT 1 FROM pums)",
            List.of("subquery in HAVING")),
        Arguments.of("WITH t AS (SELECT * FROM pums) SELECT COUNT(*) FROM t JOIN t u ON t.pid = u.pid", List.of("WITH", "read once")),
        // joins and set operations
        Arguments.of("SELECT COUNT(*) FROM pums a JOIN pums b ON a.pid = b.pid", List.of("JOIN", "without JOIN")),
        Arguments.of("SELECT COUNT(*) FROM pums a, pums b", List.of("JOIN")),
        Arguments.of("SELECT COUNT(*) FROM pums UNION SELECT COUNT(*) FROM pums", List.of("set operation UNION",
            "its own query")),
        Arguments.of("SELECT COUNT(*) FROM pums INTERSECT SELECT COUNT(*) FROM pums", List.of("INTERSECT")),
        Arguments.of("SELECT COUNT(*) FROM pums EXCEPT SELECT COUNT(*) FROM pums", List.of("EXCEPT")),
        // windows
        Arguments.of("SELECT COUNT(*) OVER () FROM pums", List.of("window functions")),
        Arguments.of("SELECT sex, ROW_NUMBER() OVER (ORDER BY sex) FROM pums", List.of("window functions")),
        Arguments.of("SELECT sex, COUNT(*), RANK() OVER (ORDER BY COUNT(*)) FROM pums GROUP BY sex",
            List.of("window functions")),
        // functions, statements
        Arguments.of("SELECT myfunc(age) FROM pums", List.of("user-defined function", "myfunc")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE myfunc(age) > 1", List.of("user-defined function")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE RAND() < 0.5", List.of("non-deterministic function",
            "WHERE")),
        Arguments.of("CREATE TABLE x (a INT)", List.of("CREATE statement", "SELECT")),
        Arguments.of("DROP TABLE pums", List.of("DROP statement")),
        Arguments.of("INSERT INTO pums (age) VALUES (1)", List.of("INSERT statement", "data modification")),
        Arguments.of("UPDATE pums SET age = 1", List.of("UPDATE statement")),
        Arguments.of("DELETE FROM pums", List.of("DELETE statement")),
        Arguments.of("EXPLAIN PLAN FOR SELECT COUNT(*) FROM pums", List.of("EXPLAIN", "dpq explain")),
        Arguments.of("SELECT COUNT(*) FROM pums; SELECT COUNT(*) FROM pums", List.of("several statements")),
        Arguments.of("SELECT COUNT(*) FROM pums; DROP TABLE pums", List.of("several statements")),
        Arguments.of("SELECT COUNT(* FROM pums", List.of("could not be parsed")),
        // names
        Arguments.of("SELECT COUNT(*) FROM people", List.of("unknown table 'people'", "'pums'")),
        Arguments.of("SELECT COUNT(*) FROM other.pums", List.of("unknown table", "'pums'")),
        Arguments.of("SELECT COUNT(nosuch) FROM pums", List.of("unknown column", "'nosuch'", "income")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE nosuch = 1", List.of("unknown column", "'nosuch'")),
        // post-processing over raw columns
        Arguments.of("SELECT COUNT(*) FROM pums ORDER BY age", List.of("'age'", "GROUP BY")),
        Arguments.of("SELECT COUNT(*) FROM pums HAVING age > 3", List.of("'age'", "GROUP BY")),
        Arguments.of("SELECT sex, COUNT(*) FROM pums GROUP BY sex ORDER BY SUM(income)",
            List.of("ORDER BY an expression that is not in the SELECT list", "add the expression")),
        // literal-only
        Arguments.of("SELECT 1", List.of("literal-only")),
        Arguments.of("SELECT COUNT(*)", List.of("literal-only")),
        Arguments.of("VALUES (1)", List.of("literal-only")),
        // distinct, hints, parameters
        Arguments.of("SELECT DISTINCT sex, COUNT(*) FROM pums GROUP BY sex", List.of("SELECT DISTINCT")),
        Arguments.of("SELECT /*+ dp(seed='1') */ COUNT(*) FROM pums", List.of("hints", "query options")),
        Arguments.of("SELECT /*+ dp(epsilon='100') */ COUNT(*) FROM pums", List.of("hints")),
        Arguments.of("SELECT COUNT(*) FROM pums /*+ properties(noise='off') */", List.of("hints")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE age > ?", List.of("parameters")),
        // other FROM shapes and aggregates
        Arguments.of("SELECT COUNT(*) FROM pums TABLESAMPLE BERNOULLI(50)", List.of("TABLESAMPLE")),
        Arguments.of("SELECT COUNT(*) FROM UNNEST(ARRAY[1, 2])", List.of("FROM UNNEST", "FROM pums")),
        Arguments.of("SELECT COUNT(*) FROM pums, LATERAL (SELECT 1)", List.of("JOIN")),
        Arguments.of("SELECT COUNT(*) FROM pums MATCH_RECOGNIZE (PATTERN (A) DEFINE A AS age > 1)",
            List.of("MATCH_RECOGNIZE")),
        Arguments.of("SELECT COUNT(*) FROM pums WHERE age = ANY (VALUES 1)", List.of("subquery in WHERE")),
        Arguments.of("SELECT GROUPING(sex), COUNT(*) FROM pums GROUP BY sex", List.of("GROUPING is not supported")),
        Arguments.of("SELECT COUNT(*) FROM pums ORDER BY 5", List.of("Ordinal out of range (line 1, column 36)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectsNamingConstructAndFix(String sql, List<String> expected) {
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, sql));
    String message = e.getMessage();
    for (String part : expected) {
      assertTrue(message.contains(part), () -> "message lacks '" + part + "': " + message);
    }
    assertTrue(message.contains(". Fix: "), () -> "message has no fix: " + message);
    assertTrue(message.indexOf(". Fix: ") + 8 < message.length(), () -> "empty fix: " + message);
    assertTrue(!message.contains("Was expecting"), () -> "parser noise kept: " + message);
  }

  @Test
  void countDistinctOnRowUnitDatasetCountsValuesOfSensitivityOne() {
    // with privacy_unit: row, pid is an ordinary column: each row adds at most one distinct value
    DpPlan plan = ANALYZER.analyze(TestDatasets.pumsRows(), "SELECT COUNT(DISTINCT pid) FROM pums");
    assertEquals(org.dpq.engine.analysis.MeasurementKind.COUNT_DISTINCT_VALUES, plan.measurements().get(0).kind());
    assertEquals(1, plan.measurements().get(0).l1(), 1e-12);
  }

  @Test
  void textTooLargeIsRejectedBeforeParsing() {
    String big = "SELECT COUNT(*) FROM pums WHERE " + "age > 1 AND ".repeat(9000) + "age > 1";
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, big));
    assertTrue(e.getMessage().contains("longer than 100000 characters"), e::getMessage);
  }

  @Test
  void longInListIsRejected() {
    StringBuilder in = new StringBuilder("SELECT COUNT(*) FROM pums WHERE age IN (0");
    for (int i = 1; i <= 10_000; i++) {
      in.append(',').append(i % 100);
    }
    String sql = in.append(')').toString();
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, sql));
    assertTrue(e.getMessage().contains("more than 10000 items"), e::getMessage);
  }

  @Test
  void inListJustBelowTheLimitIsAccepted() {
    StringBuilder in = new StringBuilder("SELECT COUNT(*) FROM pums WHERE age IN (0");
    for (int i = 1; i < 10_000; i++) {
      in.append(',').append(i % 100);
    }
    DpPlan plan = ANALYZER.analyze(DATASET, in.append(')').toString());
    assertTrue(plan.where().isPresent());
  }

  @Test
  void deepParenthesesAreRejected() {
    String sql = "SELECT COUNT(*) FROM pums WHERE " + "(".repeat(201) + "age > 1" + ")".repeat(201);
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, sql));
    assertTrue(e.getMessage().contains("deeper than 200"), e::getMessage);
  }

  @Test
  void longOperatorChainsAreRejectedWithoutStackOverflow() {
    String sql = "SELECT COUNT(*) FROM pums WHERE age = " + "1 + ".repeat(20_000) + "1";
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, sql));
    assertTrue(e.getMessage().contains("nested"), e::getMessage);
    assertTrue(e.getMessage().contains("x IN (1, 2, 3)"), e::getMessage);
  }

  @Test
  void orChainDeeperThanTheLimitIsRejectedAfterParsing() {
    String sql = "SELECT COUNT(*) FROM pums WHERE " + "age = 1 OR ".repeat(250) + "age = 2";
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, sql));
    assertTrue(e.getMessage().contains("nested deeper than 200"), e::getMessage);
  }

  @Test
  void orChainWithinTheLimitIsAccepted() {
    String sql = "SELECT COUNT(*) FROM pums WHERE " + "age = 1 OR ".repeat(150) + "age = 2";
    assertTrue(ANALYZER.analyze(DATASET, sql).where().isPresent());
  }

  @Test
  void quotedParenthesesAndCommasDoNotCount() {
    String sql = "SELECT COUNT(*) FROM pums WHERE educ <> '" + "(".repeat(300) + ",".repeat(20_000) + "'";
    // The text guard lets it through; the expression policy then refuses the literal for its length alone.
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> ANALYZER.analyze(DATASET, sql));
    assertTrue(e.getMessage().contains("literal of 20300 characters"), e.getMessage());
    String shorter = "SELECT COUNT(*) FROM pums WHERE educ <> '" + "(".repeat(300) + ",".repeat(700) + "'";
    assertTrue(ANALYZER.analyze(DATASET, shorter).where().isPresent());
  }
}
