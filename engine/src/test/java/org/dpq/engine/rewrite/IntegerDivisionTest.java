package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.errors.QueryRejectedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WHERE with integer division selects on DuckDB the rows Calcite selects: each condition's bounded COUNT(*) on
 * DuckDB (row units, so the count is the number of matching rows) equals the count Calcite's own executor gives
 * for the same condition over the same rows.
 */
class IntegerDivisionTest {
  private static final Dataset ROWS = TestDatasets.dataset("t", new PrivacyUnit.Row(), 1, 1, List.of(
      TestDatasets.plain("a", ColumnType.INT),
      TestDatasets.plain("d", ColumnType.LONG),
      TestDatasets.bounded("x", ColumnType.DOUBLE, -10, 10)));
  private static final List<String> CONDITIONS = List.of("a / d = -1", "a / d > 0", "a / 2 = -1",
      "1 + a / d * 2 > 0", "a / d / 2 = 0", "a * 3 / d = 2", "CASE WHEN a / 3 = 1 THEN 1 ELSE 0 END = 1",
      "a / d * d <> a", "x / 2 > 1.2", "a / x > 1");
  private static Connection duckdb;
  /** Per condition, the number of rows Calcite's own executor selects. */
  private static final Map<String, Long> CALCITE = new HashMap<>();

  @BeforeAll
  static void load() throws SQLException {
    List<String> rows = new ArrayList<>();
    for (int a = -9; a <= 9; a++) {
      for (int d : new int[] {-4, -3, -2, -1, 1, 2, 3, 4}) {
        rows.add("(CAST(" + a + " AS INTEGER), CAST(" + d + " AS BIGINT), CAST(" + (a + 0.5) + " AS DOUBLE))");
      }
    }
    String values = String.join(", ", rows);
    duckdb = TestDatasets.duckdb();
    try (Statement s = duckdb.createStatement()) {
      s.execute("CREATE TABLE t AS SELECT * FROM (VALUES " + values + ") AS v(a, d, x)");
    }
    // One Calcite query for all conditions (each query costs Calcite's executor about a second).
    List<String> counts = new ArrayList<>();
    for (String condition : CONDITIONS) {
      counts.add("SUM(CASE WHEN " + condition + " THEN 1 ELSE 0 END)");
    }
    try (Connection calcite = DriverManager.getConnection("jdbc:calcite:"); Statement s = calcite.createStatement();
        ResultSet r = s.executeQuery("SELECT " + String.join(", ", counts) + " FROM (VALUES " + values
            + ") AS t(a, d, x)")) {
      r.next();
      for (int i = 0; i < CONDITIONS.size(); i++) {
        CALCITE.put(CONDITIONS.get(i), r.getLong(i + 1));
      }
    }
  }

  @AfterAll
  static void close() throws SQLException {
    duckdb.close();
  }

  static List<String> conditions() {
    return CONDITIONS;
  }

  @ParameterizedTest
  @MethodSource("conditions")
  void duckDbSelectsTheRowsCalciteSelects(String condition) throws SQLException {
    BoundedRunner.Result r = BoundedRunner.run(duckdb, ROWS, "SELECT COUNT(*) FROM t WHERE " + condition, 1);
    long expected = CALCITE.get(condition);
    assertTrue(expected > 0 && expected < 19 * 8, "the condition must select some rows but not all: " + expected);
    assertEquals(expected, (long) r.only()[0], r.query().sql());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a / d > 0", "x / 2 > 1.2", "a / x > 1"})
  void onlyIntegerOperandsUseDuckDbsIntegerDivision(String condition) {
    DpPlan plan = BoundedRunner.ANALYZER.analyze(ROWS, "SELECT COUNT(*) FROM t WHERE " + condition);
    String duck = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 1).sql();
    boolean integers = condition.startsWith("a / d");
    assertEquals(integers, duck.contains("//"), duck);
    // PostgreSQL has no TRY: a division by a column, or of a real number, could fail on some rows only, so the
    // PostgreSQL rewrite refuses it (RowErrors); execution.IntegerDivisionTest checks how it writes the divisions
    // it accepts.
    assertThrows(QueryRejectedException.class, () -> new Rewriter().rewrite(plan, PostgresqlSqlDialect.DEFAULT, 1));
  }
}
