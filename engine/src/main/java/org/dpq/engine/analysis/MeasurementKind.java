package org.dpq.engine.analysis;

/** The bounded quantities the backend computes per group; each is released with noise. */
public enum MeasurementKind {
  /** Rows per group, each unit's count capped at R. */
  COUNT_ROWS,
  /** Non-NULL, non-NaN values of a column per group, each unit's count capped at R. */
  COUNT_VALUES,
  /**
   * Sum of clamped, centred values ({@code clamp(x) - center}); a unit with n non-NULL, non-NaN values
   * contributes min(n, R) times their mean.
   */
  SUM,
  /** Sum of squared clamped, centred values; a unit with n values contributes min(n, R) times their mean. */
  SUM_SQUARES,
  /** Distinct units per group (after the G-groups limit). */
  COUNT_UNITS,
  /**
   * Distinct non-NULL, non-NaN values of a column or row expression per group, each unit contributing at most R
   * of its own distinct values per group (chosen by a secret-keyed hash of its own rows) in at most G groups: one
   * unit moves a group's count by at most R.
   */
  COUNT_DISTINCT_VALUES,
  /**
   * Leaf counts of a quantile tree ({@code org.dpq.mechanisms.QuantileTree}) over a column's clamped values per
   * group: a unit with n values in a group adds min(n, R) of them, R evenly spaced through its own sorted values,
   * so its weights in a group sum to at most R. Released as order statistics (MIN, MAX, MEDIAN, PERCENTILE_*).
   */
  QUANTILE_TREE,
  /**
   * Sum over units of each unit's own mean of its clamped values in a group, centred ({@code mean - center}), for
   * {@code AVG_PER_UNIT}: a unit with n >= 1 non-NULL, non-NaN values contributes exactly one value, its mean, in
   * {@code [L-c, U-c]}, however many rows it has (SUM's rule with R = 1: min(n, 1) times the mean).
   */
  UNIT_MEANS,
  /**
   * Units per group with at least one non-NULL, non-NaN value of a column, for {@code AVG_PER_UNIT}: each unit
   * adds 0 or 1 (COUNT_VALUES's rule with R = 1: its count capped at 1).
   */
  UNITS_WITH_VALUES
}
