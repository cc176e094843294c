package org.dpq.engine.analysis;

/** The bounded quantities the backend computes per group; each is released with noise. */
public enum MeasurementKind {
  /** Rows per group, each unit's count capped at R. */
  COUNT_ROWS,
  /** Non-NULL, non-NaN values of a column per group, each unit's count capped at R. */
  COUNT_VALUES,
  /** Sum of clamped, centred values ({@code clamp(x) - center}); each unit's sum clamped to its range. */
  SUM,
  /** Sum of squared clamped, centred values; each unit's sum clamped to {@code [0, R*halfWidth^2]}. */
  SUM_SQUARES,
  /** Distinct units per group (after the G-groups limit). */
  COUNT_UNITS
}
