package org.dpq.engine;

import org.dpq.mechanisms.MechanismKind;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * How one noisy measurement is protected: its sensitivities, its share of the query's loss, the mechanism and
 * the expected error. Shown by {@code explain}, stored in the ledger.
 *
 * @param name what is measured, e.g. {@code SUM(income - 250000)} or {@code COUNT(DISTINCT pid) [selection]}
 * @param l1 L1 sensitivity
 * @param l2 L2 sensitivity
 * @param loss this measurement's share of epsilon and delta
 * @param mechanism the noise mechanism
 * @param scale Laplace scale or Gaussian sigma
 * @param halfWidth95 half-width of the 95% noise interval (expected error)
 */
public record MeasurementExplanation(String name, double l1, double l2, PrivacyLoss loss, MechanismKind mechanism,
    double scale, double halfWidth95) {}
