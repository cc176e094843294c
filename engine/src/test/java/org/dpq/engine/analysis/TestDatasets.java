package org.dpq.engine.analysis;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.catalog.Source;
import org.dpq.mechanisms.PrivacyLoss;

/** Test fixtures: PUMS datasets built directly as records, the committed PUMS CSVs, and DuckDB loading. */
public final class TestDatasets {
  private TestDatasets() {}

  public static Column bounded(String name, ColumnType type, double lower, double upper) {
    return new Column(name, type, OptionalDouble.of(lower), OptionalDouble.of(upper), Optional.empty());
  }

  public static Column plain(String name, ColumnType type) {
    return new Column(name, type, OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty());
  }

  public static Column publicDomain(String name, ColumnType type, String... values) {
    return new Column(name, type, OptionalDouble.empty(), OptionalDouble.empty(), Optional.of(List.of(values)));
  }

  /** The PUMS columns: age 0..100, sex public {0,1}, educ and race without domain, income 0..500000, married public. */
  public static List<Column> pumsColumns() {
    return List.of(
        bounded("age", ColumnType.INT, 0, 100),
        publicDomain("sex", ColumnType.STRING, "0", "1"),
        plain("educ", ColumnType.STRING),
        plain("race", ColumnType.STRING),
        bounded("income", ColumnType.DOUBLE, 0, 500_000),
        publicDomain("married", ColumnType.STRING, "0", "1"),
        plain("pid", ColumnType.INT));
  }

  /** PUMS with privacy unit {@code pid}, G groups per person and R rows per group. */
  public static Dataset pums(int groups, int rows) {
    return dataset("pums", new PrivacyUnit.ByColumn("pid"), groups, rows, pumsColumns());
  }

  /** PUMS with each row its own unit. */
  public static Dataset pumsRows() {
    return dataset("pums", new PrivacyUnit.Row(), 1, 1, pumsColumns());
  }

  public static Dataset dataset(String table, PrivacyUnit unit, int groups, int rows, List<Column> columns) {
    return new Dataset(table, table, new Source.Csv(PumsFiles.pums("PUMS_dup.csv")), unit, groups, rows,
        PrivacyLoss.budget(new BigDecimal("10"), new BigDecimal("1e-6")), PrivacyLoss.of(0.5, 1e-7),
        table + ".ledger.db", columns, Optional.empty());
  }

  /** A fresh in-memory DuckDB. */
  public static Connection duckdb() throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:");
  }

  /** Loads a PUMS CSV as table {@code table} with typed columns. */
  public static void loadPums(Connection connection, String table, String file) throws SQLException {
    String path = PumsFiles.pums(file).toString().replace("'", "''");
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE OR REPLACE TABLE " + table + " AS SELECT CAST(age AS INTEGER) age, CAST(sex AS VARCHAR) sex, "
          + "CAST(educ AS VARCHAR) educ, CAST(race AS VARCHAR) race, CAST(income AS DOUBLE) income, "
          + "CAST(married AS VARCHAR) married, CAST(pid AS INTEGER) pid FROM read_csv('" + path
          + "', all_varchar=true)");
    }
  }

  /** All rows of a query as lists of JDBC objects. */
  public static List<List<Object>> rows(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      List<List<Object>> out = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
      return out;
    }
  }
}
