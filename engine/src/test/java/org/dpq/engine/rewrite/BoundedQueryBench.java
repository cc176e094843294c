package org.dpq.engine.rewrite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.TestDatasets;
import org.dpq.engine.catalog.ColumnType;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.execution.DuckDbDialect;

/**
 * Prints timings (no assertion): warm planning time (parse to SQL text), and the bounded query against the
 * plain GROUP BY and the non-private per-person pre-aggregation (with its sums totalled per group) on a generated
 * table; wall and process CPU time, minimums being the steadier figures on a loaded machine. Run by hand: {@code java ... org.dpq.engine.rewrite.BoundedQueryBench [rows]}.
 */
public final class BoundedQueryBench {
  private BoundedQueryBench() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    List<org.dpq.engine.catalog.Column> columns = List.of(
        TestDatasets.plain("pid", ColumnType.LONG),
        TestDatasets.plain("grp", ColumnType.STRING),
        TestDatasets.bounded("income", ColumnType.DOUBLE, 0, 100_000),
        TestDatasets.bounded("age", ColumnType.INT, 0, 100));
    Dataset people = TestDatasets.dataset("big", new PrivacyUnit.ByColumn("pid"), 1, 1, columns);
    Dataset people52 = TestDatasets.dataset("big", new PrivacyUnit.ByColumn("pid"), 5, 2, columns);
    Dataset rowUnits = TestDatasets.dataset("big", new PrivacyUnit.Row(), 1, 1, columns);
    String query = "SELECT grp, COUNT(*), AVG(income) FROM big GROUP BY grp";

    Analyzer analyzer = new Analyzer();
    Rewriter rewriter = new Rewriter();
    long[] planning = new long[200];
    for (int i = 0; i < 300 + planning.length; i++) {
      long t0 = System.nanoTime();
      DpPlan plan = analyzer.analyze(people, query);
      rewriter.rewrite(plan, DuckDbDialect.INSTANCE, i).sql();
      if (i >= 300) {
        planning[i - 300] = System.nanoTime() - t0;
      }
    }
    Arrays.sort(planning);
    System.out.printf("warm planning (analyze + rewrite to SQL text): median %.3f ms, p90 %.3f ms over %d runs%n",
        planning[planning.length / 2] / 1e6, planning[planning.length * 9 / 10] / 1e6, planning.length);

    try (Connection db = TestDatasets.duckdb(); Statement s = db.createStatement()) {
      s.execute("CREATE TABLE big AS SELECT i // 5 AS pid, "
          + "CAST(hash(i // 5, i % 3) % 50 AS VARCHAR) AS grp, "
          + "CAST(hash(i) % 120000 AS DOUBLE) AS income, CAST(i % 100 AS INTEGER) AS age FROM range(" + rows + ") r(i)");
      // As DuckDbBackend does: DuckDB's top-N rewrite of the G-groups window is slower than the window.
      s.execute("SET disabled_optimizers = 'top_n_window_elimination'");
      String plain = "SELECT grp, COUNT(*), AVG(income) FROM big GROUP BY grp";
      String preAgg = "SELECT grp, SUM(n), SUM(c), SUM(s) FROM (SELECT pid, grp, COUNT(*) AS n, COUNT(income) AS c, "
          + "SUM(income) AS s FROM big GROUP BY pid, grp) x GROUP BY grp";
      System.out.printf("table: %d rows, %d people, %d groups (people in up to 3 groups)%n", rows, rows / 5, 50);
      String[] labels = {"plain GROUP BY", "per-person pre-agg + totals", "bounded, unit pid, G=1 R=1",
          "bounded, unit pid, G=5 R=2", "bounded, privacy_unit: row"};
      String[] sqls = {plain, preAgg,
          rewriter.rewrite(analyzer.analyze(people, query), DuckDbDialect.INSTANCE, 42).sql(),
          rewriter.rewrite(analyzer.analyze(people52, query), DuckDbDialect.INSTANCE, 42).sql(),
          rewriter.rewrite(analyzer.analyze(rowUnits, query), DuckDbDialect.INSTANCE, 42).sql()};
      int rounds = 9;
      long[][] times = new long[sqls.length][rounds];
      long[][] cpu = new long[sqls.length][rounds];
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      for (String sql : sqls) {
        run(s, sql);
      }
      for (int round = 0; round < rounds; round++) {
        for (int q = 0; q < sqls.length; q++) {
          long c0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          run(s, sqls[q]);
          times[q][round] = System.nanoTime() - t0;
          cpu[q][round] = os.getProcessCpuTime() - c0;
        }
      }
      for (int q = 0; q < sqls.length; q++) {
        Arrays.sort(times[q]);
        Arrays.sort(cpu[q]);
        System.out.printf("%-30s median %8.1f ms  min %8.1f ms  min CPU %8.1f ms  (min ratios: to plain %.2f, "
                + "to pre-agg %.2f; CPU to pre-agg %.2f)%n", labels[q], times[q][rounds / 2] / 1e6,
            times[q][0] / 1e6, cpu[q][0] / 1e6, (double) times[q][0] / times[0][0],
            (double) times[q][0] / times[1][0], (double) cpu[q][0] / cpu[1][0]);
      }
    }
  }

  private static void run(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
  }
}
