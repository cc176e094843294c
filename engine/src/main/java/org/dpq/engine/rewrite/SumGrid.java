package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;

/**
 * The power-of-two grid on which the backend computes a real-valued bounded sum exactly, whatever order it adds
 * in. Owns the half of invariant 2 that says bounded sums reach the mechanism exactly (the floating-point attack
 * class of Casacuberta et al., CCS 2022: double summation in an order the backend chooses can move a sum by more
 * than the mechanism's rounding allowance).
 *
 * <p>How. Each row's clamped (and centred, or squared) value {@code x} becomes an integer number of grid steps
 * {@code k = FLOOR(x * 2^-e + 0.5)} (the nearest step, ties up; the product by a power of two and the addition of
 * 1/2 are exact in double because {@code |x * 2^-e| < 2^42}), so it is a deterministic function of the row alone.
 * A row's count is at most 2^41 in magnitude, so on DuckDB and PostgreSQL it is written as a 64-bit integer (see
 * {@link RowSteps}; the sums stay 128-bit or unbounded); a unit's steps are added as {@code DECIMAL(38,0)} (exact
 * integers on DuckDB, PostgreSQL and Spark); a unit with
 * n &gt; R values contributes {@code FLOOR(S * R / n + 0.5)} steps (computed in double from its exact sum S: a
 * deterministic function of the unit's own rows), clamped to {@code [ceil(lo / g), floor(hi / g)]} for its per-unit
 * bounds {@code [lo, hi]}; and units are added as {@code DECIMAL(38,0)}. The backend returns the exact integer K and
 * the released value is {@code K * 2^e}, handed to the mechanism as an exact decimal.
 *
 * <p>Privacy. Rounding moves values by at most half a step per row and per unit, but the contribution that is
 * summed is clamped, after all rounding, to a whole number of steps within the measurement's per-unit bounds:
 * one unit still changes each group's exact sum by at most {@code max(|lo|, |hi|)}, so the measurement's declared
 * sensitivity holds exactly (for {@code privacy_unit: row} the row is the unit, and its steps are clamped to the
 * row bounds rounded inwards when rounding could leave them). The mechanism then rounds the exact sum to its own
 * grid, the rounding its calibration accounts for ({@code NoiseMechanism}).
 *
 * <p>Grid and overflow. {@code g = 2^e} with {@code e = floor(log2(P)) - 40}, P the larger magnitude of the
 * per-unit bounds: one row or one unit is at most 2^41 steps, so a sum over fewer than 2^63 rows or units is below
 * 2^104, far inside DECIMAL(38,0) (about 2^126); no overflow is possible for any row count. The grid is at least 16
 * times finer than the Laplace mechanism's (sensitivity * 2^-36) whenever epsilon is at most 16 G, so rounding
 * adds at most {@code g / 2} per row to the error, about 2^-41 of the per-unit bound.
 */
public final class SumGrid {
  /** Steps per per-unit bound: a row or unit is at most 2^(STEPS_LOG2 + 1) steps. */
  static final int STEPS_LOG2 = 40;

  private SumGrid() {}

  /**
   * How one row's step count (at most 2^41 in magnitude) is typed, per backend, so that the backend adds it fast and
   * its sums still cannot overflow: on DuckDB a BIGINT (its SUM of BIGINT is a 128-bit HUGEINT, and 64-bit additions
   * are the cheapest it has: the row-unit grouped SUM+AVG bounded query took about 3.0 times the plain query's CPU with
   * DECIMAL(38, 0) row steps, 1.75 with DECIMAL(18, 0) and 1.45-1.55 with BIGINT, at 10M rows); on PostgreSQL a
   * DECIMAL(18, 0) (summed as unbounded NUMERIC); on Spark a DECIMAL(38, 0), since Spark's SUM of DECIMAL(p, 0) is
   * only DECIMAL(p + 10, 0) and its SUM of BIGINT is a BIGINT.
   */
  enum RowSteps {
    BIGINT,
    DECIMAL_18,
    DECIMAL_38;

    /** The row-step type for {@code dialect}. */
    static RowSteps forDialect(org.apache.calcite.sql.SqlDialect dialect) {
      if (dialect instanceof org.dpq.engine.execution.DuckDbDialect) {
        return BIGINT;
      }
      return dialect instanceof org.apache.calcite.sql.dialect.PostgresqlSqlDialect ? DECIMAL_18 : DECIMAL_38;
    }
  }

  /** True when the rewrite computes {@code m} as an exact number of grid steps (real-valued sums). */
  public static boolean applies(Measurement m) {
    return (m.kind() == MeasurementKind.SUM || m.kind() == MeasurementKind.SUM_SQUARES
        || m.kind() == MeasurementKind.UNIT_MEANS) && !m.integral();
  }

  /** The grid exponent e of {@code m}: {@code floor(log2(P)) - 40}, P the larger magnitude of its per-unit bounds. */
  public static int exponent(Measurement m) {
    double p = Math.max(Math.abs(m.perUnitLower()), Math.abs(m.perUnitUpper()));
    if (!(p > 0) || !Double.isFinite(p)) {
      return 0;
    }
    return Math.getExponent(p) - STEPS_LOG2;
  }

  /** The exact value {@code K * 2^e} of a backend's step count K for {@code m}. */
  public static BigDecimal value(Object steps, Measurement m) {
    BigDecimal k = decimal(steps);
    int e = exponent(m);
    BigDecimal g = new BigDecimal(Math.scalb(1.0, Math.abs(e)));
    return e >= 0 ? k.multiply(g) : k.divide(g);
  }

  /**
   * The step count of a value on the grid of {@code m} (the inverse of {@link #value}), e.g. to state a bounded
   * row by its value in tests.
   *
   * @throws ArithmeticException when {@code value} is not a whole number of steps
   */
  public static BigInteger steps(double value, Measurement m) {
    return steps(value, exponent(m)).toBigIntegerExact();
  }

  /** The smallest whole number of steps at or above {@code bound}. */
  static BigInteger stepsAtLeast(double bound, int e) {
    return steps(bound, e).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
  }

  /** The largest whole number of steps at or below {@code bound}. */
  static BigInteger stepsAtMost(double bound, int e) {
    return steps(bound, e).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
  }

  /** The step count of one row value as the SQL computes it: {@code floor(x * 2^-e + 0.5)} in double. */
  static double rowSteps(double x, int e) {
    return Math.floor(x * Math.scalb(1.0, -e) + 0.5);
  }

  private static BigDecimal steps(double bound, int e) {
    BigDecimal b = new BigDecimal(bound);
    BigDecimal g = new BigDecimal(Math.scalb(1.0, Math.abs(e)));
    return e >= 0 ? b.divide(g) : b.multiply(g);
  }

  private static BigDecimal decimal(Object v) {
    if (v == null) {
      return BigDecimal.ZERO;
    }
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      return new BigDecimal(((Number) v).doubleValue());
    }
    return new BigDecimal(v.toString());
  }
}
