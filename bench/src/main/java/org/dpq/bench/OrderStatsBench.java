package org.dpq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.QueryResult;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.engine.tpch.TpchGenerator;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.QuantileTree;
import org.dpq.mechanisms.RandomBits;
import org.dpq.mechanisms.SecureRandomBits;

/**
 * Accuracy and speed of order statistics on a seeded TPC-H-like lineitem (issue 15): the 10th, 50th and 90th
 * percentile of {@code l_extendedprice} per (l_returnflag, l_linestatus) as in TPC-H Q1, at epsilon 0.1, with the
 * order and with the supplier as the privacy unit, against the exact non-private quantiles.
 *
 * <p>Two measurements. <b>Accuracy</b>: the bounded leaf counts of each group are computed once with the tree query
 * dpq runs ({@link Rewriter#treeQuery}), then the noisy tree is released {@code --trials} times with fresh
 * SecureRandom noise, exactly as the engine's release does (same mechanism, same calibration), and the median over
 * groups and trials of the relative error |released - exact| / exact is printed, for the noise floor dpq uses and, for
 * comparison, for other floors (0: every positive noisy count is followed). <b>Speed</b>: the whole DP query through {@link Dpq} against the same query without DP
 * ({@code quantile_cont}) on a plain DuckDB table, interleaved, median of {@code --reps}.
 *
 * <p>The generator follows the TPC-H specification's shape (1.5M orders per unit of scale factor with 1 to 7 lines,
 * 10,000 suppliers, 200,000 parts, retail prices 900 to 2,099, quantities 1 to 50, ship dates 1 to 121 days after the
 * order, return flag and line status from the receipt and ship dates against 1995-06-17), with DuckDB's {@code hash}
 * of the row's numbers as its random source: the same scale factor gives the same table on every run.
 *
 * <p>Usage: {@code OrderStatsBench [--sf 1] [--trials 50] [--reps 3] [--dir DIR]}
 */
public final class OrderStatsBench {
  private static final String QUERY = "SELECT l_returnflag, l_linestatus, "
      + "PERCENTILE_CONT(0.1) WITHIN GROUP (ORDER BY l_extendedprice) AS p10, MEDIAN(l_extendedprice) AS p50, "
      + "PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY l_extendedprice) AS p90 FROM lineitem "
      + "WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus";
  private static final String PLAIN = "SELECT l_returnflag, l_linestatus, quantile_cont(l_extendedprice, 0.1), "
      + "quantile_cont(l_extendedprice, 0.5), quantile_cont(l_extendedprice, 0.9) FROM lineitem "
      + "WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus";
  private static final double[] FRACTIONS = {0.1, 0.5, 0.9};
  private static final double EPSILON = 0.1;

  private OrderStatsBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    double sf = Double.parseDouble(opt.getOrDefault("sf", "1"));
    int trials = Integer.parseInt(opt.getOrDefault("trials", "50"));
    int reps = Integer.parseInt(opt.getOrDefault("reps", "3"));
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-orderstats").toString()));
    Files.createDirectories(dir);
    Path parquet = dir.resolve("lineitem-sf" + sf + ".parquet");
    try (Connection plain = DriverManager.getConnection("jdbc:duckdb:")) {
      if (!Files.exists(parquet)) {
        long t = System.nanoTime();
        generate(sf, parquet);
        System.out.printf(Locale.ROOT, "generated SF %s in %.1f s -> %s%n", sf, (System.nanoTime() - t) / 1e9, parquet);
      }
      try (Statement s = plain.createStatement()) {
        s.execute("CREATE TABLE lineitem AS SELECT * FROM read_parquet('" + parquet + "')");
        s.execute("SET disabled_optimizers = 'top_n_window_elimination'");
      }
      long lines = scalar(plain, "SELECT COUNT(*) FROM lineitem");
      long perSupplier = scalar(plain, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM lineitem WHERE l_shipdate <= "
          + "DATE '1998-09-02' GROUP BY l_suppkey, l_returnflag, l_linestatus)");
      long perOrder = scalar(plain, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM lineitem GROUP BY l_orderkey, "
          + "l_returnflag, l_linestatus)");
      System.out.printf(Locale.ROOT, "lineitem: %,d rows; most rows of one supplier in one group %d, of one order %d%n",
          lines, perSupplier, perOrder);
      Map<String, double[]> exact = new LinkedHashMap<>();
      try (Statement s = plain.createStatement(); ResultSet rs = s.executeQuery(PLAIN)) {
        while (rs.next()) {
          exact.put(rs.getString(1) + rs.getString(2), new double[] {rs.getDouble(3), rs.getDouble(4), rs.getDouble(5)});
        }
      }
      System.out.println("exact quantiles (p10, p50, p90) per group: " + format(exact));
      for (String unit : List.of("l_orderkey", "l_suppkey")) {
        // G = 4 (the Q1 groups a unit reaches), R = the most rows a unit has in one group: nothing is dropped
        long rows = unit.equals("l_orderkey") ? perOrder : perSupplier;
        Path yaml = yaml(dir, unit, parquet, 4, rows);
        accuracy(plain, yaml, unit, exact, trials);
        speed(plain, yaml, unit, reps);
      }
    }
  }

  /** Releases the noisy trees of each group {@code trials} times and prints median relative errors. */
  private static void accuracy(Connection plain, Path yaml, String unit, Map<String, double[]> exact, int trials)
      throws SQLException {
    DpPlan plan = new Analyzer().analyze(DatasetLoader.load(yaml), QUERY);
    Measurement tree = plan.measurements().get(0);
    QuantileTree.Shape shape = tree.tree().orElseThrow();
    NoiseMechanism mechanism = Calibration.laplace(tree.l1(), EPSILON);
    Map<String, Map<Integer, Long>> leaves = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    try (Statement s = plain.createStatement(); ResultSet rs = s.executeQuery(
        new Rewriter().treeQuery(plan, 0, DuckDbDialect.INSTANCE, 42L).sql())) {
      while (rs.next()) {
        leaves.computeIfAbsent(rs.getString(1) + rs.getString(2), k -> new HashMap<>())
            .merge((int) rs.getLong(3), rs.getLong(4), Long::sum);
      }
    }
    double treeSeconds = (System.nanoTime() - t0) / 1e9;
    RandomBits bits = SecureRandomBits.create();
    System.out.printf(Locale.ROOT, "%nunit %s: tree %d^%d leaves over [%s, %s], L1 %s, epsilon %s, Laplace scale %.0f "
        + "per node (tree query %.1f s)%n", unit, shape.branching(), shape.depth(), shape.lower(), shape.upper(),
        tree.l1(), EPSILON, mechanism.scale(), treeSeconds);
    // dpq's rule (quantile(): every positive count followed), a floor of one noise scale with a stop below 32 scales,
    // and a floor of the 95% half-width of one node's noise
    double[][] variants = {{-1, 0}, {1, 32}, {-2, 0}};
    for (double[] variant : variants) {
      double factor = variant[0];
      double floor = factor == -1 ? -1 : factor == -2 ? mechanism.halfWidth(0.95) : factor * mechanism.scale();
      double stop = variant[1] * mechanism.scale();
      List<Double> all = new ArrayList<>();
      Map<String, List<Double>> byFraction = new LinkedHashMap<>();
      Map<String, List<Double>> byGroup = new LinkedHashMap<>();
      for (int t = 0; t < trials; t++) {
        for (Map.Entry<String, double[]> g : exact.entrySet()) {
          QuantileTree.Noisy noisy = QuantileTree.noisy(shape, leaves.getOrDefault(g.getKey(), Map.of()), mechanism,
              bits);
          for (int f = 0; f < FRACTIONS.length; f++) {
            double released = floor < 0 ? noisy.quantile(FRACTIONS[f]) : noisy.descend(FRACTIONS[f], floor, stop);
            double error = Math.abs(released - g.getValue()[f]) / g.getValue()[f];
            all.add(error);
            byFraction.computeIfAbsent("p" + Math.round(FRACTIONS[f] * 100), k -> new ArrayList<>()).add(error);
            byGroup.computeIfAbsent(g.getKey(), k -> new ArrayList<>()).add(error);
          }
        }
      }
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-22s median relative error %.5f",
          factor == -1 ? "dpq (no floor, no stop)" : factor == -2 ? "floor 95% half-width" : "floor 1, stop 32",
          median(all)));
      byFraction.forEach((k, v) -> line.append(String.format(Locale.ROOT, "; %s %.5f", k, median(v))));
      line.append("; per group");
      byGroup.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.5f", k, median(v))));
      System.out.println(line + String.format(Locale.ROOT, " (%d trials)", trials));
    }
  }

  /** The whole DP query through the public API against the same quantiles without DP, interleaved. */
  private static void speed(Connection plain, Path yaml, String unit, int reps) throws SQLException {
    double[] dp = new double[reps];
    double[] raw = new double[reps];
    try (Dpq dpq = Dpq.open(yaml)) {
      QueryResult warm = dpq.query(QUERY, QueryOptions.defaults().withEpsilon("0.1"));
      System.out.println("  one DP release: " + warm.rows().stream().map(r -> r.stream().map(c -> String.valueOf(
          c.value() instanceof Double d ? Math.round(d) : c.value())).toList()).toList());
      runPlain(plain);
      for (int r = 0; r < reps; r++) {
        long t = System.nanoTime();
        dpq.query(QUERY, QueryOptions.defaults().withEpsilon(new java.math.BigDecimal("0.1")
            .add(java.math.BigDecimal.valueOf(r + 1, 9)).toPlainString()));
        dp[r] = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        runPlain(plain);
        raw[r] = (System.nanoTime() - t) / 1e9;
      }
    }
    System.out.printf(Locale.ROOT, "  time: DP query %.2f s [%.2f-%.2f], plain quantile_cont %.2f s [%.2f-%.2f] "
        + "(median [min-max] of %d)%n", median(dp), min(dp), max(dp), median(raw), min(raw), max(raw), reps);
  }

  private static void runPlain(Connection plain) throws SQLException {
    try (Statement s = plain.createStatement(); ResultSet rs = s.executeQuery(PLAIN)) {
      while (rs.next()) {
        rs.getDouble(3);
      }
    }
  }

  /** A seeded TPC-H-shaped lineitem (the columns Q1 and the units need) written to Parquet. */
  /**
   * TPC-H lineitem at {@code sf} into {@code parquet}: the seeded {@link TpchGenerator} of the engine test-jar (the
   * same generator the TPC-H tests and {@code TpchBench} use), its lineitem file moved to {@code parquet}.
   */
  static void generate(double sf, Path parquet) {
    try {
      Path work = Files.createTempDirectory(parquet.toAbsolutePath().getParent(), "tpch-");
      TpchGenerator.Written written = TpchGenerator.write(work, sf, 19920101L);
      Files.move(written.file("lineitem"), parquet, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      for (String table : TpchGenerator.TABLES) {
        Files.deleteIfExists(written.file(table));
      }
      Files.delete(work);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path yaml(Path dir, String unit, Path parquet, int groups, long rows) throws java.io.IOException {
    Path yaml = dir.resolve("lineitem-" + unit + ".yaml");
    Files.deleteIfExists(dir.resolve("lineitem-" + unit + ".ledger.db"));
    Files.writeString(yaml, """
        name: lineitem
        table: lineitem
        source: { parquet: "%s" }
        privacy_unit: %s
        max_groups_contributed: %d
        max_rows_per_group: %d
        budget: { epsilon: 1000, delta: 1.0e-5 }
        defaults: { epsilon: 0.1, delta: 0 }
        ledger: lineitem-%s.ledger.db
        columns:
          l_orderkey:      { type: long }
          l_suppkey:       { type: long }
          l_quantity:      { type: int, lower: 1, upper: 50 }
          l_extendedprice: { type: double, lower: 900, upper: 105000 }
          l_returnflag:    { type: string, public_values: ["A", "N", "R"] }
          l_linestatus:    { type: string, public_values: ["F", "O"] }
          l_shipdate:      { type: date }
        """.formatted(parquet, unit, groups, rows, unit));
    return yaml;
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String format(Map<String, double[]> exact) {
    StringBuilder b = new StringBuilder();
    exact.forEach((k, v) -> b.append(k).append(' ').append(Arrays.toString(Arrays.stream(v).map(Math::rint).toArray()))
        .append("  "));
    return b.toString();
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static double median(double[] xs) {
    return median(Arrays.stream(xs).boxed().toList());
  }

  private static double min(double[] xs) {
    return Arrays.stream(xs).min().orElse(Double.NaN);
  }

  private static double max(double[] xs) {
    return Arrays.stream(xs).max().orElse(Double.NaN);
  }
}
