package org.dpq.mechanisms;

/**
 * Which analysis certifies a {@link GaussianMechanism}'s (epsilon, delta): owns the rule that the exact
 * one-dimensional analysis is used only for a release in which a unit moves at most one cell of a measurement.
 */
public enum GaussianCalibration {
  /**
   * Any number of cells per unit: the discrete Gaussian's zCDP guarantee converted to (epsilon, delta) (CKS 2020,
   * Corollary 13), with sigma also at least the analytic Gaussian sigma of Balle and Wang.
   */
  ZCDP_CERTIFICATE("zCDP certificate (CKS Cor. 13), at least the analytic Gaussian sigma"),
  /**
   * One cell per unit (one group per unit): the exact delta of the discrete Gaussian (CKS 2020, Theorem 7), used
   * when it gives a smaller sigma than {@link #ZCDP_CERTIFICATE}.
   */
  EXACT_DISCRETE("exact discrete Gaussian delta (CKS Thm 7), one group per unit");

  private final String description;

  GaussianCalibration(String description) {
    this.description = description;
  }

  /** How sigma was chosen, in words, for explain. */
  public String description() {
    return description;
  }
}
