package org.dpq.engine.execution;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dpq.engine.analysis.Measurement;

/**
 * The differential check of sensitivity on one backend: two bounded results of one query on neighbouring data
 * (one unit added), and every measurement's movement compared with its declared per-unit bound in each group and
 * with its L1 and L2 sensitivities over all groups (a group missing on one side counts as 0 there). Test-only.
 */
final class Neighbours {
  private Neighbours() {}

  /** The violations of the declared bounds between {@code base} and {@code plus}; empty when all hold. */
  static List<String> violations(BoundedRows base, BoundedRows plus) {
    List<String> out = new ArrayList<>();
    Set<List<Object>> keys = new HashSet<>(base.rows().keySet());
    keys.addAll(plus.rows().keySet());
    List<Measurement> measurements = plus.plan().measurements();
    for (int i = 0; i < measurements.size(); i++) {
      Measurement m = measurements.get(i);
      double bound = Math.max(Math.abs(m.perUnitLower()), Math.abs(m.perUnitUpper()));
      double l1 = 0;
      double l2 = 0;
      double slack = 0;
      for (List<Object> key : keys) {
        double b = value(base, key, i);
        double p = value(plus, key, i);
        double d = Math.abs(p - b);
        // real sums are exact grid steps; the tolerance covers only the conversion of their value to double
        double tolerance = 1e-9 * (Math.abs(b) + Math.abs(p) + bound);
        slack += tolerance;
        if (d > bound + tolerance) {
          out.add(m.kind() + " #" + i + " in group " + key + " moved by " + d + " > per-unit bound " + bound);
        }
        l1 += d;
        l2 += d * d;
      }
      if (l1 > m.l1() + slack) {
        out.add(m.kind() + " #" + i + " moved by " + l1 + " in total > L1 " + m.l1());
      }
      if (Math.sqrt(l2) > m.l2() + slack) {
        out.add(m.kind() + " #" + i + " moved by " + Math.sqrt(l2) + " in L2 > " + m.l2());
      }
    }
    return out;
  }

  /** The measurements that differ between the two results in some group. */
  static Set<Integer> moved(BoundedRows base, BoundedRows plus) {
    Set<List<Object>> keys = new HashSet<>(base.rows().keySet());
    keys.addAll(plus.rows().keySet());
    Set<Integer> out = new HashSet<>();
    for (int i = 0; i < plus.plan().measurements().size(); i++) {
      for (List<Object> key : keys) {
        if (value(base, key, i) != value(plus, key, i)) {
          out.add(i);
        }
      }
    }
    return out;
  }

  private static double value(BoundedRows rows, List<Object> key, int i) {
    List<Object> values = rows.rows().get(key);
    return values == null ? 0 : ((Number) values.get(i)).doubleValue();
  }
}
