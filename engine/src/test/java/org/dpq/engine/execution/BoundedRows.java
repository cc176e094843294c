package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.dpq.engine.analysis.Analyzer;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.rewrite.BoundedQuery;
import org.dpq.engine.rewrite.Rewriter;
import org.dpq.engine.rewrite.SumGrid;

/**
 * The bounded (pre-noise) rows of one query on one backend: analysis, rewrite in the backend's dialect with a
 * given secret, execution; keyed by the group key values. Test-only.
 *
 * @param sql the bounded SQL that ran
 * @param plan the analysed query
 * @param rows per group key (a list, NULL allowed), the measurement values
 */
public record BoundedRows(String sql, DpPlan plan, Map<List<Object>, List<Object>> rows) {

  /**
   * Relative tolerance for real-valued measurements. Real sums are exact numbers of grid steps, but each row's
   * step count is a backend's double arithmetic (the same IEEE operations everywhere, so equal in practice); anything a dialect gets wrong (a row dropped, a NULL taken
   * for a bound, an integer division, a wrong clamp) moves a value by far more. Integral measurements and keys
   * must be equal exactly.
   */
  public static final double RELATIVE_TOLERANCE = 1e-9;

  /** Runs {@code sql} on {@code backend} for {@code dataset} with {@code secret}. */
  public static BoundedRows run(Backend backend, Dataset dataset, String sql, long secret) {
    return run(backend, dataset, sql, secret, new Rewriter());
  }

  /** Runs {@code sql} on {@code backend} for {@code dataset} with {@code secret}, rewritten by {@code rewriter}. */
  public static BoundedRows run(Backend backend, Dataset dataset, String sql, long secret, Rewriter rewriter) {
    // joint key domains read their public tables through the backend under test
    return run(backend, new Analyzer(BackendPublicTuples.over(backend)).analyze(dataset, sql), secret, rewriter);
  }

  /** Runs the analysed {@code plan} (e.g. a deliberately altered one) on {@code backend} with {@code secret}. */
  public static BoundedRows run(Backend backend, DpPlan plan, long secret, Rewriter rewriter) {
    BoundedQuery query = rewriter.rewrite(plan, backend.dialect(), secret);
    Map<List<Object>, List<Object>> rows = new LinkedHashMap<>();
    for (Object[] row : backend.execute(query.sql())) {
      assertEquals(query.keyCount() + query.measurementCount(), row.length, "row width of " + query.sql());
      List<Object> key = new ArrayList<>();
      for (int i = 0; i < query.keyCount(); i++) {
        key.add(row[i]);
      }
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < query.measurementCount(); i++) {
        Object v = row[query.keyCount() + i];
        Measurement m = plan.measurements().get(i);
        if (SumGrid.applies(m)) {
          // an exact number of grid steps (BIGINT-sized or larger); compared as its value
          assertTrue(v instanceof Long || v instanceof java.math.BigInteger
              || v instanceof java.math.BigDecimal d && d.stripTrailingZeros().scale() <= 0,
              "measurement " + i + " is not a whole number of grid steps: " + v.getClass().getSimpleName());
          v = SumGrid.value(v, m).doubleValue();
        }
        Class<?> type = m.integral() ? Long.class : Double.class;
        assertInstanceOf(type, v, "measurement " + i + " of " + query.sql());
        values.add(v);
      }
      if (rows.put(key, values) != null) {
        fail("duplicate group " + key + " from " + query.sql());
      }
    }
    return new BoundedRows(query.sql(), plan, rows);
  }

  /** The index of the only measurement of this kind. */
  public int indexOf(MeasurementKind kind) {
    int found = -1;
    for (int i = 0; i < plan.measurements().size(); i++) {
      if (plan.measurements().get(i).kind() == kind) {
        assertEquals(-1, found, "more than one " + kind + " measurement in " + sql);
        found = i;
      }
    }
    assertTrue(found >= 0, "no " + kind + " measurement in " + sql);
    return found;
  }

  /** The sum over groups of measurement {@code index} (integral). */
  public long total(int index) {
    return rows.values().stream().mapToLong(v -> (Long) v.get(index)).sum();
  }

  /**
   * Asserts that {@code other} has exactly this result's groups and, per group, equal integral measurements and
   * real ones within {@link #RELATIVE_TOLERANCE}.
   */
  public void assertSameAs(BoundedRows other, String context) {
    assertEquals(new TreeSet<>(rows.keySet().stream().map(String::valueOf).toList()),
        new TreeSet<>(other.rows.keySet().stream().map(String::valueOf).toList()), context + ": group keys");
    assertEquals(rows.size(), other.rows.size(), context + ": group count");
    for (Map.Entry<List<Object>, List<Object>> e : rows.entrySet()) {
      List<Object> theirs = other.rows.get(e.getKey());
      if (theirs == null) {
        fail(context + ": group " + e.getKey() + " has keys of other types: "
            + e.getKey().stream().map(k -> k == null ? "null" : k.getClass().getSimpleName()).toList());
      }
      List<Object> ours = e.getValue();
      for (int i = 0; i < ours.size(); i++) {
        String where = context + ": group " + e.getKey() + ", measurement " + i + " ("
            + plan.measurements().get(i).kind() + ")";
        if (ours.get(i) instanceof Double a) {
          double b = (Double) theirs.get(i);
          double scale = Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
          if (!(Math.abs(a - b) <= RELATIVE_TOLERANCE * scale)) {
            assertEquals(a, b, where);
          }
        } else {
          assertEquals(ours.get(i), theirs.get(i), where);
        }
      }
    }
  }
}
