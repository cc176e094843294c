package org.dpq.mechanisms;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.dpq.errors.InvalidPrivacyParameterException;

/** Every invalid epsilon/delta is rejected; every split stays within the whole. */
class PrivacyLossProperties {
  @Provide
  Arbitrary<Double> invalidEpsilon() {
    return Arbitraries.oneOf(
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, Double.MIN_VALUE),
        Gen.logUniform(1e-300, 1e300).map(x -> -x),
        Gen.logUniform(1e-320, 0x1p-51),
        Gen.logUniform(100.000001, 1e300));
  }

  @Provide
  Arbitrary<Double> invalidDelta() {
    return Arbitraries.oneOf(
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0, Double.MIN_VALUE),
        Gen.logUniform(1e-300, 1e300).map(x -> -x),
        Gen.logUniform(1e-320, 0x1p-51),
        Gen.logUniform(1.0, 1e300));
  }

  @Provide
  Arbitrary<Double> epsilon() {
    return Gen.logUniform(1e-9, 100);
  }

  @Provide
  Arbitrary<Double> requestEpsilon() {
    return Gen.logUniform(1e-15, 100);
  }

  @Provide
  Arbitrary<Double> delta() {
    return Gen.logUniform(1e-15, 0.999999);
  }

  @Property(tries = 1000)
  void everyInvalidEpsilonIsRejected(@ForAll("invalidEpsilon") double epsilon) {
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(epsilon, 0));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.parse(Double.toString(epsilon), "0"));
    if (!(epsilon >= Checks.MIN_EPSILON && epsilon < 0x1p-50)) { // mechanisms accept split shares down to 2^-60
      assertThrows(InvalidPrivacyParameterException.class, () -> Calibration.laplace(1, epsilon));
    }
  }

  @Property(tries = 1000)
  void everyInvalidDeltaIsRejected(@ForAll("invalidDelta") double delta) {
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.of(0.5, delta));
    assertThrows(InvalidPrivacyParameterException.class, () -> PrivacyLoss.parse("0.5", Double.toString(delta)));
    if (!(delta >= Checks.MIN_DELTA && delta < 0x1p-50)) { // mechanisms accept split shares down to 2^-60
      assertThrows(InvalidPrivacyParameterException.class, () -> Calibration.gaussian(1, 0.5, delta));
    }
  }

  @Property(tries = 1000)
  void validRequestsAreAccepted(@ForAll("requestEpsilon") double epsilon,
      @ForAll("delta") double delta) {
    PrivacyLoss p = PrivacyLoss.of(epsilon, delta);
    assertTrue(p.epsilon().signum() > 0 && p.delta().signum() > 0);
  }

  @Property(tries = 1000)
  void splitsNeverExceedTheWhole(@ForAll("epsilon") double epsilon,
      @ForAll("delta") double delta, @ForAll @IntRange(min = 1, max = 64) int k) {
    PrivacyLoss whole = PrivacyLoss.of(epsilon, k % 2 == 0 ? 0 : delta); // pure and approximate
    List<PrivacyLoss> parts = whole.split(k);
    PrivacyLoss sum = parts.stream().reduce(PrivacyLoss.ZERO, PrivacyLoss::plus);
    assertTrue(sum.fitsWithin(whole), "split parts add up to more than the whole");
    assertTrue(parts.stream().allMatch(p -> p.epsilon().signum() > 0), "every part must get some epsilon");
    // nearly all of the budget is handed out
    assertTrue(whole.epsilon().subtract(sum.epsilon()).compareTo(whole.epsilon().scaleByPowerOfTen(-17)) < 0);
  }

  @Property(tries = 1000)
  void weightedSplitsNeverExceedTheWhole(@ForAll("epsilon") double epsilon,
      @ForAll("delta") double delta,
      @ForAll @Size(min = 1, max = 16) List<@DoubleRange(min = 0.01, max = 1000) Double> weights) {
    PrivacyLoss whole = PrivacyLoss.of(epsilon, delta);
    double[] w = weights.stream().mapToDouble(Double::doubleValue).toArray();
    PrivacyLoss sum = whole.splitWeighted(w).stream().reduce(PrivacyLoss.ZERO, PrivacyLoss::plus);
    assertTrue(sum.fitsWithin(whole));
    assertTrue(sum.epsilon().compareTo(BigDecimal.ZERO) > 0);
  }
}
