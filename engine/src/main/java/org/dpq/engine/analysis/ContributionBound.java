package org.dpq.engine.analysis;

import org.dpq.engine.catalog.PrivacyUnit;

/**
 * Which contribution bound a measurement's sensitivity uses, in words, for explain and the ledger (no data
 * values): the per-group bound G*R alone, or the tighter total cap {@code max_rows_per_unit} (C). Owns no privacy
 * property itself; {@code MeasurementSet} computes the sensitivities this describes.
 */
public final class ContributionBound {
  private ContributionBound() {}

  /** E.g. {@code " [bound: C = 7 rows per unit < G*R = 28: L1 = 7 rows' worth]"}; empty without a cap. */
  public static String describe(DpPlan plan, Measurement m) {
    if (plan.dataset().maxRowsPerUnit().isEmpty() || plan.dataset().unit() instanceof PrivacyUnit.Row) {
      return "";
    }
    int c = plan.dataset().maxRowsPerUnit().getAsInt();
    long g = Math.min(plan.dataset().maxGroupsContributed(), PlanExtractor.reachableGroups(plan.keys()));
    long r = plan.dataset().maxRowsPerGroup();
    return switch (m.kind()) {
      case COUNT_DISTINCT_VALUES, QUANTILE_TREE -> " [bound: G*R = " + g * r + "; max_rows_per_unit C = " + c
          + " is not applied to this measurement]";
      // one value per unit and group (AVG_PER_UNIT's means and unit counts too): a unit of C rows reaches C groups
      case COUNT_UNITS, UNIT_MEANS, UNITS_WITH_VALUES -> c < g
          ? " [bound: C = " + c + " < G = " + g + ": at most " + c + " groups per unit]"
          : " [bound: G = " + g + " groups per unit (C = " + c + " does not bind)]";
      default -> c < g * r ? " [bound: C = " + c + " rows per unit < G*R = " + g * r + ": L1 = " + c
          + " rows' worth, L2 as " + (c / r) + " full groups + " + (c % r) + " rows]"
          : " [bound: G*R = " + g * r + " rows per unit (C = " + c + " does not bind)]";
    };
  }
}
