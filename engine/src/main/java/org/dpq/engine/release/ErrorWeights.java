package org.dpq.engine.release;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpq.engine.analysis.AggregateSpec;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.engine.analysis.Measurement;
import org.dpq.errors.QueryRejectedException;

/**
 * How much each measurement's noise variance weighs in the sum of the released values' relative variances, computed
 * from the query and the declared bounds only, never from data (so the split it leads to reveals nothing). Owns no
 * privacy property: whatever the weights, {@link BudgetAllocator} spends exactly the requested epsilon.
 *
 * <p>Each released value is linearised around its expected magnitude in a group of n rows (n cancels out of every
 * ratio, so it is never needed). A value's expected magnitude per row is the root mean square of a value uniform
 * over its bounds [L, U], {@code m = sqrt(mid^2 + (U-L)^2/12)} with {@code mid = (L+U)/2}; its mean is taken as
 * uniform over the bounds too, so {@code E[(mean - mid)^2] = (U-L)^2/12 = v}, which is also the expected
 * variance. Then the weight W_i of measurement i is the sum, over the released values j that read it, of
 * {@code a_j (d value_j / d M_i)^2 / target_j^2} (times n^2):
 * <ul>
 *   <li>COUNT, COUNT(DISTINCT ...), a quantile tree's node counts: 1 on their count (target n);
 *   <li>SUM measured: {@code 1/m^2} on its sum (target n*m);
 *   <li>SUM derived (centred sum + mid * count): {@code 1/m^2} on the centred sum, {@code mid^2/m^2} on the count;
 *   <li>AVG (mid + centred sum / count, target m): {@code 1/m^2} on the centred sum, {@code v/m^2} on the count;
 *   <li>VAR (target v): {@code 1/v^2} on the centred squares, {@code 4/v} on the centred sum, 1 on the count;
 *       STDDEV a quarter of that (its relative error is half the variance's).
 * </ul>
 * {@code a_j} is the analyst's weight for value j ({@code --weights name=w}), 1 by default.
 */
final class ErrorWeights {
  /** Smallest and largest analyst weight accepted. */
  static final double MIN_WEIGHT = 1e-6;
  static final double MAX_WEIGHT = 1e6;

  private ErrorWeights() {}

  /**
   * W_i per measurement (0 for a measurement no released value reads, such as the partition-selection count of a
   * query that does not release COUNT(DISTINCT unit)).
   *
   * @throws QueryRejectedException when {@code weights} names no aggregate of the query or a weight is out of range
   */
  static double[] of(DpPlan plan, Map<String, Double> weights) {
    check(plan, weights);
    List<Measurement> ms = plan.measurements();
    double[] w = new double[ms.size()];
    for (AggregateSpec spec : plan.aggregates()) {
      double a = weight(plan, spec, weights);
      if (spec instanceof AggregateSpec.Count c) {
        w[c.count()] += a;
      } else if (spec instanceof AggregateSpec.CountUnits u) {
        w[u.units()] += a;
      } else if (spec instanceof AggregateSpec.Quantile q) {
        w[q.tree()] += a;
      } else if (spec instanceof AggregateSpec.Sum s) {
        Measurement m = ms.get(s.sum());
        w[s.sum()] += a / square(magnitude(m.lower(), m.upper()));
      } else if (spec instanceof AggregateSpec.DerivedSum d) {
        Measurement m = ms.get(d.centredSum());
        double m2 = square(magnitude(m.lower(), m.upper()));
        w[d.centredSum()] += a / m2;
        w[d.count()] += a * square(d.centre()) / m2;
      } else if (spec instanceof AggregateSpec.Mean mean) {
        double m2 = square(magnitude(mean.lower(), mean.upper()));
        w[mean.centredSum()] += a / m2;
        w[mean.count()] += a * spread(mean.lower(), mean.upper()) / m2;
      } else if (spec instanceof AggregateSpec.Variance v) {
        double b = v.stddev() ? a / 4 : a;
        double s = spread(v.lower(), v.upper());
        w[v.centredSquares()] += b / square(s);
        w[v.centredSum()] += 4 * b / s;
        w[v.count()] += b;
      }
    }
    return w;
  }

  /** {@code sqrt(mid^2 + (U-L)^2/12)}: the root mean square of a value uniform over [L, U]. */
  static double magnitude(double lower, double upper) {
    double mid = lower / 2 + upper / 2;
    return Math.sqrt(mid * mid + spread(lower, upper));
  }

  /** {@code (U-L)^2/12}: the variance of a value uniform over [L, U]. */
  static double spread(double lower, double upper) {
    return square(upper - lower) / 12;
  }

  private static double square(double x) {
    return x * x;
  }

  private static double weight(DpPlan plan, AggregateSpec spec, Map<String, Double> weights) {
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      if (names(plan, spec).contains(e.getKey().toLowerCase(Locale.ROOT))) {
        return e.getValue();
      }
    }
    return 1;
  }

  private static List<String> names(DpPlan plan, AggregateSpec spec) {
    return List.of(spec.name().toLowerCase(Locale.ROOT), OutputNames.aggregateName(plan, spec).toLowerCase(Locale.ROOT));
  }

  private static void check(DpPlan plan, Map<String, Double> weights) {
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      boolean known = plan.aggregates().stream().anyMatch(s -> names(plan, s).contains(name));
      if (!known) {
        throw new QueryRejectedException("--weights names '" + e.getKey() + "', which is not an aggregate of the "
            + "query. Fix: use the aggregates' names or aliases: " + String.join(", ", plan.aggregates().stream()
                .map(s -> s.name().startsWith("EXPR$") ? OutputNames.aggregateName(plan, s) : s.name()).toList()));
      }
      double v = e.getValue() == null ? Double.NaN : e.getValue();
      if (!(v >= MIN_WEIGHT && v <= MAX_WEIGHT)) {
        throw new QueryRejectedException("--weights gives '" + e.getKey() + "' a weight outside [1e-6, 1e6]. Fix: "
            + "give each named aggregate a positive weight, e.g. --weights " + e.getKey() + "=2 (unnamed ones weigh 1)");
      }
    }
  }
}
