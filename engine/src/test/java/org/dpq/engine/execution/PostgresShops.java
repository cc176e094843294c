package org.dpq.engine.execution;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dpq.engine.execution.BackendEquivalenceContract.ShopTarget;
import org.dpq.engine.joins.ShopData;

/** The shop of several tables ({@link ShopData}) on PostgreSQL, for the cross-backend contracts. Test-only. */
public final class PostgresShops {
  private PostgresShops() {}

  /**
   * The shop whose CSV files are in {@code dir}, loaded into tables {@code shop_<label>_<table>} of {@code server}'s
   * schema, and the PostgreSQL backend opened over them.
   */
  public static ShopTarget open(PostgresTestServer server, Path dir, String label) throws Exception {
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.JOINT_TABLES) {
      String name = "shop_" + label + "_" + table;
      server.loadCsv(name, ShopData.SQL_COLUMNS.get(table), dir.resolve(table + ".csv"));
      sources.put(table, server.sourceYaml(name));
    }
    ShopTarget t = new ShopTarget("postgresql", null, Map.copyOf(sources));
    return new ShopTarget("postgresql", PostgresBackend.open(t.dataset(1, 1)), t.sources());
  }
}
