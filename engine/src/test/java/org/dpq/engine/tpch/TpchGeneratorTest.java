package org.dpq.engine.tpch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeded TPC-H generator at SF 0.01: the specification's cardinalities and value rules, the same files from the
 * same seed, and the facts the dataset YAML's contribution bounds rest on (no customer has more than 200 lines, so
 * R = C = 200 drops nothing).
 */
class TpchGeneratorTest {
  @TempDir
  static Path dir;
  static TpchGenerator.Written written;
  static Connection c;

  @BeforeAll
  static void generate() throws SQLException {
    written = TpchGenerator.write(dir.resolve("a"), 0.01, 7L);
    c = written.plainViews();
  }

  @org.junit.jupiter.api.AfterAll
  static void close() throws SQLException {
    c.close();
  }

  private static List<Object> row(String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      List<Object> out = new ArrayList<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        out.add(rs.getObject(i));
      }
      return out;
    }
  }

  private static long scalar(String sql) throws SQLException {
    return ((Number) row(sql).get(0)).longValue();
  }

  @Test
  void cardinalitiesFollowTheSpecificationAtSf001() {
    assertEquals(Map.of("region", 5L, "nation", 25L, "supplier", 100L, "part", 2000L, "customer", 1500L,
        "orders", 15000L, "flag_status", 4L), Map.copyOf(written.rows().entrySet().stream().filter(e -> !e.getKey().equals("lineitem"))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
    long lines = written.rows().get("lineitem");
    // 1 to 7 lines per order, 4 on average: 60,000 give or take a few hundred
    assertTrue(lines > 59_000 && lines < 61_000, "lineitem rows " + lines);
  }

  @Test
  void valuesFollowTheSpecificationRules() throws SQLException {
    assertEquals(List.of(1L, 7L), row("SELECT MIN(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM lineitem "
        + "GROUP BY l_orderkey)").stream().map(o -> ((Number) o).longValue()).toList());
    assertEquals(0, scalar("SELECT COUNT(*) FROM orders WHERE o_custkey % 3 = 0 OR o_custkey < 1 OR o_custkey > 1500"));
    assertEquals(0, scalar("SELECT COUNT(*) FROM orders WHERE o_orderdate < DATE '1992-01-01' "
        + "OR o_orderdate > DATE '1998-08-02'"));
    assertEquals(0, scalar("SELECT COUNT(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey WHERE "
        + "l_shipdate NOT BETWEEN o_orderdate + 1 AND o_orderdate + 121 "
        + "OR l_commitdate NOT BETWEEN o_orderdate + 30 AND o_orderdate + 90 "
        + "OR l_receiptdate NOT BETWEEN l_shipdate + 1 AND l_shipdate + 30"));
    assertEquals(0, scalar("SELECT COUNT(*) FROM lineitem WHERE (l_returnflag = 'N') <> (l_receiptdate > "
        + "DATE '1995-06-17') OR (l_linestatus = 'O') <> (l_shipdate > DATE '1995-06-17')"));
    assertEquals(0, scalar("SELECT COUNT(*) FROM lineitem JOIN part ON l_partkey = p_partkey WHERE "
        + "abs(l_extendedprice - l_quantity * p_retailprice) > 1e-6 OR l_quantity NOT BETWEEN 1 AND 50 "
        + "OR l_discount NOT BETWEEN 0 AND 0.1 OR l_tax NOT BETWEEN 0 AND 0.08 "
        + "OR l_extendedprice NOT BETWEEN 900 AND 105000"));
    // a line's supplier is one of the part's four (specification: (p + i * (S/4 + (p-1)/S)) mod S + 1, i in 0..3)
    assertEquals(0, scalar("SELECT COUNT(*) FROM lineitem WHERE l_suppkey NOT IN ("
        + "(l_partkey) % 100 + 1, (l_partkey + 25 + (l_partkey - 1) // 100) % 100 + 1, "
        + "(l_partkey + 2 * (25 + (l_partkey - 1) // 100)) % 100 + 1, "
        + "(l_partkey + 3 * (25 + (l_partkey - 1) // 100)) % 100 + 1)"));
    assertEquals(0, scalar("SELECT COUNT(*) FROM orders JOIN (SELECT l_orderkey, bool_and(l_linestatus = 'F') AS f, "
        + "bool_and(l_linestatus = 'O') AS o, SUM(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS t "
        + "FROM lineitem GROUP BY l_orderkey) ON l_orderkey = o_orderkey WHERE o_orderstatus <> CASE WHEN f THEN 'F' "
        + "WHEN o THEN 'O' ELSE 'P' END OR abs(o_totalprice - t) > 0.006 OR o_totalprice > 800000"));
    // every public value of the YAML occurs, and nothing else
    assertEquals(3, scalar("SELECT COUNT(DISTINCT o_orderstatus) FROM orders"));
    assertEquals(List.of("AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"),
        List.of(((String) row("SELECT string_agg(DISTINCT l_shipmode, ',' ORDER BY l_shipmode) FROM lineitem")
            .get(0)).split(",")));
    assertEquals(5, scalar("SELECT COUNT(DISTINCT c_mktsegment) FROM customer"));
    assertEquals(5, scalar("SELECT COUNT(DISTINCT o_orderpriority) FROM orders"));
    assertEquals(150, scalar("SELECT COUNT(DISTINCT p_type) FROM part"));
    assertTrue(scalar("SELECT COUNT(*) FROM part WHERE p_type LIKE 'PROMO%'") > 250);
    assertEquals(List.of(5L, 25L), List.of(scalar("SELECT COUNT(DISTINCT n_regionkey) FROM nation"),
        scalar("SELECT COUNT(DISTINCT c_nationkey) FROM customer")));
    assertEquals("JAPAN", row("SELECT n_name FROM nation WHERE n_nationkey = 12").get(0));
    assertEquals("ASIA", row("SELECT r_name FROM nation JOIN region ON n_regionkey = r_regionkey "
        + "WHERE n_name = 'JAPAN'").get(0));
  }

  /** The YAML's R = C = 200 lines per customer and G = 7 rest on these facts at SF 0.01 (the bench checks SF 1). */
  @Test
  void noCustomerHasMoreLinesThanTheYamlCap() throws SQLException {
    long most = scalar("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM lineitem JOIN orders ON l_orderkey = o_orderkey "
        + "GROUP BY o_custkey)");
    assertTrue(most >= 30 && most <= 200, "most lines of one customer: " + most);
    assertEquals(1000, scalar("SELECT COUNT(DISTINCT o_custkey) FROM orders"), "the 2/3 of customers who order");
  }

  @Test
  void theSameSeedWritesTheSameFilesAndAnotherSeedOthers() throws Exception {
    TpchGenerator.Written again = TpchGenerator.write(dir.resolve("b"), 0.01, 7L);
    TpchGenerator.Written other = TpchGenerator.write(dir.resolve("c"), 0.01, 8L);
    for (String t : TpchGenerator.TABLES) {
      String same = "SELECT COUNT(*) FROM (SELECT * FROM read_parquet('" + written.file(t) + "') EXCEPT ALL "
          + "SELECT * FROM read_parquet('" + again.file(t) + "'))";
      assertEquals(0, scalar(same), t);
    }
    assertEquals(written.rows().get("customer"), other.rows().get("customer"));
    assertNotEquals(scalar("SELECT SUM(c_acctbal * 100) FROM read_parquet('" + written.file("customer") + "')"),
        scalar("SELECT SUM(c_acctbal * 100) FROM read_parquet('" + other.file("customer") + "')"));
    assertTrue(Files.size(other.file("lineitem")) > 0);
  }
}
