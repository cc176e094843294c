package org.dpq.engine.release;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.dpq.engine.analysis.AggregateSpec;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.engine.analysis.MeasurementKind;

/**
 * Readable names for output columns the analyst did not alias: Calcite calls them {@code EXPR$1}; dpq calls
 * them after the aggregate ({@code count}, {@code avg_income}, {@code sum_age}) or {@code expr_N}. Names come
 * from the query and the catalog only, never from data.
 */
final class OutputNames {
  private static final Pattern GENERATED = Pattern.compile("EXPR\\$\\d+");

  private OutputNames() {}

  static List<String> of(DpPlan plan) {
    List<String> names = plan.post().outputNames();
    List<RexNode> outputs = plan.post().outputs();
    int keyCount = plan.keys().size();
    Set<String> taken = new HashSet<>();
    for (String n : names) {
      if (!GENERATED.matcher(n).matches()) {
        taken.add(n.toLowerCase(Locale.ROOT));
      }
    }
    List<String> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (GENERATED.matcher(name).matches()) {
        String base = outputs.get(i) instanceof RexInputRef ref && ref.getIndex() >= keyCount
            ? aggregateName(plan, plan.aggregates().get(ref.getIndex() - keyCount))
            : "expr_" + (i + 1);
        name = base;
        for (int k = 2; taken.contains(name.toLowerCase(Locale.ROOT)); k++) {
          name = base + "_" + k;
        }
        taken.add(name.toLowerCase(Locale.ROOT));
      }
      out.add(name);
    }
    return out;
  }

  static String aggregateName(DpPlan plan, AggregateSpec spec) {
    if (spec instanceof AggregateSpec.Count c) {
      return withColumn(plan, "count", c.count());
    }
    if (spec instanceof AggregateSpec.CountUnits) {
      return "count_units";
    }
    if (spec instanceof AggregateSpec.Sum s) {
      return withColumn(plan, "sum", s.sum());
    }
    if (spec instanceof AggregateSpec.DerivedSum d) {
      return withColumn(plan, "sum", d.centredSum());
    }
    if (spec instanceof AggregateSpec.Mean m) {
      boolean perUnit = plan.measurements().get(m.centredSum()).kind() == MeasurementKind.UNIT_MEANS;
      return withColumn(plan, perUnit ? "avg_per_unit" : "avg", m.centredSum());
    }
    if (spec instanceof AggregateSpec.Quantile q) {
      String function = switch (q.extreme()) {
        case MIN -> "min";
        case MAX -> "max";
        case NONE -> q.fraction() == 0.5 ? "median" : "p" + percent(q.fraction());
      };
      return withColumn(plan, function, q.tree());
    }
    AggregateSpec.Variance v = (AggregateSpec.Variance) spec;
    return withColumn(plan, v.stddev() ? "stddev" : "var", v.centredSum());
  }

  /** 0.9 as "90", 0.999 as "99_9". */
  private static String percent(double fraction) {
    return new java.math.BigDecimal(Double.toString(fraction)).movePointRight(2).stripTrailingZeros().toPlainString()
        .replace('.', '_');
  }

  private static String withColumn(DpPlan plan, String function, int measurement) {
    Measurement m = plan.measurements().get(measurement);
    return m.argument()
        .filter(RexInputRef.class::isInstance)
        .map(a -> function + "_" + plan.scan().getRowType().getFieldNames().get(((RexInputRef) a).getIndex()))
        .orElse(function);
  }
}
