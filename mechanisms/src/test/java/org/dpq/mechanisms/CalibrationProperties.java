package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Monotonicity and ordering of the calibrations, and the rule that noise is never below the claim. */
class CalibrationProperties {
  @Provide
  Arbitrary<Double> epsilon() {
    return Gen.logUniform(0.01, 20);
  }

  @Provide
  Arbitrary<Double> smallEpsilon() {
    return Gen.logUniform(1e-3, 0.999);
  }

  @Provide
  Arbitrary<Double> anyEpsilon() {
    return Gen.logUniform(1e-6, 100);
  }

  @Provide
  Arbitrary<Double> delta() {
    return Gen.logUniform(1e-15, 0.5);
  }

  @Provide
  Arbitrary<Double> sensitivity() {
    return Gen.logUniform(1e-3, 1e6);
  }

  @Provide
  Arbitrary<Double> wideSensitivity() {
    return Gen.logUniform(1e-6, 1e9);
  }

  @Property(tries = 200)
  void sigmaFallsAsEpsilonGrows(@ForAll("epsilon") double e1,
      @ForAll("epsilon") double e2, @ForAll("delta") double delta) {
    Assume.that(e1 < e2);
    assertTrue(Calibration.analyticGaussianSigma(1, e1, delta) >= Calibration.analyticGaussianSigma(1, e2, delta));
    assertTrue(Calibration.gaussian(1, e1, delta).sigma() >= Calibration.gaussian(1, e2, delta).sigma());
    assertTrue(Calibration.laplace(1, e1).scale() >= Calibration.laplace(1, e2).scale());
  }

  @Property(tries = 200)
  void sigmaFallsAsDeltaGrows(@ForAll("epsilon") double epsilon,
      @ForAll("delta") double d1, @ForAll("delta") double d2) {
    Assume.that(d1 < d2);
    assertTrue(Calibration.analyticGaussianSigma(1, epsilon, d1) >= Calibration.analyticGaussianSigma(1, epsilon, d2));
    assertTrue(Calibration.gaussian(1, epsilon, d1).sigma() >= Calibration.gaussian(1, epsilon, d2).sigma());
  }

  @Property(tries = 300)
  void analyticSigmaIsAtMostClassicWhereClassicIsValid(@ForAll("smallEpsilon") double epsilon,
      @ForAll("delta") double delta, @ForAll("sensitivity") double l2) {
    assertTrue(Calibration.analyticGaussianSigma(l2, epsilon, delta) <= Calibration.classicGaussianSigma(l2, epsilon, delta));
  }

  @Property(tries = 200)
  void gaussianSigmaMeetsBothAnalysesAndScalesWithSensitivity(@ForAll("epsilon") double epsilon,
      @ForAll("delta") double delta, @ForAll("sensitivity") double l2) {
    GaussianMechanism m = Calibration.gaussian(l2, epsilon, delta);
    assertTrue(m.sigma() >= Calibration.analyticGaussianSigma(l2, epsilon, delta));
    assertTrue(GaussianPrivacy.cdpHolds(l2, m.sigma(), epsilon, delta));
    // The analytic delta at the returned sigma is within the target (the analytic bisection is tight).
    assertTrue(GaussianPrivacy.analyticDelta(m.sigma() / l2, epsilon) <= delta * (1 + 1e-6));
    double ratio = m.sigma() / Calibration.gaussian(1, epsilon, delta).sigma();
    assertTrue(Math.abs(ratio / l2 - 1) < 1e-9, "sigma must be linear in the sensitivity");
  }

  @Property(tries = 500)
  void laplaceScaleIsNeverBelowSensitivityOverEpsilon(@ForAll("wideSensitivity") double l1,
      @ForAll("anyEpsilon") double epsilon) {
    LaplaceMechanism m = Calibration.laplace(l1, epsilon);
    BigDecimal product = new BigDecimal(m.scale()).multiply(new BigDecimal(epsilon));
    assertTrue(product.compareTo(new BigDecimal(l1)) >= 0);
    // and the integer noise in grid steps is at least ceil(l1)/epsilon per grid step
    LaplaceNoise n = m.integerNoise();
    BigDecimal t = new BigDecimal(n.t().num()).divide(new BigDecimal(n.t().den()));
    BigDecimal needed = new BigDecimal(Math.ceil(l1)).divide(new BigDecimal(epsilon), new java.math.MathContext(34, java.math.RoundingMode.FLOOR))
        .divide(Grid.pow2Exact(n.exponent()), new java.math.MathContext(34, java.math.RoundingMode.FLOOR));
    assertTrue(t.compareTo(needed) >= 0, "integer noise below ceil(l1)/epsilon");
  }
}
