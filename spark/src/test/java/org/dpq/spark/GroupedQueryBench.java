package org.dpq.spark;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.execution.Backend;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.PostgresBackend;
import org.dpq.engine.execution.PostgresTestServer;
import org.dpq.engine.execution.TestTable;
import org.dpq.engine.rewrite.Rewriter;

/**
 * Times one grouped bounded query on 1M rows (200k units, 16 groups, G = 1, R = 2, so the per-unit group limit
 * binds) on DuckDB, PostgreSQL and Spark local[2], against a plain GROUP BY on the same backend. A measurement to
 * run by hand, not a test; it prints wall-clock seconds per run (the first run of each backend included).
 *
 * <p>The command that builds its class path and runs it is in {@code spark/README-section.md}; it needs the JVM
 * flags of {@code spark.java17.opens} in {@code spark/pom.xml}, and DPQ_PG_URL (default: the local server) for the
 * PostgreSQL part.
 */
public final class GroupedQueryBench {
  private static final String QUERY = "SELECT grp, COUNT(*) AS n, SUM(income) AS total, AVG(age) AS mean "
      + "FROM bench GROUP BY grp";

  private GroupedQueryBench() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("dpq-bench");
    Path csv = dir.resolve("bench.csv");
    write(csv, rows);
    TestTable table = new TestTable("bench", csv, List.of("pid integer", "grp text", "age integer",
        "income double precision"), "pid", """
        pid:    { type: int }
        grp:    { type: string }
        age:    { type: int, lower: 0, upper: 100 }
        income: { type: double, lower: 0, upper: 500000 }
        """);
    System.out.printf("rows %d, units %d, groups 16, G=1 R=2, %d runs each; %s%n", rows, rows / 5, runs,
        Files.readString(Path.of("/proc/loadavg")).strip());

    long t = System.nanoTime();
    try (Backend duck = DuckDbBackend.open(table.dataset(table.csvSource(), 1, 2))) {
      System.out.printf("duckdb: open (load CSV) %.2f s%n", seconds(t));
      time("duckdb", duck, table.dataset(table.csvSource(), 1, 2), runs);
    }

    try (PostgresTestServer server = PostgresTestServer.schemaIfAvailable("dpq_bench")) {
      if (server == null) {
        System.out.println("postgresql: no server at DPQ_PG_URL, skipped");
      } else {
        t = System.nanoTime();
        server.loadCsv("bench", table.postgresColumns(), csv);
        server.execute("ANALYZE " + server.schema() + ".bench");
        System.out.printf("postgresql: COPY + ANALYZE %.2f s%n", seconds(t));
        Dataset d = table.dataset(server.sourceYaml("bench"), 1, 2);
        try (Backend pg = PostgresBackend.open(d)) {
          time("postgresql", pg, d, runs);
        }
      }
    }

    t = System.nanoTime();
    // Spark's defaults (code generation on), not the test session's settings for small data.
    var session = org.apache.spark.sql.SparkSession.builder().master("local[2]").appName("dpq-bench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    System.out.printf("spark: session start %.2f s%n", seconds(t));
    String source = "{ spark: { csv: '" + csv + "' } }";
    Dataset d = table.dataset(source, 1, 2);
    t = System.nanoTime();
    try (Backend spark = SparkBackend.open(session, d)) {
      System.out.printf("spark: open (CSV header) %.2f s%n", seconds(t));
      time("spark, CSV re-read per query", spark, d, runs);
    }
    Path parquet = dir.resolve("bench.parquet");
    session.read().option("header", "true").csv(csv.toString())
        .selectExpr("CAST(pid AS INT) AS pid", "grp", "CAST(age AS INT) AS age", "CAST(income AS DOUBLE) AS income")
        .write().parquet(parquet.toString());
    Dataset p = table.dataset("{ spark: { parquet: '" + parquet + "' } }", 1, 2);
    try (Backend spark = SparkBackend.open(session, p)) {
      time("spark, Parquet", spark, p, runs);
    }
    session.stop();
  }

  private static void time(String name, Backend backend, Dataset dataset, int runs) {
    DpPlan plan = new Analyzer().analyze(dataset, QUERY);
    String bounded = new Rewriter().rewrite(plan, backend.dialect(), 42L).sql();
    String plain = "SELECT grp, COUNT(*), SUM(income), AVG(age) FROM " + backend.dialect().quoteIdentifier("bench")
        + " GROUP BY grp";
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      int groups = backend.execute(plain).size();
      double p = seconds(t);
      t = System.nanoTime();
      int bgroups = backend.execute(bounded).size();
      double b = seconds(t);
      System.out.printf("%s run %d: plain GROUP BY %.2f s (%d groups), bounded query %.2f s (%d groups)%n", name,
          i + 1, p, groups, b, bgroups);
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** 1M rows: unit i / 5 in file order shuffled by a fixed permutation, 16 groups, ages, incomes. */
  private static void write(Path csv, int rows) throws Exception {
    try (BufferedWriter w = Files.newBufferedWriter(csv)) {
      w.write("pid,grp,age,income\n");
      long z = 12345;
      for (int i = 0; i < rows; i++) {
        z = z * 6364136223846793005L + 1442695040888963407L;
        long r = z >>> 17;
        int pid = (int) Long.remainderUnsigned(r, rows / 5);
        w.write(pid + ",g" + (r >>> 20) % 16 + "," + (r >>> 30) % 100 + "," + (r >>> 8) % 200_000 + "\n");
      }
    }
  }
}
