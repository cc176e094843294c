package org.dpq.engine.rewrite;

/**
 * The bounded aggregation as SQL text for one backend dialect. Its result has one row per group: the key
 * columns (in {@code DpPlan.keys()} order), then one column per measurement (in {@code DpPlan.measurements()}
 * order). Only these bounded aggregates leave the backend.
 *
 * @param sql the SQL text
 * @param keyCount number of leading key columns
 * @param measurementCount number of measurement columns after the keys
 * @param keyed false when the SQL does not contain the per-query secret (no secret-keyed hash and no per-unit
 *     subquery), so the same text serves every secret and need not be rewritten per query
 */
public record BoundedQuery(String sql, int keyCount, int measurementCount, boolean keyed) {
  /** A bounded query taken to depend on its secret. */
  public BoundedQuery(String sql, int keyCount, int measurementCount) {
    this(sql, keyCount, measurementCount, true);
  }
}
