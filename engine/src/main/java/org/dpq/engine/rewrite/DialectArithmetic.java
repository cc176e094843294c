package org.dpq.engine.rewrite;

import java.util.List;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.dpq.engine.execution.DuckDbDialect;

/**
 * Rewrites the analyst's expressions (WHERE, keys) so that a backend evaluates them as Calcite typed them. Owns
 * no privacy property, only that a filter selects the same rows on every backend: integer division truncates in
 * Calcite and PostgreSQL, while DuckDB's {@code /} divides integers as floating-point numbers, so on DuckDB an
 * integer {@code a / b} becomes {@link DuckDbDialect#INTEGER_DIVIDE}.
 */
final class DialectArithmetic extends RexShuttle {
  private final RexBuilder rex;

  private DialectArithmetic(RexBuilder rex) {
    this.rex = rex;
  }

  /** {@code expression} as {@code dialect} must be given it. */
  static RexNode adapt(SqlDialect dialect, RexBuilder rex, RexNode expression) {
    if (!(dialect instanceof DuckDbDialect)) {
      return expression;
    }
    return expression.accept(new DialectArithmetic(rex));
  }

  @Override
  public RexNode visitCall(RexCall call) {
    RexCall visited = (RexCall) super.visitCall(call);
    List<RexNode> operands = visited.getOperands();
    if (visited.getKind() == SqlKind.DIVIDE && operands.size() == 2
        && SqlTypeUtil.isIntType(operands.get(0).getType()) && SqlTypeUtil.isIntType(operands.get(1).getType())) {
      return rex.makeCall(visited.getType(), DuckDbDialect.INTEGER_DIVIDE, operands);
    }
    return visited;
  }
}
