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
import java.util.function.IntConsumer;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;

/**
 * Whole-query benchmark: the DP query through the public API (analysis, rewrite, ledger charge, execution,
 * noise, release) against the same SQL without DP, and against the non-private per-person pre-aggregation, on
 * the same seeded data in DuckDB, interleaved in one JVM after warm-up. Prints medians, min and max.
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
      }
      List<Case> cases = List.of(
          new Case("grouped COUNT, person unit", person, "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp",
              "SELECT pid, grp, COUNT(*) FROM t GROUP BY pid, grp"),
          new Case("grouped SUM+AVG, person unit", person,
              "SELECT grp, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY grp",
              "SELECT pid, grp, COUNT(amount), SUM(amount) FROM t GROUP BY pid, grp"),
          new Case("thresholded groups (no public domain), person unit", person,
              "SELECT region, COUNT(*) AS n FROM t GROUP BY region",
              "SELECT pid, region, COUNT(*) FROM t GROUP BY pid, region"),
          new Case("filter + public groups, person unit", person,
              "SELECT grp, COUNT(*) AS n FROM t WHERE amount > 50 GROUP BY grp",
              "SELECT pid, grp, COUNT(*) FROM t WHERE amount > 50 GROUP BY pid, grp"),
          new Case("grouped COUNT, row unit", rowUnit, "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp", null),
          new Case("grouped SUM+AVG, row unit", rowUnit,
              "SELECT grp, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY grp", null));
      System.out.printf(Locale.ROOT, "%n%,d rows, %d groups, ~%d rows per person, %d reps (median [min-max], s)%n",
          rows, groups, perPerson, reps);
      System.out.printf(Locale.ROOT, "%-52s %-22s %-22s %-22s %8s %8s%n", "query", "DP", "plain SQL",
          "per-person pre-agg", "DP/plain", "DP/pre");
      int[] counter = {0};
      for (Case c : cases) {
        // A distinct epsilon per run, so that no run is answered from the ledger's stored answers.
        IntConsumer dp = i -> c.dpq().query(c.sql(), QueryOptions.defaults()
            .withEpsilon(new java.math.BigDecimal("0.1").add(java.math.BigDecimal.valueOf(++counter[0], 9)))
            .withDelta("1e-8"));
        IntConsumer np = i -> run(plain, c.sql());
        IntConsumer pre = c.preAggregation() == null ? null : i -> run(plain,
            "SELECT COUNT(*) FROM (" + c.preAggregation() + ") x");
        // warm-up
        dp.accept(0);
        np.accept(0);
        if (pre != null) {
          pre.accept(0);
        }
        double[] tDp = new double[reps];
        double[] tNp = new double[reps];
        double[] tPre = new double[reps];
        for (int r = 0; r < reps; r++) {
          tDp[r] = time(dp);
          tNp[r] = time(np);
          tPre[r] = pre == null ? Double.NaN : time(pre);
        }
        System.out.printf(Locale.ROOT, "%-52s %-22s %-22s %-22s %8.2f %8s%n", c.name(), stats(tDp), stats(tNp),
            pre == null ? "-" : stats(tPre), median(tDp) / median(tNp),
            pre == null ? "-" : String.format(Locale.ROOT, "%.2f", median(tDp) / median(tPre)));
      }
    }
  }

  record Case(String name, Dpq dpq, String sql, String preAggregation) {}

  private static void run(Connection c, String sql) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rs.getObject(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double time(IntConsumer f) {
    long t = System.nanoTime();
    f.accept(0);
    return (System.nanoTime() - t) / 1e9;
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

  private static Path yaml(Path dir, String name, Path parquet, String unit, int g, int r, int groups)
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

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      m.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return m;
  }
}
