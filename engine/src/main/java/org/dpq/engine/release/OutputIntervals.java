package org.dpq.engine.release;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.Cell;
import org.dpq.mechanisms.Interval;

/**
 * The 95% interval of an output column: an aggregate's own interval, carried through monotone arithmetic with
 * constants ({@code COUNT(*) * 2}, {@code SUM(x) / 1000 + 1}); null for keys and for anything else.
 */
final class OutputIntervals {
  private OutputIntervals() {}

  static Interval of(RexNode expression, List<Cell> aggregateRow, int keyCount) {
    RexInputRef ref = singleRef(expression);
    if (ref == null || ref.getIndex() < keyCount || !monotone(expression)) {
      return null;
    }
    Interval base = aggregateRow.get(ref.getIndex()).ci95();
    if (base == null) {
      return null;
    }
    if (expression instanceof RexInputRef) {
      return base;
    }
    Object lo = RexEvaluator.eval(expression, substitute(aggregateRow, ref.getIndex(), base.low()));
    Object hi = RexEvaluator.eval(expression, substitute(aggregateRow, ref.getIndex(), base.high()));
    if (!(lo instanceof Number a) || !(hi instanceof Number b)) {
      return null;
    }
    return new Interval(Math.min(a.doubleValue(), b.doubleValue()), Math.max(a.doubleValue(), b.doubleValue()));
  }

  /**
   * True when the output is an aggregate whose interval covers its whole possible range, or a monotone function
   * of one (which then covers the function's whole range too).
   */
  static boolean coversRange(RexNode expression, List<Cell> aggregateRow, int keyCount) {
    RexInputRef ref = singleRef(expression);
    return ref != null && ref.getIndex() >= keyCount && monotone(expression)
        && aggregateRow.get(ref.getIndex()).coversRange();
  }

  private static List<Object> substitute(List<Cell> row, int index, double value) {
    List<Object> values = new ArrayList<>(row.size());
    for (Cell c : row) {
      values.add(c.value());
    }
    values.set(index, value);
    return values;
  }

  /** The one input ref in the expression, or null if there are none or several. */
  private static RexInputRef singleRef(RexNode e) {
    if (e instanceof RexInputRef r) {
      return r;
    }
    if (e instanceof RexCall call) {
      RexInputRef found = null;
      for (RexNode op : call.getOperands()) {
        if (op instanceof RexLiteral) {
          continue;
        }
        RexInputRef r = singleRef(op);
        if (r == null || found != null) {
          return null;
        }
        found = r;
      }
      return found;
    }
    return null;
  }

  /** True for +, -, *, / by constants and casts to numeric types: monotone in their one variable. */
  private static boolean monotone(RexNode e) {
    if (e instanceof RexInputRef || e instanceof RexLiteral) {
      return true;
    }
    if (!(e instanceof RexCall call)) {
      return false;
    }
    return switch (call.getKind()) {
      case PLUS, MINUS, TIMES, MINUS_PREFIX, PLUS_PREFIX -> call.getOperands().stream().allMatch(OutputIntervals::monotone);
      case DIVIDE -> call.getOperands().get(1) instanceof RexLiteral && monotone(call.getOperands().get(0));
      case CAST -> call.getType().getSqlTypeName().getFamily() == org.apache.calcite.sql.type.SqlTypeFamily.NUMERIC
          && monotone(call.getOperands().get(0));
      default -> false;
    };
  }
}
