package org.dpq.engine.release;

import java.util.Optional;
import org.dpq.engine.analysis.Measurement;
import org.dpq.mechanisms.NoiseMechanism;
import org.dpq.mechanisms.PartitionThreshold;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * One measurement with the share of the query's loss it spends and the mechanism calibrated to its
 * sensitivity and share. Owns the link between a sensitivity and its noise scale.
 *
 * @param measurement what is measured, with its sensitivities
 * @param label a human-readable name for explain and the ledger
 * @param loss the share of epsilon and delta this measurement spends
 * @param mechanism the calibrated mechanism (for the selection count: Laplace with L1 = G, used for its
 *     interval only; the noise comes from {@code threshold})
 * @param threshold present for the partition-selection measurement
 */
public record MeasurementNoise(Measurement measurement, String label, PrivacyLoss loss, NoiseMechanism mechanism,
    Optional<PartitionThreshold> threshold) {}
