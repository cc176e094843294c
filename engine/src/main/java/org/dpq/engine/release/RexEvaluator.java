package org.dpq.engine.release;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.dpq.errors.QueryRejectedException;

/**
 * Evaluates post-processing expressions (SELECT arithmetic, HAVING, ORDER BY keys) over one row of released
 * values. It only ever sees noisy aggregates and released keys, so whatever it computes is post-processing and
 * costs no privacy. Arithmetic failures (division by zero, overflow) yield NULL rather than an error, so no
 * outcome depends on a raw value. {@link #check} runs before the ledger is charged: an expression it cannot
 * evaluate is rejected at no cost.
 */
final class RexEvaluator {
  private RexEvaluator() {}

  /** Rejects (before any charge) an expression this evaluator does not support. */
  static void check(RexNode node) {
    if (node instanceof RexInputRef || node instanceof RexLiteral) {
      return;
    }
    if (!(node instanceof RexCall call)) {
      throw new QueryRejectedException("the expression " + node.getKind()
          + " over aggregate results is not supported; use arithmetic, comparisons, CASE, ABS, ROUND, SQRT");
    }
    if (!supported(call)) {
      throw new QueryRejectedException("the function " + call.getOperator().getName()
          + " over aggregate results is not supported; use arithmetic, comparisons, CASE, ABS, ROUND, SQRT, "
          + "POWER, FLOOR, CEIL, LN, EXP, COALESCE");
    }
    call.getOperands().forEach(RexEvaluator::check);
  }

  private static boolean supported(RexCall call) {
    return switch (call.getKind()) {
      case PLUS, MINUS, TIMES, DIVIDE, MOD, MINUS_PREFIX, PLUS_PREFIX, EQUALS, NOT_EQUALS, LESS_THAN,
          LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL, AND, OR, NOT, IS_NULL, IS_NOT_NULL, IS_TRUE,
          IS_FALSE, IS_NOT_TRUE, IS_NOT_FALSE, CAST, CASE, COALESCE, FLOOR, CEIL, GREATEST, LEAST -> true;
      case OTHER_FUNCTION -> switch (call.getOperator().getName().toUpperCase(Locale.ROOT)) {
        case "ABS", "ROUND", "SQRT", "POWER", "LN", "EXP", "LOG10", "SIGN", "TRUNCATE" -> true;
        default -> false;
      };
      default -> false;
    };
  }

  /** Evaluates {@code node} over {@code row}. */
  static Object eval(RexNode node, List<Object> row) {
    if (node instanceof RexInputRef ref) {
      return row.get(ref.getIndex());
    }
    if (node instanceof RexLiteral literal) {
      return literal(literal);
    }
    RexCall call = (RexCall) node;
    List<RexNode> ops = call.getOperands();
    switch (call.getKind()) {
      case AND: {
        boolean sawNull = false;
        for (RexNode op : ops) {
          Object v = eval(op, row);
          if (Boolean.FALSE.equals(v)) {
            return false;
          }
          sawNull |= v == null;
        }
        return sawNull ? null : true;
      }
      case OR: {
        boolean sawNull = false;
        for (RexNode op : ops) {
          Object v = eval(op, row);
          if (Boolean.TRUE.equals(v)) {
            return true;
          }
          sawNull |= v == null;
        }
        return sawNull ? null : false;
      }
      case NOT: {
        Object v = eval(ops.get(0), row);
        return v == null ? null : !(Boolean) v;
      }
      case IS_NULL:
        return eval(ops.get(0), row) == null;
      case IS_NOT_NULL:
        return eval(ops.get(0), row) != null;
      case IS_TRUE:
        return Boolean.TRUE.equals(eval(ops.get(0), row));
      case IS_FALSE:
        return Boolean.FALSE.equals(eval(ops.get(0), row));
      case IS_NOT_TRUE:
        return !Boolean.TRUE.equals(eval(ops.get(0), row));
      case IS_NOT_FALSE:
        return !Boolean.FALSE.equals(eval(ops.get(0), row));
      case CASE: {
        int i = 0;
        for (; i + 1 < ops.size(); i += 2) {
          if (Boolean.TRUE.equals(eval(ops.get(i), row))) {
            return coerce(eval(ops.get(i + 1), row), call);
          }
        }
        return coerce(eval(ops.get(i), row), call);
      }
      case COALESCE: {
        for (RexNode op : ops) {
          Object v = eval(op, row);
          if (v != null) {
            return coerce(v, call);
          }
        }
        return null;
      }
      case CAST:
        return coerce(eval(ops.get(0), row), call);
      default:
        break;
    }
    Object[] args = new Object[ops.size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = eval(ops.get(i), row);
      if (args[i] == null) {
        return null;
      }
    }
    return switch (call.getKind()) {
      case EQUALS -> compare(args[0], args[1]) == 0;
      case NOT_EQUALS -> compare(args[0], args[1]) != 0;
      case LESS_THAN -> compare(args[0], args[1]) < 0;
      case LESS_THAN_OR_EQUAL -> compare(args[0], args[1]) <= 0;
      case GREATER_THAN -> compare(args[0], args[1]) > 0;
      case GREATER_THAN_OR_EQUAL -> compare(args[0], args[1]) >= 0;
      case GREATEST -> extreme(args, 1, call);
      case LEAST -> extreme(args, -1, call);
      case PLUS, MINUS, TIMES, DIVIDE, MOD -> coerce(arithmetic(call.getKind(), args[0], args[1]), call);
      case MINUS_PREFIX -> coerce(args[0] instanceof Long l ? (Object) negate(l) : (Object) (-num(args[0])), call);
      case PLUS_PREFIX -> args[0];
      case FLOOR -> coerce(Math.floor(num(args[0])), call);
      case CEIL -> coerce(Math.ceil(num(args[0])), call);
      default -> coerce(function(call.getOperator().getName().toUpperCase(Locale.ROOT), args), call);
    };
  }

  private static Object function(String name, Object[] args) {
    double x = num(args[0]);
    return switch (name) {
      case "ABS" -> args[0] instanceof Long l && l != Long.MIN_VALUE ? (Object) Math.abs(l) : (Object) Math.abs(x);
      case "ROUND" -> round(x, args.length > 1 ? (int) num(args[1]) : 0);
      case "TRUNCATE" -> truncate(x, args.length > 1 ? (int) num(args[1]) : 0);
      case "SQRT" -> x < 0 ? null : Math.sqrt(x);
      case "POWER" -> finite(Math.pow(x, num(args[1])));
      case "LN" -> x <= 0 ? null : Math.log(x);
      case "LOG10" -> x <= 0 ? null : Math.log10(x);
      case "EXP" -> finite(Math.exp(x));
      case "SIGN" -> Math.signum(x);
      default -> throw new QueryRejectedException("the function " + name + " over aggregate results is not supported");
    };
  }

  private static Object round(double x, int digits) {
    if (!Double.isFinite(x)) {
      return null;
    }
    return new BigDecimal(x).setScale(digits, java.math.RoundingMode.HALF_UP).doubleValue();
  }

  private static Object truncate(double x, int digits) {
    if (!Double.isFinite(x)) {
      return null;
    }
    return new BigDecimal(x).setScale(digits, java.math.RoundingMode.DOWN).doubleValue();
  }

  private static Object finite(double d) {
    return Double.isFinite(d) ? d : null;
  }

  private static Object negate(long l) {
    return l == Long.MIN_VALUE ? null : -l;
  }

  private static Object arithmetic(SqlKind kind, Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) {
      try {
        return switch (kind) {
          case PLUS -> Math.addExact(x, y);
          case MINUS -> Math.subtractExact(x, y);
          case TIMES -> Math.multiplyExact(x, y);
          case DIVIDE -> y == 0 || (x == Long.MIN_VALUE && y == -1) ? null : x / y;
          default -> y == 0 ? null : x % y;
        };
      } catch (ArithmeticException overflow) {
        return null;
      }
    }
    double x = num(a);
    double y = num(b);
    double r = switch (kind) {
      case PLUS -> x + y;
      case MINUS -> x - y;
      case TIMES -> x * y;
      case DIVIDE -> y == 0 ? Double.NaN : x / y;
      default -> y == 0 ? Double.NaN : x % y;
    };
    return Double.isFinite(r) ? r : null;
  }

  private static Object extreme(Object[] args, int sign, RexCall call) {
    Object best = args[0];
    for (Object a : args) {
      if (compare(a, best) * sign > 0) {
        best = a;
      }
    }
    return coerce(best, call);
  }

  /** Total order used by comparisons and ORDER BY: numbers numerically, otherwise by string form. */
  static int compare(Object a, Object b) {
    if (a instanceof Number && b instanceof Number) {
      if (a instanceof Long x && b instanceof Long y) {
        return Long.compare(x, y);
      }
      return Double.compare(num(a), num(b));
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    return String.valueOf(a).compareTo(String.valueOf(b));
  }

  static double num(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (o instanceof Boolean b) {
      return b ? 1 : 0;
    }
    try {
      return Double.parseDouble(String.valueOf(o));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static Object literal(RexLiteral literal) {
    if (literal.isNull()) {
      return null;
    }
    SqlTypeName type = literal.getType().getSqlTypeName();
    if (SqlTypeFamily.BOOLEAN.contains(literal.getType())) {
      return literal.getValueAs(Boolean.class);
    }
    if (SqlTypeName.INT_TYPES.contains(type)) {
      return literal.getValueAs(Long.class);
    }
    if (SqlTypeName.NUMERIC_TYPES.contains(type)) {
      BigDecimal bd = literal.getValueAs(BigDecimal.class);
      return bd == null ? null : bd.doubleValue();
    }
    return literal.getValueAs(String.class);
  }

  /** Converts a value to the SQL type of the expression that produced it. */
  static Object coerce(Object v, RexNode node) {
    if (v == null) {
      return null;
    }
    SqlTypeName type = node.getType().getSqlTypeName();
    if (SqlTypeName.INT_TYPES.contains(type)) {
      if (v instanceof Long) {
        return v;
      }
      double d = num(v);
      if (!Double.isFinite(d) || Math.abs(d) >= 9.2e18) {
        return null;
      }
      return (long) d;
    }
    if (SqlTypeName.APPROX_TYPES.contains(type) || type == SqlTypeName.DECIMAL) {
      double d = num(v);
      return Double.isFinite(d) ? d : null;
    }
    if (SqlTypeName.CHAR_TYPES.contains(type)) {
      return v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue())
          : String.valueOf(v);
    }
    if (type == SqlTypeName.BOOLEAN) {
      return v instanceof Boolean ? v : null;
    }
    return v;
  }
}
