package org.dpq.engine;

import java.util.List;
import java.util.OptionalLong;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * What a query would do and cost, computed without reading data or charging anything: the bounded SQL sent to
 * the backend, the measurements with their budget split, and the partition-selection rule.
 *
 * @param boundedSql the rewritten SQL (with a placeholder secret for group selection)
 * @param partitionMode NONE, PUBLIC_DOMAIN or THRESHOLD
 * @param threshold for THRESHOLD: the noisy distinct-unit count a group needs to be released
 * @param measurements per-measurement protection
 * @param total the loss the query would be charged
 * @param remaining the dataset's remaining budget now
 * @param groupLimitChosenAtRunTime true when the backend may run the per-unit group limit in the equivalent
 *     rank-first order instead of the aggregate-first order {@code boundedSql} shows (same kept groups, same
 *     result; the order is chosen from the data's shape after the charge)
 * @param keys how each GROUP BY key's values are released, one line each: its public domain and where that came
 *     from (declared, or derived from the query and declared bounds, e.g. a date column's), or partition selection
 * @param bounds one line per column with {@code bounds: auto}: its recorded DP estimate (and the ledger entry that
 *     paid for it), or, before the estimate, the epsilon share this query would spend on it first ({@code total}
 *     is the query's own cost, without that share)
 */
public record Explanation(String boundedSql, String partitionMode, OptionalLong threshold,
    List<MeasurementExplanation> measurements, PrivacyLoss total, PrivacyLoss remaining,
    boolean groupLimitChosenAtRunTime, List<String> keys, List<String> bounds) {

  public Explanation {
    measurements = List.copyOf(measurements);
    keys = keys == null ? List.of() : List.copyOf(keys);
    bounds = bounds == null ? List.of() : List.copyOf(bounds);
  }

  /** An explanation without automatic-bounds lines. */
  public Explanation(String boundedSql, String partitionMode, OptionalLong threshold,
      List<MeasurementExplanation> measurements, PrivacyLoss total, PrivacyLoss remaining,
      boolean groupLimitChosenAtRunTime, List<String> keys) {
    this(boundedSql, partitionMode, threshold, measurements, total, remaining, groupLimitChosenAtRunTime, keys,
        List.of());
  }

  /** An explanation without key lines. */
  public Explanation(String boundedSql, String partitionMode, OptionalLong threshold,
      List<MeasurementExplanation> measurements, PrivacyLoss total, PrivacyLoss remaining,
      boolean groupLimitChosenAtRunTime) {
    this(boundedSql, partitionMode, threshold, measurements, total, remaining, groupLimitChosenAtRunTime, List.of());
  }

  /** An explanation whose bounded SQL is run as shown. */
  public Explanation(String boundedSql, String partitionMode, OptionalLong threshold,
      List<MeasurementExplanation> measurements, PrivacyLoss total, PrivacyLoss remaining) {
    this(boundedSql, partitionMode, threshold, measurements, total, remaining, false);
  }
}
