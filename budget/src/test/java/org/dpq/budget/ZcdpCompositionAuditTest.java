package org.dpq.budget;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.function.DoubleBinaryOperator;
import org.dpq.mechanisms.Calibration;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * An analytic audit of zCDP accounting: however many Gaussian queries the rho budget of (epsilon, delta) admits,
 * their composition must still be (epsilon, delta)-DP. k Gaussian releases of L2 sensitivity D with parameter
 * sigma compose exactly to one Gaussian with mu = sqrt(k) D / sigma, whose exact delta at epsilon is
 * Phi(-epsilon/mu + mu/2) - e^epsilon Phi(-epsilon/mu - mu/2) (Balle and Wang 2018; continuous noise, whose
 * Rényi divergences the discrete Gaussian's do not exceed, CKS 2020). The same audit run on a charge that forgets
 * the factor 1/2 in the other direction (D^2/(4 sigma^2)) or charges nothing admits too many queries and fails.
 */
class ZcdpCompositionAuditTest {
  private static final BigDecimal EPSILON = BigDecimal.ONE;
  private static final BigDecimal DELTA = new BigDecimal("0.000001");

  /** The audit: for several sigmas, the queries admitted compose to at most the budget's delta at its epsilon. */
  static void audit(DoubleBinaryOperator rhoOf) {
    BigDecimal budget = Zcdp.rhoBudget(EPSILON, DELTA);
    double[] sigmas = {3, 10, Calibration.gaussian(1, 0.1, 1e-7).sigma(), 100, 400};
    for (double sigma : sigmas) {
      double rho = rhoOf.applyAsDouble(1, sigma);
      assertTrue(rho > 0, "sigma " + sigma + ": a Gaussian query charged nothing, so unboundedly many are admitted");
      BigDecimal each = BigDecimal.valueOf(rho).setScale(Zcdp.SCALE, RoundingMode.CEILING);
      long k = budget.divideToIntegralValue(each).longValueExact();
      if (k == 0) {
        continue;
      }
      double mu = Math.sqrt(k) / sigma;
      double e = EPSILON.doubleValue();
      double delta = phi(-e / mu + mu / 2) - Math.exp(e) * phi(-e / mu - mu / 2);
      assertTrue(delta <= DELTA.doubleValue(), "sigma " + sigma + ": " + k + " queries admitted compose to delta "
          + delta + " at epsilon " + e + ", above " + DELTA);
    }
  }

  @Test
  void theQueriesAdmittedUnderZcdpComposeWithinTheBudget() {
    audit((d, s) -> Zcdp.gaussianRho(d, s).doubleValue());
  }

  @Test
  void theAuditCatchesAChargeThatIsTooSmall() {
    assertThrows(AssertionFailedError.class, () -> audit((d, s) -> d * d / (4 * s * s)));
    assertThrows(AssertionFailedError.class, () -> audit((d, s) -> d * d / (s * s) * 0));
  }

  @Test
  void phiIsAccurateInTheTail() {
    // reference values of the standard normal CDF
    assertTrue(Math.abs(phi(-5) / 2.866515718791939e-7 - 1) < 1e-12, String.valueOf(phi(-5)));
    assertTrue(Math.abs(phi(-3) / 1.3498980316300946e-3 - 1) < 1e-12, String.valueOf(phi(-3)));
    assertTrue(Math.abs(phi(0) - 0.5) < 1e-15);
    assertTrue(Math.abs(phi(1) - 0.8413447460685429) < 1e-13, String.valueOf(phi(1)));
  }

  /** The standard normal CDF: a continued fraction in the tails (|x| >= 2), a Taylor series inside. */
  static double phi(double x) {
    if (x > 0) {
      return 1 - phi(-x);
    }
    double t = -x;
    double density = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    if (t >= 2) {
      double f = t;
      for (int n = 400; n >= 1; n--) {
        f = t + n / f;
      }
      return density / f;
    }
    // Phi(-t) = 1/2 - (1/sqrt(2 pi)) sum_n (-1)^n t^(2n+1) / (2^n n! (2n+1))
    double sum = 0;
    double term = t;
    for (int n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= -t * t / (2 * (n + 1));
    }
    return 0.5 - sum / Math.sqrt(2 * Math.PI);
  }
}
