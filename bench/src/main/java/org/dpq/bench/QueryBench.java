package org.dpq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.rewrite.GroupLimit;
import org.dpq.engine.rewrite.Rewriter;

/**
 * Whole-query benchmark: the DP query through the public API (analysis, rewrite, ledger charge, execution,
 * noise, release) against its bounded SQL alone (in both group-limit orders), the same SQL without DP, and the
 * non-private per-person pre-aggregation (with its sums totalled per key), on the same seeded data in DuckDB,
 * interleaved in one JVM after warm-up. Prints medians, min and max of wall time, and the minimum process CPU
 * time (steadier than wall time on a loaded machine).
 *
 * <p>Usage: {@code QueryBench [--rows N] [--groups G] [--rows-per-person K] [--reps R] [--dir DIR]}
 */
public final class QueryBench {
  private QueryBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    long rows = Long.parseLong(opt.getOrDefault("rows", "1000000"));
    int groups = Integer.parseInt(opt.getOrDefault("groups", "50"));
    int perPerson = Integer.parseInt(opt.getOrDefault("rows-per-person", "5"));
    int reps = Integer.parseInt(opt.getOrDefault("reps", "7"));
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-bench").toString()));
    Files.createDirectories(dir);
    Path parquet = dir.resolve("data-" + rows + "-" + groups + ".parquet");
    if (!Files.exists(parquet)) {
      long t = System.nanoTime();
      generate(parquet, rows, groups, perPerson);
      System.out.printf(Locale.ROOT, "generated %,d rows in %.1f s -> %s%n", rows, (System.nanoTime() - t) / 1e9,
          parquet);
    }
    Path personYaml = yaml(dir, "person", parquet, "pid", 2, perPerson, groups);
    Path rowYaml = yaml(dir, "rowunit", parquet, "row", 1, 1, groups);

    try (Connection plain = DriverManager.getConnection("jdbc:duckdb:");
        Dpq person = Dpq.open(personYaml);
        Dpq rowUnit = Dpq.open(rowYaml)) {
      try (Statement s = plain.createStatement()) {
        s.execute("CREATE TABLE t AS SELECT * FROM read_parquet('" + parquet + "')");
        // As DuckDbBackend does, so that "DP SQL" runs the bounded query as the backend runs it (it changes
        // nothing for queries without a window).
        s.execute("SET disabled_optimizers = 'top_n_window_elimination'");
      }
      List<Case> cases = List.of(
          new Case("grouped COUNT, person unit", person, "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp",
              "grp", "COUNT(*)"),
          new Case("grouped SUM+AVG, person unit", person,
              "SELECT grp, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY grp", "grp",
              "COUNT(amount), SUM(amount)"),
          new Case("thresholded groups (no public domain), person unit", person,
              "SELECT region, COUNT(*) AS n FROM t GROUP BY region", "region", "COUNT(*)"),
          new Case("filter + public groups, person unit", person,
              "SELECT grp, COUNT(*) AS n FROM t WHERE amount > 50 GROUP BY grp", "grp", "COUNT(*)"),
          new Case("grouped COUNT, row unit", rowUnit, "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp", null, null),
          new Case("grouped SUM+AVG, row unit", rowUnit,
              "SELECT grp, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY grp", null, null));
      System.out.printf(Locale.ROOT, "%n%,d rows, %d groups, ~%d rows per person, %d reps, interleaved%n", rows,
          groups, perPerson, reps);
      System.out.println("wall seconds: median [min-max]; ratios: of medians (of minimums)");
      System.out.println("  DP      = the whole query through the public API (plan, ledger charge, DuckDB, noise, release)");
      System.out.println("  agg-1st = the bounded SQL alone, groups limited aggregate-first, on the plain connection");
      System.out.println("  rank-1st = the same, groups limited rank-first (Dpq probes the data and runs the cheaper)");
      System.out.println("  pre-agg = the non-private per-person pre-aggregation (GROUP BY pid, key with the same sums),");
      System.out.println("            its sums totalled per key");
      String head = "%-52s %-21s %-21s %-21s %-21s %-21s %-13s %-13s%n";
      System.out.printf(Locale.ROOT, head, "query", "DP", "agg-1st SQL", "rank-1st SQL", "plain SQL", "pre-agg",
          "DP/plain", "DP/pre-agg");
      List<String> cpuLines = new ArrayList<>();
      int[] counter = {0};
      for (Case c : cases) {
        // A distinct epsilon per run, so that no run is answered from the ledger's stored answers.
        Runnable dp = () -> c.dpq().query(c.sql(), QueryOptions.defaults()
            .withEpsilon(new java.math.BigDecimal("0.1").add(java.math.BigDecimal.valueOf(++counter[0], 9)))
            .withDelta("1e-8"));
        DpPlan plan = new Analyzer().analyze(c.dpq().dataset(), c.sql());
        String aggregateFirst = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 42L).sql();
        String rankFirst = new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 42L, GroupLimit.RANK_FIRST).sql();
        List<Runnable> runs = new ArrayList<>(List.of(dp, () -> run(plain, aggregateFirst),
            () -> run(plain, rankFirst), () -> run(plain, c.sql())));
        if (c.key() != null) {
          String where = c.sql().contains(" WHERE ")
              ? c.sql().substring(c.sql().indexOf(" WHERE "), c.sql().indexOf(" GROUP BY ")) : "";
          String[] sums = c.sums().split(",");
          List<String> named = new ArrayList<>();
          List<String> totals = new ArrayList<>();
          for (int i = 0; i < sums.length; i++) {
            named.add(sums[i].strip() + " AS s" + i);
            totals.add("SUM(s" + i + ")");
          }
          String withTotals = "SELECT " + c.key() + ", " + String.join(", ", totals) + " FROM (SELECT pid, " + c.key()
              + ", " + String.join(", ", named) + " FROM t" + where + " GROUP BY pid, " + c.key() + ") x GROUP BY "
              + c.key();
          runs.add(() -> run(plain, withTotals));
        }
        for (Runnable r : runs) {
          r.run(); // warm-up
        }
        double[][] wall = new double[runs.size()][reps];
        double[][] cpu = new double[runs.size()][reps];
        for (int r = 0; r < reps; r++) {
          for (int i = 0; i < runs.size(); i++) {
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            runs.get(i).run();
            wall[i][r] = (System.nanoTime() - t0) / 1e9;
            cpu[i][r] = (cpuNanos() - c0) / 1e9;
          }
        }
        String[] cells = new String[5];
        String[] cpuCells = new String[5];
        for (int i = 0; i < 5; i++) {
          cells[i] = i < runs.size() ? stats(wall[i]) : "-";
          cpuCells[i] = i < runs.size() ? String.format(Locale.ROOT, "%.2f", min(cpu[i])) : "-";
        }
        System.out.printf(Locale.ROOT, head, c.name(), cells[0], cells[1], cells[2], cells[3], cells[4],
            ratio(wall[0], wall[3]), runs.size() > 4 ? ratio(wall[0], wall[4]) : "-");
        cpuLines.add(String.format(Locale.ROOT, "%-52s %-9s %-9s %-9s %-9s %-9s", c.name(), cpuCells[0], cpuCells[1],
            cpuCells[2], cpuCells[3], cpuCells[4]));
      }
      System.out.println("\nprocess CPU seconds, minimum over the reps (less sensitive to other load than wall time)");
      System.out.printf(Locale.ROOT, "%-52s %-9s %-9s %-9s %-9s %-9s%n", "query", "DP", "agg-1st", "rank-1st",
          "plain", "pre-agg");
      cpuLines.forEach(System.out::println);
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double min(double[] xs) {
    return Arrays.stream(xs).min().orElse(Double.NaN);
  }

  private static String ratio(double[] a, double[] b) {
    return String.format(Locale.ROOT, "%.2f (%.2f)", median(a) / median(b), min(a) / min(b));
  }

  /**
   * One benchmarked query; for a person unit, {@code key} and {@code sums} give the non-private per-person
   * pre-aggregation ({@code GROUP BY pid, key} with the same sums), null for row units.
   */
  record Case(String name, Dpq dpq, String sql, String key, String sums) {}

  private static void run(Connection c, String sql) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rs.getObject(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String stats(double[] xs) {
    double min = Arrays.stream(xs).min().orElse(Double.NaN);
    double max = Arrays.stream(xs).max().orElse(Double.NaN);
    return String.format(Locale.ROOT, "%.3f [%.3f-%.3f]", median(xs), min, max);
  }

  /** Seeded synthetic data: ~rows/perPerson people, each row in a random group, amounts 0..100. */
  static void generate(Path parquet, long rows, int groups, int perPerson) throws SQLException {
    long people = Math.max(1, rows / perPerson);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT CAST(hash(i, 1) % " + people + " AS BIGINT) AS pid, "
          + "'g' || CAST(hash(i, 2) % " + groups + " AS VARCHAR) AS grp, "
          + "'r' || CAST(hash(CAST(hash(i, 1) % " + people + " AS BIGINT), 3) % 500 AS VARCHAR) AS region, "
          + "CAST(hash(i, 4) % 10000 AS DOUBLE) / 100.0 AS amount "
          + "FROM range(" + rows + ") r(i)) TO '" + parquet + "' (FORMAT parquet)");
    }
  }

  static Path yaml(Path dir, String name, Path parquet, String unit, int g, int r, int groups)
      throws IOException {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < groups; i++) {
      values.add("\"g" + i + "\"");
    }
    String domain = String.join(", ", values);
    String text = "name: bench_" + name + "\n"
        + "table: t\n"
        + "source: { parquet: \"" + parquet + "\" }\n"
        + "privacy_unit: " + unit + "\n"
        + "max_groups_contributed: " + g + "\n"
        + "max_rows_per_group: " + r + "\n"
        + "budget: { epsilon: 1000000, delta: 1.0e-2 }\n"
        + "defaults: { epsilon: 0.1, delta: 1.0e-8 }\n"
        + "ledger: " + name + ".ledger.db\n"
        + "columns:\n"
        + "  pid: { type: long }\n"
        + "  grp: { type: string, public_values: [" + domain + "] }\n"
        + "  region: { type: string }\n"
        + "  amount: { type: double, lower: 0, upper: 100 }\n";
    Path p = dir.resolve(name + ".yaml");
    Files.writeString(p, text);
    Files.deleteIfExists(dir.resolve(name + ".ledger.db"));
    return p;
  }

  /** {@code --name value} pairs, the leading dashes dropped. */
  static Map<String, String> options(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      m.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return m;
  }
}
