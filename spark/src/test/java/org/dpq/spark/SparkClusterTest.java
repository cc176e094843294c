package org.dpq.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.dpq.engine.Dpq;
import org.dpq.engine.PumsFiles;
import org.dpq.engine.QueryResult;
import org.dpq.engine.TestSeams;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.BoundedRows;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.GeneratedTable;
import org.dpq.engine.execution.TestTable;
import org.dpq.engine.rewrite.Rewriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * dpq on a real Spark standalone cluster: a master and two workers on loopback ({@link LoopbackCluster}), datasets
 * whose source names the master ({@code spark: { csv: ..., master: spark://127.0.0.1:<port> }}), so the bounded
 * queries run on the workers' executors, reading the files themselves. One case per shape family of the
 * cross-backend contract (which runs in full on local Spark in {@link SparkEquivalenceTest} and
 * {@link SparkEquivalenceNeighboursTest}) must give DuckDB's bounded rows; one query through the engine with zero
 * noise must release what DuckDB releases, groups chosen by partition selection included. One cluster for the whole class: it runs in its own surefire execution and JVM
 * (a JVM has one Spark context, and the other suites use local mode).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkClusterTest {
  private static final long SECRET = 0x5eed_d00d_cafeL;
  private static final TestTable PUMS_DUP = TestTable.pums("PUMS_dup.csv");
  private static final TestTable PUMS_NULL = TestTable.pums("PUMS_null.csv");

  private LoopbackCluster cluster;
  private GeneratedTable generated;
  private final List<Backend> opened = new ArrayList<>();

  @BeforeAll
  void startCluster(@TempDir Path work) throws Exception {
    cluster = LoopbackCluster.start(LoopbackCluster.Shape.small(), 180);
    // What a deployment sets in spark-defaults.conf or as -Dspark.* (see the README): read by SparkSessions.
    cluster.driverSettings("512m").forEach(System::setProperty);
    // small test tables (as LocalSpark): one shuffle partition per executor, and interpreting beats compiling
    // generated code for every query
    System.setProperty("spark.sql.shuffle.partitions", "2");
    System.setProperty("spark.sql.codegen.wholeStage", "false");
    System.setProperty("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    // short-lived executors over small tables: the quick compiler only (Spark adds its module options itself)
    System.setProperty("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    generated = GeneratedTable.write(work.resolve("generated"), 20240521L, 20_000);
    SparkSession session = SparkSessions.forMaster(Optional.of(cluster.masterUrl()));
    awaitExecutors(session, cluster.shape().workers(), 120);
  }

  /** Waits until each worker runs an executor for this application (the driver counts as one more). */
  private static void awaitExecutors(SparkSession session, int executors, long timeoutSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (session.sparkContext().statusTracker().getExecutorInfos().length < executors + 1) {
      assertTrue(System.nanoTime() < deadline, "executors did not register within " + timeoutSeconds + " s");
      Thread.sleep(200);
    }
  }

  @AfterAll
  void stopCluster() {
    if (cluster == null) {
      return;
    }
    try {
      opened.forEach(Backend::close);
      SparkSessions.forMaster(Optional.of(cluster.masterUrl())).stop();
    } finally {
      cluster.close();
      cluster.driverSettings("512m").keySet().forEach(System::clearProperty);
      List.of("spark.sql.shuffle.partitions", "spark.sql.codegen.wholeStage", "spark.sql.codegen.factoryMode",
          "spark.executor.extraJavaOptions")
          .forEach(System::clearProperty);
    }
  }

  private String sparkSource(Path csv) {
    return "{ spark: { csv: '" + csv.toAbsolutePath().toString().replace("'", "''") + "', master: '"
        + cluster.masterUrl() + "' } }";
  }

  /** DuckDB over the CSV, then Spark on the cluster over the same CSV. */
  private List<Backend> backends(TestTable table) {
    Backend duck = DuckDbBackend.open(table.dataset(table.csvSource(), 1, 1));
    opened.add(duck);
    Backend spark = SparkBackend.open(table.dataset(sparkSource(table.csv()), 1, 1));
    opened.add(spark);
    return List.of(duck, spark);
  }

  private void assertSameBoundedRows(TestTable table, List<Backend> backends, int groups, int rows, String sql) {
    BoundedRows duck = BoundedRows.run(backends.get(0), table.dataset(table.csvSource(), groups, rows), sql, SECRET);
    BoundedRows spark = BoundedRows.run(backends.get(1), table.dataset(sparkSource(table.csv()), groups, rows), sql,
        SECRET);
    assertFalse(duck.rows().isEmpty(), "DuckDB returned no group for " + sql);
    duck.assertSameAs(spark, table.csv().getFileName() + ", DuckDB vs Spark cluster, G=" + groups + " R=" + rows
        + ": " + sql);
  }

  @Test
  void theQueriesRunOnTheClustersExecutors() {
    SparkSession session = SparkSessions.forMaster(Optional.of(cluster.masterUrl()));
    assertEquals(cluster.masterUrl(), session.sparkContext().master());
    // the driver plus one executor per worker, each in its own JVM on loopback
    assertEquals(cluster.shape().workers() + 1, session.sparkContext().statusTracker().getExecutorInfos().length);
    for (var executor : session.sparkContext().statusTracker().getExecutorInfos()) {
      assertEquals("127.0.0.1", executor.host(), "every executor binds to loopback");
    }
  }

  @Test
  void oneCaseOfEachShapeGivesDuckDbsBoundedRows() {
    List<Backend> dup = backends(PUMS_DUP);
    // count
    assertSameBoundedRows(PUMS_DUP, dup, 1, 2, "SELECT COUNT(*) AS n FROM pums");
    // grouped SUM, AVG, VAR_POP over a public domain
    assertSameBoundedRows(PUMS_DUP, dup, 1, 2, "SELECT sex, COUNT(*) AS n, SUM(income) AS s, AVG(age) AS a, "
        + "VAR_POP(income) AS v FROM pums GROUP BY sex");
    // (groups without a public domain, released through partition selection: the engine test below)
    // WHERE, over NULL units, keys and values (G = 50 keeps every group of the NULL unit)
    List<Backend> nulls = backends(PUMS_NULL);
    assertSameBoundedRows(PUMS_NULL, nulls, 50, 1, "SELECT educ, sex, COUNT(*) AS n, STDDEV(income) AS sd "
        + "FROM pums WHERE age BETWEEN 20 AND 60 AND married = '1' GROUP BY educ, sex");
    List<Backend> gen = backends(generated.table());
    // COUNT(DISTINCT), with FILTER, over NaN, infinities and NULLs
    assertSameBoundedRows(generated.table(), gen, 100, 50, "SELECT grp, COUNT(DISTINCT x) AS dx, "
        + "COUNT(DISTINCT MOD(n, 5)) AS dn, COUNT(DISTINCT kind) FILTER (WHERE flag) AS dk, SUM(x) AS s "
        + "FROM gen GROUP BY grp");
    // expressions, CASE and FILTER inside aggregates
    assertSameBoundedRows(generated.table(), gen, 100, 2, "SELECT kind, SUM(x * (1 - n / 20.0)) AS s, "
        + "AVG(x + n) AS a, COUNT(CASE WHEN n > 3 THEN 1 END) AS c, SUM(x) FILTER (WHERE flag) AS f, "
        + "SUM(ABS(n - 2)) AS b FROM gen GROUP BY kind");
  }

  @Test
  void quantileTreeLeavesAreDuckDbsLeaves() {
    TestTable table = generated.table();
    List<Backend> gen = backends(table);
    String sql = "SELECT grp, MEDIAN(x) AS m, MAX(n) AS hi FROM gen GROUP BY grp";
    List<List<Map<List<Object>, Long>>> trees = new ArrayList<>();
    for (int b = 0; b < 2; b++) {
      String source = b == 0 ? table.csvSource() : sparkSource(table.csv());
      DpPlan plan = new Analyzer().analyze(table.dataset(source, 100, 3), sql);
      List<Map<List<Object>, Long>> perMeasurement = new ArrayList<>();
      for (int i = 0; i < plan.measurements().size(); i++) {
        if (plan.measurements().get(i).kind() != MeasurementKind.QUANTILE_TREE) {
          continue;
        }
        Map<List<Object>, Long> leaves = new HashMap<>();
        for (Object[] row : gen.get(b).execute(new Rewriter().treeQuery(plan, i, gen.get(b).dialect(), SECRET)
            .sql())) {
          leaves.put(new ArrayList<>(Arrays.asList(row).subList(0, row.length - 1)), (Long) row[row.length - 1]);
        }
        assertFalse(leaves.isEmpty(), "no leaf for measurement " + i);
        perMeasurement.add(leaves);
      }
      assertEquals(2, perMeasurement.size(), "MEDIAN and MAX are both quantile trees");
      trees.add(perMeasurement);
    }
    assertEquals(trees.get(0), trees.get(1), "DuckDB vs Spark cluster: " + sql);
  }

  @Test
  void theEngineReleasesWhatDuckDbReleasesWithZeroNoise(@TempDir Path dir) throws Exception {
    String yaml = Files.readString(PumsFiles.pumsYaml(dir.resolve("duck"), "PUMS_dup.csv", "pid", 1, 2, "50"));
    Path onCluster = Files.createDirectories(dir.resolve("cluster")).resolve("pums.yaml");
    Files.writeString(onCluster, yaml.replaceFirst("source: \\{ csv: \"([^\"]*)\" }",
        "source: { spark: { csv: \"$1\", master: \"" + cluster.masterUrl() + "\" } }"));
    assertTrue(Files.readString(onCluster).contains(cluster.masterUrl()), "the dataset names the cluster");
    // educ has no public domain: its groups are released through partition selection
    String sql = "SELECT educ, COUNT(*) AS n, SUM(income) AS total, AVG(age) AS mean FROM pums GROUP BY educ";
    try (Dpq duck = TestSeams.openWithoutNoise(dir.resolve("duck/pums.yaml"));
        Dpq sp = TestSeams.openWithoutNoise(onCluster)) {
      QueryResult a = duck.query(sql);
      QueryResult b = sp.query(sql);
      assertTrue(a.rows().size() > 1, "several groups pass partition selection");
      assertEquals(a.rows().size(), b.rows().size(), "groups released");
      Map<Object, List<Object>> duckRows = new HashMap<>();
      for (int row = 0; row < a.rows().size(); row++) {
        duckRows.put(a.value(row, "educ"), List.of(a.value(row, "n"), a.value(row, "total"), a.value(row, "mean")));
      }
      for (int row = 0; row < b.rows().size(); row++) {
        assertEquals(duckRows.get(b.value(row, "educ")),
            List.of(b.value(row, "n"), b.value(row, "total"), b.value(row, "mean")), "group " + b.value(row, "educ"));
      }
    }
  }
}
