package org.dpq.engine.execution;

import org.apache.calcite.rel.type.RelDataTypeSystem;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFactoryImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Keeps SQL's integer division (truncating toward zero, as Calcite validates {@code INT / INT}) when a backend's
 * {@code /} divides integers as reals: DuckDB ({@code 7 / 2 = 3.5}; its {@code //} truncates) and Spark
 * ({@code 7 / 2 = 3.5}; its {@code DIV} truncates). PostgreSQL's {@code /} already truncates. Owns no privacy
 * property; it keeps a WHERE filter selecting the same rows on every backend.
 */
final class IntegerDivision {
  private static final RexBuilder REX = new RexBuilder(new SqlTypeFactoryImpl(RelDataTypeSystem.DEFAULT));

  private IntegerDivision() {}

  /** {@code node} with an integer {@code a / b} replaced by {@code operator}; anything else unchanged. */
  static RexNode rewrite(RexNode node, Operator operator) {
    if (node.getKind() != SqlKind.DIVIDE || !(node instanceof RexCall call) || call.getOperands().size() != 2
        || !isInteger(call) || !isInteger(call.getOperands().get(0)) || !isInteger(call.getOperands().get(1))) {
      return node;
    }
    return REX.makeCall(call.getType(), operator, call.getOperands());
  }

  private static boolean isInteger(RexNode node) {
    return SqlTypeName.INT_TYPES.contains(node.getType().getSqlTypeName());
  }

  /**
   * A truncating integer division written {@code (a SYMBOL b)}: always parenthesized, and its operands too
   * unless atomic, so that the backend's own precedence for the symbol never matters (DuckDB parses {@code //}
   * as a generic operator, which binds more loosely than {@code +}).
   */
  static final class Operator extends SqlBinaryOperator {
    /** Precedence above every arithmetic operator, so that compound operands are parenthesized. */
    private static final int TIGHT = 200;

    Operator(String symbol) {
      super(symbol, SqlKind.OTHER, TIGHT, true, ReturnTypes.LEAST_RESTRICTIVE, null,
          OperandTypes.EXACT_NUMERIC_EXACT_NUMERIC);
    }

    @Override
    public void unparse(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
      SqlWriter.Frame frame = writer.startList("(", ")");
      call.operand(0).unparse(writer, TIGHT, TIGHT);
      writer.sep(getName());
      call.operand(1).unparse(writer, TIGHT, TIGHT);
      writer.endList(frame);
    }
  }
}
