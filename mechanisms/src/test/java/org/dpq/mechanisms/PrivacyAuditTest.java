package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Empirical epsilon audits of the count mechanisms on neighbouring inputs x = 0 and x' = sensitivity.
 * Margin: the harness's overall error probability is alpha = 1e-6 (Clopper-Pearson with Bonferroni), so a
 * correct mechanism's lower bound exceeds its claimed epsilon with probability at most 1e-6; each test also
 * runs a variant with 20% too little noise through the same harness and requires the lower bound to exceed
 * the claimed epsilon (the ideal values for the broken variants are 1.25 for Laplace at epsilon 1 and 2.27
 * for Gaussian at epsilon 2, delta 1e-2; with these seeds and sizes the harness reports about 1.24 and
 * 2.16, and about 0.99 and 1.49 for the correct mechanisms).
 */
class PrivacyAuditTest {
  private static final double ALPHA = 1e-6;

  @Test
  void laplaceCountMechanismPassesAndTooLittleNoiseIsFlagged() {
    LaplaceMechanism m = Calibration.laplace(1, 1.0);
    RandomBits bits = TestRandomBits.seeded(101);
    double[] cuts = range(-6, 6);
    int n = 1_000_000;
    double good = PrivacyAudit.epsilonLowerBound(() -> m.addNoise(0L, bits), () -> m.addNoise(1L, bits), n, 0, cuts, ALPHA);
    assertTrue(good <= 1.0, "correct Laplace mechanism shows epsilon >= " + good);
    assertTrue(good > 0.9, "the audit should be tight for Laplace (events y >= c give exactly e^eps); got " + good);

    // Broken: scale 0.8 instead of 1 (20% too little noise), i.e. really 1.25-DP.
    double broken = PrivacyAudit.epsilonLowerBound(() -> DiscreteLaplace.sample(bits, 4, 5),
        () -> 1 + DiscreteLaplace.sample(bits, 4, 5), n, 0, cuts, ALPHA);
    assertTrue(broken > 1.0, "20% too little Laplace noise not flagged: lower bound " + broken);
  }

  @Test
  void laplaceRealValuedMechanismPassesOnTheGrid() {
    LaplaceMechanism m = Calibration.laplace(1, 1.0);
    RandomBits bits = TestRandomBits.seeded(102);
    double[] cuts = range(-6, 6);
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] += 0.5; // between the integers, where real-valued outputs also fall
    }
    int n = 400_000;
    double good = PrivacyAudit.epsilonLowerBound(() -> m.addNoise(0.0, bits), () -> m.addNoise(1.0, bits), n, 0, cuts, ALPHA);
    assertTrue(good <= 1.0, "real-valued Laplace mechanism shows epsilon >= " + good);
    LaplaceMechanism tooLittle = new LaplaceMechanism(0.8, 1.0, 0.8); // claims sensitivity 0.8, gets shift 1
    double broken = PrivacyAudit.epsilonLowerBound(() -> tooLittle.addNoise(0.0, bits),
        () -> tooLittle.addNoise(1.0, bits), n, 0, cuts, ALPHA);
    assertTrue(broken > 1.0, "20% too little real-valued noise not flagged: lower bound " + broken);
  }

  @Test
  void gaussianCountMechanismPassesAndTooLittleNoiseIsFlagged() {
    double epsilon = 2.0;
    double delta = 1e-2;
    GaussianMechanism m = Calibration.gaussian(1, epsilon, delta);
    RandomBits bits = TestRandomBits.seeded(103);
    double[] cuts = range(-10, 10);
    int n = 1_000_000;
    double good = PrivacyAudit.epsilonLowerBound(() -> m.addNoise(0L, bits), () -> m.addNoise(1L, bits), n, delta, cuts, ALPHA);
    assertTrue(good <= epsilon, "correct Gaussian mechanism shows epsilon >= " + good);

    // Broken: sigma times 0.8. The mechanism itself refuses it; sample it directly.
    double sigma = 0.8 * m.sigma();
    assertThrows(IllegalArgumentException.class, () -> new GaussianMechanism(1, epsilon, delta, sigma));
    Ratio s2 = Ratio.ceil(new BigDecimal(sigma * sigma), 20);
    double broken = PrivacyAudit.epsilonLowerBound(() -> DiscreteGaussian.sample(bits, s2.num(), s2.den()),
        () -> 1 + DiscreteGaussian.sample(bits, s2.num(), s2.den()), n, delta, cuts, ALPHA);
    assertTrue(broken > epsilon, "20% too little Gaussian noise not flagged: lower bound " + broken);
  }

  @Test
  void clopperPearsonEdgesAreExactAndInteriorMatchesTheClosedForm() {
    // k = 0: lower is 0, upper solves (1-p)^n = alpha; k = n mirrors it.
    int n = 1000;
    double a = 0.01;
    assertEquals(0.0, Stats.clopperPearsonLower(0, n, a));
    assertEquals(1 - Math.pow(a, 1.0 / n), Stats.clopperPearsonUpper(0, n, a), 1e-12);
    assertEquals(1.0, Stats.clopperPearsonUpper(n, n, a));
    assertEquals(Math.pow(a, 1.0 / n), Stats.clopperPearsonLower(n, n, a), 1e-12);
    // k = 1: P(X >= 1 | p) = 1 - (1-p)^n = a at the lower bound.
    double lower = Stats.clopperPearsonLower(1, n, a);
    assertEquals(a, 1 - Math.pow(1 - lower, n), 1e-12);
  }

  private static double[] range(int from, int to) {
    double[] r = new double[to - from + 1];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }
}
