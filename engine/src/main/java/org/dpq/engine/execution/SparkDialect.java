package org.dpq.engine.execution;

import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.SparkSqlDialect;

/**
 * Spark SQL as emitted by the rewrite: Calcite's Spark dialect (backquoted identifiers, NULLs first in ascending
 * order, {@code xxhash64} for group selection) with two corrections. Integer division is written {@code DIV}
 * (Spark's {@code /} divides integers as reals), and casts are always written out: Calcite would otherwise drop
 * {@code CAST('NaN' AS DOUBLE)} and leave Spark to coerce the string, which a Spark session in ANSI mode may
 * treat differently. Owns no privacy property; it keeps the bounded query meaning on Spark what it means in Calcite.
 */
public final class SparkDialect extends SparkSqlDialect {
  /** The shared instance. */
  public static final SqlDialect INSTANCE = new SparkDialect();

  private static final IntegerDivision.Operator DIV = new IntegerDivision.Operator("DIV");

  private SparkDialect() {
    super(SparkSqlDialect.DEFAULT_CONTEXT);
  }

  @Override
  public RexNode prepareUnparse(RexNode node) {
    return IntegerDivision.rewrite(super.prepareUnparse(node), DIV);
  }

  @Override
  public boolean supportsImplicitTypeCoercion(RexCall call) {
    return false;
  }
}
