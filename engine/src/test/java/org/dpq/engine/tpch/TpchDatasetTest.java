package org.dpq.engine.tpch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.dpq.engine.catalog.ColumnRef;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.catalog.TableSpec;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tpch.yaml with the generated SF 0.01 files: the customer is the unit, orders reach it through o_custkey and lineitem
 * through l_orderkey, the four dimension tables are public on their keys (DuckDB refuses to open a public table
 * whose key repeats, so opening checks the generator's keys), and every table is loaded with every row.
 */
class TpchDatasetTest {
  @TempDir
  static Path dir;

  @Test
  void theYamlDeclaresTheCustomerAsTheUnitAndDuckDbLoadsEveryTable() {
    Path yaml = TpchGenerator.writeWithYaml(dir, 0.01, 19920101L);
    Dataset d = DatasetLoader.load(yaml);
    assertEquals(List.of("customer", "flag_status", "lineitem", "nation", "orders", "part", "region", "supplier"),
        d.allTables().stream().map(TableSpec::name).sorted().toList());
    assertEquals(new TableSpec.Link.Unit(), d.tableSpec("customer").orElseThrow().link());
    assertEquals(new TableSpec.Link.Private("o_custkey", new ColumnRef("customer", "c_custkey")),
        d.tableSpec("orders").orElseThrow().link());
    assertEquals(new TableSpec.Link.Private("l_orderkey", new ColumnRef("orders", "o_orderkey")),
        d.tableSpec("lineitem").orElseThrow().link());
    assertEquals(new TableSpec.Link.Public("fs_key"), d.tableSpec("flag_status").orElseThrow().link());
    assertEquals(List.of(new org.dpq.engine.catalog.KeyDomain("flag_status", List.of("l_returnflag", "l_linestatus"),
        List.of("fs_returnflag", "fs_linestatus"))), d.tableSpec("lineitem").orElseThrow().keyDomains());
    for (String[] pub : new String[][] {{"nation", "n_nationkey"}, {"region", "r_regionkey"},
        {"supplier", "s_suppkey"}, {"part", "p_partkey"}}) {
      assertEquals(new TableSpec.Link.Public(pub[1]), d.tableSpec(pub[0]).orElseThrow().link());
    }
    assertEquals(7, d.maxGroupsContributed());
    TpchGenerator.Written w = new TpchGenerator.Written(dir, 0.01, 19920101L, java.util.Map.of());
    try (Backend b = Backends.open(d)) {
      for (String t : TpchGenerator.TABLES) {
        long expected;
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement();
            var rs = s.executeQuery("SELECT COUNT(*) FROM read_parquet('" + w.file(t) + "')")) {
          rs.next();
          expected = rs.getLong(1);
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
        assertEquals(expected, ((Number) b.execute("SELECT COUNT(*) FROM " + t).get(0)[0]).longValue(), t);
      }
      b.dryRun("SELECT COUNT(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey JOIN customer "
          + "ON o_custkey = c_custkey JOIN nation ON c_nationkey = n_nationkey");
    }
  }
}
