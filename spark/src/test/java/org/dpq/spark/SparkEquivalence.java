package org.dpq.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dpq.engine.joins.ShopData;
import org.dpq.engine.execution.BackendEquivalenceContract;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.PostgresBackend;
import org.dpq.engine.execution.PostgresShops;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.engine.execution.TestTable;

/**
 * The cross-backend contract on DuckDB, PostgreSQL and Spark (local mode, files read by Spark). PostgreSQL joins
 * when a server is reachable, and must be when DPQ_EXPECT_POSTGRES=1. Its two halves run in
 * {@link SparkEquivalenceTest} and {@link SparkEquivalenceNeighboursTest}, each with its own PostgreSQL schema and
 * backends (over the one local Spark session of its JVM).
 */
abstract class SparkEquivalence extends BackendEquivalenceContract {
  private PostgresTestServer server;
  private boolean serverChecked;

  @Override
  protected List<Target> open(TestTable table, Path work) throws Exception {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("duckdb", DuckDbBackend.open(table.dataset(table.csvSource(), 1, 1)), table.csvSource()));
    PostgresTestServer server = server();
    if (server != null) {
      String name = table.name() + "_" + table.csv().getFileName().toString().replaceAll("\\W", "_").toLowerCase();
      server.loadCsv(name, table.postgresColumns(), table.csv());
      String source = server.sourceYaml(name);
      targets.add(new Target("postgresql", PostgresBackend.open(table.dataset(source, 1, 1)), source));
    }
    String spark = "{ spark: { csv: '" + table.csv().toAbsolutePath().toString().replace("'", "''") + "' } }";
    targets.add(new Target("spark", SparkBackend.open(LocalSpark.session(), table.dataset(spark, 1, 1)), spark));
    return targets;
  }

  @Override
  protected List<ShopTarget> openShop(Path dir, String label) throws Exception {
    List<ShopTarget> targets = new ArrayList<>();
    targets.add(duckdbShop(dir));
    PostgresTestServer server = server();
    if (server != null) {
      targets.add(PostgresShops.open(server, dir, label));
    }
    Map<String, String> sources = new HashMap<>();
    for (String table : ShopData.JOINT_TABLES) {
      sources.put(table, "{ spark: { csv: '" + dir.resolve(table + ".csv").toAbsolutePath().toString()
          .replace("'", "''") + "' } }");
    }
    ShopTarget spark = new ShopTarget("spark", null, Map.copyOf(sources));
    targets.add(new ShopTarget("spark", SparkBackend.open(LocalSpark.session(), spark.dataset(1, 1)),
        spark.sources()));
    return targets;
  }

  /** This class's PostgreSQL schema, looked for once; null when no server is reachable (and none is expected). */
  private PostgresTestServer server() {
    if (!serverChecked) {
      server = PostgresTestServer.schemaIfAvailable("dpq_spark_equiv");
      serverChecked = true;
    }
    return server;
  }

  @Override
  protected void cleanUp() {
    if (server != null) {
      server.close();
    }
  }
}
