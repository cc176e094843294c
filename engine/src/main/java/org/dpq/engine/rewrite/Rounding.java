package org.dpq.engine.rewrite;

import java.math.BigDecimal;
import java.util.Locale;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * One meaning of {@code ROUND(x, d)} and {@code TRUNCATE(x, d)} on every backend. The backends disagree (PostgreSQL
 * has no {@code round(double precision, int)}, and they round halves of doubles differently), so the rewrite never
 * emits either function: it emits, in DOUBLE arithmetic that every backend evaluates the same way (IEEE-754
 * multiplication, division and addition are correctly rounded; ABS, SIGN and FLOOR are exact),
 * <pre>
 *   ROUND(x, d)    = SIGN(x) * FLOOR(ABS(x) * 10^d + 0.5) / 10^d     (halves away from zero)
 *   TRUNCATE(x, d) = SIGN(x) * FLOOR(ABS(x) * 10^d) / 10^d           (toward zero)
 * </pre>
 * with 10^d an exact DOUBLE (|d| is at most 15), multiplying by 10^d for d &ge; 0 and dividing by 10^-d for d &lt; 0
 * (never multiplying by an inexact 0.1), a zero result as 0 (never -0.0), and the result cast back to the call's
 * type. The form is exact while |x| * 10^d stays below 2^52 (where adding 0.5 is still exact); the analysis refuses, before the charge, a bounded expression whose scaled value could
 * exceed that ({@code ExpressionBounds.MAX_SCALED}). Owns no privacy property: it keeps the backends' answers identical, so
 * which backend runs a query never shows in what is released.
 */
final class Rounding {
  private Rounding() {}

  /** {@code node} with every ROUND and TRUNCATE with literal digits in the one form above. */
  static RexNode standard(RexBuilder rex, RexNode node) {
    return node.accept(new RexShuttle() {
      @Override
      public RexNode visitCall(RexCall call) {
        RexCall visited = (RexCall) super.visitCall(call);
        String name = visited.getOperator().getName().toUpperCase(Locale.ROOT);
        boolean round = name.equals("ROUND");
        if (!round && !name.equals("TRUNCATE") && !name.equals("TRUNC")) {
          return visited;
        }
        Integer digits = digits(visited);
        if (digits == null || !org.apache.calcite.sql.type.SqlTypeUtil.isNumeric(visited.getType())) {
          return visited;
        }
        return form(rex, visited, round, digits);
      }
    });
  }

  /** The literal digits of {@code call} (0 when omitted), or null when they are not a literal integer within 15. */
  private static Integer digits(RexCall call) {
    if (call.getOperands().size() == 1) {
      return 0;
    }
    if (call.getOperands().size() != 2 || !(call.getOperands().get(1) instanceof RexLiteral literal)
        || literal.isNull()) {
      return null;
    }
    BigDecimal d = literal.getValueAs(BigDecimal.class);
    if (d == null || d.stripTrailingZeros().scale() > 0 || d.abs().compareTo(BigDecimal.valueOf(15)) > 0) {
      return null;
    }
    return d.intValue();
  }

  private static RexNode form(RexBuilder rex, RexCall call, boolean round, int digits) {
    RelDataType doubleType = rex.getTypeFactory().createTypeWithNullability(
        rex.getTypeFactory().createSqlType(SqlTypeName.DOUBLE), call.getOperands().get(0).getType().isNullable());
    RexNode x = call.getOperands().get(0).getType().getSqlTypeName() == SqlTypeName.DOUBLE
        ? call.getOperands().get(0) : rex.makeAbstractCast(doubleType, call.getOperands().get(0), false);
    RexNode power = rex.makeApproxLiteral(BigDecimal.TEN.pow(Math.abs(digits)));
    RexNode abs = rex.makeCall(SqlStdOperatorTable.ABS, x);
    RexNode scaled = rex.makeCall(digits >= 0 ? SqlStdOperatorTable.MULTIPLY : SqlStdOperatorTable.DIVIDE, abs,
        power);
    if (round) {
      scaled = rex.makeCall(SqlStdOperatorTable.PLUS, scaled, rex.makeApproxLiteral(new BigDecimal("0.5")));
    }
    RexNode floored = rex.makeCall(SqlStdOperatorTable.FLOOR, scaled);
    // Spark's FLOOR of a DOUBLE is a BIGINT: back to DOUBLE, so every backend divides in the same type
    RexNode unscaled = rex.makeCall(digits >= 0 ? SqlStdOperatorTable.DIVIDE : SqlStdOperatorTable.MULTIPLY,
        rex.makeAbstractCast(doubleType, floored, false), power);
    RexNode signed = rex.makeCall(SqlStdOperatorTable.MULTIPLY, rex.makeCall(SqlStdOperatorTable.SIGN, x), unscaled);
    // a negative value that rounds to zero is 0, not -0.0 (which some backends would show or group apart)
    RexNode zero = rex.makeApproxLiteral(BigDecimal.ZERO);
    // (the literal itself, not a cast of it: a constant call could not be folded to a literal before the charge)
    RexNode value = rex.makeCall(SqlStdOperatorTable.CASE, rex.makeCall(SqlStdOperatorTable.EQUALS, floored, zero),
        zero, signed);
    return rex.makeAbstractCast(call.getType(), value, false);
  }
}
