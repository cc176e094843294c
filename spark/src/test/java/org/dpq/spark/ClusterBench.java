package org.dpq.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryResult;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.rewrite.Rewriter;

/**
 * Times dpq against the same non-private Spark SQL on a loopback standalone cluster ({@link LoopbackCluster}): a
 * person-unit grouped COUNT/SUM/AVG over seeded rows in Parquet (written once by the cluster itself under
 * {@code /tmp/dpq-bench-cluster}, never committed). Per run it prints the plain GROUP BY, the bounded query alone
 * and the whole {@code Dpq.query} (analysis, ledger charge, bounded query, noise). A measurement run by
 * {@code bench/spark-cluster.sh}, not a test.
 *
 * <p>Arguments: rows (default 10M), runs (3), workers (2), cores per worker (1), worker memory ("2g").
 */
public final class ClusterBench {
  private static final String PLAIN = "SELECT grp, COUNT(*) AS n, SUM(income) AS total, AVG(age) AS mean "
      + "FROM bench GROUP BY grp";

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int cores = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    String memory = args.length > 4 ? args[4] : "2g";
    Path dir = Files.createDirectories(Path.of("/tmp/dpq-bench-cluster"));
    long t = System.nanoTime();
    try (LoopbackCluster cluster = LoopbackCluster.start(new LoopbackCluster.Shape(workers, cores, memory, "256m"),
        300)) {
      System.out.printf("cluster: master + %d workers (%d core(s), %s each) up in %.1f s; load %s%n", workers, cores,
          memory, seconds(t), load());
      cluster.driverSettings(memory).forEach(System::setProperty);
      System.setProperty("spark.sql.shuffle.partitions", String.valueOf(Math.max(2, 2 * workers * cores)));
      t = System.nanoTime();
      SparkSession session = SparkSessions.forMaster(Optional.of(cluster.masterUrl()));
      System.out.printf("driver: session on %s in %.1f s%n", cluster.masterUrl(), seconds(t));
      Path parquet = dir.resolve("rows-" + rows + ".parquet");
      if (!Files.isDirectory(parquet)) {
        t = System.nanoTime();
        // seeded: every column is a hash of the row number and a fixed seed; 5 rows per unit on average
        session.range(0, rows, 1, (int) Math.max(4, rows / 2_000_000)).selectExpr(
            "CAST(pmod(xxhash64(id, 20241206), " + Math.max(1, rows / 5) + ") AS INT) AS pid",
            "concat('g', CAST(pmod(xxhash64(id, 1), 16) AS STRING)) AS grp",
            "CAST(pmod(xxhash64(id, 2), 100) AS INT) AS age",
            "CAST(pmod(xxhash64(id, 3), 200000) AS DOUBLE) AS income")
            .write().parquet(parquet.toString());
        System.out.printf("data: %d rows written to %s in %.1f s%n", rows, parquet, seconds(t));
      } else {
        System.out.printf("data: reusing %s%n", parquet);
      }
      // a fresh folder per run: its own ledger, no stored answers from an earlier run
      Path yaml = Files.createTempDirectory(dir, "run-").resolve("bench.yaml");
      Files.writeString(yaml, """
          name: bench
          table: bench
          source: { spark: { parquet: '%s', master: '%s' } }
          privacy_unit: pid
          max_groups_contributed: 1
          max_rows_per_group: 2
          budget: { epsilon: 1000, delta: 1.0e-3 }
          defaults: { epsilon: 1.0, delta: 1.0e-7 }
          columns:
            pid:    { type: int }
            grp:    { type: string, public_values: [%s] }
            age:    { type: int, lower: 0, upper: 100 }
            income: { type: double, lower: 0, upper: 500000 }
          """.formatted(parquet, cluster.masterUrl(), String.join(", ",
          java.util.stream.IntStream.range(0, 16).mapToObj(i -> "\"g" + i + "\"").toList())));
      Dataset dataset = DatasetLoader.load(yaml);
      DpPlan plan = new Analyzer().analyze(dataset, PLAIN);
      try (Backend backend = SparkBackend.open(dataset); Dpq dpq = Dpq.open(yaml)) {
        String bounded = new Rewriter().rewrite(plan, backend.dialect(), 42L).sql();
        for (int i = 1; i <= runs; i++) {
          // each figure is printed as soon as it is measured, so a run stopped part-way still leaves its figures
          t = System.nanoTime();
          List<Object[]> plain = backend.execute(PLAIN);
          double p = seconds(t);
          System.out.printf("run %d: plain Spark SQL %.2f s (%d groups); load %s%n", i, p, plain.size(), load());
          t = System.nanoTime();
          List<Object[]> b = backend.execute(bounded);
          double bq = seconds(t);
          System.out.printf("run %d: bounded query %.2f s (%d groups), ratio bounded/plain %.2f; load %s%n", i, bq,
              b.size(), bq / p, load());
          t = System.nanoTime();
          // a new epsilon per run: a repeated identical query would get its stored answer without running
          QueryResult released = dpq.query(PLAIN,
              org.dpq.engine.QueryOptions.defaults().withEpsilon("1." + i));
          double d = seconds(t);
          System.out.printf("run %d: dpq query %.2f s (%d groups), ratio dpq/plain %.2f; load %s%n", i, d,
              released.rows().size(), d / p, load());
        }
      }
      session.stop();
    }
  }

  private static String load() throws java.io.IOException {
    return Files.readString(Path.of("/proc/loadavg")).strip();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
