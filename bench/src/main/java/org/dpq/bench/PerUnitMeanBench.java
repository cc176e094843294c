package org.dpq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.DuckDbBackend;

/**
 * AVG against AVG_PER_UNIT (issue 16) on PUMS_dup (engine test resources: 1,000 people with 1 to 4 rows each), the
 * person as the unit, R = {@code --rows} rows per group: the median relative error of each against its own exact
 * estimand (AVG: the row-weighted mean, a person weighing min(n, R); AVG_PER_UNIT: the mean of per-person means),
 * over {@code --trials} releases at {@code --epsilon}, through {@link AccuracyBench#errors} (the engine's analysis,
 * rewrite, DuckDB backend, budget split and release with fresh SecureRandom noise).
 *
 * <p>Usage: {@code PerUnitMeanBench [--csv PUMS_dup.csv] [--rows 4] [--epsilon 1] [--trials 200] [--dir DIR]}
 */
public final class PerUnitMeanBench {
  private PerUnitMeanBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path csv = Path.of(opt.getOrDefault("csv", "engine/src/test/resources/pums/PUMS_dup.csv")).toAbsolutePath();
    int rows = Integer.parseInt(opt.getOrDefault("rows", "4"));
    String epsilon = opt.getOrDefault("epsilon", "1");
    int trials = Integer.parseInt(opt.getOrDefault("trials", "200"));
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-per-unit-mean").toString()));
    Files.createDirectories(dir);
    for (String column : new String[] {"age", "income"}) {
      double[] exact = exact(csv, column, rows);
      Dataset d = DatasetLoader.load(yaml(dir, csv, rows));
      try (DuckDbBackend backend = DuckDbBackend.open(d)) {
        System.out.printf(Locale.ROOT, "%n%s, person unit, G = 1, R = %d, epsilon %s, %d releases%n", column, rows,
            epsilon, trials);
        System.out.printf(Locale.ROOT, "%-22s %14s %16s %16s %12s%n", "aggregate", "exact", "L1 centred sum",
            "L1 count", "median rel");
        String[] functions = {"AVG", "AVG_PER_UNIT"};
        for (int f = 0; f < 2; f++) {
          String sql = "SELECT " + functions[f] + "(" + column + ") AS a FROM pums";
          java.util.List<Measurement> ms = new Analyzer().analyze(d, sql).measurements();
          double error = AccuracyBench.errors(backend, d, sql, epsilon, Map.of("a", exact[f]), trials, null).get("a");
          System.out.printf(Locale.ROOT, "%-22s %14.4f %16.1f %16.1f %12.6f%n", functions[f] + "(" + column + ")",
              exact[f], ms.get(0).l1(), ms.get(1).l1(), error);
        }
      }
    }
  }

  /** The row-weighted mean (a person weighs min(n, R)) and the mean of per-person means of the clamped column. */
  private static double[] exact(Path csv, String column, int rows) throws Exception {
    int upper = column.equals("age") ? 100 : 500000;
    String clamped = "LEAST(GREATEST(CAST(" + column + " AS DOUBLE), 0), " + upper + ")";
    try (Connection plain = DriverManager.getConnection("jdbc:duckdb:"); Statement s = plain.createStatement();
         ResultSet rs = s.executeQuery("SELECT SUM(LEAST(n, " + rows + ") * m) / SUM(LEAST(n, " + rows + ")), AVG(m) "
             + "FROM (SELECT pid, COUNT(" + column + ") AS n, AVG(" + clamped + ") AS m FROM read_csv('" + csv
             + "', header = true) WHERE " + column + " IS NOT NULL GROUP BY pid)")) {
      rs.next();
      return new double[] {rs.getDouble(1), rs.getDouble(2)};
    }
  }

  private static Path yaml(Path dir, Path csv, int rows) throws java.io.IOException {
    Path yaml = dir.resolve("per-unit-mean.yaml");
    Files.deleteIfExists(dir.resolve("per-unit-mean.ledger.db"));
    Files.writeString(yaml, """
        name: pums
        table: pums
        privacy_unit: pid
        ledger: per-unit-mean.ledger.db
        source: { csv: "%s" }
        budget: { epsilon: 100000, delta: 1.0e-5 }
        max_rows_per_group: %d
        max_groups_contributed: 1
        defaults: { epsilon: 1, delta: 0 }
        columns:
          pid:    { type: int }
          age:    { type: int, lower: 0, upper: 100 }
          income: { type: double, lower: 0, upper: 500000 }
        """.formatted(csv, rows));
    return yaml;
  }
}
