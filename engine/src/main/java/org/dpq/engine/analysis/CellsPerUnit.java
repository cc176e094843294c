package org.dpq.engine.analysis;

import org.dpq.engine.catalog.PrivacyUnit;

/**
 * How many cells (groups) of one measurement a single privacy unit can move. Owns the precondition of the exact
 * one-dimensional Gaussian calibration (CKS 2020, Theorem 7): it may be used only when this is 1. A quantile tree
 * moves several nodes per unit, so it reports 0 (unknown: the zCDP certificate is used).
 */
public final class CellsPerUnit {
  private CellsPerUnit() {}

  /**
   * 1 for {@code privacy_unit: row} and queries without GROUP BY; otherwise min(G, groups the keys can reach, and
   * the total cap C where the measurement applies it); 0 for a quantile tree.
   */
  public static long of(DpPlan plan, Measurement m) {
    if (m.tree().isPresent() || m.kind() == MeasurementKind.QUANTILE_TREE) {
      return 0;
    }
    if (plan.dataset().unit() instanceof PrivacyUnit.Row || plan.keys().isEmpty()) {
      return 1;
    }
    long g = Math.min(plan.dataset().maxGroupsContributed(), PlanExtractor.reachableGroups(plan.keys()));
    if (plan.dataset().maxRowsPerUnit().isPresent() && m.kind() != MeasurementKind.COUNT_DISTINCT_VALUES) {
      g = Math.min(g, plan.dataset().maxRowsPerUnit().getAsInt());
    }
    return g;
  }
}
