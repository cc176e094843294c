package org.dpq.engine.release;

import java.util.List;
import java.util.Optional;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * The budget split of one query: each measurement's share and mechanism, the partition-selection threshold, and
 * the total that the ledger charges. Owns the statement that the parts add up to at most the charge.
 *
 * @param measurements one entry per plan measurement, in plan order
 * @param threshold the partition-selection rule when the plan thresholds groups
 * @param total the sum of the shares actually used (what the ledger charges)
 */
public record NoisePlan(List<MeasurementNoise> measurements, Optional<PartitionThreshold> threshold,
    PrivacyLoss total) {

  public NoisePlan {
    measurements = List.copyOf(measurements);
  }
}
