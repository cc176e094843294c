package org.dpq.mechanisms;

import org.dpq.errors.InvalidPrivacyParameterException;

/**
 * Turns sensitivities and a privacy loss into calibrated mechanisms. Owns the rule "noise is never smaller
 * than the privacy claim requires": every returned parameter is rounded up, and searches return the safe end
 * of their bracket.
 */
public final class Calibration {
  private Calibration() {}

  /** Laplace with scale {@code l1/epsilon} (rounded up): pure epsilon-DP. */
  public static LaplaceMechanism laplace(double l1, double epsilon) {
    Checks.sensitivity("L1", l1);
    Checks.epsilon(epsilon);
    return new LaplaceMechanism(l1, epsilon, Exact.divideUp(l1, epsilon));
  }

  /**
   * Gaussian noise for (epsilon, delta)-DP: sigma is the larger of the analytic Gaussian sigma (Balle and
   * Wang 2018) and the sigma that the discrete Gaussian's zCDP certificate needs (see
   * {@link GaussianMechanism}); in practice the two differ by a few percent.
   */
  public static GaussianMechanism gaussian(double l2, double epsilon, double delta) {
    double sigma = Math.max(analyticGaussianSigma(l2, epsilon, delta), discreteGaussianSigma(l2, epsilon, delta));
    return new GaussianMechanism(l2, epsilon, delta, sigma);
  }

  /**
   * Gaussian noise for (epsilon, delta)-DP of a release in which one unit moves at most {@code cellsPerUnit} cells
   * of the measurement. With one cell, the exact delta of the discrete Gaussian (CKS 2020, Theorem 7) is used when
   * it gives a smaller sigma than {@link #gaussian(double, double, double)}; otherwise that mechanism.
   */
  public static GaussianMechanism gaussian(double l2, double epsilon, double delta, long cellsPerUnit) {
    GaussianMechanism certified = gaussian(l2, epsilon, delta);
    if (cellsPerUnit != 1) {
      return certified;
    }
    double exact = exactDiscreteGaussianSigma(l2, epsilon, delta, certified.sigma());
    return exact < certified.sigma()
        ? new GaussianMechanism(l2, epsilon, delta, exact, GaussianCalibration.EXACT_DISCRETE)
        : certified;
  }

  /**
   * The smallest sigma (by bisection, up to a relative 2^-40, never below it) at most {@code ceiling} for which CKS
   * Theorem 7's delta, evaluated conservatively on the noise actually sampled ({@link GaussianMechanism}), is at most
   * {@code delta}; {@code ceiling} itself when even it does not satisfy the exact certificate.
   */
  static double exactDiscreteGaussianSigma(double l2, double epsilon, double delta, double ceiling) {
    checkGaussian(l2, epsilon, delta);
    double hi = ceiling;
    if (!GaussianMechanism.exactHolds(l2, hi, epsilon, delta)) {
      return ceiling;
    }
    double lo = hi / 2;
    if (GaussianMechanism.exactHolds(l2, lo, epsilon, delta)) {
      return ceiling; // far from the continuous analysis: keep the certified sigma rather than search wider
    }
    for (int i = 0; i < 40; i++) {
      double mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) {
        break;
      }
      if (GaussianMechanism.exactHolds(l2, mid, epsilon, delta)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  /**
   * The analytic Gaussian mechanism's sigma (Balle and Wang 2018, Theorem 8 and Algorithm 1 by bisection):
   * the smallest sigma, up to bisection precision and never below it, with
   * {@code Φ(Δ/2σ - εσ/Δ) - e^ε Φ(-Δ/2σ - εσ/Δ) <= δ}, using Commons Math's normal CDF. Valid for continuous
   * noise at every epsilon.
   */
  public static double analyticGaussianSigma(double l2, double epsilon, double delta) {
    checkGaussian(l2, epsilon, delta);
    return scaleUp(l2, GaussianPrivacy.analyticRatio(epsilon, delta));
  }

  /**
   * The classic bound {@code sqrt(2 ln(1.25/δ)) · l2 / ε} (Dwork and Roth, Theorem A.1), rounded up.
   *
   * @throws IllegalArgumentException when epsilon &gt;= 1, where the classic bound is not a valid calibration
   */
  public static double classicGaussianSigma(double l2, double epsilon, double delta) {
    checkGaussian(l2, epsilon, delta);
    if (epsilon >= 1) {
      throw new IllegalArgumentException("the classic Gaussian bound is valid only for epsilon < 1; "
          + "use analyticGaussianSigma");
    }
    double ratio = Math.nextUp(Math.sqrt(Math.nextUp(2 * Math.log(1.25 / delta)))) / epsilon;
    return scaleUp(l2, Math.nextUp(ratio));
  }

  /** The smallest sigma (never below it) for which the discrete Gaussian's zCDP certificate gives delta. */
  public static double discreteGaussianSigma(double l2, double epsilon, double delta) {
    checkGaussian(l2, epsilon, delta);
    double sigma = scaleUp(l2, GaussianPrivacy.cdpRatio(epsilon, delta));
    while (!GaussianPrivacy.cdpHolds(l2, sigma, epsilon, delta)) {
      sigma = Math.nextUp(sigma * (1 + 1e-12));
    }
    return sigma;
  }

  /**
   * The noise-to-sensitivity ratio {@code sigma / L2} (never below the exact one) at which the discrete Gaussian's
   * zCDP certificate ({@link GaussianPrivacy}: rho = L2^2/(2 sigma^2), converted by CKS Corollary 13) gives (epsilon,
   * delta): the ratio {@link #discreteGaussianSigma} scales by the sensitivity. The conversion's delta grows with rho,
   * so {@code 1 / (2 ratio^2)} is the largest rho whose conversion gives (epsilon, delta), up to the bisection's
   * precision and on the safe side of it: the rho a whole query of several Gaussian measurements may spend under zCDP
   * accounting.
   */
  public static double zcdpRatio(double epsilon, double delta) {
    checkGaussian(1, epsilon, delta);
    return GaussianPrivacy.cdpRatio(epsilon, delta);
  }

  /**
   * Chooses the mechanism: LAPLACE always Laplace; GAUSSIAN always Gaussian (needs delta &gt; 0); AUTO the one
   * with the smaller variance, and Laplace when delta is 0. Uses only public parameters.
   *
   * @throws InvalidPrivacyParameterException for GAUSSIAN with delta 0, or invalid epsilon/delta
   */
  public static NoiseMechanism choose(MechanismChoice choice, double l1, double l2, double epsilon, double delta) {
    return choose(choice, l1, l2, epsilon, delta, 0);
  }

  /**
   * As {@link #choose(MechanismChoice, double, double, double, double)}, for a release in which one unit moves at
   * most {@code cellsPerUnit} cells of the measurement (1 allows the exact discrete Gaussian calibration; any other
   * value, such as 0 for unknown, uses the zCDP certificate).
   */
  public static NoiseMechanism choose(MechanismChoice choice, double l1, double l2, double epsilon, double delta,
      long cellsPerUnit) {
    if (choice == null) {
      throw new IllegalArgumentException("mechanism choice is missing; use laplace, gaussian or auto");
    }
    if (Double.isNaN(delta) || delta < 0 || delta >= 1) {
      throw new InvalidPrivacyParameterException("delta must be in [0, 1); a typical value is 1e-7, or 0 for pure DP");
    }
    switch (choice) {
      case LAPLACE:
        return laplace(l1, epsilon);
      case GAUSSIAN:
        if (delta == 0) {
          throw new InvalidPrivacyParameterException("the Gaussian mechanism needs delta > 0; "
              + "give a delta such as 1e-7, or choose the laplace mechanism");
        }
        return gaussian(l2, epsilon, delta, cellsPerUnit);
      case AUTO:
      default:
        LaplaceMechanism lap = laplace(l1, epsilon);
        if (delta == 0) {
          return lap;
        }
        GaussianMechanism gauss = gaussian(l2, epsilon, delta, cellsPerUnit);
        return gauss.variance() < lap.variance() ? gauss : lap;
    }
  }

  private static void checkGaussian(double l2, double epsilon, double delta) {
    Checks.sensitivity("L2", l2);
    Checks.epsilon(epsilon);
    Checks.positiveDelta(delta);
  }

  private static double scaleUp(double sensitivity, double ratio) {
    return Exact.toDoubleUp(Exact.of(sensitivity).multiply(Exact.of(ratio)));
  }
}
