package org.dpq.engine.analysis;

import java.util.List;

/**
 * The cost-oracle family of the hostile corpus, shared by every backend's suite (DuckDB through the CLI in the
 * end-to-end module, PostgreSQL in {@code PostgresHostileTest}, Spark in {@code SparkCostOracleTest}): queries
 * whose time, memory or row count would depend on whether one unit's row matches a condition (string growth,
 * deep nesting, huge literals, regular expressions, cross joins in disguise). Every one must be rejected before
 * the charge, with a message containing {@code fragment}, on every backend alike. The queries read a table
 * {@code people} with at least the columns {@code pid} (the unit), {@code name} (text), {@code age} (int) and
 * {@code income} (double).
 */
public final class CostOracles {
  private CostOracles() {}

  /**
   * One case.
   *
   * @param id unique name
   * @param sql the query
   * @param fragment a fragment the rejection message must contain (case-sensitive)
   */
  public record CostOracle(String id, String sql, String fragment) {}

  private static final String COUNT = "SELECT COUNT(*) AS n FROM people WHERE ";

  /** The timing probe of issue 12: a string-growing branch reached only by the target unit's row. */
  public static final String TIMING_PROBE = COUNT + "CASE WHEN pid = 7 AND income > 50000 THEN "
      + "CHAR_LENGTH(REPLACE(REPLACE(REPLACE(name, 'a', 'aaaaaaaaaaaaaaaaaaaa'), 'a', 'aaaaaaaaaaaaaaaaaaaa'), "
      + "'a', 'aaaaaaaaaaaaaaaaaaaa')) > 0 ELSE TRUE END";

  /** Every case. */
  public static List<CostOracle> all() {
    return List.of(
        // string growth
        new CostOracle("timing-probe-nested-replace", TIMING_PROBE, "REPLACE"),
        new CostOracle("repeat-in-a-branch", COUNT
            + "CASE WHEN pid = 7 THEN CHAR_LENGTH(REPEAT(name, 100000000)) > 0 ELSE TRUE END", "REPEAT"),
        new CostOracle("lpad-to-two-gigabytes", COUNT
            + "CASE WHEN pid = 7 THEN LPAD(name, 2000000000, 'x') <> '' ELSE TRUE END", "LPAD"),
        new CostOracle("rpad-to-a-column-width", COUNT + "RPAD(name, age * 1000000, 'x') <> ''", "RPAD"),
        new CostOracle("overlay", COUNT + "OVERLAY(name PLACING name FROM 2) <> ''", "OVERLAY"),
        new CostOracle("translate", COUNT + "TRANSLATE(name, 'a', 'b') <> ''", "TRANSLATE"),
        new CostOracle("concatenation-chain", COUNT + "CASE WHEN pid = 7 THEN "
            + String.join(" || ", java.util.Collections.nCopies(12, "name")) + " <> '' ELSE TRUE END",
            "builds strings"),
        new CostOracle("case-mapping-over-a-concatenation", COUNT
            + "UPPER(LOWER(UPPER(name || name))) <> ''", "builds strings"),
        // deep nesting
        new CostOracle("nested-abs", COUNT + "ABS(".repeat(60) + "age" + ")".repeat(60) + " > 0", "deeper than"),
        new CostOracle("nested-case", COUNT + "CASE WHEN age > 0 THEN ".repeat(60) + "TRUE"
            + " ELSE FALSE END".repeat(60), "deeper than"),
        // huge literals
        new CostOracle("huge-string-literal", COUNT + "name <> '" + "x".repeat(5_000) + "'", "literal of 5000"),
        new CostOracle("huge-literal-in-an-in-list", COUNT + "name IN ('a', '" + "y".repeat(2_000) + "')",
            "literal"),
        new CostOracle("many-wildcards", COUNT + "name LIKE '" + "%a".repeat(20) + "%'", "wildcards"),
        new CostOracle("column-as-like-pattern", COUNT + "name LIKE CAST(age AS VARCHAR)", "LIKE"),
        // regular expressions
        new CostOracle("similar-to-backtracking", COUNT + "name SIMILAR TO '(a|aa)*b'", "regular expressions"),
        new CostOracle("similar-to-in-a-branch", COUNT
            + "CASE WHEN pid = 7 THEN name SIMILAR TO '(a+)+$' ELSE TRUE END", "regular expressions"),
        // cross joins in disguise
        new CostOracle("comma-join", "SELECT COUNT(*) AS n FROM people a, people b", "JOIN"),
        new CostOracle("unnest-in-from", "SELECT COUNT(*) AS n FROM people, UNNEST(ARRAY[1, 2, 3]) AS t(x)",
            "JOIN"),
        new CostOracle("cross-join-in-a-subquery", COUNT
            + "pid IN (SELECT a.pid FROM people a CROSS JOIN people b)", "subquery"),
        new CostOracle("exists-over-a-self-join", COUNT
            + "EXISTS (SELECT 1 FROM people a, people b WHERE a.pid = b.pid)", "subquery"),
        new CostOracle("array-per-row", COUNT + "CARDINALITY(ARRAY[name, name, name]) > 0", "ARRAY"));
  }
}
