package org.dpq.bench;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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
import java.util.concurrent.ConcurrentHashMap;
import org.dpq.engine.Cell;
import org.dpq.engine.Dpq;
import org.dpq.engine.QueryOptions;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.DatasetLoader;
import org.dpq.engine.execution.BackendPublicTuples;
import org.dpq.engine.execution.DuckDbBackend;
import org.dpq.engine.execution.DuckDbDialect;
import org.dpq.engine.release.BudgetAllocator;
import org.dpq.engine.release.NoisePlan;
import org.dpq.engine.release.Releaser;
import org.dpq.engine.release.SecureNoise;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.engine.tpch.TpchGenerator;
import org.dpq.engine.tpch.TpchQuery;
import org.dpq.mechanisms.MechanismChoice;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * TPC-H with the customer as the privacy unit (issue 17): the seven DP forms of {@link TpchQuery} at a scale factor,
 * dpq against the same SQL without DP on a plain DuckDB over the same Parquet files.
 *
 * <p><b>Speed</b>: the dataset ({@code tpch.yaml} of the engine test resources, written beside the files) is opened
 * through {@link Dpq}; the plain DuckDB loads every file into an in-memory table, as dpq's backend does. Per query,
 * after one warm-up of each, interleaved {@code --reps} times: the whole DP query (analysis, budget split, rewrite,
 * dry run, durable ledger charge, bounded query, noise, release record; a new epsilon every repetition, so no stored
 * answer is reused), its DP form run without DP, and the original TPC-H text. The DP query's phases (plan, charge,
 * backend = the bounded query, release) are printed beside it.
 *
 * <p><b>Accuracy</b>: per query and epsilon, the bounded rows are computed once with the engine's own analysis,
 * rewrite and DuckDB backend and released {@code --trials} times through the engine's own budget split and release
 * with fresh SecureRandom noise (what {@code Dpq.query} does after the charge); the median relative error |released -
 * exact| / |exact| over released groups that exist in the exact answer and over trials, per value column; how many
 * groups were released against how many the exact answer has; for the queries with a LIMIT, how many of the released
 * rows are among the exact top rows.
 *
 * <p><b>Where the time goes</b> (optional): {@code --variants} times the bounded SQL alone on the plain tables, as
 * rewritten and with its WHERE's {@code TRY} split per conjunct, and checks that both return the same rows;
 * {@code --profile} prints DuckDB's EXPLAIN ANALYZE of the bounded SQL in both group-limit orders.
 *
 * <p>Usage: {@code TpchBench [--sf 1] [--dir DIR] [--reps 5] [--trials 50] [--epsilons 1,0.1] [--queries q1,q3]
 * [--speed true] [--accuracy true] [--variants q1,q5] [--profile q1,q5]}
 */
public final class TpchBench {
  private static final long SEED = 19920101L;

  private TpchBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    double sf = Double.parseDouble(opt.getOrDefault("sf", "1"));
    int reps = Integer.parseInt(opt.getOrDefault("reps", "5"));
    int trials = Integer.parseInt(opt.getOrDefault("trials", "50"));
    List<String> epsilons = List.of(opt.getOrDefault("epsilons", "1,0.1").split(","));
    List<String> names = List.of(opt.getOrDefault("queries", "q1,q3,q5,q6,q10,q12,q14").split(","));
    List<TpchQuery> queries = TpchQuery.ALL.stream().filter(q -> names.contains(q.name())).toList();
    Path dir = Path.of(opt.getOrDefault("dir", Files.createTempDirectory("dpq-tpch").toString())).toAbsolutePath();
    Path yaml = generate(dir, sf);

    try (Connection plain = DriverManager.getConnection("jdbc:duckdb:")) {
      long t0 = System.nanoTime();
      try (Statement s = plain.createStatement()) {
        for (String t : TpchGenerator.TABLES) {
          s.execute("CREATE TABLE " + t + " AS SELECT * FROM read_parquet('" + dir.resolve(t + ".parquet") + "')");
        }
        // as DuckDbBackend does, so that the bounded SQL runs here as it runs there
        s.execute("SET disabled_optimizers = 'top_n_window_elimination'");
      }
      System.out.printf(Locale.ROOT, "plain DuckDB: loaded the %d tables in %.1f s; lineitem %,d rows, customers %,d "
          + "(%,d with orders); most lines of one customer %d, most orders %d%n", TpchGenerator.TABLES.size(),
          seconds(t0),
          scalar(plain, "SELECT COUNT(*) FROM lineitem"), scalar(plain, "SELECT COUNT(*) FROM customer"),
          scalar(plain, "SELECT COUNT(DISTINCT o_custkey) FROM orders"),
          scalar(plain, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM lineitem JOIN orders ON l_orderkey = "
              + "o_orderkey GROUP BY o_custkey)"),
          scalar(plain, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM orders GROUP BY o_custkey)"));
      if (Boolean.parseBoolean(opt.getOrDefault("speed", "true"))) {
        speed(plain, yaml, queries, reps);
      }
      if (Boolean.parseBoolean(opt.getOrDefault("accuracy", "true"))) {
        accuracy(plain, yaml, queries, epsilons, trials);
      }
      if (opt.containsKey("variants")) {
        List<String> chosen = List.of(opt.get("variants").split(","));
        variants(plain, yaml, TpchQuery.ALL.stream().filter(q -> chosen.contains(q.name())).toList(), reps);
      }
      if (opt.containsKey("profile")) {
        List<String> profiled = List.of(opt.get("profile").split(","));
        profile(plain, yaml, TpchQuery.ALL.stream().filter(q -> profiled.contains(q.name())).toList());
      }
    }
  }

  /** Generates SF {@code sf} into {@code dir} unless the files of that SF and seed are there; a fresh ledger. */
  private static Path generate(Path dir, double sf) throws Exception {
    Files.createDirectories(dir);
    Path stamp = dir.resolve("generated.txt");
    String want = "sf " + sf + " seed " + SEED;
    if (!Files.exists(stamp) || !Files.readString(stamp).strip().equals(want)) {
      long t = System.nanoTime();
      TpchGenerator.Written w = TpchGenerator.write(dir, sf, SEED);
      Files.writeString(stamp, want + "\n");
      System.out.printf(Locale.ROOT, "generated SF %s in %.1f s into %s: %s%n", sf, seconds(t), dir, w.rows());
    } else {
      System.out.println("reusing " + want + " in " + dir);
    }
    Path yaml = TpchGenerator.copyYaml(dir);
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith("tpch.ledger.db")).toList()) {
        Files.delete(p); // the YAML's budget (epsilon 100) is for one run of this bench
      }
    }
    return yaml;
  }

  /** Whole DP query against its DP form without DP and the original, interleaved after a warm-up of each. */
  private static void speed(Connection plain, Path yaml, List<TpchQuery> queries, int reps) throws SQLException {
    Map<String, List<Long>> phases = new ConcurrentHashMap<>();
    System.out.printf(Locale.ROOT, "%nspeed: wall seconds, median [min-max] of %d, epsilon 1 (+ 1e-9 per repetition)"
        + "%n", reps);
    System.out.printf(Locale.ROOT, "%-4s | %-22s | %-22s | %-22s | %8s | %8s | %s%n", "q", "DP (Dpq.query)",
        "DP form without DP", "original", "DP/form", "DP/orig", "DP phases, median ms");
    long t0 = System.nanoTime();
    try (Dpq dpq = Dpq.open(yaml, (phase, nanos) -> phases.computeIfAbsent(phase, k -> new ArrayList<>()).add(nanos))) {
      int k = 0;
      for (TpchQuery q : queries) {
        String form = q.sql();
        String original = q.original();
        k++;
        dpq.query(form, QueryOptions.defaults().withEpsilon(epsilon(k, 0)));
        if (k == 1) {
          StringBuilder first = new StringBuilder();
          phases.forEach((p, v) -> first.append(' ').append(p).append(' ').append(Math.round(v.get(0) / 1e6))
              .append(" ms"));
          System.out.printf(Locale.ROOT, "(opening the dataset and its first query: %.1f s;%s)%n", seconds(t0),
              first);
        }
        run(plain, form);
        run(plain, original);
        phases.clear();
        double[] dp = new double[reps];
        double[] pf = new double[reps];
        double[] po = new double[reps];
        for (int r = 0; r < reps; r++) {
          long t = System.nanoTime();
          dpq.query(form, QueryOptions.defaults().withEpsilon(epsilon(k, r + 1)));
          dp[r] = seconds(t);
          t = System.nanoTime();
          run(plain, form);
          pf[r] = seconds(t);
          t = System.nanoTime();
          run(plain, original);
          po[r] = seconds(t);
        }
        StringBuilder ph = new StringBuilder();
        for (String p : List.of("plan", "charge", "backend", "release")) {
          List<Long> v = phases.getOrDefault(p, List.of());
          ph.append(p).append(' ').append(v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f",
              median(v.stream().map(n -> n / 1e6).toList()))).append("  ");
        }
        System.out.printf(Locale.ROOT, "%-4s | %-22s | %-22s | %-22s | %8.2f | %8.2f | %s%n", q, range(dp), range(pf),
            range(po), median(dp) / median(pf), median(dp) / median(po), ph.toString().strip());
      }
    }
  }

  /** Epsilon 1 plus a few billionths, distinct per query and repetition, so the ledger never reuses an answer. */
  private static String epsilon(int query, int rep) {
    return BigDecimal.ONE.add(BigDecimal.valueOf(query * 100L + rep, 9)).toPlainString();
  }

  /** Median relative errors of every value column over {@code trials} releases at each epsilon. */
  private static void accuracy(Connection plain, Path yaml, List<TpchQuery> queries, List<String> epsilons,
      int trials) throws SQLException {
    Dataset d = DatasetLoader.load(yaml);
    long t0 = System.nanoTime();
    try (DuckDbBackend backend = DuckDbBackend.open(d)) {
      System.out.printf(Locale.ROOT, "%naccuracy: %d releases per query and epsilon, Laplace, bounded rows computed once"
          + " (backend opened in %.1f s)%n", trials, seconds(t0));
      for (TpchQuery q : queries) {
        Map<String, List<Double>> exact = TpchQuery.rowsByKey(plain, q.sqlWithoutLimit(), q.keys());
        List<String> exactTop = new ArrayList<>(exact.keySet()); // the DP forms order by the released value
        DpPlan plan = new Analyzer(BackendPublicTuples.fromFiles(d)).analyze(d, q.sql());
        long tb = System.nanoTime();
        List<Object[]> bounded = backend.execute(new Rewriter().rewrite(plan, DuckDbDialect.INSTANCE,
            new SecureRandom().nextLong()).sql());
        double boundedSeconds = seconds(tb);
        for (String eps : epsilons) {
          NoisePlan noisePlan = new BudgetAllocator().allocate(plan, PrivacyLoss.parse(eps, "1.0e-7"),
              MechanismChoice.LAPLACE);
          Releaser releaser = new Releaser();
          Map<String, List<Double>> errors = new LinkedHashMap<>();
          List<String> columns = null;
          double released = 0;
          double matched = 0;
          double inTop = 0;
          int nulls = 0;
          for (int t = 0; t < trials; t++) {
            Releaser.Released r = releaser.release(plan, noisePlan, bounded, SecureNoise.create());
            columns = r.columns();
            released += r.rows().size();
            for (List<Cell> row : r.rows()) {
              String key = key(row, q.keys());
              List<Double> want = exact.get(key);
              if (want == null) {
                continue; // a public-domain group the data does not have: noise only, no relative error
              }
              matched++;
              if (q.limit() > 0 && exactTop.indexOf(key) < q.limit()) {
                inTop++;
              }
              for (int c = q.keys(); c < row.size(); c++) {
                double w = want.get(c - q.keys());
                Object v = row.get(c).value();
                if (v == null) {
                  nulls++; // e.g. Q14's ratio when the noisy denominator is not positive
                  continue;
                }
                errors.computeIfAbsent(r.columns().get(c), x -> new ArrayList<>())
                    .add(Math.abs(((Number) v).doubleValue() - w) / Math.abs(w));
              }
            }
          }
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
              "%-4s eps %-4s | groups: exact %d, released %.1f (%.1f of them in the exact answer%s) | median rel. "
                  + "error:", q, eps, exact.size(), released / trials, matched / trials,
              q.limit() > 0 ? String.format(Locale.ROOT, ", %.1f in its top %d", inTop / trials, q.limit()) : ""));
          for (String c : columns.subList(q.keys(), columns.size())) {
            line.append(String.format(Locale.ROOT, " %s %.2e", c, median(errors.getOrDefault(c, List.of()))));
          }
          if (nulls > 0) {
            line.append(String.format(Locale.ROOT, " (%d released values NULL, left out)", nulls));
          }
          System.out.println(line + String.format(Locale.ROOT, " | bounded query %.1f s | Laplace scales: %s",
              boundedSeconds, String.join(", ", noisePlan.measurements().stream().map(m -> String.format(Locale.ROOT,
                  "%s %.3g", m.label(), m.mechanism().scale())).toList())));
        }
      }
    }
  }

  /**
   * DuckDB's EXPLAIN ANALYZE, on the plain tables, of the bounded SQL of each query in both group-limit orders (dpq
   * picks one at run time when the rewriter offers a probe, aggregate-first otherwise) and of the DP form without DP.
   */
  private static void profile(Connection plain, Path yaml, List<TpchQuery> queries) throws SQLException {
    Dataset d = DatasetLoader.load(yaml);
    for (TpchQuery q : queries) {
      DpPlan plan = new Analyzer(BackendPublicTuples.fromFiles(d)).analyze(d, q.sql());
      Rewriter rewriter = new Rewriter();
      System.out.printf(Locale.ROOT, "%n==== %s: group-limit probe %s%n", q,
          rewriter.groupLimitProbe(plan, DuckDbDialect.INSTANCE).isPresent() ? "offered" : "none (aggregate-first)");
      Map<String, String> sqls = new LinkedHashMap<>();
      sqls.put("bounded, aggregate-first", rewriter.rewrite(plan, DuckDbDialect.INSTANCE, 42L).sql());
      sqls.put("bounded, rank-first", rewriter.rewrite(plan, DuckDbDialect.INSTANCE, 42L,
          org.dpq.engine.rewrite.GroupLimit.RANK_FIRST).sql());
      sqls.put("bounded, aggregate-first, TRY per conjunct", splitTry(sqls.get("bounded, aggregate-first")));
      sqls.put("DP form without DP", q.sql());
      for (Map.Entry<String, String> e : sqls.entrySet()) {
        long t = System.nanoTime();
        try (Statement s = plain.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN ANALYZE " + e.getValue())) {
          System.out.printf(Locale.ROOT, "---- %s %s%n", q, e.getKey());
          while (rs.next()) {
            System.out.println(rs.getString(rs.getMetaData().getColumnCount()));
          }
        }
        System.out.printf(Locale.ROOT, "---- %s %s: %.2f s wall%n", q, e.getKey(), seconds(t));
      }
    }
  }

  /**
   * The bounded SQL in the group-limit order dpq would pick (its probe run on the plain tables) against the same SQL
   * with the WHERE's {@code TRY(a AND b AND ...)} written as {@code TRY(a) AND TRY(b) AND ...}, and the DP form
   * without DP, interleaved; checks that both bounded forms return the same rows. In a WHERE the two keep exactly
   * the same rows (a row is kept only when every conjunct is true without error in both), and no error escapes
   * either; only the second lets DuckDB push each conjunct down to its table.
   */
  private static void variants(Connection plain, Path yaml, List<TpchQuery> queries, int reps) throws SQLException {
    Dataset d = DatasetLoader.load(yaml);
    System.out.printf(Locale.ROOT, "%nbounded SQL alone on the plain tables, wall seconds, median [min-max] of %d%n", reps);
    System.out.printf(Locale.ROOT, "%-4s | %-15s | %-22s | %-22s | %-22s | %s%n", "q", "order", "bounded (as rewritten)",
        "bounded, TRY per AND", "DP form without DP", "same rows");
    for (TpchQuery q : queries) {
      DpPlan plan = new Analyzer(BackendPublicTuples.fromFiles(d)).analyze(d, q.sql());
      Rewriter rewriter = new Rewriter();
      org.dpq.engine.rewrite.GroupLimit order = org.dpq.engine.rewrite.GroupLimit.AGGREGATE_FIRST;
      java.util.Optional<String> probe = rewriter.groupLimitProbe(plan, DuckDbDialect.INSTANCE);
      if (probe.isPresent()) {
        try (Statement s = plain.createStatement(); ResultSet rs = s.executeQuery(probe.get())) {
          rs.next();
          order = org.dpq.engine.rewrite.GroupLimit.choose(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
      }
      String bounded = rewriter.rewrite(plan, DuckDbDialect.INSTANCE, 42L, order).sql();
      String split = splitTry(bounded);
      boolean same = sortedRows(plain, bounded).equals(sortedRows(plain, split));
      double[] b = new double[reps];
      double[] t = new double[reps];
      double[] f = new double[reps];
      for (int r = 0; r < reps; r++) {
        long s0 = System.nanoTime();
        run(plain, bounded);
        b[r] = seconds(s0);
        s0 = System.nanoTime();
        run(plain, split);
        t[r] = seconds(s0);
        s0 = System.nanoTime();
        run(plain, q.sql());
        f[r] = seconds(s0);
      }
      System.out.printf(Locale.ROOT, "%-4s | %-15s | %-22s | %-22s | %-22s | %s%s%n", q, order, range(b), range(t),
          range(f), same, split.equals(bounded) ? " (one conjunct: nothing to split)" : "");
    }
  }

  /** Every {@code WHERE TRY(a AND b ...)} of {@code sql} as {@code WHERE TRY(a) AND TRY(b) ...} (top-level ANDs). */
  static String splitTry(String sql) {
    StringBuilder out = new StringBuilder();
    int from = 0;
    while (true) {
      int at = sql.indexOf("WHERE TRY(", from);
      if (at < 0) {
        return out.append(sql, from, sql.length()).toString();
      }
      int open = at + "WHERE TRY".length();
      int close = matching(sql, open);
      List<String> parts = topLevelConjuncts(sql.substring(open + 1, close));
      out.append(sql, from, at).append("WHERE ");
      for (int i = 0; i < parts.size(); i++) {
        out.append(i == 0 ? "" : " AND ").append("TRY(").append(parts.get(i).strip()).append(')');
      }
      from = close + 1;
    }
  }

  /** The index of the parenthesis closing the one at {@code open}, outside quoted text. */
  private static int matching(String sql, int open) {
    int depth = 0;
    for (int i = open; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        i = sql.indexOf(c, i + 1);
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced parentheses");
  }

  /** {@code condition} split at its ANDs outside parentheses, quotes, CASE ... END and BETWEEN ... AND. */
  private static List<String> topLevelConjuncts(String condition) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int between = 0;
    int start = 0;
    String upper = condition.toUpperCase(Locale.ROOT);
    for (int i = 0; i < condition.length(); i++) {
      char c = condition.charAt(i);
      if (c == '\'' || c == '"') {
        i = condition.indexOf(c, i + 1);
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (word(upper, i, "CASE")) {
        depth++;
      } else if (word(upper, i, "END")) {
        depth--;
      } else if (depth == 0 && word(upper, i, "BETWEEN")) {
        between++;
      } else if (depth == 0 && word(upper, i, "AND")) {
        if (between > 0) {
          between--;
        } else {
          parts.add(condition.substring(start, i));
          start = i + 3;
        }
      }
    }
    parts.add(condition.substring(start));
    return parts;
  }

  private static boolean word(String text, int i, String w) {
    return text.startsWith(w, i) && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))
        && (i + w.length() >= text.length() || !Character.isLetterOrDigit(text.charAt(i + w.length())));
  }

  private static List<String> sortedRows(Connection c, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(rs.getString(i)).append('|');
        }
        rows.add(row.toString());
      }
    }
    java.util.Collections.sort(rows);
    return rows;
  }

  private static String key(List<Cell> row, int keys) {
    List<String> key = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      key.add(TpchQuery.keyText(row.get(i).value()));
    }
    return String.join("|", key);
  }

  private static void run(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rs.getObject(1);
      }
    }
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static String range(double[] xs) {
    return String.format(Locale.ROOT, "%.3f [%.3f-%.3f]", median(xs), Arrays.stream(xs).min().orElse(Double.NaN),
        Arrays.stream(xs).max().orElse(Double.NaN));
  }

  private static double median(double[] xs) {
    return median(Arrays.stream(xs).boxed().toList());
  }

  private static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
