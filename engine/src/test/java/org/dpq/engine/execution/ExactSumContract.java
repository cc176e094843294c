package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.rewrite.RewriteSeams;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.engine.rewrite.SumGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded sums are exact whatever order the backend adds them in (issue 12, item 6; Casacuberta et al. 2022). The
 * same rows are written in three orders (ascending, descending, shuffled); each backend runs the bounded query over
 * each order in several ways (subclasses: thread counts, partitions, parallel workers), and every run must return
 * bit-identical bounded rows. The values are built so that double summation is order-dependent: 40% of the rows
 * sit at or beyond the upper bound 10^6 and the rest are small non-dyadic fractions, so a double total of about
 * 10^10 rounds each small addition differently depending on what was added before.
 *
 * <p>Broken variant: the same check on the rewrite that adds clamped doubles ({@link RewriteSeams#doubleSums()})
 * must find runs that disagree. The row-unit sums are also checked against the exact sum of the rows' grid steps
 * computed here in integer arithmetic. Test-only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ExactSumContract {
  /** One way to run a bounded query: a backend over one order of the rows (the dialect says how to write it). */
  public record Run(String name, SqlDialect dialect, Function<String, List<Object[]>> execute) {}

  static final int ROWS = 20_000;
  static final String COLUMNS = """
      pid: { type: int }
      grp: { type: string, public_values: ["a", "b"] }
      x:   { type: double, lower: 0, upper: 1000000 }
      """;
  private static final List<String> QUERIES = List.of(
      "SELECT grp, SUM(x) AS s, COUNT(*) AS n FROM exact GROUP BY grp",
      "SELECT SUM(x) AS s FROM exact WHERE x < 500000");
  private static final Analyzer ANALYZER = new Analyzer();

  private final Map<String, List<Run>> runs = new LinkedHashMap<>();
  private final List<double[]> values = new ArrayList<>();
  private TestTable anyTable;

  /** The runs of one backend over {@code table} (one order of the rows). */
  protected abstract List<Run> open(TestTable table, Path work) throws Exception;

  /** Closes what {@link #open} opened. */
  protected abstract void cleanUp() throws Exception;

  @BeforeAll
  void openAll(@TempDir Path work) throws Exception {
    Random random = new Random(20261204L);
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      double x = i % 5 < 2 ? 999_999.7 + (i % 3) : (i % 97) * 0.1 + (i % 13) * 1e-7 + random.nextInt(1000) * 1e-4;
      rows.add(new String[] {String.valueOf(i % 500), i % 2 == 0 ? "a" : "b", Double.toString(x)});
      values.add(new double[] {i % 2, x});
    }
    List<String[]> ascending = new ArrayList<>(rows);
    ascending.sort(Comparator.comparingDouble(r -> Double.parseDouble(r[2])));
    List<String[]> descending = new ArrayList<>(ascending);
    java.util.Collections.reverse(descending);
    List<String[]> shuffled = new ArrayList<>(rows);
    java.util.Collections.shuffle(shuffled, random);
    Map<String, List<String[]>> orders = Map.of("ascending", ascending, "descending", descending,
        "shuffled", shuffled);
    for (Map.Entry<String, List<String[]>> order : new TreeMap<>(orders).entrySet()) {
      Path dir = Files.createDirectories(work.resolve(order.getKey()));
      Path csv = dir.resolve("exact.csv");
      StringBuilder text = new StringBuilder("pid,grp,x\n");
      for (String[] r : order.getValue()) {
        text.append(String.join(",", r)).append('\n');
      }
      Files.writeString(csv, text);
      TestTable table = new TestTable("exact", csv, List.of("pid integer", "grp text", "x double precision"), "pid",
          COLUMNS);
      anyTable = table;
      List<Run> opened = open(table, work);
      assertFalse(opened.isEmpty());
      runs.put(order.getKey(), opened);
    }
  }

  @AfterAll
  void closeAll() throws Exception {
    cleanUp();
  }

  /** A dataset over the file of any order (the analysis reads no data; the runs carry their own source). */
  private Dataset dataset(String unit) {
    boolean rowUnit = unit.equals("row");
    return anyTable.dataset(anyTable.csvSource(), unit, rowUnit ? 1 : 2, rowUnit ? 1 : 3);
  }

  /**
   * Per run (order and way of running), the bounded rows of {@code sql} as exact text, keyed by group; the runs
   * that disagree with the first are listed in the returned map under "disagree".
   */
  private Map<String, String> results(Rewriter rewriter, String unit, String sql) {
    DpPlan plan = ANALYZER.analyze(dataset(unit), sql);
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Run>> order : runs.entrySet()) {
      for (Run run : order.getValue()) {
        String bounded = rewriter.rewrite(plan, run.dialect(), 42L).sql();
        out.put(order.getKey() + "/" + run.name(), exact(plan, run.execute().apply(bounded)));
      }
    }
    return out;
  }

  /** Rows sorted by key, every measurement as its exact value (a real sum in grid steps times the grid). */
  private static String exact(DpPlan plan, List<Object[]> rows) {
    int keys = plan.keys().size();
    Map<String, String> byKey = new TreeMap<>();
    for (Object[] row : rows) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < plan.measurements().size(); i++) {
        Measurement m = plan.measurements().get(i);
        Object v = row[keys + i];
        String value = SumGrid.applies(m) && !(v instanceof Double) ? SumGrid.value(v, m).toPlainString()
            : v instanceof Double d ? Double.toHexString(d) : String.valueOf(v);
        text.append(value).append(' ');
      }
      byKey.put(keys == 0 ? "" : String.valueOf(row[0]), text.toString());
    }
    return byKey.toString();
  }

  private static long distinct(Map<String, String> results) {
    return results.values().stream().distinct().count();
  }

  @Test
  void boundedSumsAreBitIdenticalWhateverTheRowOrderAndParallelism() {
    for (String unit : List.of("pid", "row")) {
      for (String sql : QUERIES) {
        Map<String, String> r = results(new Rewriter(), unit, sql);
        assertEquals(1, distinct(r), () -> "unit " + unit + ", " + sql + ": runs disagree:\n" + r);
      }
    }
  }

  @Test
  void rowUnitSumsAreTheExactSumOfTheRowsGridSteps() {
    DpPlan plan = ANALYZER.analyze(dataset("row"), QUERIES.get(0));
    Measurement sum = plan.measurements().stream().filter(SumGrid::applies).findFirst().orElseThrow();
    int e = SumGrid.exponent(sum);
    BigInteger[] steps = {BigInteger.ZERO, BigInteger.ZERO};
    for (double[] row : values) {
      double clamped = Math.min(1_000_000, Math.max(0, row[1]));
      steps[(int) row[0]] = steps[(int) row[0]].add(BigInteger.valueOf((long) Math.floor(clamped * Math.scalb(1.0,
          -e) + 0.5)));
    }
    Run any = runs.values().iterator().next().get(0);
    List<Object[]> rows = any.execute().apply(new Rewriter().rewrite(plan, any.dialect(), 1L).sql());
    int index = plan.measurements().indexOf(sum);
    for (Object[] row : rows) {
      int group = "a".equals(row[0]) ? 0 : 1;
      BigDecimal expected = new BigDecimal(steps[group]).multiply(new BigDecimal(Math.scalb(1.0, e)));
      assertEquals(0, expected.compareTo(SumGrid.value(row[1 + index], sum)), "group " + row[0]);
    }
  }

  @Test
  void theSameCheckFindsOrderDependentDoubleSums() {
    // One disagreeing query is all this needs to show; stop there (each run on Spark costs seconds).
    int disagreeing = 0;
    for (String unit : List.of("pid", "row")) {
      for (String sql : QUERIES) {
        Map<String, String> r = results(RewriteSeams.doubleSums(), unit, sql);
        if (distinct(r) > 1) {
          disagreeing++;
          break;
        }
      }
      if (disagreeing > 0) {
        break;
      }
    }
    assertTrue(disagreeing > 0, "double sums agreed across every order and way of running; the data no longer "
        + "makes summation order-dependent, so the exact-sum check above proves nothing");
  }

  /** For subclasses: rows of a plain JDBC query (values as {@link JdbcValues} converts them). */
  protected static List<Object[]> rows(java.sql.Connection c, String sql) {
    try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
      List<Object[]> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
          row[i] = JdbcValues.normalize(rs.getObject(i + 1));
        }
        out.add(row);
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** For subclasses: an absolute path in SQL single quotes. */
  protected static String quoted(Path p) throws IOException {
    return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
  }
}
