package org.dpq.budget;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.dpq.errors.InvalidPrivacyParameterException;

/**
 * Exact-decimal, conservatively rounded zCDP arithmetic for the ledger (Bun and Steinke 2016). Owns the direction
 * of every rounding: a rho <em>budget</em> is rounded DOWN and a rho <em>charge</em> is rounded UP, both to
 * {@link #SCALE} decimal places, and every epsilon shown for a rho is rounded UP, so that rounding can only make
 * the ledger spend more and allow less than the exact analysis.
 *
 * <ul>
 *   <li>A mechanism that is rho-zCDP is (rho + 2 sqrt(rho ln(1/delta)), delta)-DP for every delta in (0, 1)
 *       (Bun and Steinke, Prop. 1.3). The budget of a dataset given as (epsilon, delta) is the largest rho with
 *       rho + 2 sqrt(rho ln(1/delta)) <= epsilon: sqrt(rho) = sqrt(ln(1/delta) + epsilon) - sqrt(ln(1/delta)).
 *   <li>Gaussian noise with parameter sigma on a query of L2 sensitivity D is D^2/(2 sigma^2)-zCDP; so is the
 *       discrete Gaussian (Canonne, Kamath and Steinke 2020, Theorem 4).
 *   <li>A pure epsilon-DP mechanism (Laplace) is epsilon^2/2-zCDP.
 *   <li>zCDP composes by adding rho.
 * </ul>
 *
 * <p>ln(1/delta) is not a decimal: it is computed in double and bounded from above by stepping up past the
 * error of {@link Math#log} (1 ulp) and of reading delta as a double; an upper bound on ln(1/delta) lowers the
 * rho budget and raises the epsilon shown, both conservative. Square roots are taken at 50 digits and moved two
 * ulps in the conservative direction.
 */
public final class Zcdp {
  /** The number of decimal places of every stored rho: 1e-12. */
  public static final int SCALE = 12;

  private static final MathContext MC = new MathContext(50, RoundingMode.HALF_EVEN);
  private static final BigDecimal TWO = BigDecimal.valueOf(2);

  private Zcdp() {}

  /**
   * The rho budget of an (epsilon, delta) budget: the largest rho (rounded down to {@link #SCALE} places) whose
   * conversion rho + 2 sqrt(rho ln(1/delta)) is at most epsilon.
   *
   * @throws InvalidPrivacyParameterException when delta is not in (0, 1), epsilon is not positive, or the budget
   *     is too small to hold any rho at this scale
   */
  public static BigDecimal rhoBudget(BigDecimal epsilon, BigDecimal delta) {
    checkDelta(delta);
    if (epsilon.signum() <= 0) {
      throw new InvalidPrivacyParameterException("a zCDP budget needs epsilon > 0");
    }
    BigDecimal l = logInverseUpper(delta);
    BigDecimal upper = sqrtDown(l.add(epsilon));
    BigDecimal lower = sqrtUp(l);
    BigDecimal root = upper.subtract(lower);
    BigDecimal rho = root.signum() <= 0 ? BigDecimal.ZERO : root.multiply(root).setScale(SCALE, RoundingMode.FLOOR);
    if (rho.signum() <= 0) {
      throw new InvalidPrivacyParameterException("the budget (epsilon " + epsilon.toPlainString() + ", delta "
          + delta.toPlainString() + ") holds no rho at " + SCALE + " decimal places; give a larger budget");
    }
    return rho.stripTrailingZeros();
  }

  /**
   * The epsilon at which {@code rho}-zCDP gives (epsilon, delta)-DP: rho + 2 sqrt(rho ln(1/delta)), rounded up to
   * {@link #SCALE} places.
   */
  public static BigDecimal epsilon(BigDecimal rho, BigDecimal delta) {
    checkDelta(delta);
    if (rho.signum() < 0) {
      throw new InvalidPrivacyParameterException("rho cannot be negative");
    }
    if (rho.signum() == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal root = sqrtUp(rho.multiply(logInverseUpper(delta)));
    return rho.add(TWO.multiply(root)).setScale(SCALE, RoundingMode.CEILING).stripTrailingZeros();
  }

  /**
   * The rho of Gaussian noise with parameter {@code sigma} on a query of L2 sensitivity {@code l2Sensitivity}:
   * D^2/(2 sigma^2), computed exactly from the doubles' exact values and rounded up to {@link #SCALE} places.
   */
  public static BigDecimal gaussianRho(double l2Sensitivity, double sigma) {
    if (!(l2Sensitivity >= 0) || Double.isInfinite(l2Sensitivity) || !(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("a Gaussian rho needs a finite sensitivity >= 0 and a finite sigma > 0");
    }
    BigDecimal d = new BigDecimal(l2Sensitivity);
    BigDecimal s = new BigDecimal(sigma);
    return d.multiply(d).divide(TWO.multiply(s).multiply(s), SCALE, RoundingMode.CEILING).stripTrailingZeros();
  }

  /** The rho of a pure epsilon-DP mechanism: epsilon^2/2, rounded up to {@link #SCALE} places. */
  public static BigDecimal pureRho(BigDecimal epsilon) {
    if (epsilon.signum() < 0) {
      throw new InvalidPrivacyParameterException("epsilon cannot be negative");
    }
    return epsilon.multiply(epsilon).divide(TWO, SCALE, RoundingMode.CEILING).stripTrailingZeros();
  }

  private static void checkDelta(BigDecimal delta) {
    if (delta.signum() <= 0 || delta.compareTo(BigDecimal.ONE) >= 0) {
      throw new InvalidPrivacyParameterException("zCDP accounting converts at a delta in (0, 1); the budget's delta "
          + "is " + delta.toPlainString() + " (give budget.delta > 0, e.g. 1e-6)");
    }
  }

  /** An upper bound on ln(1/delta), exact as a decimal. */
  static BigDecimal logInverseUpper(BigDecimal delta) {
    double d = Math.nextDown(delta.doubleValue()); // at most delta (doubleValue rounds to nearest)
    double l = -Math.log(d);                         // within 1 ulp of ln(1/d) >= ln(1/delta)
    return new BigDecimal(Math.nextUp(Math.nextUp(Math.max(l, 0.0))));
  }

  private static BigDecimal sqrtDown(BigDecimal x) {
    BigDecimal r = x.sqrt(MC);
    BigDecimal down = r.subtract(r.ulp().multiply(TWO));
    return down.signum() < 0 ? BigDecimal.ZERO : down;
  }

  private static BigDecimal sqrtUp(BigDecimal x) {
    if (x.signum() == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal r = x.sqrt(MC);
    return r.add(r.ulp().multiply(TWO));
  }
}
