package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import org.apache.calcite.sql.SqlDialect;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.mechanisms.ApproxBounds;

/**
 * The bounded query behind an automatic bounds estimate: for one column, how many privacy units have a value in
 * each power-of-two bin of an {@link ApproxBounds} histogram. Owns the per-unit bound of that histogram: a unit is
 * counted at most once per bin and in at most {@link #maxBinsPerUnit} bins (its lowest ones, a rule that reads only
 * its own rows), so one unit moves the histogram by at most that many in L1. NULL and NaN are ignored (as by every
 * aggregate), infinities fall into the outermost bins. The query returns one row per non-empty bin, (bin, units):
 * counts only, never a value.
 *
 * <p>The SQL is plain (CASE, LN, POWER, FLOOR, ROW_NUMBER, DISTINCT, GROUP BY) and is the same text for DuckDB and
 * PostgreSQL; LN is only ever applied to magnitudes inside the binned range, never to 0 or infinity.
 */
public final class BoundsHistogram {
  private BoundsHistogram() {}

  /** K: a unit's bins, at most G x R, at most {@code max_rows_per_unit}, and never more than the bins there are. */
  public static long maxBinsPerUnit(Dataset dataset, ApproxBounds bins) {
    long k = (long) dataset.maxGroupsContributed() * dataset.maxRowsPerGroup();
    if (dataset.maxRowsPerUnit().isPresent()) {
      k = Math.min(k, dataset.maxRowsPerUnit().getAsInt());
    }
    return Math.min(k, bins.bins());
  }

  /** The histogram query for {@code column} of {@code dataset}'s table, each unit in at most {@code k} bins. */
  public static String sql(Dataset dataset, Column column, ApproxBounds bins, long k, SqlDialect dialect) {
    String x = "CAST(" + dialect.quoteIdentifier(column.name()) + " AS DOUBLE PRECISION)";
    String table = dialect.quoteIdentifier(dataset.table());
    int zero = bins.zeroBin();
    int min = bins.minExponent();
    int max = bins.maxExponent();
    String top = power(max);
    String bottom = power(min + 1);
    // v: the value; k0: floor(log2 |v|) up to a rounding error of one, for magnitudes inside the binned range only
    String values = "SELECT " + (dataset.unit() instanceof PrivacyUnit.ByColumn u
        ? dialect.quoteIdentifier(u.column()) : "0") + " AS u, " + x + " AS v FROM " + table + " WHERE "
        + x + " IS NOT NULL AND " + x + " <> CAST('NaN' AS DOUBLE PRECISION)";
    String withLog = "SELECT u, v, CASE WHEN ABS(v) >= " + top + " OR ABS(v) < " + bottom + " THEN 0 ELSE "
        + "CAST(FLOOR(LN(ABS(v)) / LN(2.0)) AS INTEGER) END AS k0 FROM (" + values + ") s";
    String exponent = "CASE WHEN ABS(v) >= " + top + " THEN " + max + " WHEN ABS(v) < " + bottom + " THEN " + min
        + " WHEN POWER(2.0, k0) > ABS(v) THEN k0 - 1 WHEN POWER(2.0, k0 + 1) <= ABS(v) THEN k0 + 1 ELSE k0 END";
    String bin = "CASE WHEN v = 0 THEN " + zero + " WHEN v > 0 THEN " + (zero + 1 - min) + " + (" + exponent + ")"
        + " ELSE " + (zero - 1 + min) + " - (" + exponent + ") END";
    String binned = "SELECT u, " + bin + " AS bin FROM (" + withLog + ") l";
    if (dataset.unit() instanceof PrivacyUnit.Row) {
      return "SELECT bin, COUNT(*) AS units FROM (" + binned + ") b GROUP BY bin";
    }
    String distinct = "SELECT DISTINCT u, bin FROM (" + binned + ") b";
    String ranked = "SELECT bin, ROW_NUMBER() OVER (PARTITION BY u ORDER BY bin) AS rn FROM (" + distinct + ") d";
    return "SELECT bin, COUNT(*) AS units FROM (" + ranked + ") r WHERE rn <= " + k + " GROUP BY bin";
  }

  /** 2^e as an exact decimal cast to a double. */
  private static String power(int e) {
    BigDecimal v = e >= 0 ? new BigDecimal(java.math.BigInteger.ONE.shiftLeft(e))
        : BigDecimal.ONE.divide(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(-e)));
    return "CAST('" + v.toPlainString() + "' AS DOUBLE PRECISION)";
  }
}
