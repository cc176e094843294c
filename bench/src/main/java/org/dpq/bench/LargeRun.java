package org.dpq.bench;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;

/**
 * One large run (issue 7's 100M rows from Parquet): loads the file into the embedded backend once, then times a
 * few grouped DP queries through the public API (each a cold first run and a second run), and reports the
 * process's peak resident memory. Then, in the same JVM after the DP handle is closed, the same non-private
 * queries on a plain DuckDB table loaded from the same file.
 *
 * <p>Usage: {@code LargeRun [--rows N] [--dir DIR] [--unit pid|row] [--memory-mb MB]} ({@code --memory-mb}: the
 * dataset's {@code limits.memory_mb}, DuckDB's cap; without it, half of the machine's memory)
 */
public final class LargeRun {
  private LargeRun() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = QueryBench.options(args);
    long rows = Long.parseLong(opt.getOrDefault("rows", "100000000"));
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-large").toString()));
    String unit = opt.getOrDefault("unit", "pid");
    Files.createDirectories(dir);
    Path parquet = dir.resolve("data-" + rows + "-50.parquet");
    if (!Files.exists(parquet)) {
      long t = System.nanoTime();
      QueryBench.generate(parquet, rows, 50, 5);
      System.out.printf(Locale.ROOT, "generated %,d rows in %.1f s (%,d MB)%n", rows, secondsSince(t),
          Files.size(parquet) >> 20);
    }
    boolean rowUnit = unit.equals("row");
    Path yaml = QueryBench.yaml(dir, "large-" + unit, parquet, unit, rowUnit ? 1 : 2, rowUnit ? 1 : 5, 50);
    if (opt.containsKey("memory-mb")) {
      // DuckDB's memory_limit (limits.memory_mb): beyond it, loading and queries spill to disk
      long memoryMb = Long.parseLong(opt.get("memory-mb"));
      Files.writeString(yaml, Files.readString(yaml).replace("columns:\n",
          "limits: { memory_mb: " + memoryMb + " }\ncolumns:\n"));
      System.out.printf(Locale.ROOT, "DuckDB memory_limit %,d MB%n", memoryMb);
    }
    List<String> queries = List.of("SELECT grp, COUNT(*) AS n FROM t GROUP BY grp",
        "SELECT grp, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY grp",
        "SELECT region, COUNT(*) AS n FROM t GROUP BY region");
    System.out.printf(Locale.ROOT, "%,d rows, privacy unit %s, %d cores, max heap %,d MB%n", rows, unit,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    try (Dpq dpq = Dpq.open(yaml)) {
      long t = System.nanoTime();
      dpq.explain(queries.get(0), QueryOptions.defaults()); // opens the backend: the one load of the file
      System.out.printf(Locale.ROOT, "load into the embedded backend: %.1f s, peak RSS so far %,d MB%n",
          secondsSince(t), peakRssMb());
      int n = 0;
      for (String q : queries) {
        for (String run : List.of("first", "second")) {
          QueryOptions options = QueryOptions.defaults()
              .withEpsilon(new BigDecimal("0.1").add(BigDecimal.valueOf(++n, 9))).withDelta("1e-8");
          long q0 = System.nanoTime();
          int released = dpq.query(q, options).rows().size();
          System.out.printf(Locale.ROOT, "DP %-6s %-70s %6.2f s  (%d groups released)%n", run, q, secondsSince(q0),
              released);
        }
      }
      System.out.printf(Locale.ROOT, "peak RSS after the DP queries: %,d MB%n", peakRssMb());
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      long t = System.nanoTime();
      s.execute("CREATE TABLE t AS SELECT * FROM read_parquet('" + parquet + "')");
      System.out.printf(Locale.ROOT, "plain table load: %.1f s%n", secondsSince(t));
      for (String q : queries) {
        for (String run : List.of("first", "second")) {
          long q0 = System.nanoTime();
          try (ResultSet r = s.executeQuery(q)) {
            while (r.next()) {
              r.getObject(1);
            }
          }
          System.out.printf(Locale.ROOT, "plain %-3s %-70s %6.2f s%n", run, q, secondsSince(q0));
        }
      }
    }
    System.out.printf(Locale.ROOT, "peak RSS of the process: %,d MB%n", peakRssMb());
  }

  /** VmHWM of this process from /proc (Linux), -1 elsewhere. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

}
