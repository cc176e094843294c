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
 */
public record Explanation(String boundedSql, String partitionMode, OptionalLong threshold,
    List<MeasurementExplanation> measurements, PrivacyLoss total, PrivacyLoss remaining) {

  public Explanation {
    measurements = List.copyOf(measurements);
  }
}
