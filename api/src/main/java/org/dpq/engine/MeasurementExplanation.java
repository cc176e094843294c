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
 * @param valueWidth for a SUM measurement, the width {@code upper - lower} of the range one clamped value can
 *     take (a group of n values spans at most n times it); 0 for counts and sums of squares. From the declared
 *     bounds only, never from data.
 */
public record MeasurementExplanation(String name, double l1, double l2, PrivacyLoss loss, MechanismKind mechanism,
    double scale, double halfWidth95, double valueWidth) {

  /** A measurement without a value range (a count). */
  public MeasurementExplanation(String name, double l1, double l2, PrivacyLoss loss, MechanismKind mechanism,
      double scale, double halfWidth95) {
    this(name, l1, l2, loss, mechanism, scale, halfWidth95, 0);
  }

  /**
   * The number of values a group needs before this measurement's expected 95% error is smaller than the range
   * those values can span ({@code halfWidth95 / valueWidth}, rounded up); 0 when it does not apply.
   */
  public long valuesToExceedError() {
    if (!(valueWidth > 0)) {
      return 0;
    }
    return (long) Math.ceil(halfWidth95 / valueWidth);
  }
}
