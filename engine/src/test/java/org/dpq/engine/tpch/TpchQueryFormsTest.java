package org.dpq.engine.tpch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without DP, on plain DuckDB over the generated SF 0.01 files: the DP forms of Q1, Q5, Q6, Q12 and Q14 return exactly
 * what the originals return, and those of Q3 and Q10 return the originals' answers re-aggregated to the coarser keys
 * they release; every query has a non-trivial answer at SF 0.01.
 */
class TpchQueryFormsTest {
  @TempDir
  static Path dir;
  static Connection c;

  @BeforeAll
  static void generate() throws SQLException {
    TpchGenerator.Written w = TpchGenerator.write(dir, 0.01, 19920101L);
    c = w.plainViews();
  }

  @AfterAll
  static void close() throws SQLException {
    c.close();
  }

  static List<List<Object>> rows(String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          // numbers compared as doubles rounded to a cent's millionth: sums over the same rows in another order
          row.add(v instanceof Number x ? Math.round(x.doubleValue() * 1e6) / 1e6 : String.valueOf(v));
        }
        out.add(row);
      }
    }
    return out;
  }

  private static String withoutOrderAndLimit(String sql) {
    return sql.replaceAll("(?is)\\s+order\\s+by\\s+.*$", "");
  }

  @Test
  void theUnchangedQuestionsGiveTheOriginalsAnswers() throws SQLException {
    for (TpchQuery q : TpchQuery.ALL) {
      if (q.sameQuestion()) {
        List<List<Object>> original = rows(q.original());
        assertEquals(original, rows(q.sql()), q.toString());
        assertTrue(!original.isEmpty() && !original.get(0).contains("null"), q + " has an answer: " + original);
      }
    }
    assertEquals(4, rows(TpchQuery.Q1.sql()).size(), "(A, F), (N, F), (N, O), (R, F)");
    assertEquals(5, rows(TpchQuery.Q5.sql()).size(), "the five nations of ASIA");
    assertEquals(2, rows(TpchQuery.Q12.sql()).size(), "MAIL and SHIP");
    double promo = (Double) rows(TpchQuery.Q14.sql()).get(0).get(0);
    assertTrue(promo > 5 && promo < 30, "promo revenue share about 1/6: " + promo);
  }

  @Test
  void q3ReleasesTheOriginalsRevenuePerOrderMonthAndPriority() throws SQLException {
    String perOrder = withoutOrderAndLimit(TpchQuery.Q3.original());
    List<List<Object>> expected = rows("SELECT date_trunc('month', o_orderdate) AS o_month, o_shippriority, "
        + "SUM(revenue) AS revenue FROM (" + perOrder + ") GROUP BY ALL ORDER BY revenue DESC, o_month");
    assertTrue(expected.size() >= 4, "the orders of the four months before 1995-03-15 and that month: " + expected);
    assertEquals(expected, rows(TpchQuery.Q3.sqlWithoutLimit()));
    assertEquals(expected.subList(0, Math.min(10, expected.size())), rows(TpchQuery.Q3.sql()));
  }

  @Test
  void q10ReleasesTheOriginalsReturnsPerNationWithTheNumberOfCustomers() throws SQLException {
    String perCustomer = withoutOrderAndLimit(TpchQuery.Q10.original());
    List<List<Object>> expected = rows("SELECT n_name, SUM(revenue) AS revenue, COUNT(*) AS customers FROM ("
        + perCustomer + ") GROUP BY n_name ORDER BY revenue DESC");
    assertTrue(expected.size() >= 20, "most nations have returns in the quarter: " + expected.size());
    assertEquals(expected, rows(TpchQuery.Q10.sqlWithoutLimit()));
    assertEquals(expected.subList(0, 20), rows(TpchQuery.Q10.sql()));
  }
}
