package org.dpq.engine.release;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.dpq.budget.MeasurementCost;
import org.dpq.budget.Zcdp;
import org.dpq.errors.QueryRejectedException;
import org.dpq.mechanisms.GaussianMechanism;
import org.dpq.mechanisms.LaplaceMechanism;
import org.dpq.mechanisms.PrivacyLoss;

/**
 * What a query costs on a dataset accounted in zCDP: the sum of its measurements' rho, each rounded up ({@link
 * Zcdp}). Owns the rule that the rho charged is the rho of the noise actually released: a Gaussian measurement
 * with L2 sensitivity D and noise parameter sigma costs D^2/(2 sigma^2) (the discrete Gaussian's own zCDP
 * guarantee, Canonne, Kamath and Steinke 2020), a pure epsilon-DP (Laplace) measurement costs epsilon^2/2. When the
 * query's rho was split over its Gaussian measurements ({@link RhoSplit}), each sigma was chosen so that this rounded-up
 * charge is at most the measurement's part, so the total is at most the query's rho.
 * Partition selection by a noisy threshold is (epsilon, delta)-DP with no zCDP guarantee, so a query that needs
 * it is refused before anything is charged.
 *
 * @param measurements each measurement's rho (as the epsilon of a loss with delta 0)
 * @param total the sum of the measurements' rho, delta 0
 */
public record ZcdpCharge(List<MeasurementCost> measurements, PrivacyLoss total) {
  public ZcdpCharge {
    measurements = List.copyOf(measurements);
  }

  /**
   * The zCDP charge of a noise plan.
   *
   * @throws QueryRejectedException when the plan selects groups by a noisy threshold (no charge)
   */
  public static ZcdpCharge of(NoisePlan plan) {
    if (plan.threshold().isPresent()
        || plan.measurements().stream().anyMatch(m -> m.threshold().isPresent())) {
      throw new QueryRejectedException("this dataset is accounted in zCDP, and the query's groups would be chosen "
          + "by DP partition selection, which is (epsilon, delta)-DP only and has no zCDP guarantee; declare "
          + "public_values for the grouping columns, or account the dataset with `budget.accounting: basic`");
    }
    List<MeasurementCost> out = new ArrayList<>(plan.measurements().size());
    BigDecimal total = BigDecimal.ZERO;
    for (MeasurementNoise m : plan.measurements()) {
      BigDecimal rho = rho(m);
      out.add(new MeasurementCost(m.label(), m.mechanism().kind().name(), new PrivacyLoss(rho, BigDecimal.ZERO)));
      total = total.add(rho);
    }
    return new ZcdpCharge(out, new PrivacyLoss(total, BigDecimal.ZERO));
  }

  /** The rho of one measurement's released noise, rounded up. */
  static BigDecimal rho(MeasurementNoise m) {
    if (m.mechanism() instanceof GaussianMechanism g) {
      return Zcdp.gaussianRho(g.l2Sensitivity(), g.sigma());
    }
    if (m.mechanism() instanceof LaplaceMechanism l) {
      // the measurement's share is what its Laplace noise is calibrated to (scale = L1 / epsilon)
      return Zcdp.pureRho(m.loss().epsilon().max(BigDecimal.valueOf(l.epsilon())));
    }
    throw new IllegalStateException("a measurement without a known zCDP guarantee: " + m.mechanism().kind());
  }
}
