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
import org.dpq.engine.Cell;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.release.BudgetAllocator;
import org.dpq.engine.release.NoisePlan;
import org.dpq.engine.release.Releaser;
import org.dpq.engine.release.SecureNoise;
import org.dpq.engine.release.ZcdpCharge;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Accuracy per epsilon (issue 16): median relative error of each aggregate of TPC-H Q1 on its largest group, (A, F),
 * at epsilon 0.1, with the whole query in one call and with each aggregate asked alone, the order and the supplier as
 * the privacy unit; and PUMS COUNT, SUM, AVG and VAR_POP of age at epsilon 1.
 *
 * <p>Per query, the bounded rows are computed once with the engine's own analysis, rewrite and DuckDB backend, then
 * released {@code --trials} times with fresh SecureRandom noise through the engine's own budget split and release
 * ({@link BudgetAllocator}, {@link Releaser}), exactly as {@code Dpq.query} does after the charge. Errors are
 * against the exact non-private values. Only APIs that exist on main before issue 16 are used, so the same class
 * measures "before" when compiled against main (with {@code --nullable false}: main has no such key).
 *
 * <p>Usage: {@code AccuracyBench [--sf 1] [--trials 50] [--dir DIR] [--nullable true|false] [--pums CSV|none]
 * [--cap C] [--units l_orderkey,l_suppkey] [--accounting basic|zcdp] [--delta D] [--mechanism laplace|gaussian|auto]}
 * ; {@code --cap} declares {@code max_rows_per_unit: C} for the order unit; {@code --accounting zcdp} puts
 * {@code accounting: zcdp} into both datasets' budgets, and the split is asked for (epsilon, {@code --delta}) with
 * {@code --mechanism} (defaults: basic, 0, laplace), the same {@code BudgetAllocator.allocate} call as {@code Dpq}
 */
public final class AccuracyBench {
  private static final String WHERE = " FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' "
      + "GROUP BY l_returnflag, l_linestatus";
  /** Q1's aggregates by output name, in its order. */
  private static final Map<String, String> Q1 = new LinkedHashMap<>();

  static {
    Q1.put("sum_qty", "SUM(l_quantity)");
    Q1.put("sum_base_price", "SUM(l_extendedprice)");
    Q1.put("sum_disc_price", "SUM(l_extendedprice * (1 - l_discount))");
    Q1.put("sum_charge", "SUM(l_extendedprice * (1 - l_discount) * (1 + l_tax))");
    Q1.put("avg_qty", "AVG(l_quantity)");
    Q1.put("avg_price", "AVG(l_extendedprice)");
    Q1.put("avg_disc", "AVG(l_discount)");
    Q1.put("count_order", "COUNT(*)");
  }

  private AccuracyBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    double sf = Double.parseDouble(opt.getOrDefault("sf", "1"));
    int trials = Integer.parseInt(opt.getOrDefault("trials", "50"));
    boolean nullable = Boolean.parseBoolean(opt.getOrDefault("nullable", "false"));
    int cap = Integer.parseInt(opt.getOrDefault("cap", "0"));
    List<String> units = List.of(opt.getOrDefault("units", "l_orderkey,l_suppkey").split(","));
    Release release = new Release(opt.getOrDefault("accounting", "basic"), opt.getOrDefault("delta", "0"),
        MechanismChoice.valueOf(opt.getOrDefault("mechanism", "laplace").toUpperCase(Locale.ROOT)));
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-accuracy").toString()));
    Files.createDirectories(dir);
    Path parquet = dir.resolve("lineitem-sf" + sf + ".parquet");
    if (!Files.exists(parquet)) {
      OrderStatsBench.generate(sf, parquet);
    }
    Map<String, Double> exact = new LinkedHashMap<>();
    long perSupplier;
    try (Connection plain = DriverManager.getConnection("jdbc:duckdb:"); Statement s = plain.createStatement()) {
      s.execute("CREATE VIEW lineitem AS SELECT * FROM read_parquet('" + parquet + "')");
      try (ResultSet rs = s.executeQuery("SELECT " + String.join(", ", Q1.values()) + WHERE
          + " HAVING l_returnflag = 'A' AND l_linestatus = 'F'")) {
        rs.next();
        int i = 1;
        for (String name : Q1.keySet()) {
          exact.put(name, rs.getDouble(i++));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM lineitem WHERE l_shipdate <= "
          + "DATE '1998-09-02' GROUP BY l_suppkey, l_returnflag, l_linestatus)")) {
        rs.next();
        perSupplier = rs.getLong(1);
      }
    }
    System.out.println("exact (A, F): " + exact);
    String full = "SELECT l_returnflag, l_linestatus, " + String.join(", ", Q1.entrySet().stream()
        .map(e -> e.getValue() + " AS " + e.getKey()).toList()) + WHERE;
    for (String unit : units) {
      long rows = unit.equals("l_orderkey") ? 7 : perSupplier;
      int unitCap = unit.equals("l_orderkey") ? cap : 0;
      Dataset d = DatasetLoader.load(lineitemYaml(dir, unit, parquet, rows, nullable, unitCap, release));
      try (DuckDbBackend backend = DuckDbBackend.open(d)) {
        System.out.printf(Locale.ROOT, "%nunit %s (G = 4, R = %d, C = %s), epsilon 0.1, %d releases, nullable %s, "
            + "%s%n", unit, rows, unitCap > 0 ? String.valueOf(unitCap) : "none", trials, nullable, release);
        Map<String, Double> together = errors(backend, d, full, "0.1", release, exact, trials, "AF");
        System.out.printf(Locale.ROOT, "%-16s %12s %12s %8s%n", "aggregate", "full Q1", "alone", "ratio");
        for (Map.Entry<String, String> e : Q1.entrySet()) {
          String alone = "SELECT l_returnflag, l_linestatus, " + e.getValue() + " AS " + e.getKey() + WHERE;
          double a = errors(backend, d, alone, "0.1", release, exact, trials, "AF").get(e.getKey());
          double t = together.get(e.getKey());
          System.out.printf(Locale.ROOT, "%-16s %12.6f %12.6f %8.2f%n", e.getKey(), t, a, t / a);
        }
      }
    }
    if (!opt.getOrDefault("pums", "").equals("none")) {
      pums(Path.of(opt.getOrDefault("pums", "engine/src/test/resources/pums/PUMS_pid.csv")), dir, trials, nullable,
          release);
    }
  }

  /** PUMS (1,000 people, one row each): COUNT, SUM, AVG and VAR_POP of age at epsilon 1, together and alone. */
  private static void pums(Path csv, Path dir, int trials, boolean nullable, Release release) throws Exception {
    Map<String, String> aggs = new LinkedHashMap<>();
    aggs.put("n", "COUNT(*)");
    aggs.put("s", "SUM(age)");
    aggs.put("a", "AVG(age)");
    aggs.put("v", "VAR_POP(age)");
    Map<String, Double> exact = new LinkedHashMap<>();
    try (Connection plain = DriverManager.getConnection("jdbc:duckdb:"); Statement s = plain.createStatement();
         ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(LEAST(GREATEST(age, 0), 100)), "
             + "AVG(LEAST(GREATEST(age, 0), 100)), VAR_POP(LEAST(GREATEST(age, 0), 100)) FROM read_csv('"
             + csv.toAbsolutePath() + "', header = true)")) {
      rs.next();
      int i = 1;
      for (String name : aggs.keySet()) {
        exact.put(name, rs.getDouble(i++));
      }
    }
    Path yaml = dir.resolve("pums.yaml");
    Files.deleteIfExists(dir.resolve("pums.ledger.db"));
    Files.writeString(yaml, """
        name: pums
        table: pums
        source: { csv: "%s" }
        privacy_unit: pid
        max_groups_contributed: 1
        max_rows_per_group: 1
        budget: { epsilon: 1000, delta: 1.0e-5%s }
        defaults: { epsilon: 1, delta: 0 }
        columns:
          pid: { type: int }
          age: { type: int, lower: 0, upper: 100%s }
        """.formatted(csv.toAbsolutePath(), release.budgetSuffix(), nullable ? ", nullable: false" : ""));
    Dataset d = DatasetLoader.load(yaml);
    try (DuckDbBackend backend = DuckDbBackend.open(d)) {
      System.out.printf(Locale.ROOT, "%nPUMS_pid (1,000 people), age in [0, 100], epsilon 1, %s, %d releases: "
          + "exact %s%n", release, trials, exact);
      String full = "SELECT " + String.join(", ", aggs.entrySet().stream().map(e -> e.getValue() + " AS " + e.getKey())
          .toList()) + " FROM pums";
      Map<String, Double> together = errors(backend, d, full, "1", release, exact, trials, null);
      System.out.printf(Locale.ROOT, "%-16s %12s %12s %8s%n", "aggregate", "together", "alone", "ratio");
      for (Map.Entry<String, String> e : aggs.entrySet()) {
        double a = errors(backend, d, "SELECT " + e.getValue() + " AS " + e.getKey() + " FROM pums", "1", release,
            exact, trials, null).get(e.getKey());
        double t = together.get(e.getKey());
        System.out.printf(Locale.ROOT, "%-16s %12.6f %12.6f %8.2f%n", e.getValue(), t, a, t / a);
      }
    }
  }

  /**
   * Median relative error per output column of {@code sql} over {@code trials} releases of the row whose two keys
   * spell {@code group} (the only row when null).
   */
  static Map<String, Double> errors(DuckDbBackend backend, Dataset d, String sql, String epsilon,
      Map<String, Double> exact, int trials, String group) {
    return errors(backend, d, sql, epsilon, Release.LAPLACE, exact, trials, group);
  }

  /** As above, with the split asked for as {@code release} says (the allocator call {@code Dpq} makes). */
  static Map<String, Double> errors(DuckDbBackend backend, Dataset d, String sql, String epsilon, Release release,
      Map<String, Double> exact, int trials, String group) {
    DpPlan plan = new Analyzer().analyze(d, sql);
    List<Object[]> bounded = backend.execute(new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE,
        new java.security.SecureRandom().nextLong()).sql());
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse(epsilon, release.delta()),
        release.mechanism());
    Map<String, List<Double>> errors = new LinkedHashMap<>();
    Releaser releaser = new Releaser();
    for (int t = 0; t < trials; t++) {
      Releaser.Released r = releaser.release(plan, noisePlan, bounded, SecureNoise.create());
      for (List<Cell> row : r.rows()) {
        if (group != null && !(String.valueOf(row.get(0).value()) + row.get(1).value()).equals(group)) {
          continue;
        }
        for (int c = 0; c < r.columns().size(); c++) {
          String name = r.columns().get(c);
          if (exact.containsKey(name)) {
            double v = ((Number) row.get(c).value()).doubleValue();
            errors.computeIfAbsent(name, k -> new ArrayList<>()).add(Math.abs(v - exact.get(name)) / Math.abs(exact.get(name)));
          }
        }
      }
    }
    if (trials > 0 && sql.contains(",") && sql.indexOf("AS") != sql.lastIndexOf("AS")) {
      System.out.println("  " + noisePlan.measurements().size() + " measurements: " + String.join("; ",
          noisePlan.measurements().stream().map(m -> m.label() + " eps " + m.loss().epsilon().toPlainString()
              + (release.zcdp() ? String.format(Locale.ROOT, " %s scale %.6g", m.mechanism().kind(),
                  m.mechanism().scale()) : "")).toList()));
      if (release.zcdp()) {
        System.out.println("  charged rho " + ZcdpCharge.of(noisePlan).total().epsilon().toPlainString());
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    errors.forEach((k, v) -> out.put(k, median(v)));
    return out;
  }

  private static Path lineitemYaml(Path dir, String unit, Path parquet, long rows, boolean nullable, int cap,
      Release release) throws java.io.IOException {
    Path yaml = dir.resolve("accuracy-" + unit + ".yaml");
    Files.deleteIfExists(dir.resolve("accuracy-" + unit + ".ledger.db"));
    String nn = nullable ? ", nullable: false" : "";
    Files.writeString(yaml, """
        name: lineitem
        table: lineitem
        source: { parquet: "%s" }
        privacy_unit: %s
        max_groups_contributed: 4
        max_rows_per_group: %d
        %sbudget: { epsilon: 1000, delta: 1.0e-5%s }
        defaults: { epsilon: 0.1, delta: 0 }
        ledger: accuracy-%s.ledger.db
        columns:
          l_orderkey:      { type: long }
          l_suppkey:       { type: long }
          l_quantity:      { type: int, lower: 1, upper: 50%s }
          l_extendedprice: { type: double, lower: 900, upper: 105000%s }
          l_discount:      { type: double, lower: 0, upper: 0.1%s }
          l_tax:           { type: double, lower: 0, upper: 0.08%s }
          l_returnflag:    { type: string, public_values: ["A", "N", "R"] }
          l_linestatus:    { type: string, public_values: ["F", "O"] }
          l_shipdate:      { type: date }
        """.formatted(parquet, unit, rows, cap > 0 ? "max_rows_per_unit: " + cap + "\n" : "", release.budgetSuffix(),
            unit, nn, nn, nn, nn));
    return yaml;
  }

  /**
   * How the releases are asked for: the dataset's accounting ({@code basic} or {@code zcdp}, put into the YAML
   * budget), the query's delta and the mechanism choice.
   */
  record Release(String accounting, String delta, MechanismChoice mechanism) {
    static final Release LAPLACE = new Release("basic", "0", MechanismChoice.LAPLACE);

    boolean zcdp() {
      return accounting.equals("zcdp");
    }

    String budgetSuffix() {
      return zcdp() ? ", accounting: zcdp" : "";
    }

    @Override
    public String toString() {
      return "accounting " + accounting + ", delta " + delta + ", mechanism " + mechanism.name().toLowerCase(Locale.ROOT);
    }
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  @SuppressWarnings("unused")
  private static String format(double[] xs) {
    return Arrays.toString(xs);
  }
}
