package org.dpq.engine.execution;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpq.testing.RequiresPostgres;

/**
 * The cross-backend contract, both halves, on DuckDB and PostgreSQL (the Spark module runs it on all three, in two
 * test classes).
 */
@RequiresPostgres
class PostgresEquivalenceTest extends BackendEquivalenceContract
    implements TableEquivalenceCases, NeighbourEquivalenceCases {
  private PostgresTestServer server;

  @Override
  protected List<Target> open(TestTable table, Path work) throws Exception {
    if (server == null) {
      server = PostgresTestServer.schema("dpq_equiv");
    }
    String tableName = table.name() + "_" + table.csv().getFileName().toString().replaceAll("\\W", "_").toLowerCase();
    server.loadCsv(tableName, table.postgresColumns(), table.csv());
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("duckdb", DuckDbBackend.open(table.dataset(table.csvSource(), 1, 1)), table.csvSource()));
    String source = server.sourceYaml(tableName);
    targets.add(new Target("postgresql", PostgresBackend.open(table.dataset(source, 1, 1)), source));
    return targets;
  }

  @Override
  protected List<ShopTarget> openShop(Path dir, String label) throws Exception {
    if (server == null) {
      server = PostgresTestServer.schema("dpq_equiv");
    }
    return List.of(duckdbShop(dir), PostgresShops.open(server, dir, label));
  }

  @Override
  protected void cleanUp() {
    if (server != null) {
      server.close();
    }
  }
}
