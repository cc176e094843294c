package org.dpq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.dpq.engine.execution.GeneratedTable.SplitMix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TPC-H Q1 complete (all eight aggregates, with its two revenue sums over expressions) on a lineitem table made by
 * a seeded generator. Each order is the privacy unit; with G = 6 (every flag/status pair) and R = 7 (the most lines
 * an order has) no bound binds, so with zero noise dpq's answer equals the plain SQL on the same file.
 */
class TpchQ1Test {
  static final String Q1 = """
      SELECT l_returnflag, l_linestatus, SUM(l_quantity) AS sum_qty, SUM(l_extendedprice) AS sum_base_price,
        SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
        SUM(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
        AVG(l_quantity) AS avg_qty, AVG(l_extendedprice) AS avg_price, AVG(l_discount) AS avg_disc,
        COUNT(*) AS count_order
      FROM lineitem
      WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
      GROUP BY l_returnflag, l_linestatus
      ORDER BY l_returnflag, l_linestatus""";

  @TempDir
  static Path dir;
  static Path csv;
  static Path yaml;

  /** About 4,000 orders with 1 to 7 lines each, values inside the TPC-H ranges. */
  @BeforeAll
  static void generate() throws IOException {
    SplitMix random = new SplitMix(19920101L);
    StringBuilder out = new StringBuilder(
        "l_orderkey,l_quantity,l_extendedprice,l_discount,l_tax,l_returnflag,l_linestatus,l_shipdate\n");
    LocalDate start = LocalDate.of(1992, 1, 2);
    for (int order = 1; order <= 4000; order++) {
      int lines = 1 + random.below(7);
      LocalDate orderDate = start.plusDays(random.below(2400));
      for (int line = 0; line < lines; line++) {
        int quantity = 1 + random.below(50);
        double price = quantity * (900 + random.below(1200)) / 1.0;
        double discount = random.below(11) / 100.0;
        double tax = random.below(9) / 100.0;
        LocalDate ship = orderDate.plusDays(1 + random.below(121));
        String status = ship.isAfter(LocalDate.of(1995, 6, 17)) ? "O" : "F";
        String flag = status.equals("O") ? "N" : random.below(2) == 0 ? "R" : "A";
        out.append(order).append(',').append(quantity).append(',').append(price).append(',').append(discount)
            .append(',').append(tax).append(',').append(flag).append(',').append(status).append(',').append(ship)
            .append('\n');
      }
    }
    csv = dir.resolve("lineitem.csv");
    Files.writeString(csv, out);
    yaml = dir.resolve("lineitem.yaml");
    Files.writeString(yaml, """
        name: lineitem
        table: lineitem
        source: { csv: lineitem.csv }
        privacy_unit: l_orderkey
        max_groups_contributed: 6
        max_rows_per_group: 7
        budget: { epsilon: 10.0, delta: 1.0e-5 }
        defaults: { epsilon: 1.0, delta: 0 }
        columns:
          l_orderkey:      { type: int }
          l_quantity:      { type: int, lower: 1, upper: 50 }
          l_extendedprice: { type: double, lower: 900, upper: 105000 }
          l_discount:      { type: double, lower: 0, upper: 0.1 }
          l_tax:           { type: double, lower: 0, upper: 0.08 }
          l_returnflag:    { type: string, public_values: ["A", "N", "R"] }
          l_linestatus:    { type: string, public_values: ["F", "O"] }
          l_shipdate:      { type: date }
        """);
  }

  private static List<List<Object>> reference() throws SQLException {
    String sql = Q1.replace("FROM lineitem", "FROM read_csv('" + csv.toString().replace("'", "''")
        + "', types={'l_quantity': 'INTEGER', 'l_shipdate': 'DATE'})");
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  void q1IsAnsweredWithAllEightAggregatesAndEqualsThePlainSqlWithoutNoise() throws SQLException {
    List<List<Object>> expected = reference();
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      QueryResult r = dpq.query(Q1);
      assertEquals(List.of("l_returnflag", "l_linestatus", "sum_qty", "sum_base_price", "sum_disc_price",
          "sum_charge", "avg_qty", "avg_price", "avg_disc", "count_order"), r.columns());
      // Every (flag, status) pair of the public domains is listed; the generator never makes (N, F), (A, O), (R, O).
      assertEquals(6, r.rows().size());
      int matched = 0;
      for (int i = 0; i < r.rows().size(); i++) {
        for (List<Object> want : expected) {
          if (want.get(0).equals(r.value(i, 0)) && want.get(1).equals(r.value(i, 1))) {
            matched++;
            for (int c = 2; c < 10; c++) {
              double w = ((Number) want.get(c)).doubleValue();
              double got = ((Number) r.value(i, c)).doubleValue();
              assertEquals(w, got, 1e-6 * Math.max(1, Math.abs(w)), r.columns().get(c) + " of " + want.subList(0, 2));
            }
          }
        }
      }
      assertEquals(expected.size(), matched, "every group of the plain SQL is released");
      assertTrue(expected.size() >= 3);
    }
  }

  @Test
  void explainShowsTheDerivedBoundsOfBothRevenueSums() {
    try (Dpq dpq = TestSeams.openWithoutNoise(yaml)) {
      Explanation e = dpq.explain(Q1, QueryOptions.defaults());
      List<String> names = e.measurements().stream().map(MeasurementExplanation::name).toList();
      assertTrue(names.stream().anyMatch(n -> n.contains("in [810, 105000]")), names::toString);
      assertTrue(names.stream().anyMatch(n -> n.contains("in [810, 113400")), names::toString);
    }
  }

  /**
   * Issue 16: an order has at most 7 lines, so {@code max_rows_per_unit: 7} drops nothing (the zero-noise answer is
   * still the plain SQL's) while every count and sum is bounded by 7 rows per order instead of G*R = 42, and explain
   * says so.
   */
  @Test
  void aSevenRowCapPerOrderKeepsTheAnswerAndShowsTheTighterBound() throws Exception {
    Path capped = dir.resolve("lineitem-capped.yaml");
    Files.writeString(capped, Files.readString(yaml).replace("max_rows_per_group: 7\n",
        "max_rows_per_group: 7\nmax_rows_per_unit: 7\n"));
    List<List<Object>> expected = reference();
    try (Dpq dpq = TestSeams.openWithoutNoise(capped)) {
      Explanation e = dpq.explain(Q1, QueryOptions.defaults());
      MeasurementExplanation count = e.measurements().stream().filter(m -> m.name().startsWith("COUNT(*)"))
          .findFirst().orElseThrow();
      assertEquals(7, count.l1(), 0, count.name());
      assertEquals(7, count.l2(), 0, count.name());
      assertTrue(count.name().endsWith(" [bound: C = 7 rows per unit < G*R = 42: L1 = 7 rows' worth, L2 as 1 full "
          + "groups + 0 rows]"), count.name());
      QueryResult r = dpq.query(Q1);
      int matched = 0;
      for (int i = 0; i < r.rows().size(); i++) {
        for (List<Object> want : expected) {
          if (want.get(0).equals(r.value(i, 0)) && want.get(1).equals(r.value(i, 1))) {
            matched++;
            for (int c = 2; c < 10; c++) {
              double w = ((Number) want.get(c)).doubleValue();
              double got = ((Number) r.value(i, c)).doubleValue();
              assertEquals(w, got, 1e-6 * Math.max(1, Math.abs(w)), r.columns().get(c) + " of " + want.subList(0, 2));
            }
          }
        }
      }
      assertEquals(expected.size(), matched, "every group of the plain SQL is released");
    }
  }
}
