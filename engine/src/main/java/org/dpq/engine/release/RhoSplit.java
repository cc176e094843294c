package org.dpq.engine.release;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dpq.budget.Zcdp;
import org.dpq.engine.analysis.DpPlan;
import org.dpq.mechanisms.Calibration;
import org.dpq.mechanisms.GaussianMechanism;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * Under zCDP accounting, the split of a query's rho over its Gaussian measurements (issue 16). Owns the claim that a
 * query asked at (epsilon, delta) and split this way is (epsilon, delta)-DP, and that what the ledger charges for it
 * ({@link ZcdpCharge}) is at most the query's rho.
 *
 * <p>Privacy argument. The query's rho, {@code rho_q}, is the largest rho (rounded down to {@link Zcdp#SCALE} places)
 * whose conversion to (epsilon, delta) by the discrete Gaussian's certificate, the one every Gaussian release is
 * checked against (CKS 2020 Corollary 13, {@link Calibration#zcdpRatio}), gives at most the requested delta at the
 * requested epsilon; that conversion's delta grows with rho. {@code rho_q} is split into exact decimal parts
 * {@code rho_i} at {@link Zcdp#SCALE} places, the last the exact remainder, so {@code sum rho_i = rho_q}. Measurement
 * i gets the smallest sigma_i (a double) with {@code D_i^2 / (2 sigma_i^2) <= rho_i} exactly, D_i its L2 sensitivity:
 * discrete Gaussian noise N_Z(0, sigma_i^2) on a query of L2 sensitivity D_i is D_i^2/(2 sigma_i^2)-zCDP (CKS Theorem
 * 4; the grid and integer scalings of {@link GaussianMechanism} keep that rho), and zCDP composes by adding rho (Bun and
 * Steinke 2016, Lemma 2.3), so the query is (sum rho_i) &lt;= rho_q-zCDP, hence (epsilon, delta)-DP by the same
 * conversion. The ledger charges each measurement's D_i^2/(2 sigma_i^2) rounded up to {@link Zcdp#SCALE} places, at
 * most rho_i because rho_i is a decimal at that scale, so the charge is at most rho_q and within a few units of its
 * last place of it. Each measurement alone is also (epsilon, delta)-DP by the certificate (its rho is below rho_q),
 * which its {@link GaussianMechanism} checks.
 *
 * <p>Why: zCDP composes in rho, so k measurements sharing rho_q get sigma growing like sqrt(k); sharing epsilon (and
 * delta) instead, each calibrated to (epsilon/k, delta/k), makes sigma grow like k and charges far less than rho_q.
 *
 * <p>The split minimises the weighted sum of relative variances ({@link ErrorWeights}, with the analyst's weights):
 * Var_i is proportional to D_i^2 / rho_i, so rho_i is proportional to sqrt(W_i) D_i ({@link
 * BudgetAllocator#fractions} with root 2, the same floor of a tenth of an equal share). Everything here depends on
 * the query, the bounds, the weights and the request only, never on data.
 *
 * <p>A measurement's (epsilon, delta) in the plan is its part of the request in proportion to its rho (for explain and
 * the release key; the parts add up exactly to the request), not a separate guarantee.
 */
final class RhoSplit {
  private RhoSplit() {}

  /**
   * One measurement's part: its rho, its noise, and its proportional part of the request.
   *
   * @param rho the rho this measurement may spend (its charge is at most this)
   * @param mechanism the discrete Gaussian with the smallest sigma whose rho is at most {@code rho}
   * @param loss the measurement's part of the requested (epsilon, delta), in proportion to its rho
   */
  record Part(BigDecimal rho, GaussianMechanism mechanism, PrivacyLoss loss) {}

  /**
   * The query's rho: the largest rho at {@link Zcdp#SCALE} places whose certificate conversion gives (epsilon, delta).
   */
  static BigDecimal queryRho(double epsilon, double delta) {
    BigDecimal ratio = new BigDecimal(Calibration.zcdpRatio(epsilon, delta));
    return BigDecimal.ONE.divide(BigDecimal.valueOf(2).multiply(ratio).multiply(ratio), Zcdp.SCALE,
        RoundingMode.FLOOR);
  }

  /**
   * Splits the rho of {@code requested} (its delta is the measurements' delta) over every measurement of {@code plan},
   * or empty when a part would round to 0 at {@link Zcdp#SCALE} places (a request too small to split).
   *
   * @param w each measurement's error weight W_i ({@link ErrorWeights})
   */
  static Optional<List<Part>> split(DpPlan plan, PrivacyLoss requested, double[] w) {
    int k = plan.measurements().size();
    double epsilon = requested.epsilonDouble();
    double delta = requested.deltaDouble();
    BigDecimal rhoQ = queryRho(epsilon, delta);
    double[] l2 = new double[k];
    for (int i = 0; i < k; i++) {
      l2[i] = plan.measurements().get(i).l2();
    }
    double[] q = BudgetAllocator.fractions(plan, l2, w, 2);
    List<BigDecimal> rho = new ArrayList<>(k);
    BigDecimal used = BigDecimal.ZERO;
    for (int i = 0; i < k - 1; i++) {
      BigDecimal part = rhoQ.multiply(new BigDecimal(q[i])).setScale(Zcdp.SCALE, RoundingMode.FLOOR);
      rho.add(part);
      used = used.add(part);
    }
    rho.add(rhoQ.subtract(used));
    if (rho.stream().anyMatch(r -> r.signum() <= 0)) {
      return Optional.empty();
    }
    List<Part> out = new ArrayList<>(k);
    BigDecimal epsilonUsed = BigDecimal.ZERO;
    BigDecimal deltaUsed = BigDecimal.ZERO;
    for (int i = 0; i < k; i++) {
      BigDecimal e = requested.epsilon();
      BigDecimal d = requested.delta();
      if (i < k - 1) {
        e = proportional(e, rho.get(i), rhoQ);
        d = proportional(d, rho.get(i), rhoQ);
      } else {
        e = e.subtract(epsilonUsed);
        d = d.subtract(deltaUsed);
      }
      epsilonUsed = epsilonUsed.add(e);
      deltaUsed = deltaUsed.add(d);
      GaussianMechanism g = new GaussianMechanism(l2[i], epsilon, delta, sigma(l2[i], rho.get(i)));
      out.add(new Part(rho.get(i), g, new PrivacyLoss(e, d)));
    }
    return Optional.of(out);
  }

  /**
   * The smallest double sigma with {@code l2^2 / (2 sigma^2) <= rho}, compared exactly on the doubles' values (so
   * {@link Zcdp#gaussianRho}, which rounds that value up to {@code rho}'s scale, is at most {@code rho}).
   */
  static double sigma(double l2, BigDecimal rho) {
    double sigma = l2 / Math.sqrt(2 * rho.doubleValue());
    while (sigma > 0 && within(l2, Math.nextDown(sigma), rho)) {
      sigma = Math.nextDown(sigma);
    }
    while (!within(l2, sigma, rho)) {
      sigma = Math.nextUp(sigma);
    }
    return sigma;
  }

  private static boolean within(double l2, double sigma, BigDecimal rho) {
    BigDecimal d = new BigDecimal(l2);
    BigDecimal s = new BigDecimal(sigma);
    return d.multiply(d).compareTo(BigDecimal.valueOf(2).multiply(rho).multiply(s).multiply(s)) <= 0;
  }

  /** {@code total * part / whole}, rounded down to 20 significant digits. */
  private static BigDecimal proportional(BigDecimal total, BigDecimal part, BigDecimal whole) {
    return total.multiply(part).divide(whole, new MathContext(20, RoundingMode.DOWN));
  }

  /** For explain: the measurement's rho and its part of the query's rho, and its sigma. */
  static String describe(Part p, BigDecimal rhoQ) {
    return " [zCDP: rho " + p.rho().toPlainString() + " of the query's " + rhoQ.toPlainString() + " (split in rho), "
        + "sigma " + new BigDecimal(p.mechanism().sigma()).round(new MathContext(6, RoundingMode.UP)).toPlainString()
        + "]";
  }
}
