package org.dpq.bench;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpq.budget.ChargeRequest;
import org.dpq.budget.Ledger;
import org.dpq.budget.MeasurementCost;
import org.dpq.engine.Dpq;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.release.BudgetAllocator;
import org.dpq.engine.release.NoisePlan;
import org.dpq.engine.release.Releaser;
import org.dpq.engine.release.SecureNoise;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.engine.rewrite.SumGrid;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The costs around a query, each on its own: planning (SQL text to bounded SQL text: parse, validate, analyse,
 * allocate, rewrite), one durable ledger charge on SQLite, and noise plus release of 100,000 groups. Medians and
 * 90th percentiles of wall time after warm-up, in one JVM.
 *
 * <p>Usage: {@code CostsBench [--dir DIR] [--groups N]}
 */
public final class CostsBench {
  private CostsBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = QueryBench.options(args);
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-costs").toString()));
    int groups = Integer.parseInt(opt.getOrDefault("groups", "100000"));
    Files.createDirectories(dir);
    Path parquet = dir.resolve("costs.parquet");
    if (!Files.exists(parquet)) {
      QueryBench.generate(parquet, 1_000, 50, 5);
    }
    Path person = QueryBench.yaml(dir, "costs", parquet, "pid", 2, 5, 50);
    System.out.printf(Locale.ROOT, "%-62s %10s %10s %6s%n", "cost", "median ms", "p90 ms", "n");
    try (Dpq dpq = Dpq.open(person)) {
      planning(dpq);
      release(dpq, groups);
    }
    charge(dir);
  }

  /** Parse to bounded SQL text, warm: what {@code explain} does before the dry run. */
  private static void planning(Dpq dpq) {
    Analyzer analyzer = new Analyzer();
    Rewriter rewriter = new Rewriter();
    BudgetAllocator allocator = new BudgetAllocator();
    PrivacyLoss loss = PrivacyLoss.of(1.0, 1e-6);
    for (String sql : List.of("SELECT grp, COUNT(*) AS n FROM t GROUP BY grp",
        "SELECT region, COUNT(*) AS n, SUM(amount) AS s FROM t GROUP BY region",
        "SELECT grp, AVG(amount) AS a, STDDEV(amount) AS sd FROM t WHERE amount > 10 AND region <> 'r1' "
            + "GROUP BY grp HAVING COUNT(*) > 5 ORDER BY a DESC LIMIT 10")) {
      report("planning: " + sql.substring(0, Math.min(sql.length(), 50)) + "...", 200, 2_000, () -> {
        DpPlan plan = analyzer.analyze(dpq.dataset(), sql);
        allocator.allocate(plan, loss, MechanismChoice.AUTO);
        rewriter.rewrite(plan, DuckDbDialect.INSTANCE, 42L);
      });
    }
  }

  /** Noise and release of {@code groups} thresholded groups with a count, a sum and a mean. */
  private static void release(Dpq dpq, int groups) {
    DpPlan plan = new Analyzer().analyze(dpq.dataset(),
        "SELECT region, COUNT(*) AS n, SUM(amount) AS s, AVG(amount) AS a FROM t GROUP BY region");
    NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.of(1.0, 1e-6), MechanismChoice.AUTO);
    List<Object[]> rows = new ArrayList<>(groups);
    for (int g = 0; g < groups; g++) {
      Object[] row = new Object[1 + plan.measurements().size()];
      row[0] = "r" + g;
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        // as the backend returns them: integers, and real sums as whole grid steps
        row[1 + i] = m.integral() ? (Object) (1_000L + g % 977)
            : (Object) SumGrid.steps(50_000.0 + g % 331, m).longValueExact();
      }
      rows.add(row);
    }
    Releaser releaser = new Releaser();
    report(String.format(Locale.ROOT, "noise + release, %,d groups (%d measurements)", groups,
        plan.measurements().size()), 3, 15, () -> releaser.release(plan, noisePlan, rows, SecureNoise.create()));
  }

  /** One durable charge (validated, chained, fsynced) on a fresh SQLite ledger. */
  private static void charge(Path dir) throws Exception {
    Path file = dir.resolve("charge-bench.ledger.db");
    Files.deleteIfExists(file);
    try (Ledger ledger = Ledger.open(file.toString())) {
      ledger.initialise("bench", "fp", PrivacyLoss.of(100.0, 0.5), "bench");
      PrivacyLoss each = PrivacyLoss.of(new BigDecimal("0.001"), BigDecimal.ZERO);
      int[] n = {0};
      report("durable ledger charge (SQLite, fsync)", 50, 500, () -> {
        int i = n[0]++;
        ledger.charge(new ChargeRequest("bench", "fp", "bench", "SELECT " + i, "key-" + i, "plan",
            List.of(new MeasurementCost("COUNT(*)", "LAPLACE", each)), each));
      });
    }
  }

  private static void report(String name, int warmup, int reps, Runnable r) {
    for (int i = 0; i < warmup; i++) {
      r.run();
    }
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      r.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf(Locale.ROOT, "%-62s %10.3f %10.3f %6d%n", name, ms[reps / 2], ms[(int) (reps * 0.9)], reps);
  }

}
