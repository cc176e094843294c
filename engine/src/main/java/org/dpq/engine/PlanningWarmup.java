package org.dpq.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.release.BudgetAllocator;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Start-up of a short-lived process (one CLI call): plans one query on a built-in synthetic dataset on a daemon
 * thread, so that the one-time work of a fresh JVM in planning (loading and initialising the SQL parser, validator,
 * converter, analyser and rewriter, about 0.4 s) runs on the second core while the caller's thread opens the real
 * dataset, its ledger and its backend. It owns no privacy property and must not weaken any: the synthetic dataset
 * is YAML text in this class (no file is read or written, its source path is never opened), nothing is charged,
 * no backend is opened, no data is read, and every outcome, failure included, is discarded without a trace. The
 * real query is analysed, charged and answered afterwards exactly as without the warm-up; it only finds the
 * classes ready.
 */
public final class PlanningWarmup {
  private static final String DATASET = """
      { name: warmup, table: warmup, source: { csv: warmup-never-read.csv }, privacy_unit: unit,
        max_groups_contributed: 1, max_rows_per_group: 1,
        budget: { epsilon: 1.0, delta: 1.0e-6 }, defaults: { epsilon: 1.0, delta: 0 },
        columns: { unit: { type: long }, grp: { type: int, public_values: ["1", "2"] },
                   x: { type: double, lower: 0, upper: 1 } } }
      """;
  /** The common shape: a filter, public groups, COUNT, SUM and AVG. */
  private static final String QUERY =
      "SELECT grp, COUNT(*) AS n, SUM(x) AS s, AVG(x) AS a FROM warmup WHERE x >= 0 GROUP BY grp";

  private PlanningWarmup() {}

  /**
   * Starts the warm-up when {@value #MODE_PROPERTY} asks for it ({@code always}, or {@code auto} and a core is idle,
   * {@link #coreIdle}) and returns its thread, else returns empty. The default is {@code never}: measured on the
   * quiet 2-core machine (bench/README, 7 December), forcing it on left the {@code plan} phase and the wall time of a
   * later {@code explain} unchanged (plan 419-461 ms on, 442-466 ms off) for about 0.2 s more CPU, and on a busy
   * machine a second thread only competes with the main one for the same cores.
   */
  public static Optional<Thread> startWhenACoreIsIdle() {
    String mode = System.getProperty(MODE_PROPERTY, "never");
    return wanted(mode, () -> coreIdle(loadAverage(), Runtime.getRuntime().availableProcessors()))
        ? Optional.of(start()) : Optional.empty();
  }

  /**
   * The JVM property that overrides the load check, for measuring the warm-up both ways (e.g.
   * {@code DPQ_JAVA_OPTS=-Ddpq.warmup=always ./dpq ...}): {@code always}, {@code never} (the default) or {@code auto}.
   */
  static final String MODE_PROPERTY = "dpq.warmup";

  /** Whether to warm up under {@code mode}; an unknown mode counts as {@code auto}. */
  static boolean wanted(String mode, java.util.function.BooleanSupplier coreIdle) {
    return switch (mode) {
      case "always" -> true;
      case "never" -> false;
      default -> coreIdle.getAsBoolean();
    };
  }

  /**
   * True when, of {@code cpus} cores, the one-minute load average (NaN when unknown) keeps at most about one busy
   * (which may be dpq calls one after another themselves), so that one is free for the warm-up beside this
   * process's main thread.
   */
  static boolean coreIdle(double loadAverage, int cpus) {
    return cpus >= 2 && (Double.isNaN(loadAverage) || loadAverage <= cpus - 0.5);
  }

  /** The one-minute load average from /proc/loadavg (cheaper than the management beans), NaN when unreadable. */
  private static double loadAverage() {
    try {
      String text = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
      return Double.parseDouble(text.substring(0, text.indexOf(' ')));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Starts the warm-up on a daemon thread (it never delays the exit of the process) and returns it. */
  public static Thread start() {
    Thread t = new Thread(PlanningWarmup::run, "dpq-planning-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return t;
  }

  /**
   * Plans the synthetic query: parse, validate, analyse, split the budget and rewrite to DuckDB's dialect.
   * Returns true when it planned; any failure returns false and is otherwise ignored (a warm-up that fails only
   * leaves the real query to do the one-time work itself).
   */
  static boolean run() {
    try {
      Dataset dataset = DatasetLoader.parse(DATASET, Path.of(""));
      DpPlan plan = new Analyzer().analyze(dataset, QUERY);
      new BudgetAllocator().allocate(plan, PrivacyLoss.of(1.0, 0.0), MechanismChoice.AUTO);
      new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE, 0L);
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
