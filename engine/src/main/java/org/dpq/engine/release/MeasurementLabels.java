package org.dpq.engine.release;

import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;

/** Human-readable names of measurements for explain output and ledger entries (no data values). */
final class MeasurementLabels {
  private MeasurementLabels() {}

  static String label(DpPlan plan, Measurement m) {
    String unit = plan.unitField().map(i -> fieldName(plan, i)).orElse("row");
    String column = m.derivation().orElseGet(() -> m.argument().map(a -> argumentName(plan, a)).orElse("*"));
    String centre = m.center() == 0 ? column : "(" + column + " - " + fmt(m.center()) + ")";
    return switch (m.kind()) {
      case COUNT_ROWS -> "COUNT(*)";
      case COUNT_VALUES -> "COUNT(" + column + ")";
      case SUM -> "SUM(" + centre + ")";
      case SUM_SQUARES -> "SUM(" + centre + "^2)";
      case COUNT_UNITS -> "COUNT(DISTINCT " + unit + ")";
      case COUNT_DISTINCT_VALUES -> "COUNT(DISTINCT " + column + ")";
      case UNIT_MEANS -> "SUM over " + unit + " of MEAN(" + centre + ") per " + unit;
      case UNITS_WITH_VALUES -> "COUNT(DISTINCT " + unit + " with " + column + ")";
      case QUANTILE_TREE -> {
        org.dpq.mechanisms.QuantileTree.Shape t = m.tree().orElseThrow();
        yield "QUANTILES(" + column + ") [tree of " + t.branching() + "^" + t.depth() + " leaves over [" + fmt(t.lower())
            + ", " + fmt(t.upper()) + "], leaf width " + fmt(t.leafWidth()) + "]";
      }
    };
  }

  /**
   * For explain: the released values derived from measurement {@code index} besides the plain ones, e.g.
   * {@code " [also gives SUM(x) = this + 50 * COUNT(*)]"}; empty when none.
   */
  static String derived(DpPlan plan, int index) {
    StringBuilder out = new StringBuilder();
    for (org.dpq.engine.analysis.AggregateSpec spec : plan.aggregates()) {
      if (spec instanceof org.dpq.engine.analysis.AggregateSpec.DerivedSum d && d.centredSum() == index) {
        Measurement sum = plan.measurements().get(d.centredSum());
        String column = sum.derivation().orElseGet(() -> sum.argument().map(a -> argumentName(plan, a)).orElse("*"));
        out.append(" [also gives SUM(").append(column).append(") = this + ").append(fmt(d.centre())).append(" * ")
            .append(label(plan, plan.measurements().get(d.count()))).append(", not measured]");
      }
    }
    return out.toString();
  }

  private static String argumentName(DpPlan plan, RexNode argument) {
    if (argument instanceof RexInputRef ref && plan.perUnit().isPresent()) {
      return fieldName(plan, ref.getIndex()) + plan.perUnit().get().describe(ref.getIndex()).map(d -> " [" + d + "]")
          .orElse("");
    }
    return argument instanceof RexInputRef ref ? fieldName(plan, ref.getIndex()) : argument.toString();
  }

  private static String fieldName(DpPlan plan, int index) {
    return plan.scan().getRowType().getFieldNames().get(index);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
