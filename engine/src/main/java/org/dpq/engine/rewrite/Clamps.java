package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.dpq.engine.analysis.Measurement;

/**
 * Clamp and cleaning expressions, written with CASE (GREATEST/LEAST skip NULLs on DuckDB, PostgreSQL and
 * Spark, so a NULL would be clamped to a bound). Owns the row-level half of invariant 3 and the NULL/NaN/Inf
 * policy: NULL and NaN become NULL (ignored by SUM and COUNT(col)); -Inf and +Inf clamp to the bounds.
 */
final class Clamps {
  private final RexBuilder rex;
  private final RelDataType doubleType;
  private final RelDataType bigintType;
  private final RelDataType stepsType;
  private final RelDataType rowStepsType;

  Clamps(RexBuilder rex) {
    this.rex = rex;
    this.doubleType = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.DOUBLE), true);
    this.bigintType = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.BIGINT), true);
    this.stepsType = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.DECIMAL, 38, 0), true);
    if (stepsType.getPrecision() != 38) {
      throw new IllegalStateException("the type system must allow DECIMAL(38, 0) for exact sums");
    }
    this.rowStepsType = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.DECIMAL, 18, 0), true);
  }

  /** DECIMAL(38, 0): the exact integer type of grid-step counts and their sums (see {@link SumGrid}). */
  RelDataType stepsType() {
    return stepsType;
  }

  /**
   * The type of one row's step count for a backend ({@link SumGrid.RowSteps}), when every row's count is known to be
   * below 10^18 in magnitude; a SUM of it is exact on that backend.
   */
  RelDataType rowStepsType(SumGrid.RowSteps kind) {
    return switch (kind) {
      case BIGINT -> bigintType;
      case DECIMAL_18 -> rowStepsType;
      case DECIMAL_38 -> stepsType;
    };
  }

  /**
   * One row value {@code x} (DOUBLE) as a whole number of grid steps {@code 2^e}: {@code CAST(FLOOR(x * 2^-e +
   * 0.5) AS type)}, {@code type} a {@link #rowStepsType} when the caller has shown that every row's count fits it,
   * else {@link #stepsType}; NULL stays NULL. Deterministic per row on every backend (exact products by a power
   * of two, then FLOOR).
   */
  RexNode steps(RexNode x, int e, RelDataType type) {
    RexNode scaled = rex.makeCall(SqlStdOperatorTable.MULTIPLY, x, literal(Math.scalb(1.0, -e), false));
    RexNode floor = rex.makeCall(SqlStdOperatorTable.FLOOR,
        rex.makeCall(SqlStdOperatorTable.PLUS, scaled, literal(0.5, false)));
    return rex.makeAbstractCast(type, floor, false);
  }

  /**
   * A unit's exact step sum {@code s} of {@code n} values, scaled to at most {@code rows} values' worth and rounded
   * to whole steps: {@code CASE WHEN n > rows THEN CAST(FLOOR(CAST(s AS DOUBLE) * rows / n + 0.5) AS DECIMAL(38,
   * 0)) ELSE s END}. The double arithmetic is a deterministic function of the unit's own (exact) sum and count.
   */
  RexNode scaleSteps(RexNode sum, RexNode n, double rows) {
    RexNode scaled = rex.makeCall(SqlStdOperatorTable.DIVIDE,
        rex.makeCall(SqlStdOperatorTable.MULTIPLY, cast(sum, doubleType), literal(rows, false)), n);
    RexNode rounded = rex.makeAbstractCast(stepsType, rex.makeCall(SqlStdOperatorTable.FLOOR,
        rex.makeCall(SqlStdOperatorTable.PLUS, scaled, literal(0.5, false))), false);
    return rex.makeCall(SqlStdOperatorTable.CASE,
        rex.makeCall(SqlStdOperatorTable.GREATER_THAN, n, literal(rows, true)), rounded,
        rex.makeAbstractCast(stepsType, sum, false));
  }

  /** A step count clamped to whole steps {@code [lower, upper]}; NULL stays NULL. */
  RexNode clampSteps(RexNode x, BigInteger lower, BigInteger upper) {
    return between(x, stepsLiteral(lower), stepsLiteral(upper));
  }

  /** A step count clamped to whole steps {@code [lower, upper]}, as literals of {@code x}'s own type. */
  RexNode clampStepsAsIs(RexNode x, BigInteger lower, BigInteger upper) {
    return between(x, rex.makeExactLiteral(new BigDecimal(lower), x.getType()),
        rex.makeExactLiteral(new BigDecimal(upper), x.getType()));
  }

  /** A DECIMAL(38, 0) literal. */
  RexNode stepsLiteral(BigInteger value) {
    return rex.makeExactLiteral(new BigDecimal(value), stepsType);
  }

  RelDataType doubleType() {
    return doubleType;
  }

  RelDataType bigintType() {
    return bigintType;
  }

  /** {@code CAST(x AS type)}, always written out (never folded away). */
  RexNode cast(RexNode x, RelDataType type) {
    if (x.getType().getSqlTypeName() == type.getSqlTypeName() && type.getSqlTypeName() != SqlTypeName.BIGINT) {
      return x;
    }
    return rex.makeAbstractCast(type, x, false);
  }

  /** True when {@code x} is a floating-point value (which may be NaN or infinite). */
  static boolean isFloating(RexNode x) {
    SqlTypeName t = x.getType().getSqlTypeName();
    return t == SqlTypeName.DOUBLE || t == SqlTypeName.FLOAT || t == SqlTypeName.REAL;
  }

  /**
   * NaN to NULL: {@code CASE WHEN x = CAST('NaN' AS DOUBLE) THEN NULL ELSE x END}. The backends (DuckDB,
   * PostgreSQL, Spark) treat NaN as equal to itself; a NULL x yields NULL.
   */
  RexNode nanToNull(RexNode x) {
    if (!isFloating(x)) {
      return x;
    }
    return rex.makeCall(SqlStdOperatorTable.CASE, rex.makeCall(SqlStdOperatorTable.EQUALS, x, nan()),
        rex.makeNullLiteral(x.getType()), x);
  }

  /**
   * A row value clamped to {@code [lower, upper]} as DOUBLE (or BIGINT when {@code integral}); NULL and NaN give
   * NULL; -Inf and +Inf give the bounds.
   */
  RexNode clampRow(RexNode column, double lower, double upper, boolean integral) {
    RelDataType type = integral ? bigintType : doubleType;
    RexNode x = cast(column, type);
    RexNode lo = literal(lower, integral);
    RexNode hi = literal(upper, integral);
    if (isFloating(column)) {
      // In-range values first: the backend tests the other branches only on the rows the first one leaves (NaN
      // compares greater than every number and equal to itself on DuckDB, PostgreSQL and Spark, so it fails the
      // first test and is caught before "x > upper"; NULL fails every test and falls to the NULL ELSE).
      return rex.makeCall(SqlStdOperatorTable.CASE,
          rex.makeCall(SqlStdOperatorTable.AND, rex.makeCall(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL, x, lo),
              rex.makeCall(SqlStdOperatorTable.LESS_THAN_OR_EQUAL, x, hi)), x,
          rex.makeCall(SqlStdOperatorTable.LESS_THAN, x, lo), lo,
          rex.makeCall(SqlStdOperatorTable.EQUALS, x, nan()), rex.makeNullLiteral(type),
          rex.makeCall(SqlStdOperatorTable.GREATER_THAN, x, hi), hi,
          rex.makeNullLiteral(type));
    }
    return between(x, lo, hi);
  }

  /**
   * An aggregate argument with each {@link Measurement#CLAMP} marker replaced by the column clamped to its declared
   * bounds ({@link #clampRow}), in the column's own type, so the expression's arithmetic stays in the interval the
   * analysis derived.
   */
  RexNode expandColumnClamps(RexNode argument) {
    return argument.accept(new RexShuttle() {
      @Override
      public RexNode visitCall(RexCall call) {
        if (call.getOperator() != Measurement.CLAMP) {
          return super.visitCall(call);
        }
        RexNode column = call.getOperands().get(0);
        double lower = ((RexLiteral) call.getOperands().get(1)).getValueAs(Double.class);
        double upper = ((RexLiteral) call.getOperands().get(2)).getValueAs(Double.class);
        boolean integral = !isFloating(column) && lower == Math.rint(lower) && upper == Math.rint(upper);
        return rex.makeAbstractCast(column.getType(), clampRow(column, lower, upper, integral), false);
      }
    });
  }

  /** {@code CASE WHEN x < lower THEN lower WHEN x > upper THEN upper ELSE x END}; NULL stays NULL. */
  RexNode clamp(RexNode x, double lower, double upper, boolean integral) {
    return between(x, literal(lower, integral), literal(upper, integral));
  }

  /** {@code CASE WHEN x > upper THEN upper ELSE x END} for non-negative counts. */
  RexNode cap(RexNode x, double upper) {
    RexNode hi = literal(upper, true);
    return rex.makeCall(SqlStdOperatorTable.CASE, rex.makeCall(SqlStdOperatorTable.GREATER_THAN, x, hi), hi, x);
  }

  /**
   * A unit's sum {@code s} of {@code n} values scaled to at most {@code rows} values' worth, in DOUBLE:
   * {@code CASE WHEN n > rows THEN s * rows / n ELSE s END}, i.e. min(n, rows) times the unit's mean. NULL when
   * {@code s} is NULL (no values).
   */
  RexNode scale(RexNode sum, RexNode n, double rows) {
    RexNode s = cast(sum, doubleType);
    RexNode r = literal(rows, false);
    return rex.makeCall(SqlStdOperatorTable.CASE,
        rex.makeCall(SqlStdOperatorTable.GREATER_THAN, n, literal(rows, true)),
        rex.makeCall(SqlStdOperatorTable.DIVIDE, rex.makeCall(SqlStdOperatorTable.MULTIPLY, s, r), n),
        s);
  }

  private RexNode between(RexNode x, RexNode lo, RexNode hi) {
    return rex.makeCall(SqlStdOperatorTable.CASE,
        rex.makeCall(SqlStdOperatorTable.LESS_THAN, x, lo), lo,
        rex.makeCall(SqlStdOperatorTable.GREATER_THAN, x, hi), hi,
        x);
  }

  /** A DOUBLE literal (or BIGINT when {@code integral}). */
  RexNode literal(double value, boolean integral) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("clamp bounds must be finite");
    }
    if (integral) {
      if (value != Math.rint(value) || Math.abs(value) > 0x1p62) {
        throw new IllegalArgumentException("integral bound must be an integer in the BIGINT range");
      }
      return rex.makeExactLiteral(BigDecimal.valueOf((long) value), bigintType);
    }
    return rex.makeApproxLiteral(BigDecimal.valueOf(value), doubleType);
  }

  private RexNode nan() {
    return rex.makeAbstractCast(doubleType, rex.makeLiteral("NaN"), false);
  }
}
