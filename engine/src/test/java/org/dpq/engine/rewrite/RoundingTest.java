package org.dpq.engine.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.rel2sql.RelToSqlConverter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.engine.execution.SparkDialect;
import org.junit.jupiter.api.Test;

/**
 * ROUND and TRUNCATE mean the same on every backend: halves away from zero, truncation toward zero, powers of ten
 * handled exactly, no -0.0. Run on DuckDB and (when reachable) PostgreSQL, whose own round() rounds a double's halves
 * to even and has no round(double precision, int): the expected values below fail with the native functions.
 */
class RoundingTest {
  /** x, then ROUND(x), ROUND(x, 1), ROUND(x, -1), TRUNCATE(x, 1) as the analyst expects them. */
  private static final double[][] CASES = {
      {2.5, 3, 2.5, 0, 2.5},
      {-2.5, -3, -2.5, 0, -2.5},
      {0.5, 1, 0.5, 0, 0.5},
      {-0.5, -1, -0.5, 0, -0.5},
      {1.25, 1, 1.3, 0, 1.2},
      {-1.25, -1, -1.3, 0, -1.2},
      {15, 15, 15, 20, 15},
      {-15, -15, -15, -20, -15},
      {25, 25, 25, 30, 25},
      {-0.3, 0, -0.3, 0, -0.3},
      {-0.04, 0, 0, 0, 0},
      {2.75, 3, 2.8, 0, 2.7},
      {1234.5, 1235, 1234.5, 1230, 1234.5}};

  private static RelNode query(RelBuilder b) {
    RexBuilder rex = b.getRexBuilder();
    RelDataType doubleType = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.DOUBLE), true);
    RelDataType row = rex.getTypeFactory().builder().add("x", doubleType).build();
    Object[] values = new Object[CASES.length];
    for (int i = 0; i < CASES.length; i++) {
      values[i] = BigDecimal.valueOf(CASES[i][0]);
    }
    b.values(row, values);
    RexNode x = b.field("x");
    List<RexNode> out = new ArrayList<>();
    out.add(x);
    out.add(b.call(SqlStdOperatorTable.ROUND, x));
    out.add(b.call(SqlStdOperatorTable.ROUND, x, b.literal(1)));
    out.add(b.call(SqlStdOperatorTable.ROUND, x, b.literal(-1)));
    out.add(b.call(SqlStdOperatorTable.TRUNCATE, x, b.literal(1)));
    List<RexNode> standard = new ArrayList<>();
    for (RexNode e : out) {
      standard.add(Rounding.standard(rex, e));
    }
    b.project(standard);
    return b.build();
  }

  private static String sql(SqlDialect dialect) {
    RelNode rel = query(RelBuilder.create(Frameworks.newConfigBuilder().build()));
    return new RelToSqlConverter(dialect).visitRoot(rel).asStatement().toSqlString(dialect).getSql();
  }

  private static void check(Connection c, String sql, String backend) throws SQLException {
    assertFalse(sql.toUpperCase().contains("ROUND") || sql.toUpperCase().contains("TRUNC"),
        backend + ": no native rounding function is emitted: " + sql);
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      int rows = 0;
      while (r.next()) {
        rows++;
        double x = r.getDouble(1);
        double[] expected = null;
        for (double[] e : CASES) {
          if (e[0] == x) {
            expected = e;
          }
        }
        assertTrue(expected != null, backend + ": unknown row");
        for (int col = 2; col <= 5; col++) {
          double got = r.getDouble(col);
          assertEquals(expected[col - 1], got, 1e-12, backend + ": column " + col + " of x = " + x);
          assertFalse(got == 0 && 1 / got < 0, backend + ": -0.0 for column " + col + " of x = " + x);
        }
      }
      assertEquals(CASES.length, rows, backend);
    }
  }

  @Test
  void roundsHalvesAwayFromZeroOnDuckDb() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      check(c, sql(DuckDbDialect.INSTANCE), "DuckDB");
    }
  }

  @Test
  void roundsHalvesAwayFromZeroOnPostgres() throws SQLException {
    try (PostgresTestServer pg = PostgresTestServer.schema("rounding"); Connection c = pg.connect()) {
      check(c, sql(PostgresqlSqlDialect.DEFAULT), "PostgreSQL");
    }
  }

  @Test
  void sparkGetsTheSameForm() {
    String spark = sql(SparkDialect.INSTANCE);
    assertFalse(spark.toUpperCase().contains("ROUND") || spark.toUpperCase().contains("TRUNC"), spark);
    assertTrue(spark.contains("FLOOR(") && spark.contains("SIGN("), spark);
  }

  /** On DuckDB constants are folded before the charge: the form's constant parts fold, and a constant ROUND too. */
  @Test
  void theFormFoldsBeforeTheCharge() {
    RelBuilder b = RelBuilder.create(Frameworks.newConfigBuilder().build());
    RelNode rel = query(b);
    for (RexNode e : ((org.apache.calcite.rel.core.Project) rel).getProjects()) {
      RowErrors.foldConstants(b, e); // nothing in the form is a constant call that cannot be folded
    }
    RexBuilder rex = b.getRexBuilder();
    for (double[] c : CASES) {
      RexNode literal = rex.makeApproxLiteral(BigDecimal.valueOf(c[0]));
      RexNode folded = RowErrors.foldConstants(b, Rounding.standard(rex,
          rex.makeCall(SqlStdOperatorTable.ROUND, literal, rex.makeExactLiteral(BigDecimal.valueOf(-1)))));
      assertEquals(c[3], ((org.apache.calcite.rex.RexLiteral) folded).getValueAs(Double.class), 1e-12,
          "ROUND(" + c[0] + ", -1) folded");
    }
  }
}
