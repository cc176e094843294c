package org.dpq.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import org.dpq.errors.InvalidPrivacyParameterException;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The zCDP conversions: known values, conservative rounding, monotonicity, and round trips. Each check is a
 * static method over the conversion it checks, so the same check is also run on a deliberately broken conversion
 * (a sign flipped, a factor dropped) and must fail there.
 */
class ZcdpTest {
  private static final List<String[]> BUDGETS = List.of(new String[] {"1", "0.000001"},
      new String[] {"0.5", "0.00001"}, new String[] {"10", "0.000001"}, new String[] {"3", "1e-9"},
      new String[] {"0.1", "0.001"}, new String[] {"0.01", "1e-7"}, new String[] {"100", "0.1"});

  // ---- the checks ------------------------------------------------------------------------------------------

  /**
   * The rho budget is conservative (its conversion, evaluated independently in double with a 1e-12 relative
   * allowance for double rounding, is at most epsilon) and nearly the largest (rho + 1e-9 would not fit).
   */
  static void checkRhoBudget(BinaryOperator<BigDecimal> rhoBudget) {
    for (String[] b : BUDGETS) {
      BigDecimal eps = new BigDecimal(b[0]);
      BigDecimal delta = new BigDecimal(b[1]);
      double rho = rhoBudget.apply(eps, delta).doubleValue();
      double l = Math.log(1 / delta.doubleValue());
      double e = eps.doubleValue();
      assertTrue(rho > 0, "a positive budget holds a positive rho");
      assertTrue(rho + 2 * Math.sqrt(rho * l) <= e * (1 + 1e-12), "rho " + rho + " converts above epsilon " + e);
      double more = rho + 1e-9;
      assertTrue(more + 2 * Math.sqrt(more * l) > e, "rho " + rho + " is not the largest that fits " + e);
    }
  }

  /** Published-style values of sqrt(rho) = sqrt(ln(1/delta) + epsilon) - sqrt(ln(1/delta)). */
  static void checkKnownRhoBudgets(BinaryOperator<BigDecimal> rhoBudget) {
    assertNear(0.017468904769123, rhoBudget.apply(BigDecimal.ONE, new BigDecimal("0.000001")));
    assertNear(0.005313904230771, rhoBudget.apply(new BigDecimal("0.5"), new BigDecimal("0.00001")));
    assertNear(1.353014690168874, rhoBudget.apply(BigDecimal.TEN, new BigDecimal("0.000001")));
  }

  /** The Gaussian rho D^2/(2 sigma^2), exact and rounded up at 1e-12. */
  static void checkGaussianRho(DoubleBinaryOperator gaussianRho) {
    assertEquals(0.5, gaussianRho.applyAsDouble(1, 1));
    assertEquals(0.125, gaussianRho.applyAsDouble(2, 4));
    assertEquals(2.0, gaussianRho.applyAsDouble(2, 1));
    // 1/18 = 0.0555...; rounded up at 12 places
    assertEquals(0.055555555556, gaussianRho.applyAsDouble(1, 3));
  }

  /** The displayed epsilon of the rho budget is at most the budget's epsilon and within 1e-9 of it. */
  static void checkRoundTrip(BinaryOperator<BigDecimal> rhoBudget, BinaryOperator<BigDecimal> epsilon) {
    for (String[] b : BUDGETS) {
      BigDecimal eps = new BigDecimal(b[0]);
      BigDecimal delta = new BigDecimal(b[1]);
      BigDecimal rho = rhoBudget.apply(eps, delta);
      BigDecimal back = epsilon.apply(rho, delta);
      assertTrue(back.compareTo(eps) <= 0, "round trip " + eps + " -> " + back + " is not conservative");
      // Rounding rho down by < 1e-12 lowers epsilon by < (1 + sqrt(L / rho)) 1e-12 (the slope of the conversion);
      // twice that, plus 1e-12 for rounding epsilon up, is all a correct round trip may lose.
      double slope = 1 + Math.sqrt(Math.log(1 / delta.doubleValue()) / rho.doubleValue());
      double allowed = 2 * slope * 1e-12 + 1e-12;
      assertTrue(eps.subtract(back).doubleValue() <= allowed, "round trip " + eps + " -> " + back
          + " lost more than " + allowed);
    }
  }

  // ---- the real conversions --------------------------------------------------------------------------------

  @Test
  void rhoBudgetIsConservativeAndNearlyTheLargest() {
    checkRhoBudget(Zcdp::rhoBudget);
    checkKnownRhoBudgets(Zcdp::rhoBudget);
  }

  @Test
  void gaussianAndPureRho() {
    checkGaussianRho((d, s) -> Zcdp.gaussianRho(d, s).doubleValue());
    assertEquals(new BigDecimal("0.005"), Zcdp.pureRho(new BigDecimal("0.1")));
    assertEquals(new BigDecimal("0.5"), Zcdp.pureRho(BigDecimal.ONE));
    // a rho that is not a multiple of 1e-12 is rounded up, never down
    assertEquals(new BigDecimal("0.000000000001"), Zcdp.pureRho(new BigDecimal("0.000001")));
    assertEquals(new BigDecimal("0.000000000001"), Zcdp.gaussianRho(1, 1e7));
  }

  @Test
  void roundTripIsConservative() {
    checkRoundTrip(Zcdp::rhoBudget, Zcdp::epsilon);
  }

  @Test
  void conversionsAreMonotone() {
    BigDecimal delta = new BigDecimal("0.000001");
    BigDecimal previous = BigDecimal.ZERO;
    for (String eps : List.of("0.01", "0.1", "0.5", "1", "2", "5", "10", "50")) {
      BigDecimal rho = Zcdp.rhoBudget(new BigDecimal(eps), delta);
      assertTrue(rho.compareTo(previous) > 0, "rho budget must grow with epsilon at " + eps);
      previous = rho;
    }
    previous = BigDecimal.ZERO;
    for (String d : List.of("1e-12", "1e-9", "1e-6", "1e-3", "0.1")) {
      BigDecimal rho = Zcdp.rhoBudget(BigDecimal.ONE, new BigDecimal(d));
      assertTrue(rho.compareTo(previous) > 0, "rho budget must grow with delta at " + d);
      previous = rho;
    }
    previous = BigDecimal.ZERO;
    for (String rho : List.of("0.000000000001", "0.0001", "0.01", "0.1", "1", "10")) {
      BigDecimal eps = Zcdp.epsilon(new BigDecimal(rho), delta);
      assertTrue(eps.compareTo(previous) > 0, "epsilon must grow with rho at " + rho);
      previous = eps;
    }
  }

  @Test
  void aBudgetWithoutDeltaOrTooSmallIsRefused() {
    assertThrows(InvalidPrivacyParameterException.class, () -> Zcdp.rhoBudget(BigDecimal.ONE, BigDecimal.ZERO));
    assertThrows(InvalidPrivacyParameterException.class, () -> Zcdp.rhoBudget(BigDecimal.ONE, BigDecimal.ONE));
    assertThrows(InvalidPrivacyParameterException.class,
        () -> Zcdp.rhoBudget(new BigDecimal("1e-12"), new BigDecimal("1e-6")));
  }

  // ---- the same checks reject broken conversions -----------------------------------------------------------

  @Test
  void theChecksRejectBrokenConversions() {
    // sqrt(rho) = sqrt(L + eps) + sqrt(L): the sign of the second root flipped
    BinaryOperator<BigDecimal> wrongSign = (eps, delta) -> {
      double l = Math.log(1 / delta.doubleValue());
      double r = Math.sqrt(l + eps.doubleValue()) + Math.sqrt(l);
      return BigDecimal.valueOf(r * r);
    };
    assertThrows(AssertionFailedError.class, () -> checkRhoBudget(wrongSign));
    assertThrows(AssertionFailedError.class, () -> checkKnownRhoBudgets(wrongSign));
    assertThrows(AssertionFailedError.class, () -> checkRoundTrip(wrongSign, Zcdp::epsilon));
    // rho = eps^2 / 2, the pure-DP rho, as if the budget were pure: too generous once delta is small
    BinaryOperator<BigDecimal> pureBudget = (eps, delta) -> Zcdp.pureRho(eps).multiply(BigDecimal.valueOf(4));
    assertThrows(AssertionFailedError.class, () -> checkRhoBudget(pureBudget));
    // the conversion back with the factor 2 dropped shows a smaller epsilon than the truth
    BinaryOperator<BigDecimal> halfEpsilon = (rho, delta) -> Zcdp.epsilon(rho, delta).subtract(rho)
        .divide(BigDecimal.valueOf(2)).add(rho);
    assertThrows(AssertionFailedError.class, () -> checkRoundTrip(Zcdp::rhoBudget, halfEpsilon));
    // rho = D^2 / sigma^2 * 0: charges nothing
    assertThrows(AssertionFailedError.class, () -> checkGaussianRho((d, s) -> d * d / (s * s) * 0));
    // rho = D^2 / sigma^2: the factor 1/2 dropped
    assertThrows(AssertionFailedError.class, () -> checkGaussianRho((d, s) -> d * d / (s * s)));
    // rounded down instead of up
    assertThrows(AssertionFailedError.class, () -> checkGaussianRho((d, s) -> Math.floor(d * d / (2 * s * s) * 1e12)
        / 1e12));
  }

  private static void assertNear(double expected, BigDecimal actual) {
    assertTrue(Math.abs(expected - actual.doubleValue()) <= 2e-12, "expected about " + expected + ", got " + actual);
  }
}
