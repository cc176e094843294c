package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpq.errors.InvalidPrivacyParameterException;
import org.junit.jupiter.api.Test;

/** Mechanism choice, construction guards, and the shape of releases. */
class MechanismTest {
  @Test
  void choiceParsesCaseInsensitivelyAndNamesTheOptionsOnError() {
    assertEquals(MechanismChoice.LAPLACE, MechanismChoice.parse("Laplace"));
    assertEquals(MechanismChoice.GAUSSIAN, MechanismChoice.parse(" GAUSSIAN "));
    assertEquals(MechanismChoice.AUTO, MechanismChoice.parse("auto"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MechanismChoice.parse("gauss"));
    assertTrue(e.getMessage().contains("laplace, gaussian, auto"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MechanismChoice.parse(null));
  }

  @Test
  void autoPicksTheSmallerVarianceAndLaplaceForPureDp() {
    // One cell (l1 = l2 = 1), epsilon 1, delta 1e-5: Laplace variance 2 < Gaussian sigma^2 ~ 16.
    assertEquals(MechanismKind.LAPLACE, Calibration.choose(MechanismChoice.AUTO, 1, 1, 1, 1e-5).kind());
    // 100 cells: l1 = 100, l2 = 10: Laplace variance 20000 > Gaussian ~ 1600.
    NoiseMechanism many = Calibration.choose(MechanismChoice.AUTO, 100, 10, 1, 1e-5);
    assertEquals(MechanismKind.GAUSSIAN, many.kind());
    assertTrue(many.variance() < Calibration.laplace(100, 1).variance());
    assertEquals(MechanismKind.LAPLACE, Calibration.choose(MechanismChoice.AUTO, 100, 10, 1, 0).kind());
    assertEquals(MechanismKind.LAPLACE, Calibration.choose(MechanismChoice.LAPLACE, 100, 10, 1, 1e-5).kind());
    assertEquals(MechanismKind.GAUSSIAN, Calibration.choose(MechanismChoice.GAUSSIAN, 1, 1, 1, 1e-5).kind());
  }

  @Test
  void gaussianWithoutDeltaIsRejectedClearly() {
    InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
        () -> Calibration.choose(MechanismChoice.GAUSSIAN, 1, 1, 1, 0));
    assertTrue(e.getMessage().contains("delta > 0"), e.getMessage());
    assertThrows(InvalidPrivacyParameterException.class, () -> Calibration.gaussian(1, 1, 0));
  }

  @Test
  void recordsRefuseTooLittleNoise() {
    assertThrows(IllegalArgumentException.class, () -> new LaplaceMechanism(1, 1, 0.999));
    assertEquals(1.0, new LaplaceMechanism(1, 1, 1).scale());
    GaussianMechanism g = Calibration.gaussian(1, 1, 1e-6);
    assertThrows(IllegalArgumentException.class, () -> new GaussianMechanism(1, 1, 1e-6, g.sigma() * 0.99));
    assertThrows(IllegalArgumentException.class, () -> new GaussianMechanism(1, 1, 1e-6, Calibration.analyticGaussianSigma(1, 1, 1e-6)),
        "the continuous analytic sigma alone is not enough for discrete noise");
  }

  @Test
  void badSensitivitiesAndValuesAreRejectedWithTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calibration.laplace(0, 1));
    assertTrue(e.getMessage().contains("sensitivity"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Calibration.laplace(Double.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> Calibration.gaussian(Double.POSITIVE_INFINITY, 1, 1e-6));
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> Calibration.laplace(1, 1).addNoise(Double.NaN, TestRandomBits.seeded(1)));
    assertTrue(nan.getMessage().contains("clamp"), nan.getMessage());
  }

  @Test
  void classicSigmaRefusesEpsilonOfOneOrMore() {
    assertThrows(IllegalArgumentException.class, () -> Calibration.classicGaussianSigma(1, 1.0, 1e-5));
    assertEquals(Math.sqrt(2 * Math.log(1.25 / 1e-5)) / 0.5, Calibration.classicGaussianSigma(1, 0.5, 1e-5), 1e-12);
  }

  @Test
  void analyticSigmaMatchesBalleWangAtAKnownPoint() {
    // At epsilon 1, delta 1e-5 the analytic Gaussian needs sigma ~ 3.73 per unit of L2 sensitivity
    // (Balle and Wang 2018; compare the classic 4.84 at epsilon 0.999).
    double s = Calibration.analyticGaussianSigma(1, 1, 1e-5);
    assertEquals(3.7306, s, 5e-4);
    assertTrue(GaussianPrivacy.analyticDelta(s, 1) <= 1e-5);
    assertTrue(GaussianPrivacy.analyticDelta(s * 0.999, 1) > 1e-5, "the bisection must be tight");
  }

  @Test
  void integerReleasesAreIntegersAroundTheValueAndUseTheFullScale() {
    LaplaceMechanism m = Calibration.laplace(1, 0.5);
    assertEquals(new Ratio(2, 1), m.integerNoise().t());
    assertEquals(0, m.integerNoise().exponent());
    // non-integer sensitivity: integer noise is calibrated to ceil(2.5) = 3
    LaplaceMechanism frac = Calibration.laplace(2.5, 1);
    assertEquals(new Ratio(3, 1), frac.integerNoise().t());
    RandomBits bits = TestRandomBits.seeded(7);
    long same = 0;
    for (int i = 0; i < 1000; i++) {
      if (m.addNoise(1000L, bits) == 1000L) {
        same++;
      }
    }
    // P(Z = 0) = (1-q)/(1+q) with q = e^-0.5: 0.2449; 1000 draws, 6 sd band
    assertTrue(same > 160 && same < 330, "unexpected share of zero noise: " + same);
  }

  @Test
  void hugeScalesUseACoarserIntegerGridAndStaySampleable() {
    LaplaceMechanism m = Calibration.laplace(1e6, 1e-9);
    assertTrue(m.integerNoise().exponent() > 0, "scale 1e15 needs an integer grid");
    long out = m.addNoise(12345L, TestRandomBits.seeded(3));
    assertEquals(0, out % (1L << m.integerNoise().exponent()), "release must be on the integer grid");
  }

  @Test
  void realReleasesDoNotEchoTheInputsLowBits() {
    // Two inputs that differ below the grid give releases from the same lattice: nothing of the input's
    // low-order bits survives the rounding (the Mironov attack needs those bits).
    LaplaceMechanism m = Calibration.laplace(1, 1);
    double g = Math.scalb(1.0, m.realNoise().exponent());
    double a = m.addNoise(0.25, TestRandomBits.seeded(9));
    double b = m.addNoise(0.25 + g / 4, TestRandomBits.seeded(9));
    assertEquals(a, b, "values within a quarter grid step must release identically under the same randomness");
    assertNotEquals(a, m.addNoise(0.25 + g, TestRandomBits.seeded(9)));
  }

  @Test
  void hugeRealValuesAreReleasedWithoutOverflow() {
    LaplaceMechanism m = Calibration.laplace(1, 1);
    double out = m.addNoise(1e300, TestRandomBits.seeded(5));
    assertEquals(1e300, out, 1e300 * 1e-12);
    double max = m.addNoise(Double.MAX_VALUE, TestRandomBits.seeded(5));
    assertTrue(Double.isFinite(max));
  }

  @Test
  void epsilonTooSmallToSampleIsRejectedWhenTheMechanismIsBuilt() {
    InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
        () -> Calibration.laplace(1, 1e-15));
    assertTrue(e.getMessage().contains("use epsilon of at least"), e.getMessage());
  }

  @Test
  void mechanismsAreTheSealedPair() {
    NoiseMechanism m = Calibration.choose(MechanismChoice.AUTO, 1, 1, 1, 0);
    assertInstanceOf(LaplaceMechanism.class, m);
    assertEquals(2.0, m.variance());
  }
}
