package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exact discrete Gaussian calibration (CKS 2020, Theorem 7): the delta bound against an independent brute-force
 * privacy profile, against the continuous analytic Gaussian (Balle-Wang) for large sigma, its monotonicity, and the
 * calibrated sigma: below the zCDP-certified one, its delta at most the target, and 10% less noise rejected.
 */
class DiscreteGaussianExactTest {

  /**
   * The hockey-stick divergence sup_S P[x + Y in S] - e^eps P[x' + Y in S] for a shift d, summed directly over the
   * integers (normaliser summed too): independent of the theorem's closed form and of the tail bounds.
   */
  private static double bruteForceDelta(int shift, double sigma, double epsilon) {
    int m = (int) Math.ceil(60 * sigma) + shift + 10;
    double z = 0;
    for (int y = -m; y <= m; y++) {
      z += Math.exp(-(double) y * y / (2 * sigma * sigma));
    }
    double d = 0;
    for (int y = -m; y <= m + shift; y++) {
      double p = Math.exp(-(double) y * y / (2 * sigma * sigma)) / z;
      double q = Math.exp(-(double) (y - shift) * (y - shift) / (2 * sigma * sigma)) / z;
      d += Math.max(0, p - Math.exp(epsilon) * q);
    }
    return d;
  }

  @ParameterizedTest(name = "sensitivity {0}, sigma {1}, epsilon {2}")
  @CsvSource({"1, 1.5, 0.5", "1, 3, 1", "2, 3, 1", "1, 7.3, 0.3", "5, 20, 0.5", "3, 20, 0.1", "1, 0.8, 1",
      "4, 10.5, 2", "1, 40, 0.05"})
  void boundCoversEveryShiftAndIsTightAtTheSensitivity(int sensitivity, double sigma, double epsilon) {
    double bound = DiscreteGaussianPrivacy.delta(sensitivity, sigma, epsilon);
    double worst = 0;
    for (int d = 1; d <= sensitivity; d++) {
      double exact = bruteForceDelta(d, sigma, epsilon);
      worst = Math.max(worst, exact);
      assertTrue(bound >= exact * (1 - 1e-9), "bound " + bound + " below the exact delta " + exact + " at shift " + d);
    }
    // tight: the conservative evaluation costs at most a relative 1e-6 (explicit sums cover these sigmas)
    assertEquals(worst, bound, worst * 1e-6 + 1e-16, "the bound is the exact delta at shift " + sensitivity);
    // the broken reading (P[Y >= t] for P[Y > t], an off-by-one in both tails) disagrees with the brute force
    assertTrue(Math.abs(offByOne(sigma, epsilon, sensitivity) - worst) > worst * 1e-3,
        "a check that cannot tell the broken formula apart proves nothing");
  }

  /** Theorem 7's expression with P[Y >= t] in place of P[Y > t] (a deliberately broken variant). */
  private static double offByOne(double sigma, double epsilon, double sensitivity) {
    double c = epsilon * sigma * sigma / sensitivity;
    double ya = Math.floor(c - sensitivity / 2);
    double yb = Math.floor(c + sensitivity / 2);
    return DiscreteGaussianPrivacy.tailUpper(ya, sigma) - Math.exp(epsilon) * DiscreteGaussianPrivacy.tailLower(yb, sigma);
  }

  @ParameterizedTest(name = "sigma/sensitivity {0}, epsilon {1}, sigma {2} steps")
  @CsvSource({"5, 1, 1e7", "50, 0.1, 1e8", "3, 2, 1e7", "20, 0.25, 16777216"})
  void largeSigmaApproachesTheContinuousAnalyticGaussian(double ratio, double epsilon, double sigma) {
    double discrete = DiscreteGaussianPrivacy.delta(sigma / ratio, sigma, epsilon);
    double continuous = GaussianPrivacy.analyticDelta(ratio, epsilon);
    assertTrue(continuous > 1e-14, "pick parameters where delta is representable");
    assertEquals(continuous, discrete, continuous * 2e-3, "discrete " + discrete + " vs Balle-Wang " + continuous);
  }

  @Test
  void deltaFallsWithSigmaAndRisesWithSensitivity() {
    for (double epsilon : new double[] {0.1, 1}) {
      double previous = 1;
      for (double sigma = 2; sigma < 400; sigma *= 1.07) {
        double d = DiscreteGaussianPrivacy.delta(10, sigma, epsilon);
        assertTrue(d <= previous, "delta rose with sigma at " + sigma);
        previous = d;
      }
      double last = 0;
      for (int sensitivity = 1; sensitivity < 60; sensitivity++) {
        double d = DiscreteGaussianPrivacy.delta(sensitivity, 30, epsilon);
        assertTrue(d >= last, "delta fell with sensitivity at " + sensitivity);
        last = d;
      }
    }
  }

  @ParameterizedTest(name = "L2 {0}, epsilon {1}, delta {2}")
  @CsvSource({"1, 0.1, 1e-7", "1, 1, 1e-6", "7, 0.5, 1e-9", "1, 0.01, 1e-7", "100000, 0.1, 1e-7", "0.25, 1, 1e-5",
      "3, 5, 1e-10"})
  void exactSigmaIsSmallerAndItsDeltaIsWithinTheTarget(double l2, double epsilon, double delta) {
    GaussianMechanism certified = Calibration.gaussian(l2, epsilon, delta);
    GaussianMechanism exact = Calibration.gaussian(l2, epsilon, delta, 1);
    assertSame(GaussianCalibration.EXACT_DISCRETE, exact.calibration());
    assertTrue(exact.sigma() < certified.sigma(), "exact " + exact.sigma() + " vs certified " + certified.sigma());
    assertTrue(GaussianMechanism.exactHolds(l2, exact.sigma(), epsilon, delta));
    // the integer release at e = 0 (the common case): delta at the sampled sigma, recomputed here, within target
    if (l2 >= 1 && !exact.integerNoise().rounds()) {
      assertTrue(DiscreteGaussianPrivacy.delta(l2, exact.integerNoise().sigmaSteps(), epsilon) <= delta);
    }
    // the search is tight: a hair less noise fails the certificate
    assertTrue(!GaussianMechanism.exactHolds(l2, exact.sigma() * (1 - 1e-6), epsilon, delta),
        "the bisection stopped short of the smallest sigma");
    // broken variant: sigma 10% too small is refused by the same check
    assertTrue(!GaussianMechanism.exactHolds(l2, exact.sigma() * 0.9, epsilon, delta));
    assertThrows(IllegalArgumentException.class,
        () -> new GaussianMechanism(l2, epsilon, delta, exact.sigma() * 0.9, GaussianCalibration.EXACT_DISCRETE));
  }

  @Test
  void severalCellsPerUnitKeepTheZcdpCertificate() {
    GaussianMechanism many = Calibration.gaussian(1, 0.1, 1e-7, 2);
    assertSame(GaussianCalibration.ZCDP_CERTIFICATE, many.calibration());
    assertEquals(Calibration.gaussian(1, 0.1, 1e-7).sigma(), many.sigma());
    assertSame(GaussianCalibration.ZCDP_CERTIFICATE,
        ((GaussianMechanism) Calibration.choose(MechanismChoice.GAUSSIAN, 1, 1, 0.1, 1e-7)).calibration());
    // the exact sigma is not admitted under the zCDP certificate (it is below what Corollary 13 needs)
    double exact = Calibration.gaussian(1, 0.1, 1e-7, 1).sigma();
    assertThrows(IllegalArgumentException.class, () -> new GaussianMechanism(1, 0.1, 1e-7, exact));
  }
}
